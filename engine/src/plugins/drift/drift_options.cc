// DriftOptions: their rules, and the reading of the plugins.drift section.
#include "plugins/drift/drift_options.h"

#include <memory>

#include "logweave/config_section.h"
#include "plugins/drift/drift.h"

namespace logweave {

absl::Status DriftOptions::Validate() const {
  if (!enabled) return absl::OkStatus();
  if (terraform_state.empty()) {
    return absl::InvalidArgumentError(
        "plugins.drift.terraform_state must name the terraform.tfstate file to compare with "
        "(e.g. `terraform state pull > state.json`)");
  }
  if (max_pending_events < 1) {
    return absl::InvalidArgumentError("plugins.drift.max_pending_events must be at least 1");
  }
  return absl::OkStatus();
}

namespace internal {

// plugins.drift (registered in plugins/registry.cc). Its files are found
// relative to the config file's directory.
absl::StatusOr<std::shared_ptr<const RulePluginConfig>> ReadDriftConfig(
    const ConfigSection& section) {
  return ReadPluginSection<DriftConfig>(
      section, {"enabled", "terraform_state", "live_rules", "ignore_groups", "max_pending_events"},
      [](const ConfigSection&, ConfigReader& r, DriftOptions& o) {
        r.Path("terraform_state", &o.terraform_state);
        r.Path("live_rules", &o.live_rules);
        r.Names("ignore_groups", &o.ignore_groups);
        r.Count("max_pending_events", &o.max_pending_events);
        return r.status();
      });
}

}  // namespace internal
}  // namespace logweave

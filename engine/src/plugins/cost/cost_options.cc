// CostOptions: their rules, and the reading of the plugins.cost section.
#include "plugins/cost/cost_options.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "logweave/config_section.h"
#include "plugins/cost/cost.h"

namespace logweave {

absl::Status CostOptions::Validate() const {
  if (!enabled) return absl::OkStatus();
  if (history_days < 2 || history_days > 366) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugins.cost.history_days must be between 2 and 366 (got ", history_days, ")"));
  }
  if (min_history_days < 2 || min_history_days > history_days) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugins.cost.min_history_days must be between 2 and history_days (",
                     history_days, ") (got ", min_history_days, ")"));
  }
  if (!(stdevs > 0) || !(stdevs < 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugins.cost.stdevs must be above 0 and below 100 (got ", stdevs, ")"));
  }
  if (lateness_ns < 0 || lateness_ns > 366LL * 86'400'000'000'000) {
    return absl::InvalidArgumentError("plugins.cost.lateness must be from 0 to 366 days");
  }
  if (max_pending_lines < 1) {
    return absl::InvalidArgumentError("plugins.cost.max_pending_lines must be at least 1");
  }
  return absl::OkStatus();
}

namespace internal {

// plugins.cost (registered in plugins/registry.cc).
absl::StatusOr<std::shared_ptr<const RulePluginConfig>> ReadCostConfig(
    const ConfigSection& section) {
  return ReadPluginSection<CostConfig>(
      section,
      {"enabled", "services", "cost_fields", "service_fields", "time_fields", "history_days",
       "min_history_days", "stdevs", "lateness", "max_pending_lines"},
      [](const ConfigSection&, ConfigReader& r, CostOptions& o) {
        r.Names("services", &o.services);
        r.Names("cost_fields", &o.cost_fields);
        r.Names("service_fields", &o.service_fields);
        r.Names("time_fields", &o.time_fields);
        r.Count("history_days", &o.history_days);
        r.Count("min_history_days", &o.min_history_days);
        r.Number("stdevs", 0, 100, "a number of standard deviations, e.g. 2", &o.stdevs);
        r.Duration("lateness", /*zero_ok=*/true, &o.lateness_ns);
        r.Count("max_pending_lines", &o.max_pending_lines);
        return r.status();
      });
}

}  // namespace internal
}  // namespace logweave

// CanaryOptions: their rules, and the reading of the plugins.canary section.
#include "plugins/canary/canary_options.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "logweave/config_section.h"
#include "plugins/canary/canary.h"

namespace logweave {

absl::Status CanaryOptions::Validate() const {
  if (!enabled) return absl::OkStatus();
  if (canary_versions.empty()) {
    return absl::InvalidArgumentError("plugins.canary.canary_versions must name a version");
  }
  if (!(max_error_rate >= 0 && max_error_rate < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugins.canary.max_error_rate must be in [0, 1) (got ", max_error_rate, ")"));
  }
  if (max_p99_ns <= 0 || interval_ns <= 0 || window_ns <= 0 || latency_unit_ns <= 0) {
    return absl::InvalidArgumentError(
        "plugins.canary: max_p99, interval, window and latency_unit must be positive durations");
  }
  if (window_ns < interval_ns) {
    return absl::InvalidArgumentError(
        "plugins.canary.window must be at least plugins.canary.interval (every request is then "
        "in some check)");
  }
  constexpr int64_t kYear = 366LL * 86'400'000'000'000;
  if (lateness_ns < 0 || lateness_ns > kYear || interval_ns > kYear || window_ns > kYear ||
      max_p99_ns > kYear || latency_unit_ns > kYear) {
    return absl::InvalidArgumentError(
        "plugins.canary: lateness must be from 0, and it, interval, window, max_p99 and "
        "latency_unit at most 366 days");
  }
  if (max_error_rate_above_baseline >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugins.canary.max_error_rate_above_baseline must be below 1 (a share; got ",
                     max_error_rate_above_baseline, "), e.g. 0.02 for 2 points"));
  }
  if (max_p99_ratio_to_baseline != 0 &&
      !(max_p99_ratio_to_baseline >= 1 && max_p99_ratio_to_baseline < 1000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugins.canary.max_p99_ratio_to_baseline must be 0 (off) or in [1, 1000) "
                     "(got ",
                     max_p99_ratio_to_baseline, "), e.g. 1.5"));
  }
  if (!absolute && max_error_rate_above_baseline < 0 && max_p99_ratio_to_baseline == 0) {
    return absl::InvalidArgumentError(
        "plugins.canary.absolute: false needs a relative criterion: set "
        "max_error_rate_above_baseline or max_p99_ratio_to_baseline");
  }
  for (const auto& [canary, stable] : baseline) {
    if (canary.empty() || stable.empty() || canary == stable) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugins.canary.baseline must map a canary service to another service (got \"", canary,
          "\": \"", stable, "\"), e.g. {myapp-canary: myapp-stable}"));
    }
  }
  for (const std::string& suffix : canary_suffixes) {
    if (suffix.empty()) {
      return absl::InvalidArgumentError(
          "plugins.canary.canary_suffixes: a suffix must not be empty (every service would be a "
          "canary)");
    }
  }
  if (min_baseline_requests < 1) {
    return absl::InvalidArgumentError("plugins.canary.min_baseline_requests must be at least 1");
  }
  if (strikes < 1 || min_requests < 1 || max_pending_requests < 1) {
    return absl::InvalidArgumentError(
        "plugins.canary: strikes, min_requests and max_pending_requests must be at least 1");
  }
  return absl::OkStatus();
}

namespace internal {
namespace {

// The keys of plugins.canary after `enabled` (ReadPluginSection's `read`).
absl::Status ReadCanaryKeys(const ConfigSection& section, ConfigReader& r, CanaryOptions& o) {
  r.Names("canary_versions", &o.canary_versions);
  r.Names("services", &o.services);
  r.Names("version_fields", &o.version_fields);
  r.Names("latency_fields", &o.latency_fields);
  r.Names("status_fields", &o.status_fields);
  r.Duration("latency_unit", /*zero_ok=*/false, &o.latency_unit_ns);
  r.Number("max_error_rate", 0, 1, "a share, e.g. 0.05", &o.max_error_rate);
  r.Duration("max_p99", /*zero_ok=*/false, &o.max_p99_ns);
  r.Duration("interval", /*zero_ok=*/false, &o.interval_ns);
  r.Duration("window", /*zero_ok=*/false, &o.window_ns);
  r.Duration("lateness", /*zero_ok=*/true, &o.lateness_ns);
  r.Count("strikes", &o.strikes);
  r.Count("min_requests", &o.min_requests);
  r.Count("max_pending_requests", &o.max_pending_requests);
  r.Word("action", &o.action);
  r.Names("canary_suffixes", &o.canary_suffixes);
  // Text: "" (the bare name) is a baseline suffix.
  if (section.Has("baseline_suffixes")) {
    const YAML::Node& node = section.node()["baseline_suffixes"];
    o.baseline_suffixes.clear();
    if (node.IsScalar()) {
      o.baseline_suffixes.push_back(node.as<std::string>());
    } else if (node.IsSequence()) {
      for (const auto& item : node) {
        if (!item.IsScalar() && !item.IsNull()) {
          return section.Error("baseline_suffixes",
                               "must be a list of suffixes, e.g. [-stable, \"\"]");
        }
        o.baseline_suffixes.push_back(item.IsNull() ? "" : item.as<std::string>());
      }
    } else {
      return section.Error("baseline_suffixes", "must be a list of suffixes, e.g. [-stable, \"\"]");
    }
  }
  r.Number("max_error_rate_above_baseline", 0, 1, "a share, e.g. 0.02 for 2 points",
           &o.max_error_rate_above_baseline);
  r.Number("max_p99_ratio_to_baseline", 1, 1000, "a factor, e.g. 1.5",
           &o.max_p99_ratio_to_baseline);
  r.Count("min_baseline_requests", &o.min_baseline_requests);
  r.Bool("absolute", &o.absolute);
  if (!r.status().ok()) return r.status();
  return section.ForEachInMap(
      "baseline",
      "must map canary services to their baseline services, e.g. {myapp-canary: myapp-stable}",
      [&o](const ConfigSection& map, const std::string& canary) {
        ConfigReader service(map);
        std::string stable;
        service.Word(canary, &stable);
        if (!service.status().ok()) return service.status();
        o.baseline.emplace_back(canary, std::move(stable));
        return absl::OkStatus();
      });
}

}  // namespace

// plugins.canary (registered in plugins/registry.cc).
absl::StatusOr<std::shared_ptr<const RulePluginConfig>> ReadCanaryConfig(
    const ConfigSection& section) {
  return ReadPluginSection<CanaryConfig>(section,
                                         {"enabled",
                                          "canary_versions",
                                          "services",
                                          "version_fields",
                                          "latency_fields",
                                          "status_fields",
                                          "latency_unit",
                                          "max_error_rate",
                                          "max_p99",
                                          "interval",
                                          "window",
                                          "strikes",
                                          "min_requests",
                                          "lateness",
                                          "max_pending_requests",
                                          "action",
                                          "baseline",
                                          "canary_suffixes",
                                          "baseline_suffixes",
                                          "max_error_rate_above_baseline",
                                          "max_p99_ratio_to_baseline",
                                          "min_baseline_requests",
                                          "absolute"},
                                         ReadCanaryKeys);
}

}  // namespace internal
}  // namespace logweave

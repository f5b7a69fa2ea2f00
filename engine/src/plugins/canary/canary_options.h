// The canary rule plugin's settings (plugins.canary in the config; every key
// with its default: README.md in this folder).
#ifndef LOGWEAVE_PLUGINS_CANARY_CANARY_OPTIONS_H_
#define LOGWEAVE_PLUGINS_CANARY_CANARY_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "plugins/plugin_config.h"

namespace logweave {

class CanaryPlugin;

// Watches the requests a canary version of a service logs, and decides to
// roll it back when a check finds it unhealthy `strikes` times in a row. A
// request is a JSON line with a version field and a latency or HTTP status
// field; it failed if its status is >= 500 or its level ERROR or above.
struct CanaryOptions {
  // False: configured but off (plugins.canary.enabled: false).
  bool enabled = true;
  // Values of the version field that mark the canary (compared ignoring
  // case). Default "v2". Every other version is the baseline.
  std::vector<std::string> canary_versions = {"v2"};
  // Services watched; empty: every service that logs canary requests.
  std::vector<std::string> services;
  // Extra JSON keys (dotted for nested objects), tried before the built-in names.
  std::vector<std::string> version_fields;
  std::vector<std::string>
      latency_fields;  // unit from the key's suffix (_ms, _us, _s...), else latency_unit
  std::vector<std::string> status_fields;
  // Unit of a bare number under a latency key without a unit suffix
  // ("latency": 250): 1e6 = milliseconds (default), 1e9 = seconds, ...
  int64_t latency_unit_ns = 1'000'000;
  double max_error_rate = 0.05;               // a check fails above this error rate
  int64_t max_p99_ns = 2'000'000'000;         // ... or above this p99 latency
  int64_t interval_ns = 15'000'000'000;       // checks at multiples of this (event time)
  int64_t window_ns = 60'000'000'000;         // each over the requests of this window
  uint32_t strikes = 3;                       // failed checks in a row before the rollback
  uint32_t min_requests = 20;                 // fewer canary requests: no decision
  int64_t lateness_ns = 5'000'000'000;        // streaming: a check waits this long past its time
  uint64_t max_pending_requests = 4'000'000;  // kept at once; beyond, dropped and counted
  std::string action = "rollback";            // what the finding asks for

  // Canary and stable as separate services. A service named in `baseline`
  // (canary -> its baseline service), or named X + one of canary_suffixes,
  // is a canary service: all its requests are canary requests, with or
  // without a version field. Its baseline is the service `baseline` names,
  // else the first of X + baseline_suffixes that has requests in the check's
  // window ("myapp-canary" -> "myapp-stable", "myapp-primary", "myapp").
  std::vector<std::pair<std::string, std::string>> baseline;
  std::vector<std::string> canary_suffixes = {"-canary"};
  std::vector<std::string> baseline_suffixes = {"-stable", "-primary", ""};
  // Relative criteria (Kayenta, Flagger): a check also fails when the
  // canary's error rate is above the baseline's by more than this share
  // (0.02: 2 points; < 0: off, the default) or its p99 above this many times
  // the baseline's (0: off, the default). Judged only with at least
  // min_baseline_requests baseline requests in the window.
  double max_error_rate_above_baseline = -1;
  double max_p99_ratio_to_baseline = 0;
  uint32_t min_baseline_requests = 20;
  // False: max_error_rate and max_p99 are not applied; only the relative
  // criteria decide (at least one must be on).
  bool absolute = true;

  // OK when off; else INVALID_ARGUMENT naming the key (plugins.canary.*).
  absl::Status Validate() const;
};

// What PipelineOptions::plugins holds for a canary rule.
using CanaryConfig = internal::PluginConfig<CanaryPlugin, CanaryOptions>;

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_CANARY_CANARY_OPTIONS_H_

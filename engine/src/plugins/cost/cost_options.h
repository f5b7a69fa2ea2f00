// The cost-anomaly rule plugin's settings (plugins.cost in the config; every
// key with its default: README.md in this folder).
#ifndef LOGWEAVE_PLUGINS_COST_COST_OPTIONS_H_
#define LOGWEAVE_PLUGINS_COST_COST_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "plugins/plugin_config.h"

namespace logweave {

class CostPlugin;

// Sums each service's cost per UTC day from lines that carry a cost, and
// reports a day whose total is above mean + stdevs x stdev of the prior
// history_days days.
struct CostOptions {
  bool enabled = true;                   // false: configured but off
  std::vector<std::string> services;     // watched; empty: every service with cost lines
  std::vector<std::string> cost_fields;  // extra JSON keys of the amount, tried first
  std::vector<std::string>
      service_fields;  // extra keys naming the service billed (else the line's service)
  std::vector<std::string> time_fields;     // extra keys of the usage time (else the line's time)
  uint32_t history_days = 7;                // the days before that make the baseline
  uint32_t min_history_days = 7;            // of them, at least this many with cost lines
  double stdevs = 2.0;                      // a day above mean + stdevs x stdev is an anomaly
  int64_t lateness_ns = 3'600'000'000'000;  // streaming: a day is judged this long after it ends
  uint64_t max_pending_lines = 1'000'000;   // held at once; beyond, dropped and counted

  // OK when off; else INVALID_ARGUMENT naming the key (plugins.cost.*).
  absl::Status Validate() const;
};

// What PipelineOptions::plugins holds for a cost rule.
using CostConfig = internal::PluginConfig<CostPlugin, CostOptions>;

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_COST_COST_OPTIONS_H_

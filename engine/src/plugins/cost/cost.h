// The cost-anomaly rule plugin: tells when a service's daily cost jumps.
//
// Lines that carry a cost (`cost`, `cost_usd`, AWS CUR's
// `lineItem/UnblendedCost` or `line_item_unblended_cost`, GCP billing's
// `cost`, Azure's `costInBillingCurrency`/`PreTaxCost`, ...) are summed per
// service per UTC day of their usage time (`usage_start_time`,
// `lineItem/UsageStartDate`, ..., else the line's time). The service billed is
// named by the line (`lineItem/ProductCode`, `service.description`,
// `ServiceName`, ..., else the line's own service). A day is judged once it is
// over (in streaming, once the watermark is `lateness` past its end; in a
// final replay, every day with data): it is a `cost_anomaly` when its total
// is above mean + stdevs x stdev (sample standard deviation) of the totals of
// the prior history_days days that have cost lines, if at least
// min_history_days of them do. Lines for a day already judged are counted as
// late and leave the judgement as it was.
#ifndef LOGWEAVE_PLUGINS_COST_COST_H_
#define LOGWEAVE_PLUGINS_COST_COST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/index.h"
#include "plugins/cost/cost_options.h"
#include "plugins/json_fields.h"
#include "plugins/queued_plugin.h"

namespace logweave {

// One line's cost, as Observe takes it.
struct CostLine {
  std::string service;   // the service billed
  int64_t day = 0;       // UTC day number (days since 1970-01-01)
  double amount = 0;     // as written (|amount| < 1e12)
  int64_t micros = 0;    // amount in millionths, rounded: what is summed
  std::string currency;  // "" if the line names none
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t line_hash = 0;  // of the raw line: a repeated line is counted once
  int64_t time_ns = 0;
  std::string text;  // the line, shortened
};

// Reads costs from JSON lines. Immutable; thread-safe.
class CostLineReader {
 public:
  explicit CostLineReader(const CostOptions& options);

  // False if the line carries no cost. `service` and `time_ns` are the
  // line's own (used when it names no billed service or usage time;
  // time_ns < 0 with has_time false: none).
  bool Read(std::string_view json, std::string_view service, bool has_time, int64_t time_ns,
            CostLine* out) const;

 private:
  internal::JsonFieldPicker picker_;
  int configured_time_keys_ = 0;  // time keys from the config (ranks below this)
};

// Observe and dropped(): thread-safe, lock-free (QueuedRulePlugin). Absorb,
// Evaluate, late(): thread-safe, under one mutex.
class CostPlugin
    : public internal::OptionsRulePlugin<CostPlugin, CostOptions, CostLine, CostLineReader> {
 public:
  static constexpr std::string_view kName = "cost";

  ~CostPlugin() override;

  // Lines for days already judged (left out).
  uint64_t late() const {
    absl::MutexLock lock(&mu_);
    return late_;
  }

 private:
  struct Day;
  struct ServiceDays;
  friend OptionsRulePlugin;  // Create makes it
  CostPlugin(const CostOptions& options, const SourceNames& sources);
  bool Take(const Record& record, CostLine* out) const override;
  void Keep(CostLine&& line) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Decide(int64_t watermark_ns, std::vector<Finding>* out) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Judge(const std::string& service, ServiceDays& days, int64_t day)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::map<std::string, ServiceDays> services_ ABSL_GUARDED_BY(mu_);
  uint64_t late_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_COST_COST_H_

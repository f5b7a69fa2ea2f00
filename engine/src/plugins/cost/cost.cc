#include "plugins/cost/cost.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "internal/strings.h"
#include "parse/time_parse.h"
#include "plugins/common.h"
#include "plugins/cost/cost_rule.h"
#include "plugins/json_fields.h"

namespace logweave {
namespace {

using internal::DayText;
using internal::kDayNs;

constexpr size_t kEvidencePerDay = 3;  // the day's largest cost lines
constexpr size_t kCostEvidenceBytes = 300;

enum Slot { kAmount = 0, kService, kUsageTime, kCurrency, kSlots };

constexpr std::string_view kAmountKeys[] = {
    "cost",
    "cost_usd",
    "costUsd",
    "cost_eur",
    "cost_in_usd",
    "cost.amount",
    "amount_usd",
    "daily_cost",
    "total_cost",
    "billing.cost",
    "unblended_cost",
    "lineItem/UnblendedCost",    // AWS Cost and Usage Report (CSV headers)
    "line_item_unblended_cost",  // AWS CUR (Parquet / Athena)
    "lineItem/BlendedCost",
    "line_item_blended_cost",
    "costInBillingCurrency",  // Azure cost exports
    "PreTaxCost",
    "pretax_cost",
};
constexpr std::string_view kServiceKeys[] = {
    "cost_service",        "billed_service",       "lineItem/ProductCode", "line_item_product_code",
    "product/ProductName", "product_product_name", "service.description",  // GCP billing export
    "ServiceName",         "MeterCategory",        "consumedService",
};
constexpr std::string_view kUsageTimeKeys[] = {
    "usage_start_time",  // GCP billing export
    "usage_date",
    "lineItem/UsageStartDate",  // AWS CUR
    "line_item_usage_start_date",
    "UsageDateTime",  // Azure
    "billing_date",
    "day",
};
constexpr std::string_view kCurrencyKeys[] = {
    "currency",
    "cost.currency",
    "currency_code",
    "lineItem/CurrencyCode",
    "line_item_currency_code",
    "billingCurrency",
    "Currency",
};

// A usage time: any form ParseTimestamp reads, or a bare date (YYYY-MM-DD).
bool ReadUsageTime(const std::string& text, int64_t* out) {
  if (ParseTimestamp(text, out)) return true;
  return text.size() == 10 && ParseTimestamp(text + "T00:00:00Z", out);
}

int64_t FloorDay(int64_t time_ns) { return internal::FloorTo(time_ns, kDayNs) / kDayNs; }

std::string Money(double amount, const std::string& currency) {
  std::string text = absl::StrFormat("%.2f", amount);
  return currency.empty() ? text : absl::StrCat(text, " ", currency);
}

// The picker's slots (Slot), each the configured keys then the built-in ones.
std::vector<std::vector<std::string>> CostSlots(const CostOptions& options) {
  std::vector<std::vector<std::string>> slots(kSlots);
  slots[kAmount] = internal::ConfiguredThenBuiltin(options.cost_fields, kAmountKeys);
  slots[kService] = internal::ConfiguredThenBuiltin(options.service_fields, kServiceKeys);
  slots[kUsageTime] = internal::ConfiguredThenBuiltin(options.time_fields, kUsageTimeKeys);
  slots[kCurrency] = internal::ConfiguredThenBuiltin({}, kCurrencyKeys);
  return slots;
}

}  // namespace

CostLineReader::CostLineReader(const CostOptions& options)
    : picker_(CostSlots(options), /*required_slot=*/kAmount),
      configured_time_keys_(static_cast<int>(options.time_fields.size())) {}

bool CostLineReader::Read(std::string_view json, std::string_view service, bool has_time,
                          int64_t time_ns, CostLine* out) const {
  const auto found = picker_.Pick(json);
  bool have_amount = false;
  for (const auto& m : found[kAmount]) {
    double amount = 0;
    if (absl::SimpleAtod(m.text, &amount) && std::isfinite(amount) && std::abs(amount) < 1e12) {
      out->amount = amount;
      out->micros = std::llround(amount * 1e6);
      have_amount = true;
      break;
    }
  }
  if (!have_amount) return false;
  out->service.assign(service);
  for (const auto& m : found[kService]) {
    if (!m.text.empty() && !m.is_number) {
      out->service = m.text;
      break;
    }
  }
  for (const auto& m : found[kUsageTime]) {
    int64_t t = 0;
    // A bare number under a built-in key ("day": 15) is no instant; under a
    // configured key it is taken as an epoch time.
    if ((!m.is_number || m.rank < configured_time_keys_) && ReadUsageTime(m.text, &t)) {
      time_ns = t;
      has_time = true;
      break;
    }
  }
  if (!has_time || !internal::PluginTimeInRange(time_ns) || out->service.empty()) return false;
  out->time_ns = time_ns;
  out->day = FloorDay(time_ns);
  out->currency.clear();
  if (!found[kCurrency].empty() && !found[kCurrency][0].is_number) {
    out->currency = found[kCurrency][0].text;
  }
  return true;
}

// One service's day.
struct CostPlugin::Day {
  // In millionths, exactly: the same lines give the same total in any order.
  __int128 total_micros = 0;
  double total() const { return static_cast<double>(total_micros) / 1e6; }
  uint64_t lines = 0;
  std::string currency;
  std::vector<CostLine> largest;  // evidence: the day's largest amounts, largest first
};

// What the plugin keeps of one service.
struct CostPlugin::ServiceDays {
  std::map<int64_t, Day> days;         // by day number; older than the history are dropped
  int64_t judged_through = INT64_MIN;  // days up to this one are judged
  std::vector<Finding> anomalies;      // reported ones stand
};

CostPlugin::CostPlugin(const CostOptions& options, const SourceNames& sources)
    : OptionsRulePlugin(options, sources, options.max_pending_lines) {}

CostPlugin::~CostPlugin() = default;

bool CostPlugin::Take(const Record& r, CostLine* c) const {
  if (r.kind != RecordKind::kJson) return false;
  if (!reader_.Read(internal::ServiceJson(r), r.service, r.time_known(), r.time_ns, c)) {
    return false;
  }
  if (!options_.services.empty() && !internal::Listed(options_.services, c->service)) return false;
  c->source_id = r.source_id;
  c->line_no = r.line_no;
  c->text.assign(r.raw.substr(0, kCostEvidenceBytes));
  return true;
}

void CostPlugin::Keep(CostLine&& c) {
  ServiceDays& s = services_[c.service];
  if (c.day <= s.judged_through) {
    ++late_;
    return;
  }
  Day& day = s.days[c.day];
  day.total_micros += c.micros;
  ++day.lines;
  if (day.currency.empty()) day.currency = c.currency;
  // Keep the largest few lines as evidence.
  auto at = std::find_if(day.largest.begin(), day.largest.end(),
                         [&](const CostLine& e) { return e.micros < c.micros; });
  if (day.largest.size() < kEvidencePerDay || at != day.largest.end()) {
    day.largest.insert(at, std::move(c));
    if (day.largest.size() > kEvidencePerDay) day.largest.pop_back();
  }
}

void CostPlugin::Decide(int64_t watermark_ns, std::vector<Finding>* out) {
  for (auto& [service, s] : services_) {
    if (!s.days.empty()) {
      // The last day that is over: every day with data when the data is complete.
      int64_t last =
          watermark_ns == INT64_MAX
              ? s.days.rbegin()->first
              : FloorDay(internal::SettledThrough(watermark_ns, options_.lateness_ns)) - 1;
      for (auto it = s.days.upper_bound(s.judged_through); it != s.days.end() && it->first <= last;
           ++it) {
        Judge(service, s, it->first);
      }
      s.judged_through = std::max(s.judged_through, last);
      // Days too old to be anyone's history any more.
      const int64_t keep_from = s.judged_through - options_.history_days;
      while (!s.days.empty() && s.days.begin()->first < keep_from) s.days.erase(s.days.begin());
    }
    for (const Finding& f : s.anomalies) out->push_back(f);
  }
}

void CostPlugin::Judge(const std::string& service, ServiceDays& s, int64_t day_number) {
  const Day& day = s.days.at(day_number);
  std::vector<CostDayTotal> prior = PriorCostDays(s.days, day_number, options_.history_days,
                                                  [](const Day& d) { return d.total(); });
  if (prior.size() < options_.min_history_days) return;
  const CostJudgement j = JudgeCostDay(std::move(prior), day.total(), options_.stdevs);
  if (!j.anomaly) return;
  const auto& history = j.history;
  const double mean = j.mean, stdev = j.stdev, threshold = j.threshold;

  Finding f;
  f.kind = "cost_anomaly";
  f.severity = Severity::kWarning;
  f.subject = service;
  f.time_ns = day_number * kDayNs;
  f.id = FindingId(f.kind, {service, DayText(day_number)});
  const std::string& currency = day.currency;
  f.summary = absl::StrCat(
      service, " cost ", Money(day.total(), currency), " on ", DayText(day_number),
      ", above mean + ", absl::StrFormat("%g", options_.stdevs), " x stdev of the ", history.size(),
      " days before (mean ", Money(mean, currency), ", stdev ", Money(stdev, currency),
      ": threshold ", Money(threshold, currency), ")",
      mean > 0 ? absl::StrFormat("; %+.0f%% over the mean.", 100 * (day.total() - mean) / mean)
               : std::string("."));
  std::vector<std::string> days;
  for (const auto& [d, total] : history) {
    days.push_back(absl::StrCat(DayText(d), " ", absl::StrFormat("%.2f", total)));
  }
  f.details = {
      {"service", service},
      {"day", DayText(day_number)},
      {"cost", absl::StrFormat("%.2f", day.total())},
      {"currency", currency},
      {"lines", absl::StrCat(day.lines)},
      {"mean", absl::StrFormat("%.2f", mean)},
      {"stdev", absl::StrFormat("%.2f", stdev)},
      {"threshold", absl::StrFormat("%.2f", threshold)},
      {"stdevs", absl::StrFormat("%g", options_.stdevs)},
      {"history", absl::StrJoin(days, "; ")},
  };
  for (const CostLine& c : day.largest) {
    f.evidence.push_back(
        internal::PluginEvidence(sources_, c.source_id, c.line_no, c.time_ns, c.text));
  }
  s.anomalies.push_back(std::move(f));
}

}  // namespace logweave

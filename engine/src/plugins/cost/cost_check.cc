// CheckCost (logweave/checks.h): the cost rule over whole documents.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/strings.h"
#include "logweave/checks.h"
#include "plugins/common.h"
#include "plugins/cost/cost_input.h"
#include "plugins/cost/cost_rule.h"

namespace logweave {
namespace {

using internal::DayText;

// One service's day, summed exactly in millionths as the streaming rule does.
struct DayTotal {
  __int128 micros = 0;
  std::string currency;
  double total() const { return static_cast<double>(micros) / 1e6; }
};

}  // namespace

absl::Status ValidateCostCheck(const CostCheckOptions& check) {
  if (check.paths.empty()) return absl::InvalidArgumentError("no FILE given");
  if (absl::StatusOr<CostFormat> format = ParseCostFormat(check.format); !format.ok()) {
    return format.status();
  }
  if (check.history_days < 2 || check.history_days > 366) {
    return absl::InvalidArgumentError(
        absl::StrCat("--history-days must be from 2 to 366 (got ", check.history_days, ")"));
  }
  if (check.min_history_days < 2 || check.min_history_days > check.history_days) {
    return absl::InvalidArgumentError(
        absl::StrCat("--min-history-days must be from 2 to --history-days, ", check.history_days,
                     " (got ", check.min_history_days, ")"));
  }
  if (!(check.stdevs > 0) || !(check.stdevs < 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--stdevs must be above 0 and below 100 (got ", check.stdevs, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CostCheckResult> CheckCost(const CostCheckOptions& check) {
  if (absl::Status s = ValidateCostCheck(check); !s.ok()) return s;
  const CostFormat format = *ParseCostFormat(check.format);
  CostOptions options;
  options.stdevs = check.stdevs;
  options.history_days = check.history_days;
  options.min_history_days = check.min_history_days;
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  const CostDocumentReader reader(options);

  CostCheckResult result;
  std::vector<CostLine> lines;
  for (const std::string& path : check.paths) {
    absl::StatusOr<std::string> text = internal::ReadWholeFile(path);
    if (!text.ok()) return text.status();
    const CostFormat used = format == CostFormat::kAuto ? DetectCostFormat(*text) : format;
    CostReadCounts counts;
    if (absl::Status s =
            reader.Read(*text, used, std::filesystem::path(path).stem().string(), &lines, &counts);
        !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " (", internal::Av(CostFormatName(used)), "): ", s.message()));
    }
    result.lines += counts.lines;
    result.skipped += counts.skipped;
    result.formats.emplace_back(CostFormatName(used));
  }

  std::map<std::string, std::map<int64_t, DayTotal>> services;
  int64_t last_day = INT64_MIN, first_day = INT64_MAX;
  for (const CostLine& c : lines) {
    DayTotal& d = services[c.service][c.day];
    d.micros += c.micros;
    if (d.currency.empty()) d.currency = c.currency;
    last_day = std::max(last_day, c.day);
    first_day = std::min(first_day, c.day);
  }
  result.services = services.size();
  if (lines.empty()) return result;
  result.first_date = DayText(first_day);
  result.last_date = DayText(last_day);
  const int64_t report_from =
      check.recent_days > 0 ? last_day - static_cast<int64_t>(check.recent_days) + 1 : INT64_MIN;
  for (const auto& [service, days] : services) {
    for (const auto& [day, total] : days) {
      if (day < report_from) continue;
      std::vector<CostDayTotal> prior = PriorCostDays(days, day, options.history_days,
                                                      [](const DayTotal& d) { return d.total(); });
      if (prior.size() < options.min_history_days) continue;
      const CostJudgement j = JudgeCostDay(std::move(prior), total.total(), options.stdevs);
      if (!j.anomaly) continue;
      result.anomalies.push_back(CostAnomaly{
          .service = service,
          .date = DayText(day),
          .actual = total.total(),
          .baseline_avg = j.mean,
          .threshold = j.threshold,
          .stdev = j.stdev,
          .currency = total.currency,
          .history_days = static_cast<uint32_t>(j.history.size()),
      });
    }
  }
  std::sort(result.anomalies.begin(), result.anomalies.end(),
            [](const CostAnomaly& a, const CostAnomaly& b) {
              return std::tie(a.date, a.service) < std::tie(b.date, b.service);
            });
  return result;
}

}  // namespace logweave

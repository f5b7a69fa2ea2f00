// The cost-anomaly statistics, shared by the streaming rule (cost.h) and the
// one-shot `logweave cost` command: a day is an anomaly when its total is
// above mean + stdevs x the sample standard deviation of the totals of the
// prior days that have cost lines.
//
//   std::vector<CostDayTotal> history = PriorCostDays(days, day, 7, total_of);
//   if (history.size() >= 7) {
//     CostJudgement j = JudgeCostDay(std::move(history), total, 2.0);
//     if (j.anomaly) ...
//   }
#ifndef LOGWEAVE_PLUGINS_COST_COST_RULE_H_
#define LOGWEAVE_PLUGINS_COST_COST_RULE_H_

#include <cstdint>
#include <map>
#include <vector>

namespace logweave {

// One day's total of one service.
struct CostDayTotal {
  int64_t day = 0;  // UTC day number (days since 1970-01-01)
  double total = 0;
};

// What a day is compared with, and the verdict.
struct CostJudgement {
  std::vector<CostDayTotal> history;  // the prior days with cost lines, oldest first
  double mean = 0;
  double stdev = 0;      // sample standard deviation (0 with one day)
  double threshold = 0;  // mean + stdevs x stdev
  bool anomaly = false;  // the day's total is above the threshold
};

// The days of `days` (by day number) in [day - history_days, day), with their
// totals as `total_of(value)` gives them: a day exists once it has a line.
template <typename Value, typename TotalOf>
std::vector<CostDayTotal> PriorCostDays(const std::map<int64_t, Value>& days, int64_t day,
                                        uint32_t history_days, TotalOf total_of) {
  std::vector<CostDayTotal> history;
  for (auto it = days.lower_bound(day - static_cast<int64_t>(history_days));
       it != days.end() && it->first < day; ++it) {
    history.push_back(CostDayTotal{it->first, total_of(it->second)});
  }
  return history;
}

// Judges a day's `total` against `history` (not empty; the caller checks
// that it has enough days).
CostJudgement JudgeCostDay(std::vector<CostDayTotal> history, double total, double stdevs);

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_COST_COST_RULE_H_

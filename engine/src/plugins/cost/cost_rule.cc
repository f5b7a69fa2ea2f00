#include "plugins/cost/cost_rule.h"

#include <cmath>
#include <utility>

namespace logweave {

CostJudgement JudgeCostDay(std::vector<CostDayTotal> history, double total, double stdevs) {
  CostJudgement j;
  j.history = std::move(history);
  if (j.history.empty()) return j;
  for (const CostDayTotal& d : j.history) j.mean += d.total;
  j.mean /= j.history.size();
  double squares = 0;
  for (const CostDayTotal& d : j.history) squares += (d.total - j.mean) * (d.total - j.mean);
  // Sample standard deviation.
  j.stdev = j.history.size() > 1 ? std::sqrt(squares / (j.history.size() - 1)) : 0;
  j.threshold = j.mean + stdevs * j.stdev;
  j.anomaly = total > j.threshold;
  return j;
}

}  // namespace logweave

#include "plugins/canary/canary_series.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "plugins/common.h"

namespace logweave::internal {
namespace {

// failures/requests with 4 decimals, or "-" without requests.
std::string Rate(uint64_t failures, uint64_t requests) {
  if (requests == 0) return "-";
  return absl::StrFormat("%.4f", static_cast<double>(failures) / static_cast<double>(requests));
}

std::string Ms(int64_t ns) { return ns < 0 ? std::string("-") : absl::StrFormat("%.1f", ns / 1e6); }

}  // namespace

void CanaryCheckSeries::Add(const CanaryCheckPoint& point) {
  points_.push_back(point);
  while (points_.size() > capacity_) {
    points_.pop_front();
    ++omitted_;
  }
}

std::string CanaryCheckSeries::Text() const {
  std::vector<std::string> parts;
  parts.reserve(points_.size());
  for (const CanaryCheckPoint& c : points_) {
    parts.push_back(absl::StrCat(TimeText(c.time_ns), " ", c.failed ? "fail" : "pass", " ",
                                 c.strikes, " ", Rate(c.failures, c.requests), " ", Ms(c.p99_ns),
                                 " ", c.requests, " ",
                                 Rate(c.baseline_failures, c.baseline_requests), " ",
                                 Ms(c.baseline_p99_ns), " ", c.baseline_requests));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace logweave::internal

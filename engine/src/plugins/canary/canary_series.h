// The canary rule's checks of one service as a time series: what a
// canary_rollback finding carries (details `checks`, `checks_omitted`) so
// that the decision can be drawn over time — the canary's and the baseline's
// error rate and p99 at each check, pass or fail, and the strikes.
//
//   internal::CanaryCheckSeries series(40);
//   series.Add({.time_ns = t, .failed = true, .strikes = 1, ...});
//   f.details.push_back({"checks", series.Text()});
//   f.details.push_back({"checks_omitted", absl::StrCat(series.omitted())});
#ifndef LOGWEAVE_PLUGINS_CANARY_CANARY_SERIES_H_
#define LOGWEAVE_PLUGINS_CANARY_CANARY_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace logweave::internal {

// One check that decided (enough canary requests in its window).
struct CanaryCheckPoint {
  int64_t time_ns = 0;
  bool failed = false;   // the check failed (a strike)
  uint32_t strikes = 0;  // failed checks in a row, this one included (0 when it passed)
  uint64_t requests = 0, failures = 0;                    // the canary's, over the window
  int64_t p99_ns = -1;                                    // -1: no latency given
  uint64_t baseline_requests = 0, baseline_failures = 0;  // 0 requests: no baseline
  int64_t baseline_p99_ns = -1;
};

// The last `capacity` checks, oldest first, and how many came before them.
// Thread-compatible.
class CanaryCheckSeries {
 public:
  explicit CanaryCheckSeries(size_t capacity) : capacity_(capacity) {}

  // Appends `point`; drops (and counts) the oldest beyond the capacity.
  void Add(const CanaryCheckPoint& point);

  // The checks kept, "; "-joined, each as
  //   TIME pass|fail STRIKES ERROR_RATE P99_MS REQUESTS BASELINE_ERROR_RATE BASELINE_P99_MS
  //   BASELINE_REQUESTS
  // e.g. "2026-11-23T10:00:30.000Z fail 1 0.0513 1774.7 39 0.0000 1799.3 160": rates as
  // shares with 4 decimals, p99 in ms with one, "-" for a figure without data.
  std::string Text() const;

  // Checks dropped from the front (made before the first one kept).
  uint64_t omitted() const { return omitted_; }
  size_t size() const { return points_.size(); }

 private:
  size_t capacity_;
  std::deque<CanaryCheckPoint> points_;
  uint64_t omitted_ = 0;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_CANARY_CANARY_SERIES_H_

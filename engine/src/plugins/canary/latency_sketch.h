// A mergeable latency sketch with bounded memory and relative accuracy
// (DDSketch, Masson et al., VLDB 2019): a value v > 0 falls in bucket
// ceil(log_gamma(v)), gamma = (1 + a) / (1 - a); a quantile is read from the
// bucket counts and is within a (1%) of a value of the right rank. The
// canary's checks keep one per slot of time and merge the slots of a window,
// instead of every latency.
//
//   LatencySketch s;
//   for (int64_t ns : latencies) s.Add(ns);
//   int64_t p99 = s.Quantile(0.99);
#ifndef LOGWEAVE_PLUGINS_CANARY_LATENCY_SKETCH_H_
#define LOGWEAVE_PLUGINS_CANARY_LATENCY_SKETCH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logweave::internal {

// A value type; thread-compatible.
class LatencySketch {
 public:
  // Relative accuracy of Quantile.
  static constexpr double kRelativeAccuracy = 0.01;
  // At most this many buckets (about 10 KiB); beyond, the lowest ones are
  // merged (the high quantiles a canary check reads stay accurate). With 1%
  // accuracy, 1 ns to 290 years needs about 2200.
  static constexpr size_t kMaxBuckets = 2400;

  // Adds one value (nanoseconds, >= 0; negative values count as 0).
  void Add(int64_t value);
  // Adds every value `other` holds.
  void Merge(const LatencySketch& other);
  void Clear() { *this = LatencySketch(); }

  uint64_t count() const { return count_; }
  // The value at rank ceil(q * count) (1-based) within the relative
  // accuracy, clamped to the smallest and largest value added, and in the
  // largest value's bucket to the values that bucket got (so a quantile that
  // falls among equal largest values is exact); -1 when empty. q in (0, 1].
  int64_t Quantile(double q) const;

 private:
  // Makes buckets [lo, hi] addressable; collapses the lowest past kMaxBuckets.
  void Cover(int lo, int hi);
  // The bucket index of `value` (> 0).
  static int Key(int64_t value);

  uint64_t count_ = 0;
  uint64_t zeros_ = 0;  // values of 0
  int offset_ = 0;      // the bucket index of counts_[0]
  std::vector<uint64_t> counts_;
  int64_t min_ = INT64_MAX, max_ = INT64_MIN;
  int top_key_ = INT32_MIN;      // the bucket of the largest value above 0
  int64_t top_min_ = INT64_MAX;  // the smallest value in that bucket
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_CANARY_LATENCY_SKETCH_H_

#include "plugins/canary/latency_sketch.h"

#include <algorithm>
#include <cmath>

namespace logweave::internal {

namespace {

constexpr double kGamma =
    (1 + LatencySketch::kRelativeAccuracy) / (1 - LatencySketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);

}  // namespace

int LatencySketch::Key(int64_t value) {
  return static_cast<int>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
}

void LatencySketch::Cover(int lo, int hi) {
  if (counts_.empty()) {
    offset_ = lo;
    counts_.assign(static_cast<size_t>(hi - lo + 1), 0);
  } else {
    const int old_hi = offset_ + static_cast<int>(counts_.size()) - 1;
    if (lo < offset_) {
      counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - lo), 0);
      offset_ = lo;
    }
    if (hi > old_hi) counts_.resize(counts_.size() + static_cast<size_t>(hi - old_hi), 0);
  }
  if (counts_.size() > kMaxBuckets) {
    // Merge the lowest buckets into the lowest one that stays.
    const size_t drop = counts_.size() - kMaxBuckets;
    uint64_t merged = 0;
    for (size_t i = 0; i <= drop; ++i) merged += counts_[i];
    counts_.erase(counts_.begin(), counts_.begin() + static_cast<std::ptrdiff_t>(drop));
    counts_[0] = merged;
    offset_ += static_cast<int>(drop);
  }
}

void LatencySketch::Add(int64_t value) {
  value = std::max<int64_t>(value, 0);
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  if (value == 0) {
    ++zeros_;
    return;
  }
  const int key = Key(value);
  if (key > top_key_) {
    top_key_ = key;
    top_min_ = value;
  } else if (key == top_key_) {
    top_min_ = std::min(top_min_, value);
  }
  Cover(key, key);
  ++counts_[static_cast<size_t>(std::max(key - offset_, 0))];
}

void LatencySketch::Merge(const LatencySketch& other) {
  if (other.count_ == 0) return;
  count_ += other.count_;
  zeros_ += other.zeros_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  if (other.top_key_ > top_key_) {
    top_key_ = other.top_key_;
    top_min_ = other.top_min_;
  } else if (other.top_key_ == top_key_) {
    top_min_ = std::min(top_min_, other.top_min_);
  }
  if (other.counts_.empty()) return;
  const int lo = other.offset_, hi = other.offset_ + static_cast<int>(other.counts_.size()) - 1;
  Cover(lo, hi);
  for (int k = lo; k <= hi; ++k) {
    counts_[static_cast<size_t>(std::max(k - offset_, 0))] +=
        other.counts_[static_cast<size_t>(k - lo)];
  }
}

int64_t LatencySketch::Quantile(double q) const {
  if (count_ == 0) return -1;
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));  // 1-based
  uint64_t seen = zeros_;
  if (seen >= rank) return std::clamp<int64_t>(0, min_, max_);
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The middle of bucket (gamma^(k-1), gamma^k], in relative terms.
      const int key = offset_ + static_cast<int>(i);
      const double value = 2 * std::pow(kGamma, key) / (kGamma + 1);
      return std::clamp<int64_t>(static_cast<int64_t>(std::llround(std::min(value, 9e18))),
                                 key == top_key_ ? top_min_ : min_, max_);
    }
  }
  return max_;
}

}  // namespace logweave::internal

// The canary's latency sketch: accuracy against exact quantiles, merging,
// and the edges (empty, zeros, equal largest values).
#include "plugins/canary/latency_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace logweave::internal {
namespace {

// Deterministic latencies from 50 µs to about 20 s, heavy-tailed.
std::vector<int64_t> Latencies(size_t n, uint64_t seed) {
  std::vector<int64_t> out;
  uint64_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(x >> 11) / 9007199254740992.0;  // [0, 1)
    out.push_back(static_cast<int64_t>(50'000 * std::exp(12.9 * u * u * u)));
  }
  return out;
}

int64_t Exact(std::vector<int64_t> v, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
  return v[rank];
}

TEST(LatencySketchTest, QuantilesAreWithinOnePercentOfTheExactOnes) {
  const std::vector<int64_t> values = Latencies(200'000, 7);
  LatencySketch s;
  for (int64_t v : values) s.Add(v);
  EXPECT_EQ(s.count(), values.size());
  for (double q : {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const int64_t exact = Exact(values, q);
    const int64_t estimate = s.Quantile(q);
    EXPECT_LE(std::abs(static_cast<double>(estimate - exact)), 0.01 * exact + 1)
        << "q=" << q << " exact " << exact << " estimate " << estimate;
  }
}

TEST(LatencySketchTest, MergingIsAddingEveryValue) {
  const std::vector<int64_t> a = Latencies(5000, 1), b = Latencies(7000, 2);
  LatencySketch sa, sb, all;
  for (int64_t v : a) sa.Add(v), all.Add(v);
  for (int64_t v : b) sb.Add(v), all.Add(v);
  sa.Merge(sb);
  EXPECT_EQ(sa.count(), all.count());
  for (double q : {0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(sa.Quantile(q), all.Quantile(q)) << q;
}

TEST(LatencySketchTest, EmptyZerosAndEqualLargestValues) {
  LatencySketch s;
  EXPECT_EQ(s.Quantile(0.99), -1);
  s.Add(0);
  s.Add(-5);  // counted as 0
  EXPECT_EQ(s.Quantile(0.99), 0);
  // 96 fast requests and 4 at exactly 2.5 s: p99 is 2.5 s, not its bucket's middle.
  LatencySketch t;
  for (int i = 0; i < 96; ++i) t.Add(30'000'000);
  for (int i = 0; i < 4; ++i) t.Add(2'500'000'000);
  EXPECT_EQ(t.Quantile(0.99), 2'500'000'000);
  EXPECT_EQ(t.Quantile(0.5), 30'000'000);
  // Values from 1 ns to 100 years: still accurate at the top.
  LatencySketch wide;
  for (int64_t v = 1; v < 3'000'000'000'000'000'000; v *= 3) wide.Add(v);
  wide.Add(3'000'000'000'000'000'000);
  EXPECT_EQ(wide.Quantile(1.0), 3'000'000'000'000'000'000);
}

}  // namespace
}  // namespace logweave::internal

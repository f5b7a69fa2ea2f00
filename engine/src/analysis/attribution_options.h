// The options a plain-text error has among its service's requests (see
// attribution.h), and the walks that find them: requests left incomplete,
// requests still in progress at the error, and requests that ended before
// it, which are only summed. Internal to the attribution.
#ifndef LOGWEAVE_ANALYSIS_ATTRIBUTION_OPTIONS_H_
#define LOGWEAVE_ANALYSIS_ATTRIBUTION_OPTIONS_H_

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "analysis/attribution.h"

namespace logweave::internal {

inline constexpr int64_t kNsPerSecond = 1'000'000'000;

// A candidate for one error: a request of its service with an event at
// most attribution_window before it.
struct RequestOption {
  const Candidate* c;
  int64_t gap;  // from the request's last event at or before the error
  bool after;   // the request logged again after the error
  double weight = 0;
};

// The option `c` is for an error at `t`: it has an event at most `window`
// before t. None if it has not.
inline std::optional<RequestOption> OptionAt(const Candidate& c, int64_t t, int64_t window) {
  if (c.first > t) return std::nullopt;
  const int64_t before = c.LatestAtOrBefore(t);
  if (before == INT64_MIN || t - before > window) return std::nullopt;
  return RequestOption{&c, t - before, c.last > t};
}

// `a - b` and `a + b`, saturated at int64_t's ends.
inline int64_t SubSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? (b > 0 ? INT64_MIN : INT64_MAX) : r;
}
inline int64_t AddSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

// The time a request spends in the service, saturated (its times may be
// any two int64_t).
inline int64_t Span(const Candidate& c) { return SubSat(c.last, c.first); }

// The weight of a request that ended `gap` before the error: the weaker the
// longer ago. The same for every such request of every error, so that a
// service's ended requests can be summed in one tight loop.
inline double EndedWeight(int64_t gap) {
  return 1.0 / (1.0 + static_cast<double>(gap) / kNsPerSecond);
}

// EndedWeight(t - lasts[k]) into out[k] for k < n, where every gap is in
// [0, window]; returns their sum, added in order of k. The same values, in a
// loop the compiler vectorizes: a gap below 2^52 is made a double exactly by
// putting it in the mantissa of 2^52 (x86-64 has no packed int64-to-double
// conversion before AVX-512). The sum is taken in the same loop, so that its
// additions (one after another) overlap the divisions of the next weights:
// 2.5 x faster than two loops.
inline double EndedWeights(const int64_t* lasts, size_t n, int64_t t, int64_t window, double* out) {
  double total = 0;
  constexpr int64_t kExactBelow = int64_t{1} << 52;
  if (window >= kExactBelow) {
    for (size_t k = 0; k < n; ++k) {
      out[k] = EndedWeight(t - lasts[k]);
      total += out[k];
    }
    return total;
  }
  constexpr uint64_t kTwoTo52Bits = 0x4330000000000000;  // the double 2^52
  constexpr double kTwoTo52 = 4503599627370496.0;
  for (size_t k = 0; k < n; ++k) {
    assert(lasts[k] <= t && t - lasts[k] <= window);
    const uint64_t gap = static_cast<uint64_t>(t - lasts[k]);
    const double g = std::bit_cast<double>(gap | kTwoTo52Bits) - kTwoTo52;
    out[k] = 1.0 / (1.0 + g / kNsPerSecond);
    total += out[k];
  }
  return total;
}

// Requests of the open part of a service's candidates are grouped in blocks
// of this many, with their least first time, so that a walk for those still in
// progress at a time skips the blocks that all started after it.
inline constexpr size_t kBlock = 32;

// One service's candidates, arranged for the three kinds of option an error
// has. The service's list is reordered: [0, open_begin) the incomplete
// requests by (first, id); [open_begin, end) the others by (last, id).
struct ServiceCandidates {
  size_t open_begin = 0;
  std::vector<int64_t> lasts;            // of the others, in their order
  std::vector<int64_t> block_min_first;  // of the others, per kBlock of them
  int64_t max_span_incomplete = 0, max_span_open = 0;
  int64_t median_span = 0;  // of all of them
};

// Arranges `list` (reordered) and describes it; `spans` is scratch.
ServiceCandidates ArrangeCandidates(CandidateList& list, std::vector<int64_t>& spans);

// Calls fn(option) for each incomplete request of `list` that is an option
// for an error at `t`.
template <typename Fn>
void ForEachIncompleteOption(const CandidateList& list, const ServiceCandidates& sc, int64_t t,
                             int64_t window, const Fn& fn) {
  const auto begin = list.begin(), end = list.begin() + static_cast<ptrdiff_t>(sc.open_begin);
  const int64_t earliest = SubSat(SubSat(t, window), sc.max_span_incomplete);
  auto it =
      std::upper_bound(begin, end, t, [](int64_t v, const Candidate& c) { return v < c.first; });
  while (it != begin) {
    --it;
    if (it->first < earliest) break;
    if (std::optional<RequestOption> o = OptionAt(*it, t, window)) fn(*o);
  }
}

// Calls fn(option) for each other request of `list` still in progress at `t`
// (it started by then and logs again after) that is an option for an error
// there.
template <typename Fn>
void ForEachInProgressOption(const CandidateList& list, const ServiceCandidates& sc, int64_t t,
                             int64_t window, const Fn& fn) {
  const size_t n = sc.lasts.size();
  size_t k =
      static_cast<size_t>(std::upper_bound(sc.lasts.begin(), sc.lasts.end(), t) - sc.lasts.begin());
  // A request that started by t ends at most its span after it.
  const int64_t latest_last = AddSat(t, sc.max_span_open);
  while (k < n && sc.lasts[k] <= latest_last) {
    if (k % kBlock == 0 && sc.block_min_first[k / kBlock] > t) {
      k += kBlock;
      continue;
    }
    const Candidate& c = list[sc.open_begin + k];
    if (c.first <= t) {
      if (std::optional<RequestOption> o = OptionAt(c, t, window)) fn(*o);
    }
    ++k;
  }
}

// The other requests of `list` that ended at most `window` before `t`:
// [begin, end) of sc.lasts (and of list from open_begin), weights falling
// from end - 1 down.
inline std::pair<size_t, size_t> EndedRange(const ServiceCandidates& sc, int64_t t,
                                            int64_t window) {
  const auto lo = std::lower_bound(sc.lasts.begin(), sc.lasts.end(), SubSat(t, window));
  const auto hi = std::upper_bound(lo, sc.lasts.end(), t);
  return {static_cast<size_t>(lo - sc.lasts.begin()), static_cast<size_t>(hi - sc.lasts.begin())};
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_ATTRIBUTION_OPTIONS_H_

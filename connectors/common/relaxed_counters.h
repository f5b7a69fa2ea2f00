// Snapshots of counters that several threads bump with relaxed atomics (the
// connectors' Stats() calls). Header-only. The two lists name the same
// counters in the same order:
//
//   LoadRelaxed(std::tie(s.lines, s.records), std::tie(lines_, records_));
#ifndef LOGWEAVE_CONNECTORS_COMMON_RELAXED_COUNTERS_H_
#define LOGWEAVE_CONNECTORS_COMMON_RELAXED_COUNTERS_H_

#include <atomic>
#include <tuple>

namespace logweave {

// Loads each std::atomic of `from` (relaxed: a counter, not a synchronisation) into
// the value at the same place of `to`.
template <typename... To, typename... From>
void LoadRelaxed(std::tuple<To&...> to, std::tuple<From&...> from) {
  static_assert(sizeof...(To) == sizeof...(From), "LoadRelaxed: the lists differ in length");
  std::apply(
      [&](To&... t) {
        std::apply([&](const auto&... f) { ((t = f.load(std::memory_order_relaxed)), ...); }, from);
      },
      to);
}

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_COMMON_RELAXED_COUNTERS_H_

// Sorting vectors of large values (entries with several strings) by moving
// each value once, instead of the many moves of std::sort.
#ifndef LOGWEAVE_INTERNAL_PERMUTE_H_
#define LOGWEAVE_INTERNAL_PERMUTE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace logweave::internal {

// Sorts `values` by the key `key_of` gives each (worked out once per value;
// it may view into the value); values with equal keys keep their order. The
// order is found on (key, index) pairs; then each cycle of the permutation
// is walked once, with one value held aside.
template <typename T, typename KeyOf>
void SortMovingOnce(std::vector<T>& values, KeyOf key_of) {
  using Key = decltype(key_of(values.front()));
  std::vector<std::pair<Key, size_t>> keyed;
  keyed.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) keyed.emplace_back(key_of(values[i]), i);
  std::sort(keyed.begin(), keyed.end());
  // order[i]: the index of the value that goes to place i; SIZE_MAX once placed.
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  keyed = decltype(keyed)();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == SIZE_MAX) continue;
    if (order[i] == i) {
      order[i] = SIZE_MAX;
      continue;
    }
    T held = std::move(values[i]);
    size_t at = i;
    while (order[at] != i) {
      const size_t from = order[at];
      values[at] = std::move(values[from]);
      order[at] = SIZE_MAX;
      at = from;
    }
    values[at] = std::move(held);
    order[at] = SIZE_MAX;
  }
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_PERMUTE_H_

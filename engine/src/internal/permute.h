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

// The order that sorts `values` by the key `key_of` gives each (worked out
// once per value; it may view into the value; values with equal keys keep
// their order): order[i] is the index of the value that goes to place i.
template <typename T, typename KeyOf>
std::vector<size_t> SortedOrder(std::vector<T>& values, KeyOf key_of) {
  using Key = decltype(key_of(values.front()));
  std::vector<std::pair<Key, size_t>> keyed;
  keyed.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) keyed.emplace_back(key_of(values[i]), i);
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

// Puts values[order[i]] at place i (`order` as SortedOrder gives it), moving
// each value once: each cycle of the permutation is walked with one value
// held aside. `order` is used up.
template <typename T>
void ApplyOrder(std::vector<T>& values, std::vector<size_t> order) {
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

// Sorts `values` by key_of (SortedOrder), moving each value once (instead of
// the many moves of std::sort).
template <typename T, typename KeyOf>
void SortMovingOnce(std::vector<T>& values, KeyOf key_of) {
  ApplyOrder(values, SortedOrder(values, key_of));
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_PERMUTE_H_

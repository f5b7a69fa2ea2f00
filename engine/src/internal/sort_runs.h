// A stable sort for lists that come in a few runs already in order (a trace's events: each
// source's lines in their order), allocating nothing once its room is large enough.
//
//   SortRoom<Event> room;                      // kept between sorts, by one thread
//   StableSortRuns(events, room, by_time);      // the same order as std::stable_sort
#ifndef LOGWEAVE_INTERNAL_SORT_RUNS_H_
#define LOGWEAVE_INTERNAL_SORT_RUNS_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace logweave::internal {

// What StableSortRuns merges in, kept between sorts.
template <typename T>
struct SortRoom {
  std::vector<T> items;
  std::vector<size_t> runs, merged;
};

// Sorts `v` stably by `less` (equal elements keep their order): a short list by insertion, a
// longer one by merging its runs, neighbours first (log2 of their count passes).
template <typename T, typename Less>
void StableSortRuns(std::vector<T>& v, SortRoom<T>& room, Less less) {
  constexpr size_t kFew = 16;
  if (v.size() <= kFew) {
    for (size_t i = 1; i < v.size(); ++i) {
      const T x = v[i];
      size_t j = i;
      for (; j > 0 && less(x, v[j - 1]); --j) v[j] = v[j - 1];
      v[j] = x;
    }
    return;
  }
  std::vector<size_t>& runs = room.runs;  // where each run starts, then v.size()
  std::vector<size_t>& merged = room.merged;
  std::vector<T>& scratch = room.items;
  runs.assign(1, 0);
  for (size_t i = 1; i < v.size(); ++i) {
    if (less(v[i], v[i - 1])) runs.push_back(i);
  }
  if (runs.size() == 1) return;
  runs.push_back(v.size());
  scratch.resize(v.size());
  while (runs.size() > 2) {
    merged.clear();
    for (size_t r = 0; r + 1 < runs.size(); r += 2) {
      merged.push_back(runs[r]);
      const size_t mid = runs[r + 1], end = r + 2 < runs.size() ? runs[r + 2] : mid;
      // std::merge takes from the first range on ties: equal elements keep their order.
      std::merge(v.begin() + runs[r], v.begin() + mid, v.begin() + mid, v.begin() + end,
                 scratch.begin() + runs[r], less);
    }
    merged.push_back(v.size());
    v.swap(scratch);
    runs.swap(merged);
  }
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_SORT_RUNS_H_

// StableSortRuns sorts as std::stable_sort does (equal elements in their order), whatever the
// runs, ties and sizes, reusing its room.
#include "internal/sort_runs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace logweave::internal {
namespace {

using Item = std::pair<int, int>;  // key, position in the input: shows the order of ties
bool KeyLess(const Item& a, const Item& b) { return a.first < b.first; }

// `size` items in `runs` runs each in order, keys from [0, keys).
std::vector<Item> Runs(std::mt19937& rng, size_t size, size_t runs, int keys) {
  std::vector<int> values(size);
  for (int& v : values) v = std::uniform_int_distribution<int>(0, keys - 1)(rng);
  for (size_t r = 0; r < runs; ++r) {
    const size_t begin = size * r / runs, end = size * (r + 1) / runs;
    std::sort(values.begin() + begin, values.begin() + end);
  }
  std::vector<Item> items;
  for (size_t i = 0; i < size; ++i) items.push_back({values[i], static_cast<int>(i)});
  return items;
}

TEST(SortRunsTest, SortsAsStableSortWhateverTheRunsAndTies) {
  std::mt19937 rng(7);
  SortRoom<Item> room;  // one room for every sort
  for (size_t size : {0, 1, 2, 5, 16, 17, 64, 100, 1000, 5000}) {
    for (size_t runs : {1, 2, 3, 7, 50, 5000}) {
      for (int keys : {1, 3, 1000000}) {
        if (runs > std::max<size_t>(size, 1)) continue;
        std::vector<Item> items = Runs(rng, size, runs, keys);
        std::vector<Item> expected = items;
        std::stable_sort(expected.begin(), expected.end(), KeyLess);
        StableSortRuns(items, room, KeyLess);
        ASSERT_EQ(items, expected) << size << " items, " << runs << " runs, " << keys << " keys";
      }
    }
  }
}

TEST(SortRunsTest, ReversedAndSortedLists) {
  SortRoom<Item> room;
  std::vector<Item> reversed, sorted;
  for (int i = 0; i < 300; ++i) {
    reversed.push_back({300 - i, i});
    sorted.push_back({i / 3, i});
  }
  std::vector<Item> expected = reversed;
  std::stable_sort(expected.begin(), expected.end(), KeyLess);
  StableSortRuns(reversed, room, KeyLess);
  EXPECT_EQ(reversed, expected);
  expected = sorted;
  StableSortRuns(sorted, room, KeyLess);
  EXPECT_EQ(sorted, expected);
}

}  // namespace
}  // namespace logweave::internal

// The window of recent line hashes that finds a shard's exact repeats.
#include "index/dedupe_window.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "internal/page_allocator.h"

namespace logweave::internal {
namespace {

// Inserts lines as a shard does: Prepare before each batch, then Find and,
// for a line not found, Add. `lines[i]` is line i's content id; a line's
// hash is a mix of its id, so equal ids are repeats. Returns, for each line,
// the event it was found to repeat (kNoTwin: stored as new).
class Shard {
 public:
  explicit Shard(size_t limit) : window_(limit) {}

  uint64_t Insert(uint64_t content) {
    if (pending_ == 0) {
      window_.Prepare(kBatch);
      pending_ = kBatch;
    }
    --pending_;
    const uint64_t hash = Hash(content);
    const uint64_t index = contents_.size();
    const uint64_t twin =
        window_.Find(hash, index, [&](uint64_t event) { return contents_[event] == content; });
    contents_.push_back(content);
    if (twin == DedupeWindow::kNoTwin) window_.Add(hash, index);
    return twin;
  }
  const DedupeWindow& window() const { return window_; }
  // Whether the window finds `event` (a line inserted before) again, without
  // inserting it or using the window.
  bool Finds(uint64_t event) const {
    const uint64_t content = contents_[event];
    return window_.Peek(Hash(content), contents_.size(),
                        [&](uint64_t e) { return contents_[e] == content; }) == event;
  }
  size_t lines() const { return contents_.size(); }

 private:
  static constexpr size_t kBatch = 100;
  static uint64_t Hash(uint64_t content) {
    uint64_t h = content * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29) ^ (h << 23);
  }
  DedupeWindow window_;
  std::vector<uint64_t> contents_;  // by event number
  size_t pending_ = 0;
};

TEST(DedupeWindowTest, FindsARepeatOfAnyOfTheLastLimitLines) {
  constexpr size_t kLimit = 4096;
  for (uint64_t back :
       {uint64_t{1}, uint64_t{100}, uint64_t{kLimit / 2}, uint64_t{kLimit - 1}, uint64_t{kLimit}}) {
    for (uint64_t lines : {uint64_t{kLimit}, uint64_t{20'000}, uint64_t{50'001}}) {
      Shard shard(kLimit);
      for (uint64_t i = 0; i < lines; ++i) ASSERT_EQ(shard.Insert(i), DedupeWindow::kNoTwin);
      // The line `back` lines ago comes again: found, and pointing at it.
      EXPECT_EQ(shard.Insert(lines - back), lines - back) << back << " of " << lines;
    }
  }
}

TEST(DedupeWindowTest, EveryLineOfTheWindowStaysFoundThroughManyPurges) {
  constexpr size_t kLimit = 4096;
  Shard shard(kLimit);
  size_t lost = 0, checked = 0;
  for (uint64_t i = 0; i < 200'000; ++i) {
    ASSERT_EQ(shard.Insert(i), DedupeWindow::kNoTwin);
    if ((i + 1) % 2000 != 0) continue;
    for (uint64_t back = 1; back <= kLimit && back <= shard.lines(); ++back) {
      ++checked;
      if (!shard.Finds(shard.lines() - back)) ++lost;
    }
  }
  EXPECT_EQ(lost, 0u) << "of " << checked;
}

TEST(DedupeWindowTest, ForgetsLinesFarBehindAndStaysWithinItsMemory) {
  constexpr size_t kLimit = 4096;
  Shard shard(kLimit);
  for (uint64_t i = 0; i < 100'000; ++i) ASSERT_EQ(shard.Insert(i), DedupeWindow::kNoTwin);
  // Lines more than 1.25 x limit + a batch behind have been purged.
  EXPECT_EQ(shard.Insert(100'000 - 3 * kLimit), DedupeWindow::kNoTwin);
  EXPECT_EQ(shard.Insert(10), DedupeWindow::kNoTwin);
  EXPECT_GT(shard.window().bytes(), 0u);
  EXPECT_LE(shard.window().bytes(), DedupeWindow::MaxBytes(kLimit));
}

TEST(DedupeWindowTest, ALineRepeatedAllAlongStaysFound) {
  constexpr size_t kLimit = 1024;
  Shard shard(kLimit);
  ASSERT_EQ(shard.Insert(7), DedupeWindow::kNoTwin);
  // The same line every kLimit / 2 lines, for many windows: always the first event.
  uint64_t fresh = 1'000'000;
  for (int round = 0; round < 100; ++round) {
    for (size_t i = 0; i < kLimit / 2; ++i) shard.Insert(fresh++);
    EXPECT_EQ(shard.Insert(7), 0u) << round;
  }
}

TEST(DedupeWindowTest, ClearedWindowFindsNothingOlder) {
  DedupeWindow window(1024);
  window.Prepare(10);
  window.Add(42, 0);
  EXPECT_EQ(window.Find(42, 1, [](uint64_t) { return true; }), 0u);
  window.Clear();
  EXPECT_EQ(window.bytes(), 0u);
  EXPECT_EQ(window.Find(42, 2, [](uint64_t) { return true; }), DedupeWindow::kNoTwin);
}

// The window's table (and the trace map's) grows by doubling: a large
// buffer is mapped pages, not heap, so an outgrown one leaves no hole behind.
TEST(PageAllocatorTest, LargeBuffersAreZeroedPagesOutsideTheHeapAndSmallOnesWork) {
  PageAllocator<uint64_t> alloc;
  const size_t large = kPageAllocMinBytes / sizeof(uint64_t) * 4;
  const size_t heap_before = mallinfo2().uordblks;
  uint64_t* p = alloc.allocate(large);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
  for (size_t i = 0; i < large; i += 512) ASSERT_EQ(p[i], 0u);
  p[large - 1] = 7;
  EXPECT_LT(mallinfo2().uordblks, heap_before + kPageAllocMinBytes);  // not from the heap
  alloc.deallocate(p, large);

  uint64_t* small = alloc.allocate(4);
  small[3] = 9;
  EXPECT_EQ(small[3], 9u);
  alloc.deallocate(small, 4);

  std::vector<uint64_t, PageAllocator<uint64_t>> grown;
  for (uint64_t i = 0; i < 300000; ++i) grown.push_back(i * 3);
  for (uint64_t i = 0; i < 300000; i += 997) ASSERT_EQ(grown[i], i * 3);
}

// The attribution's candidate lists are sized before they are filled: a
// lazy one's room is resident only where it has been written (mincore: the
// pages in memory), and what is written reads back.
TEST(PageAllocatorTest, ALazyVectorsRoomIsResidentOnlyWhereWritten) {
  struct Slot {
    int64_t a, b, c, d;
  };
  static_assert(std::is_trivially_default_constructible_v<Slot>);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  auto resident_pages = [page](const void* data, size_t bytes) {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
    const size_t pages = (reinterpret_cast<uintptr_t>(data) + bytes - begin + page - 1) / page;
    std::vector<unsigned char> in(pages);
    EXPECT_EQ(mincore(reinterpret_cast<void*>(begin), pages * page, in.data()), 0);
    size_t n = 0;
    for (unsigned char v : in) n += v & 1;
    return n;
  };
  const size_t count = (size_t{64} << 20) / sizeof(Slot);  // 64 MiB of room
  std::vector<Slot, LazyPageAllocator<Slot>> lazy;
  lazy.resize(count);
  const size_t bytes = count * sizeof(Slot);
  EXPECT_LE(resident_pages(lazy.data(), bytes), 2u);
  for (size_t i = 0; i < count / 4; ++i) lazy[i] = Slot{int64_t(i), 1, 2, 3};
  const size_t quarter = resident_pages(lazy.data(), bytes);
  EXPECT_GE(quarter, bytes / 4 / page - 1);
  EXPECT_LE(quarter, bytes / 4 / page + 2);
  for (size_t i = 0; i < count / 4; i += 1021) ASSERT_EQ(lazy[i].a, int64_t(i));
  lazy.resize(count / 4);  // as the analysis drops the room it did not fill
  lazy.push_back(Slot{-1, -2, -3, -4});
  EXPECT_EQ(lazy.back().d, -4);

  // The same room made by the plain page allocator is written (zeroed) whole.
  std::vector<Slot, PageAllocator<Slot>> eager;
  eager.resize(count);
  EXPECT_GE(resident_pages(eager.data(), bytes), bytes / page - 1);
}

}  // namespace
}  // namespace logweave::internal

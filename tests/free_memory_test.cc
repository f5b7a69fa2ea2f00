// Memory freed on one thread goes back to the system when asked, not only at
// exit: what lets a replay's freed index stop counting in its resident size.
#include "internal/free_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/base/config.h"

namespace logweave::internal {
namespace {

// The process's resident size, from /proc.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

TEST(FreeMemoryTest, PagesFreedOnAnotherThreadLeaveTheResidentSize) {
#if defined(ABSL_HAVE_ADDRESS_SANITIZER) || defined(ABSL_HAVE_THREAD_SANITIZER) || \
    defined(ABSL_HAVE_MEMORY_SANITIZER)
  GTEST_SKIP() << "the sanitizers' allocators keep freed memory themselves";
#endif
  // Blocks below malloc's mmap threshold, made and freed by a thread of their
  // own (its own arena), with the last one kept: the freed ones are a hole in
  // the middle of that arena's heap, which free() alone does not return.
  constexpr size_t kBlock = 64 << 10, kBlocks = 1024;  // 64 MiB
  std::vector<char*> blocks(kBlocks);
  std::thread([&] {
    for (char*& b : blocks) {
      b = static_cast<char*>(std::malloc(kBlock));
      for (size_t i = 0; i < kBlock; i += 4096) b[i] = 1;  // resident
    }
    for (size_t k = 0; k + 1 < kBlocks; ++k) std::free(blocks[k]);
  }).join();
  const uint64_t before = ResidentBytes();
  ReturnFreeMemoryToSystem();
  const uint64_t after = ResidentBytes();
  std::free(blocks.back());
  EXPECT_GT(before, after + (kBlock * kBlocks) / 2)
      << "resident before " << before << ", after " << after;
}

}  // namespace
}  // namespace logweave::internal

// Append-only byte arena: the storage of a shard's line bytes, and the
// large-block allocator behind it.
#ifndef LOGWEAVE_INTERNAL_ARENA_H_
#define LOGWEAVE_INTERNAL_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace logweave::internal {

// Frees memory from AllocateLarge.
struct LargeFree {
  void operator()(void* p) const;
};
using LargeBlock = std::unique_ptr<char[], LargeFree>;

// Allocates `bytes` for a long-lived block. Blocks of 2 MiB and more are
// 2 MiB-aligned and advised as transparent huge pages, which cuts the page
// faults of filling them by a factor of 512 where the kernel allows it.
// Never returns null (aborts like operator new when out of memory).
LargeBlock AllocateLarge(size_t bytes);

// Hands out byte ranges from large blocks; nothing is freed before the arena.
// Pointers stay valid for the arena's lifetime. Thread-compatible.
class Arena {
 public:
  explicit Arena(size_t block_bytes = 1 << 20) : block_bytes_(block_bytes) {}

  // Returns `size` writable bytes. A request larger than a block gets its own block.
  char* Allocate(size_t size);
  // Copies `bytes` into the arena and returns the copy.
  std::string_view Copy(std::string_view bytes);

  // Bytes reserved from the system (blocks), and bytes handed out.
  size_t reserved_bytes() const { return reserved_; }
  size_t used_bytes() const { return used_; }

 private:
  const size_t block_bytes_;
  std::vector<LargeBlock> blocks_;
  char* cursor_ = nullptr;
  size_t left_ = 0;
  size_t reserved_ = 0;
  size_t used_ = 0;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_ARENA_H_

#include "internal/arena.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "internal/page_allocator.h"

namespace logweave::internal {

constexpr size_t kHugePage = 2u << 20;

void LargeFree::operator()(void* p) const { std::free(p); }

LargeBlock AllocateLarge(size_t bytes) {
  void* p;
  if (bytes >= kHugePage) {
    size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    p = std::aligned_alloc(kHugePage, rounded);
    if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);  // advice only; failure is harmless
  } else {
    p = std::malloc(bytes == 0 ? 1 : bytes);
  }
  if (p == nullptr) throw std::bad_alloc();
  return LargeBlock(static_cast<char*>(p));
}

void* MapPages(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void UnmapPages(void* p, size_t bytes) { munmap(p, bytes); }

char* Arena::Allocate(size_t size) {
  used_ += size;
  if (size > left_) {
    if (size > block_bytes_ / 4) {
      // Large: a block of its own, so the current block's tail is not wasted.
      blocks_.push_back(AllocateLarge(size));
      reserved_ += size;
      return blocks_.back().get();
    }
    blocks_.push_back(AllocateLarge(block_bytes_));
    reserved_ += block_bytes_;
    cursor_ = blocks_.back().get();
    left_ = block_bytes_;
  }
  char* p = cursor_;
  cursor_ += size;
  left_ -= size;
  return p;
}

std::string_view Arena::Copy(std::string_view bytes) {
  if (bytes.empty()) return {};
  char* p = Allocate(bytes.size());
  std::memcpy(p, bytes.data(), bytes.size());
  return std::string_view(p, bytes.size());
}

}  // namespace logweave::internal

#include "internal/arena.h"

#include <cstring>

namespace logweave::internal {

char* Arena::Allocate(size_t size) {
  used_ += size;
  if (size > left_) {
    if (size > block_bytes_ / 4) {
      // Large: a block of its own, so the current block's tail is not wasted.
      blocks_.push_back(std::unique_ptr<char[]>(new char[size]));
      reserved_ += size;
      return blocks_.back().get();
    }
    blocks_.push_back(std::unique_ptr<char[]>(new char[block_bytes_]));
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

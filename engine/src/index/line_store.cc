#include "index/line_store.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "absl/base/internal/raw_logging.h"

namespace logweave::internal {

BlockCache::BlockCache(size_t max_blocks) : entries_(std::max<size_t>(max_blocks, 1)) {}

BlockCache::~BlockCache() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

LineStore::LineStore(size_t block_bytes, int level)
    : block_bytes_(std::max<size_t>(block_bytes, 1024)), level_(level) {
  open_.reserve(block_bytes_);
}

LineStore::~LineStore() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_)); }

uint64_t LineStore::Append(std::string_view bytes) {
  if (!open_.empty() && open_.size() + bytes.size() > block_bytes_) Seal();
  const uint64_t pos = open_start_ + open_.size();
  open_.append(bytes);
  raw_bytes_ += bytes.size();
  if (open_.size() >= block_bytes_) Seal();
  return pos;
}

void LineStore::Seal() {
  if (open_.empty()) return;
  if (cctx_ == nullptr) cctx_ = ZSTD_createCCtx();
  scratch_.resize(ZSTD_compressBound(open_.size()));
  const size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), scratch_.data(),
                                     scratch_.size(), open_.data(), open_.size(), level_);
  // Compressing into a buffer of compressBound bytes cannot fail.
  ABSL_RAW_CHECK(!ZSTD_isError(n), "zstd compression failed");
  Sealed s;
  s.start = open_start_;
  s.size = static_cast<uint32_t>(open_.size());
  s.data_size = static_cast<uint32_t>(n);
  s.data = std::make_unique<char[]>(n);
  std::memcpy(s.data.get(), scratch_.data(), n);
  sealed_bytes_ += n;
  sealed_.push_back(std::move(s));
  open_start_ += open_.size();
  open_.clear();
  // A line longer than a block grew the buffer: give the memory back.
  if (open_.capacity() > 2 * block_bytes_) {
    std::string fresh;
    fresh.reserve(block_bytes_);
    open_.swap(fresh);
  }
}

std::string_view LineStore::View(uint64_t pos, uint32_t len, BlockCache* cache) const {
  if (pos >= open_start_) {
    if (pos + len > open_start_ + open_.size()) return {};
    return std::string_view(open_.data() + (pos - open_start_), len);
  }
  // The sealed block holding pos: the last one starting at or before it.
  auto it = std::upper_bound(sealed_.begin(), sealed_.end(), pos,
                             [](uint64_t p, const Sealed& s) { return p < s.start; });
  if (it == sealed_.begin()) return {};  // dropped
  const Sealed& s = *--it;
  if (pos + len > s.start + s.size) return {};
  for (const BlockCache::Entry& e : cache->entries_) {
    if (e.store == this && e.start == s.start) {
      return std::string_view(e.bytes.data() + (pos - s.start), len);
    }
  }
  BlockCache::Entry& e = cache->entries_[cache->next_];
  cache->next_ = (cache->next_ + 1) % cache->entries_.size();
  if (cache->dctx_ == nullptr) cache->dctx_ = ZSTD_createDCtx();
  e.bytes.resize(s.size);
  const size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(cache->dctx_), e.bytes.data(),
                                       e.bytes.size(), s.data.get(), s.data_size);
  ++cache->misses_;
  if (ZSTD_isError(n) || n != s.size) {  // memory this process wrote: never expected
    e.store = nullptr;
    return {};
  }
  e.store = this;
  e.start = s.start;
  return std::string_view(e.bytes.data() + (pos - s.start), len);
}

std::unique_ptr<LineStore> LineStore::Clone() const {
  auto copy = std::make_unique<LineStore>(block_bytes_, level_);
  for (const Sealed& s : sealed_) {
    Sealed& c = copy->sealed_.emplace_back();
    c.start = s.start;
    c.size = s.size;
    c.data_size = s.data_size;
    c.data = std::make_unique<char[]>(s.data_size);
    std::memcpy(c.data.get(), s.data.get(), s.data_size);
  }
  copy->open_.append(open_);
  copy->open_start_ = open_start_;
  copy->sealed_bytes_ = sealed_bytes_;
  copy->raw_bytes_ = raw_bytes_;
  return copy;
}

void LineStore::DropBefore(uint64_t pos) {
  while (!sealed_.empty() && sealed_.front().start + sealed_.front().size <= pos) {
    sealed_bytes_ -= sealed_.front().data_size;
    raw_bytes_ -= sealed_.front().size;
    sealed_.pop_front();
  }
  if (pos == UINT64_MAX) {
    raw_bytes_ -= open_.size();
    open_start_ += open_.size();
    open_.clear();
  }
}

uint64_t LineStore::bytes() const {
  return sealed_bytes_ + open_.capacity() + sealed_.size() * sizeof(Sealed);
}

}  // namespace logweave::internal

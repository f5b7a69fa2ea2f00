// The original bytes of one index shard's lines, compressed.
//
// Lines are appended to an open block; once it holds block_bytes the block
// is sealed: compressed with zstd and kept, the open buffer reused. A line
// is addressed by its position in the shard's stream of line bytes (an
// offset that only grows), so eviction drops whole blocks from the front.
// Log lines compress 5-10x in blocks of a few tens of KiB, which is what
// lets an index hold more logs than it has memory for.
//
//   LineStore store({});
//   uint64_t pos = store.Append(line);           // owner, under the writer lock
//   BlockCache cache;                             // one per query
//   std::string_view bytes = store.View(pos, line.size(), &cache);  // readers
#ifndef LOGWEAVE_INDEX_LINE_STORE_H_
#define LOGWEAVE_INDEX_LINE_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logweave/line_files.h"

namespace logweave::internal {

// A reader's decompressed blocks, so that the lines of one query that lie in
// the same block decompress it once. Thread-compatible: one per query.
class BlockCache {
 public:
  explicit BlockCache(size_t max_blocks = 4);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // Blocks decompressed and file windows read through this cache so far: the
  // costly reads, which a scan counts against its budget of work per lock hold.
  uint64_t misses() const { return misses_ + file_window_.reads; }
  // The reader's bytes of lines kept in their files (LineFiles::Read).
  FileWindow& file_window() { return file_window_; }

 private:
  friend class LineStore;
  struct Entry {
    const void* store = nullptr;  // the LineStore it came from
    uint64_t start = UINT64_MAX;  // the block's first position
    std::string bytes;
  };
  std::vector<Entry> entries_;
  size_t next_ = 0;  // the entry replaced next
  void* dctx_ = nullptr;
  uint64_t misses_ = 0;
  FileWindow file_window_;
};

// Thread-compatible with one writer and many readers under the shard's
// lock: Append and DropBefore under the writer lock (owner thread), View
// and the counters under a reader or the writer lock.
class LineStore {
 public:
  static constexpr size_t kDefaultBlockBytes = 32 << 10;

  explicit LineStore(size_t block_bytes = kDefaultBlockBytes, int level = 1);
  ~LineStore();
  LineStore(const LineStore&) = delete;
  LineStore& operator=(const LineStore&) = delete;

  // Stores `bytes`; returns their position. Seals the open block first when
  // they would not fit in it (a line longer than a block gets its own).
  uint64_t Append(std::string_view bytes);

  // The `len` bytes at `pos` (from one Append): a view into the open block,
  // or into `cache`, valid until the next Append or the next View with the
  // same cache. Empty if the position was dropped.
  std::string_view View(uint64_t pos, uint32_t len, BlockCache* cache) const;

  // A copy: the same lines at the same positions (the compressed blocks are
  // copied as they are, not compressed again).
  std::unique_ptr<LineStore> Clone() const;

  // Frees the sealed blocks that end at or before `pos`; UINT64_MAX: every
  // line so far, the open block's too.
  void DropBefore(uint64_t pos);

  // The position the next Append returns.
  uint64_t end_position() const { return open_start_ + open_.size(); }

  // Memory held: compressed blocks and the open block's buffer.
  uint64_t bytes() const;
  // Line bytes stored (uncompressed) and held now.
  uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  struct Sealed {
    uint64_t start;
    uint32_t size;  // uncompressed
    std::unique_ptr<char[]> data;
    uint32_t data_size;
  };
  void Seal();

  const size_t block_bytes_;
  const int level_;
  void* cctx_ = nullptr;
  std::deque<Sealed> sealed_;
  std::string open_;
  std::string scratch_;      // Seal's output before it is copied to its exact size
  uint64_t open_start_ = 0;  // position of open_[0]
  uint64_t sealed_bytes_ = 0;
  uint64_t raw_bytes_ = 0;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_LINE_STORE_H_

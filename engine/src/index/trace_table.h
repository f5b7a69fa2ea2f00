// The traces of one index shard: a record per trace (its newest event and a
// summary kept up to date on every insert), stored densely in creation order,
// and a hash map from trace id to record number.
//
// Recently created traces, which get most of the new events, are close
// together in memory; scans walk the records in chunks by number, which
// inserts never invalidate. Eviction drops the oldest chunk of records once
// few of its traces still have events (those move to new records).
#ifndef LOGWEAVE_INDEX_TRACE_TABLE_H_
#define LOGWEAVE_INDEX_TRACE_TABLE_H_

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "index/name_table.h"
#include "internal/arena.h"
#include "internal/page_allocator.h"
#include "logweave/record.h"

namespace logweave::internal {

// A trace id's text, for a record whose id is stored packed.
struct TraceIdText {
  char bytes[32];
};

// A trace's id, summary and newest event. 64 bytes.
struct TraceRecord {
  static constexpr uint32_t kInlineBytes = 16;
  // Ids of up to kInlineBytes are stored here as they are, and hex ids of up to
  // 2 x kInlineBytes (W3C's 32 characters, B3's 16) two digits a byte, so that
  // comparing a probe with a record touches no other memory; others point
  // into the table's arena.
  union {
    const char* ptr;
    unsigned char bytes[kInlineBytes];
  } id;
  uint32_t id_size;
  uint32_t count;     // events ever inserted (evicted ones included)
  uint64_t last;      // the trace's newest inserted event; links go backwards from it
  int64_t start_ns;   // first and last time of events with a known time
  int64_t end_ns;     // (INT64_MAX, INT64_MIN while there is none)
  uint64_t services;  // bit s: service id s (< 63) has an event; bit 63: some id >= 63
  uint32_t route;     // id in the shard's route names, or kNoName
  Level max_level;
  uint8_t flags;    // kTraceReborn
  uint8_t id_form;  // IdForm

  // The trace had a record before that eviction dropped: `count` started
  // from that record's (see EvictedWindow), and its eviction was counted then.
  static constexpr uint8_t kTraceReborn = 1;

  enum IdForm : uint8_t {
    kIdInline = 0,    // id.bytes, as it is
    kIdLowerHex = 1,  // id.bytes, two digits a byte; 0-9 and a-f
    kIdUpperHex = 2,  // id.bytes, two digits a byte; 0-9 and A-F (with at least one letter)
    kIdInArena = 3,   // id.ptr
  };

  // Stores `id` (the arena copy, if one is needed, made by `copy`).
  template <typename CopyToArena>
  void SetId(std::string_view text, const CopyToArena& copy);
  // The id; `buf` holds the text of a packed one (the view lives as long as both).
  std::string_view trace_id(TraceIdText* buf) const;
  // Whether the id is `text`, without unpacking it.
  bool IdEquals(std::string_view text) const;

 private:
  // Stores `text` in id.bytes two digits a byte if it is hex of one case and
  // fits; returns the form it took, or kIdInArena (id untouched) if not.
  IdForm PackHex(std::string_view text);
};
static_assert(sizeof(TraceRecord) == 64);

template <typename CopyToArena>
void TraceRecord::SetId(std::string_view text, const CopyToArena& copy) {
  id_size = static_cast<uint32_t>(text.size());
  if (text.size() <= kInlineBytes) {
    id_form = kIdInline;
    std::memcpy(id.bytes, text.data(), text.size());
    return;
  }
  id_form = PackHex(text);
  if (id_form == kIdInArena) id.ptr = copy(text);
}

inline uint64_t ServiceBit(uint32_t service) {
  return uint64_t{1} << (service < 63 ? service : 63);
}

// Thread-compatible with one writer and many readers under the shard's lock,
// like EventLog; Prepare runs on the owner without the lock.
class TraceTable {
 public:
  static constexpr uint32_t kChunkShift = 10;  // 1024 records per chunk
  static constexpr uint64_t kChunkSize = uint64_t{1} << kChunkShift;

  TraceTable();
  TraceTable(const TraceTable&) = delete;
  TraceTable& operator=(const TraceTable&) = delete;

  // Owner thread, outside the lock: before up to `count` NewTrace calls,
  // allocates the chunks they need and builds the bigger map if the current
  // one would rehash (Install puts it in place under the lock).
  void Prepare(size_t count);
  void Install();

  // The record of `id` (hash: Index::HashTraceId), or nullptr.
  const TraceRecord* Find(std::string_view id, uint64_t hash) const {
    auto it = map_.find(Probe{hash, id});
    return it == map_.end() ? nullptr : &Record(it->number);
  }
  TraceRecord* MutableFind(std::string_view id, uint64_t hash) {
    auto it = map_.find(Probe{hash, id});
    return it == map_.end() ? nullptr : &Record(it->number);
  }
  void Prefetch(std::string_view id, uint64_t hash) const { map_.prefetch(Probe{hash, id}); }
  // Appends a record for `id` (not yet in the table) and maps it; its
  // summary is empty, last and count are 0.
  TraceRecord& NewTrace(std::string_view id, uint64_t hash);

  // Record number `n` (first_live() <= n < end()).
  const TraceRecord& Record(uint64_t n) const {
    return chunks_[(n - first_live_) >> kChunkShift][n & (kChunkSize - 1)];
  }
  TraceRecord& Record(uint64_t n) {
    return chunks_[(n - first_live_) >> kChunkShift][n & (kChunkSize - 1)];
  }
  uint64_t first_live() const { return first_live_; }  // records before it are dropped
  uint64_t end() const { return end_; }                // records ever created

  // Drops the oldest chunk of records (and their map entries) if at most a
  // quarter of its traces still have events (has_events(record)); those
  // move to new records first, so that a few long-lived traces never pin old
  // chunks. Never the chunk being filled. Returns whether it dropped one;
  // calls on_drop(record, hash of its id) for each trace it dropped for good.
  template <typename HasEvents, typename OnDrop>
  bool DropOldestChunk(const HasEvents& has_events, const OnDrop& on_drop);

  uint64_t bytes() const;
  // Frees every record and the map, as if every chunk were dropped: numbers go
  // on from end() (rounded up to a chunk), and first_live() == end().
  void Clear();
  // The hash of a record's id (Index::HashTraceId).
  static uint64_t HashOf(const TraceRecord& t);

 private:
  // The map's entry: the record's number. Its id's hash is worked out again
  // from the record when the map grows (8 bytes an entry, not 16).
  struct Slot {
    uint64_t number;
  };
  struct Probe {
    uint64_t hash;
    std::string_view id;
  };
  struct SlotHash {
    using is_transparent = void;
    const TraceTable* table;
    size_t operator()(const Slot& s) const { return HashOf(table->Record(s.number)); }
    size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct SlotEq {
    using is_transparent = void;
    const TraceTable* table;
    bool operator()(const Slot& a, const Slot& b) const { return a.number == b.number; }
    bool operator()(const Slot& a, const Probe& b) const {
      return table->Record(a.number).IdEquals(b.id);
    }
    bool operator()(const Probe& a, const Slot& b) const { return (*this)(b, a); }
  };
  using Map = absl::flat_hash_set<Slot, SlotHash, SlotEq, PageAllocator<Slot>>;
  // Drops the oldest chunk; the records numbered in `keep` move to new ones,
  // the others go to on_drop(record, hash).
  template <typename OnDrop>
  void DropChunk(const std::vector<uint64_t>& keep, const OnDrop& on_drop);
  // Moves record `n` (of the oldest chunk) to a new record; unmaps it.
  void MoveToNew(uint64_t n, uint64_t hash);
  void Unmap(uint64_t n, uint64_t hash);
  void PopOldestChunk();

  std::deque<std::unique_ptr<TraceRecord[]>> chunks_;
  std::deque<std::unique_ptr<Arena>> arenas_;  // per chunk: ids longer than kInlineBytes
  uint64_t arena_bytes_ = 0;
  uint64_t first_live_ = 0;
  uint64_t end_ = 0;
  Map map_;
  // Made by Prepare outside the lock.
  std::vector<std::unique_ptr<TraceRecord[]>> spare_;
  std::unique_ptr<Map> next_map_;
  size_t erased_ = 0;  // erases since map_ was built (each may have left a mark)
};

template <typename HasEvents, typename OnDrop>
bool TraceTable::DropOldestChunk(const HasEvents& has_events, const OnDrop& on_drop) {
  const uint64_t begin = first_live_;
  if (begin + kChunkSize >= end_) return false;
  std::vector<uint64_t> keep;
  for (uint64_t n = begin; n < begin + kChunkSize; ++n) {
    if (has_events(Record(n))) keep.push_back(n);
  }
  if (keep.size() > kChunkSize / 4) return false;
  DropChunk(keep, on_drop);
  return true;
}

template <typename OnDrop>
void TraceTable::DropChunk(const std::vector<uint64_t>& keep, const OnDrop& on_drop) {
  const uint64_t begin = first_live_;
  size_t k = 0;
  for (uint64_t n = begin; n < begin + kChunkSize; ++n) {
    const uint64_t hash = HashOf(Record(n));
    if (k < keep.size() && keep[k] == n) {
      ++k;
      MoveToNew(n, hash);
    } else {
      on_drop(static_cast<const TraceRecord&>(Record(n)), hash);
      Unmap(n, hash);
    }
  }
  PopOldestChunk();
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_TRACE_TABLE_H_

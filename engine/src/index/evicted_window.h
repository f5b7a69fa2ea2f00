// The trace ids of one index shard whose records eviction dropped,
// remembered for a while with how many events they had.
//
// A trace's lines may come long after its first ones were evicted (replay
// reads one service's file after another; a late shipper). Its new record
// then starts from the remembered count, so that the trace answers as
// partly evicted (its timeline says how many events are gone, the analysis
// does not judge it), and `evicted_traces` counts it only on its first
// eviction.
//
// Two generations of at most `limit` entries each, in tables of fixed size
// made on first use: an entry is 8 bytes, the top 40 bits of the id's hash
// (never 0) and the evicted event count (saturating at 2^24 - 1). A trace
// forgotten (more than 2 x limit others evicted since) or a 40-bit hash
// collision (about limit / 2^40) is taken for another trace.
//
//   EvictedWindow window(65536);
//   window.Add(hash, record.count);                 // its record is dropped
//   uint32_t gone;
//   if (window.Find(hash, &gone)) record.count = gone;  // re-created
#ifndef LOGWEAVE_INDEX_EVICTED_WINDOW_H_
#define LOGWEAVE_INDEX_EVICTED_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logweave::internal {

// Thread-compatible: a shard's, written by its owner under its writer lock.
class EvictedWindow {
 public:
  static constexpr uint32_t kMaxCount = (1u << 24) - 1;

  // `limit`: entries per generation, at least (at least 64; rounded up to
  // fill the tables' power-of-two size).
  explicit EvictedWindow(size_t limit);

  // Remembers that the record of the trace with id hash `hash` was dropped
  // with `count` events ever inserted (replaces an earlier entry of it in
  // the newer generation).
  void Add(uint64_t hash, uint32_t count);
  // Whether a dropped trace with this id hash is remembered; *count: its events then.
  bool Find(uint64_t hash, uint32_t* count) const;

  // Memory held: the tables (fixed once made).
  size_t bytes() const {
    return (current_.slots.capacity() + previous_.slots.capacity()) * sizeof(uint64_t);
  }
  // The memory bytes() reaches once both generations are made.
  size_t max_bytes() const { return 2 * SlotsFor(limit_) * sizeof(uint64_t); }

 private:
  struct Table {
    std::vector<uint64_t> slots;  // 0: empty; else tag << 24 | count
    size_t size = 0;
  };
  static uint64_t Tag(uint64_t hash) { return (hash >> 24) | (uint64_t{1} << 39); }
  static size_t SlotsFor(size_t limit);
  // The slot holding `tag` in `t`, or the empty slot where it would go.
  static size_t Probe(const Table& t, uint64_t tag);

  const size_t limit_;
  Table current_, previous_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_EVICTED_WINDOW_H_

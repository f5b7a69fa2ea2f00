// Recent line hashes of one index shard, for finding exact repeats.
//
// One open-addressing table (linear probing) of 8-byte entries: 24 bits of
// the line's hash (which also choose its slot), the epoch the entry was last
// used in (8 bits) and the low 32 bits of the event's number, which is
// recovered from the number of the event being inserted (a wrong guess only
// makes the byte comparison fail). Every Find (each line inserted) is a use,
// and a twin found is used again; an epoch ends once it has seen limit / 4
// uses, and entries not used in the last kLiveEpochs epochs expire. Prepare
// drops expired entries when their room is needed: growing the table, or
// purging it in place once it is as large as the window needs. So every line
// among the last `limit` inserted into the shard is found (older ones may be
// too), a line repeated all along stays in the window, and the table holds at
// most about 1.25 x limit entries at a load of at most 3/4: about 13 bytes per
// line of the window. The caller compares the bytes of every candidate, so a repeat
// is never assumed from the hash alone.
//
//   window.Prepare(records);                         // outside the shard's lock
//   uint64_t twin = window.Find(hash, index, same);  // kNoTwin, or an event
//   if (twin == DedupeWindow::kNoTwin) window.Add(hash, index);
#ifndef LOGWEAVE_INDEX_DEDUPE_WINDOW_H_
#define LOGWEAVE_INDEX_DEDUPE_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "internal/page_allocator.h"

namespace logweave::internal {

// Thread-compatible: owned by a shard's owner thread (queries never read it).
class DedupeWindow {
 public:
  static constexpr uint64_t kNoTwin = UINT64_MAX;
  // Epochs an entry stays after its last use, beside the current one.
  static constexpr uint32_t kLiveEpochs = 4;

  explicit DedupeWindow(size_t limit) : epoch_uses_((limit < 64 ? 64 : limit) / kLiveEpochs) {}

  // Before `count` more Find or Add calls: ends the epoch if it is full
  // (purging expired entries) and grows the table now if it would grow
  // during them, so that an insert under the shard's lock never rehashes.
  void Prepare(size_t count);

  // A recorded event for `hash` (numbered below `index`, the event being
  // inserted) for which same(event) is true; kNoTwin if none. A twin found
  // is used again (it stays in the window).
  template <typename Same>
  uint64_t Find(uint64_t hash, uint64_t index, const Same& same) {
    ++uses_;
    uint64_t event = kNoTwin;
    const size_t slot = Probe(hash, index, same, &event);
    if (slot != kNoSlot) slots_[slot] = (slots_[slot] & ~kEpochMask) | EpochBits();
    return event;
  }
  // Like Find, but not a use: for tests and diagnostics.
  template <typename Same>
  uint64_t Peek(uint64_t hash, uint64_t index, const Same& same) const {
    uint64_t event = kNoTwin;
    Probe(hash, index, same, &event);
    return event;
  }
  // Records `event` for `hash`.
  void Add(uint64_t hash, uint64_t event);
  // Forgets every entry and frees the table; later events are only compared with each other.
  void Clear() {
    slots_ = decltype(slots_)();
    purge_holes_ = std::vector<size_t>();
    size_ = 0;
  }

  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Slot(Tag(hash))]);
  }
  // Memory held by the table.
  size_t bytes() const { return slots_.capacity() * sizeof(uint64_t); }
  // The table's memory at most, for a window of `limit` lines.
  static size_t MaxBytes(size_t limit) { return (limit * 5 / 3 + 1024) * sizeof(uint64_t); }

 private:
  static constexpr size_t kNoSlot = SIZE_MAX;
  // The slot of the entry Find would return (its event in *event), or kNoSlot.
  template <typename Same>
  size_t Probe(uint64_t hash, uint64_t index, const Same& same, uint64_t* event) const {
    if (slots_.empty()) return kNoSlot;
    const uint64_t tag = Tag(hash);
    for (size_t i = Slot(tag);; i = Next(i)) {
      const uint64_t entry = slots_[i];
      if (entry == 0) return kNoSlot;
      if ((entry & kTagMask) != tag) continue;
      const uint64_t e = index - static_cast<uint32_t>(index - static_cast<uint32_t>(entry));
      if (e < index && same(e)) {
        *event = e;
        return i;
      }
    }
  }
  // An entry: tag (24 bits) << 40 | epoch (8 bits) << 32 | event number's low 32 bits; 0: empty.
  static constexpr uint64_t kTagMask = ~uint64_t{0} << 40;
  static constexpr uint64_t kEpochMask = uint64_t{0xff} << 32;
  static uint64_t Tag(uint64_t hash) { return (hash & kTagMask) | (uint64_t{1} << 40); }
  uint64_t EpochBits() const { return uint64_t{epoch_ & 0xff} << 32; }
  // The tag spread over the table (Fibonacci hashing, then a multiply-shift
  // range reduction): a slot depends on the entry alone, so entries can move.
  size_t Slot(uint64_t tag) const {
    const uint64_t spread = (tag >> 40) * 0x9E3779B97F4A7C15ull >> 32;
    return static_cast<size_t>((spread * slots_.size()) >> 32);
  }
  size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  // Whether `size` entries exceed the table's load limit (3/4).
  bool Full(size_t size) const { return size * 4 > slots_.size() * 3; }
  void Insert(uint64_t entry);
  void Resize(size_t slots);
  // Empties the slots of entries not used in the last kLiveEpochs epochs and
  // moves the others back towards their slots (linear probing's invariant).
  void Purge();
  // Whether `entry` was used in the last kLiveEpochs epochs.
  bool Live(uint64_t entry) const {
    return ((epoch_ - static_cast<uint32_t>((entry & kEpochMask) >> 32)) & 0xff) <= kLiveEpochs;
  }
  // Epochs are 8 bits in an entry: a purge at least this often keeps ages exact.
  static constexpr uint32_t kMaxEpochsBetweenPurges = 128;

  const uint64_t epoch_uses_;
  uint32_t epoch_ = 0;
  uint32_t epochs_since_purge_ = 0;
  uint64_t uses_ = 0;  // in the current epoch
  std::vector<uint64_t, PageAllocator<uint64_t>> slots_;
  size_t size_ = 0;
  std::vector<size_t> purge_holes_;  // Purge's, kept for its next call
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_DEDUPE_WINDOW_H_

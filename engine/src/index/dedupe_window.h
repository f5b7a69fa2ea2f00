// Recent line hashes of one index shard, for finding exact repeats.
//
// Two generations of at most `limit` entries each; when the newer one is
// full the older one is dropped. An entry is 8 bytes: 32 bits of the line's
// hash (which also choose its slot) and the low 32 bits of the event's
// number, which is recovered from the number of the event being inserted
// (the window never spans 2^32 events of a shard in practice; a wrong guess
// only makes the byte comparison fail). The caller compares the bytes of
// every candidate, so a repeat is never assumed from the hash alone.
//
//   window.Prepare(records);                         // outside the shard's lock
//   uint64_t twin = window.Find(hash, index, same);  // kNoTwin, or an event
//   if (twin == DedupeWindow::kNoTwin) window.Add(hash, index);
#ifndef LOGWEAVE_INDEX_DEDUPE_WINDOW_H_
#define LOGWEAVE_INDEX_DEDUPE_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logweave::internal {

// Thread-compatible: owned by a shard's owner thread (queries never read it).
class DedupeWindow {
 public:
  static constexpr uint64_t kNoTwin = UINT64_MAX;

  explicit DedupeWindow(size_t limit) : limit_(limit < 64 ? 64 : limit) {}

  // Before `count` more Add calls: grows the table now if it would grow
  // during them, so that an insert under the shard's lock never rehashes.
  void Prepare(size_t count);

  // A recorded event for `hash` (numbered below `index`, the event being
  // inserted) for which same(event) is true; kNoTwin if none. A twin found
  // in the older generation is recorded in the newer one again, so that a
  // line repeated all along stays in the window. Counts as one Add for
  // Prepare.
  template <typename Same>
  uint64_t Find(uint64_t hash, uint64_t index, const Same& same) {
    for (Table* t : {&current_, &previous_}) {
      if (t->slots.empty()) continue;
      const uint32_t tag = Tag(hash);
      for (size_t i = Slot(*t, tag);; i = (i + 1) & t->mask) {
        const uint64_t entry = t->slots[i];
        if (entry == 0) break;
        if (static_cast<uint32_t>(entry >> 32) != tag) continue;
        const uint64_t event = index - static_cast<uint32_t>(index - static_cast<uint32_t>(entry));
        if (event < index && same(event)) {
          if (t == &previous_) Add(hash, event);
          return event;
        }
      }
    }
    return kNoTwin;
  }
  // Records `event` for `hash`.
  void Add(uint64_t hash, uint64_t event);
  // Forgets every entry and frees the tables; later events are only compared with each other.
  void Clear() {
    current_ = Table();
    previous_ = Table();
  }

  void Prefetch(uint64_t hash) const {
    if (!current_.slots.empty()) __builtin_prefetch(&current_.slots[Slot(current_, Tag(hash))]);
  }
  // Memory held by the tables.
  size_t bytes() const {
    return (current_.slots.capacity() + previous_.slots.capacity()) * sizeof(uint64_t);
  }

 private:
  struct Table {
    std::vector<uint64_t> slots;  // 0: empty; else tag << 32 | event number's low 32 bits
    size_t mask = 0;
    int shift = 64;  // 64 - log2(slots)
    size_t size = 0;
  };
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32) | 1; }
  // Fibonacci hashing of the tag: entries can be moved to a bigger table.
  static size_t Slot(const Table& t, uint32_t tag) {
    return static_cast<size_t>((uint64_t{tag} * 0x9E3779B97F4A7C15ull) >> t.shift);
  }
  // Whether `size` entries exceed the table's load limit (3/4).
  static bool Full(const Table& t, size_t size) { return size * 4 > t.slots.size() * 3; }
  static void Insert(Table* t, uint64_t entry);
  static void Resize(Table* t, size_t slots);

  const size_t limit_;
  Table current_, previous_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_DEDUPE_WINDOW_H_

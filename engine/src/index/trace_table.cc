#include "index/trace_table.h"

#include <cstring>

#include "xxhash.h"

namespace logweave::internal {

TraceTable::TraceTable() : map_(0, SlotHash{}, SlotEq{this}) {}

void TraceTable::Prepare(size_t count) {
  const uint64_t needed = (end_ + count - first_live_ + kChunkSize - 1) >> kChunkShift;
  while (chunks_.size() + spare_.size() < needed) {
    spare_.push_back(std::make_unique<TraceRecord[]>(kChunkSize));
  }
  // absl's tables grow when size would exceed 7/8 of the capacity.
  const size_t capacity = map_.capacity();
  if (map_.size() + count > capacity - capacity / 8) {
    next_map_ = std::make_unique<Map>(0, SlotHash{}, SlotEq{this});
    size_t next_capacity = std::max<size_t>(2 * capacity + 1, 1023);
    while (map_.size() + count > next_capacity - next_capacity / 8) {
      next_capacity = 2 * next_capacity + 1;
    }
    next_map_->reserve(next_capacity - next_capacity / 8);
    for (const Slot& slot : map_) next_map_->insert(slot);
  }
}

void TraceTable::Install() {
  if (next_map_ != nullptr) {
    map_.swap(*next_map_);
    next_map_.reset();  // the old table: freed under the lock, but freeing is quick
  }
}

TraceRecord& TraceTable::NewTrace(std::string_view id, uint64_t hash) {
  const uint64_t number = end_;
  if ((number & (kChunkSize - 1)) == 0) {
    if (!spare_.empty()) {
      chunks_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    } else {
      chunks_.push_back(std::make_unique<TraceRecord[]>(kChunkSize));
    }
    arenas_.emplace_back();  // made on first use
  }
  TraceRecord& t = Record(number);
  t.id_size = static_cast<uint32_t>(id.size());
  if (id.size() <= TraceRecord::kInlineBytes) {
    std::memcpy(t.id.bytes, id.data(), id.size());
  } else {
    std::unique_ptr<Arena>& arena = arenas_[(number - first_live_) >> kChunkShift];
    if (arena == nullptr) arena = std::make_unique<Arena>(64 << 10);
    const size_t before = arena->reserved_bytes();
    t.id.ptr = arena->Copy(id).data();
    arena_bytes_ += arena->reserved_bytes() - before;
  }
  t.count = 0;
  t.last = 0;
  t.route = kNoName;
  t.max_level = Level::kUnknown;
  t.start_ns = INT64_MAX;
  t.end_ns = INT64_MIN;
  t.services = 0;
  t.flags = 0;
  ++end_;
  map_.insert(Slot{hash, number});
  return t;
}

uint64_t TraceTable::HashOf(const TraceRecord& t) {
  const std::string_view id = t.trace_id();
  return XXH3_64bits(id.data(), id.size());
}

void TraceTable::Unmap(uint64_t n, uint64_t hash) { map_.erase(Probe{hash, Record(n).trace_id()}); }

void TraceTable::MoveToNew(uint64_t n, uint64_t hash) {
  Unmap(n, hash);
  // Still in use: a new record (with its own copy of a long id) takes over.
  const TraceRecord& t = Record(n);
  TraceRecord& moved = NewTrace(t.trace_id(), hash);
  const auto moved_id = moved.id;
  moved = t;
  moved.id = moved_id;
}

void TraceTable::PopOldestChunk() {
  chunks_.pop_front();
  if (arenas_.front() != nullptr) arena_bytes_ -= arenas_.front()->reserved_bytes();
  arenas_.pop_front();
  first_live_ += kChunkSize;
}

uint64_t TraceTable::bytes() const {
  return (chunks_.size() + spare_.size()) * kChunkSize * sizeof(TraceRecord) + arena_bytes_ +
         map_.capacity() * (sizeof(Slot) + 1);
}

}  // namespace logweave::internal

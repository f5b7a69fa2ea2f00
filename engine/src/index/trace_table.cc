#include "index/trace_table.h"

#include <array>
#include <cassert>
#include <cstring>

#include "xxhash.h"

namespace logweave::internal {
namespace {

// Each byte's value as a hex digit of one case; 0xff: not one.
constexpr std::array<uint8_t, 256> HexValues(char ten) {
  std::array<uint8_t, 256> values{};
  for (auto& v : values) v = 0xff;
  for (int d = 0; d < 10; ++d) values['0' + d] = static_cast<uint8_t>(d);
  for (int d = 0; d < 6; ++d)
    values[static_cast<unsigned char>(ten + d)] = static_cast<uint8_t>(10 + d);
  return values;
}
constexpr std::array<uint8_t, 256> kLowerHexValues = HexValues('a');
constexpr std::array<uint8_t, 256> kUpperHexValues = HexValues('A');

// Each byte's two hex digits, in one case.
constexpr std::array<std::array<char, 2>, 256> HexPairs(bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::array<std::array<char, 2>, 256> pairs{};
  for (int b = 0; b < 256; ++b) pairs[b] = {digits[b >> 4], digits[b & 0xf]};
  return pairs;
}
constexpr std::array<std::array<char, 2>, 256> kLowerHexPairs = HexPairs(false);
constexpr std::array<std::array<char, 2>, 256> kUpperHexPairs = HexPairs(true);

// Writes the `size` hex digits packed in `bytes`, a byte (two digits) at a time.
void UnpackHex(const unsigned char* bytes, uint32_t size, bool upper, char* out) {
  const auto& pairs = upper ? kUpperHexPairs : kLowerHexPairs;
  for (uint32_t i = 0; i < size / 2; ++i) std::memcpy(out + 2 * i, pairs[bytes[i]].data(), 2);
  if (size % 2 != 0) out[size - 1] = pairs[bytes[size / 2]][0];
}

}  // namespace

TraceRecord::IdForm TraceRecord::PackHex(std::string_view text) {
  if (text.size() > 2 * kInlineBytes) return kIdInArena;
  // The case is the first letter's; a digit reads the same in both tables.
  IdForm form = kIdLowerHex;
  for (char c : text) {
    if (kLowerHexValues[static_cast<unsigned char>(c)] >= 10) break;
    if (kUpperHexValues[static_cast<unsigned char>(c)] >= 10) {
      form = kIdUpperHex;
      break;
    }
  }
  const std::array<uint8_t, 256>& values = form == kIdUpperHex ? kUpperHexValues : kLowerHexValues;
  unsigned char packed[kInlineBytes] = {};
  for (size_t i = 0; i < text.size(); ++i) {
    const uint8_t v = values[static_cast<unsigned char>(text[i])];
    if (v == 0xff) return kIdInArena;  // not hex, or another case
    packed[i / 2] |= static_cast<unsigned char>(i % 2 == 0 ? v << 4 : v);
  }
  std::memcpy(id.bytes, packed, kInlineBytes);
  return form;
}

std::string_view TraceRecord::trace_id(TraceIdText* buf) const {
  switch (id_form) {
    case kIdInline:
      return std::string_view(reinterpret_cast<const char*>(id.bytes), id_size);
    case kIdInArena:
      return std::string_view(id.ptr, id_size);
    default:
      UnpackHex(id.bytes, id_size, id_form == kIdUpperHex, buf->bytes);
      return std::string_view(buf->bytes, id_size);
  }
}

bool TraceRecord::IdEquals(std::string_view text) const {
  if (text.size() != id_size) return false;
  switch (id_form) {
    case kIdInline:
      return std::memcmp(id.bytes, text.data(), text.size()) == 0;
    case kIdInArena:
      return std::memcmp(id.ptr, text.data(), text.size()) == 0;
    default: {
      // Digit by digit, in the record's case: no unpacking.
      const std::array<uint8_t, 256>& values =
          id_form == kIdUpperHex ? kUpperHexValues : kLowerHexValues;
      for (uint32_t i = 0; i < id_size; ++i) {
        const unsigned char b = id.bytes[i / 2];
        const uint8_t want = i % 2 == 0 ? b >> 4 : b & 0xf;
        if (values[static_cast<unsigned char>(text[i])] != want) return false;
      }
      return true;
    }
  }
}

TraceTable::TraceTable() : map_(0, SlotHash{this}, SlotEq{this}) {}

void TraceTable::Prepare(size_t count) {
  const uint64_t needed = (end_ + count - first_live_ + kChunkSize - 1) >> kChunkShift;
  while (chunks_.size() + spare_.size() < needed) {
    spare_.push_back(std::make_unique<TraceRecord[]>(kChunkSize));
  }
  // absl's tables rehash when their entries and the marks that erased ones
  // leave would pass 7/8 of the capacity: in place (working out every hash
  // again) or into a table twice the size. Either is done here instead, into
  // a new table that Install puts in place; every erase is counted as a mark
  // (some leave none: then this only rebuilds a little early).
  const size_t capacity = map_.capacity();
  if (map_.size() + erased_ + count > capacity - capacity / 8) {
    const size_t live = map_.size() + count;
    // Like absl: the same size while the live entries fill at most 25/32 of it.
    size_t next_capacity = std::max<size_t>(capacity, 1023);
    if (live * 32 > next_capacity * 25) next_capacity = 2 * next_capacity + 1;
    while (live > next_capacity - next_capacity / 8) next_capacity = 2 * next_capacity + 1;
    next_map_ = std::make_unique<Map>(0, SlotHash{this}, SlotEq{this});
    next_map_->reserve(next_capacity - next_capacity / 8);
    // Every live record is mapped (only DropChunk unmaps, and it drops the chunk): read in
    // order, the records stream through the cache instead of being fetched slot by slot.
    assert(map_.size() == end_ - first_live_);
    for (uint64_t n = first_live_; n < end_; ++n) next_map_->insert(Slot{n});
  }
}

void TraceTable::Install() {
  if (next_map_ != nullptr) {
    map_.swap(*next_map_);
    erased_ = 0;
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
  t.SetId(id, [&](std::string_view text) {
    std::unique_ptr<Arena>& arena = arenas_[(number - first_live_) >> kChunkShift];
    if (arena == nullptr) arena = std::make_unique<Arena>(64 << 10);
    const size_t before = arena->reserved_bytes();
    const char* copy = arena->Copy(text).data();
    arena_bytes_ += arena->reserved_bytes() - before;
    return copy;
  });
  t.count = 0;
  t.last = 0;
  t.route = kNoName;
  t.max_level = Level::kUnknown;
  t.start_ns = INT64_MAX;
  t.end_ns = INT64_MIN;
  t.services = 0;
  t.flags = 0;
  ++end_;
  // Placed by the hash at hand (inserting a Slot would work it out again).
  map_.lazy_emplace(Probe{hash, id},
                    [number](const Map::constructor& make) { make(Slot{number}); });
  return t;
}

uint64_t TraceTable::HashOf(const TraceRecord& t) {
  TraceIdText buf;
  const std::string_view id = t.trace_id(&buf);
  return XXH3_64bits(id.data(), id.size());
}

void TraceTable::Unmap(uint64_t n, uint64_t hash) {
  TraceIdText buf;
  erased_ += map_.erase(Probe{hash, Record(n).trace_id(&buf)});
}

void TraceTable::MoveToNew(uint64_t n, uint64_t hash) {
  Unmap(n, hash);
  // Still in use: a new record (with its own copy of a long id) takes over.
  const TraceRecord& t = Record(n);
  TraceIdText buf;
  TraceRecord& moved = NewTrace(t.trace_id(&buf), hash);
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

void TraceTable::Clear() {
  map_ = Map(0, SlotHash{this}, SlotEq{this});
  next_map_.reset();
  chunks_.clear();
  arenas_.clear();
  spare_.clear();
  arena_bytes_ = 0;
  // As if every chunk were dropped: numbers go on (a scan under way or a saved
  // cursor never meets a number twice), and the next record opens a new chunk.
  first_live_ = end_ = (end_ + kChunkSize - 1) & ~(kChunkSize - 1);
  erased_ = 0;
}

uint64_t TraceTable::bytes() const {
  return (chunks_.size() + spare_.size()) * kChunkSize * sizeof(TraceRecord) + arena_bytes_ +
         map_.capacity() * (sizeof(Slot) + 1);
}

}  // namespace logweave::internal

#include "index/event_log.h"

#include <algorithm>
#include <cstring>

namespace logweave::internal {
namespace {

void PutVarint(std::vector<uint8_t>* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

uint64_t GetVarint(const uint8_t** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = *(*p)++;
    v |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) return v;
  }
}

uint64_t ZigZag(uint64_t now, uint64_t before) {
  const int64_t d = static_cast<int64_t>(now - before);
  return (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
}

uint64_t UnZigZag(uint64_t z, uint64_t before) { return before + ((z >> 1) ^ (~(z & 1) + 1)); }

// Packed places per event, about: a chunk reserves this much up front.
constexpr size_t kPlaceBytesGuess = 10;

}  // namespace

void StoredEvent::Set(const EventFields& event) {
  std::memcpy(time_, &event.time_ns, sizeof(time_));
  msg_ = event.msg;
  bits_ = static_cast<uint16_t>((event.flags & kFlagBits) |
                                (static_cast<unsigned>(event.level) & 7) << kLevelShift |
                                (event.kind == RecordKind::kJson ? 0 : 1) << kKindShift);
}

EventLog::EventLog() = default;
EventLog::~EventLog() = default;

std::unique_ptr<EventLog::Chunk> EventLog::NewChunk() {
  auto chunk = std::make_unique<Chunk>();
  const size_t bytes = kChunkEvents * sizeof(StoredEvent);
  chunk->block = AllocateLarge(bytes);
  // Touch every page now, so that inserts under the lock do not fault.
  for (size_t i = 0; i < bytes; i += 4096) chunk->block[i] = 0;
  chunk->events = reinterpret_cast<StoredEvent*>(chunk->block.get());
  chunk->places.reserve(kChunkEvents * kPlaceBytesGuess);
  return chunk;
}

void EventLog::Prepare(size_t count) {
  // Chunks that hold events [first_live_, end_ + count).
  const uint64_t needed = (end_ + count - first_live_ + kChunkEvents - 1) >> kChunkShift;
  while (chunks_.size() + spare_.size() < needed) spare_.push_back(NewChunk());
}

uint64_t EventLog::Append(const EventFields& event, const EventPlace& place) {
  const uint64_t n = end_;
  const uint64_t in_chunk = n & (kChunkEvents - 1);
  if (in_chunk == 0) {
    if (!chunks_.empty()) {
      // The previous chunk is full: give back what its places did not use.
      std::vector<uint8_t>& full = chunks_.back()->places;
      places_bytes_ -= full.capacity();
      full.shrink_to_fit();
      places_bytes_ += full.capacity();
    }
    if (!spare_.empty()) {
      chunks_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    } else {
      chunks_.push_back(NewChunk());
    }
    places_bytes_ += chunks_.back()->places.capacity();
  }
  Chunk& c = *chunks_.back();
  if (in_chunk == 0) c.seq_base = event.seq;
  StoredEvent& stored = c.events[in_chunk];
  stored.Set(event);
  const int64_t seq_delta = static_cast<int64_t>(event.seq - c.seq_base);
  const uint64_t far_before = FarBytes(c);
  const uint32_t key = static_cast<uint32_t>(in_chunk);
  if (seq_delta > StoredEvent::kFarSeq && seq_delta < -int64_t{StoredEvent::kFarSeq}) {
    StoredEvent::Put24(stored.seq_, static_cast<uint32_t>(seq_delta));
  } else {
    StoredEvent::Put24(stored.seq_, static_cast<uint32_t>(StoredEvent::kFarSeq));
    c.far_seqs.emplace(key, event.seq);
  }
  if (event.prev_distance < StoredEvent::kFarPrev) {
    StoredEvent::Put24(stored.prev_, static_cast<uint32_t>(event.prev_distance));
  } else {
    StoredEvent::Put24(stored.prev_, StoredEvent::kFarPrev);
    c.far_prevs.emplace(key, event.prev_distance);
  }
  if (event.service < StoredEvent::kFarService) {
    stored.service_code_ = static_cast<uint16_t>(event.service);
  } else {
    stored.service_code_ = StoredEvent::kFarService;
    c.far_services.emplace(key, event.service);
  }
  far_bytes_ += FarBytes(c) - far_before;
  std::vector<uint8_t>& out = c.places;
  const size_t capacity = out.capacity();
  if ((in_chunk & (kGroupEvents - 1)) == 0) {
    const uint32_t g = static_cast<uint32_t>(in_chunk >> kGroupShift);
    c.raw_base[g] = place.raw_pos;
    c.group_start[g] = static_cast<uint32_t>(out.size());
    prev_line_no_ = 0;
    prev_offset_ = 0;
  }
  PutVarint(&out, place.raw_len);
  PutVarint(&out, place.source_id);
  PutVarint(&out, ZigZag(place.line_no, prev_line_no_));
  PutVarint(&out, ZigZag(place.source_offset, prev_offset_));
  PutVarint(&out, place.msg_off);
  PutVarint(&out, place.msg_len);
  prev_line_no_ = place.line_no;
  prev_offset_ = place.source_offset;
  places_bytes_ += out.capacity() - capacity;
  ++end_;
  return n;
}

EventPlace EventLog::Place(uint64_t n) const {
  const Chunk& c = *chunks_[(n - first_live_) >> kChunkShift];
  const uint64_t in_chunk = n & (kChunkEvents - 1);
  const uint32_t g = static_cast<uint32_t>(in_chunk >> kGroupShift);
  const uint8_t* p = c.places.data() + c.group_start[g];
  EventPlace place;
  uint64_t raw_pos = c.raw_base[g];
  uint64_t line_no = 0, offset = 0;
  for (uint64_t i = in_chunk & ~uint64_t{kGroupEvents - 1};; ++i) {
    place.raw_len = static_cast<uint32_t>(GetVarint(&p));
    place.source_id = static_cast<uint32_t>(GetVarint(&p));
    line_no = UnZigZag(GetVarint(&p), line_no);
    offset = UnZigZag(GetVarint(&p), offset);
    place.msg_off = static_cast<uint32_t>(GetVarint(&p));
    place.msg_len = static_cast<uint32_t>(GetVarint(&p));
    if (i == in_chunk) break;
    if (!(c.events[i].flags() & kStoredLineInFile)) raw_pos += place.raw_len;
  }
  place.raw_pos = raw_pos;
  place.line_no = line_no;
  place.source_offset = offset;
  return place;
}

uint64_t EventLog::DropOldestChunk(uint64_t* lines_end) {
  const uint64_t begin = first_live_;
  const uint64_t dropped = std::min(end_, begin + kChunkEvents) - begin;
  places_bytes_ -= chunks_.front()->places.capacity();
  far_bytes_ -= FarBytes(*chunks_.front());
  chunks_.pop_front();
  first_live_ = begin + kChunkEvents;
  if (chunks_.empty()) {
    // The chunk being filled: the next event opens a new one.
    end_ = first_live_;
    *lines_end = kNoEvent;
  } else {
    *lines_end = chunks_.front()->raw_base[0];
  }
  return dropped;
}

uint64_t EventLog::FarBytes(const Chunk& c) {
  return (c.far_seqs.capacity() + c.far_prevs.capacity()) *
             (sizeof(std::pair<uint32_t, uint64_t>) + 1) +
         c.far_services.capacity() * (sizeof(std::pair<uint32_t, uint32_t>) + 1);
}

void EventLog::Clear() {
  chunks_.clear();
  spare_.clear();
  // As if every chunk were dropped: numbers go on (a scan under way or a saved
  // cursor never meets a number twice), and the next event opens a new chunk.
  first_live_ = end_ = (end_ + kChunkEvents - 1) & ~(kChunkEvents - 1);
  places_bytes_ = far_bytes_ = 0;
  prev_line_no_ = prev_offset_ = 0;
}

uint64_t EventLog::bytes() const {
  return (chunks_.size() + spare_.size()) * (sizeof(Chunk) + kChunkEvents * sizeof(StoredEvent)) +
         places_bytes_ + spare_.size() * kChunkEvents * kPlaceBytesGuess + far_bytes_;
}

}  // namespace logweave::internal

// The events of one index shard: an append-only log numbered from 0, in
// chunks that eviction drops from the front.
//
// Each event has a 20-byte record that the analysis and searches read (time,
// arrival order, service, level, the link to its trace's previous event) and
// a place: where its line lies in the shard's LineStore, its source, line
// number and offset there, and where its message lies in the line. Places
// are read only for timelines, raw lines and message searches, which then
// decompress lines anyway, so they are packed: varints, delta-coded within
// groups of kGroupEvents events, about 8 bytes an event instead of 32.
//
//   EventLog log;
//   uint64_t n = log.Append(fields, place);  // owner, under the writer lock
//   EventPlace p = log.Place(n);             // readers
//   uint64_t seq = log.Seq(n);
#ifndef LOGWEAVE_INDEX_EVENT_LOG_H_
#define LOGWEAVE_INDEX_EVENT_LOG_H_

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "internal/arena.h"
#include "logweave/record.h"

namespace logweave::internal {

inline constexpr uint64_t kNoEvent = UINT64_MAX;  // no event (event numbers are 64-bit)

// StoredEvent::flags() beside the RecordFlags (whose kRecordLineInFile is
// never stored: kStoredLineInFile takes its bit), never shown outside the shard.
inline constexpr uint16_t kStoredLineInFile = 1 << 9;  // the line is read from its file (LineFiles)
inline constexpr uint16_t kStoredMessageInterned = 1 << 10;  // msg: id in the message table
inline constexpr uint16_t kStoredMessageEscaped = 1 << 11;   // the shard's escaped copy
inline constexpr uint16_t kRecordFlagsMask = (1 << 9) - 1;
static_assert(kRecordLineInFile == kStoredLineInFile && kRecordLineInFile == kRecordFlagsMask + 1,
              "the stored flags take the bits above the RecordFlags kept");

// An event as the shard inserts it.
struct EventFields {
  int64_t time_ns = 0;
  uint64_t seq = 0;
  uint64_t prev_distance = 0;  // this event's number minus the previous one of its trace; 0: none
  uint32_t service = 0;        // id in the shard's service table
  uint16_t msg = 0;            // with kStoredMessageInterned: id in the shard's message table
  uint16_t flags = 0;          // RecordFlags (but kRecordLineInFile), and the kStored* flags
  Level level = Level::kUnknown;
  RecordKind kind = RecordKind::kJson;
};

// What the analysis and searches read of an event. 20 bytes: its arrival
// order relative to its chunk's first event and the distance to its trace's
// previous event in 24 bits each, its service id in 16, its flags, level and
// kind in 16; the few values that do not fit are kept in their chunk
// (EventLog::Seq, Service, PrevDistance).
class StoredEvent {
 public:
  int64_t time_ns() const {
    int64_t t;
    std::memcpy(&t, time_, sizeof(t));
    return t;
  }
  uint16_t flags() const { return bits_ & kFlagBits; }
  Level level() const { return static_cast<Level>((bits_ >> kLevelShift) & 7); }
  RecordKind kind() const {
    return (bits_ >> kKindShift) != 0 ? RecordKind::kUnstructured : RecordKind::kJson;
  }
  uint16_t msg() const { return msg_; }

 private:
  friend class EventLog;
  static constexpr int32_t kFarSeq = -(1 << 23);        // seq: in the chunk's far_seqs
  static constexpr uint32_t kFarPrev = (1u << 24) - 1;  // prev_distance: in far_prevs
  static constexpr uint16_t kFarService = UINT16_MAX;   // service: in far_services
  static constexpr uint16_t kFlagBits = (1 << 12) - 1;
  static constexpr int kLevelShift = 12;
  static constexpr int kKindShift = 15;

  // Sets every field from `event`, but the three that may not fit (set by EventLog).
  void Set(const EventFields& event);
  int32_t seq_delta() const {  // sign-extended
    return static_cast<int32_t>(static_cast<uint32_t>(Get24(seq_)) << 8) >> 8;
  }
  uint32_t prev_distance_code() const { return Get24(prev_); }
  static uint32_t Get24(const uint8_t* p) { return p[0] | (p[1] << 8) | (uint32_t{p[2]} << 16); }
  static void Put24(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
  }

  uint8_t time_[8];        // int64_t nanoseconds
  uint8_t seq_[3];         // seq minus the chunk's first seq, or kFarSeq
  uint8_t prev_[3];        // the previous event's distance (0: none), or kFarPrev
  uint16_t service_code_;  // the service id, or kFarService
  uint16_t msg_;
  uint16_t bits_;  // flags (12 bits), level (3), kind (1: unstructured)
};
static_assert(sizeof(StoredEvent) == 20);
static_assert(static_cast<int>(Level::kFatal) < 8, "a level takes 3 bits");

// Where an event's line and message are.
struct EventPlace {
  uint64_t raw_pos = 0;  // the line's bytes in the shard's LineStore
  uint32_t raw_len = 0;
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t source_offset = 0;
  // The message's bytes in the line (unless interned or escaped; 0, 0: none).
  uint32_t msg_off = 0;
  uint32_t msg_len = 0;
};

// Thread-compatible with one writer and many readers under the shard's lock:
// Append, Reserve and DropOldestChunk under the writer lock (owner thread),
// the rest under a reader or the writer lock. Prepare runs on the owner
// without the lock (it touches only what no reader sees).
class EventLog {
 public:
  static constexpr uint32_t kChunkShift = 13;  // 8192 events = 160 KiB of records
  static constexpr uint64_t kChunkEvents = uint64_t{1} << kChunkShift;
  static constexpr uint32_t kGroupShift = 6;  // places are decoded from a group's start
  static constexpr uint32_t kGroupEvents = 1u << kGroupShift;

  EventLog();
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Owner thread, outside the lock: allocates (and faults in) the chunks
  // that `count` more events may need.
  void Prepare(size_t count);

  // Appends an event; returns its number. Places must come in line order:
  // each raw_pos is the previous one's raw_pos + raw_len, where the lines of
  // events flagged kStoredLineInFile take no room (raw_pos is not advanced).
  uint64_t Append(const EventFields& event, const EventPlace& place);

  // Event `n` (first_live() <= n < end()); its seq and service through Seq
  // and Service.
  const StoredEvent& Event(uint64_t n) const { return *Locate(n); }
  uint64_t Seq(uint64_t n) const {
    const StoredEvent& ev = Event(n);
    const Chunk& c = ChunkOf(n);
    const int32_t delta = ev.seq_delta();
    if (delta != StoredEvent::kFarSeq) return c.seq_base + static_cast<uint64_t>(int64_t{delta});
    return c.far_seqs.at(static_cast<uint32_t>(n & (kChunkEvents - 1)));
  }
  uint32_t Service(uint64_t n) const {
    const StoredEvent& ev = Event(n);
    if (ev.service_code_ != StoredEvent::kFarService) return ev.service_code_;
    return ChunkOf(n).far_services.at(static_cast<uint32_t>(n & (kChunkEvents - 1)));
  }
  // Event `n`'s number minus its trace's previous event's; 0: none.
  uint64_t PrevDistance(uint64_t n) const {
    const uint32_t code = Event(n).prev_distance_code();
    if (code != StoredEvent::kFarPrev) return code;
    return ChunkOf(n).far_prevs.at(static_cast<uint32_t>(n & (kChunkEvents - 1)));
  }
  // Event `n`, its seq, its service and its trace's previous live event (PrevLive) at once,
  // finding its chunk once: for walks over whole traces.
  struct Read {
    const StoredEvent* event;
    uint64_t seq;
    uint32_t service;
    uint64_t prev_live;
  };
  Read ReadEvent(uint64_t n) const {
    const Chunk& c = ChunkOf(n);
    const uint32_t i = static_cast<uint32_t>(n & (kChunkEvents - 1));
    const StoredEvent& ev = c.events[i];
    Read r{&ev, 0, ev.service_code_, kNoEvent};
    const int32_t delta = ev.seq_delta();
    r.seq = delta != StoredEvent::kFarSeq ? c.seq_base + static_cast<uint64_t>(int64_t{delta})
                                          : c.far_seqs.at(i);
    if (r.service == StoredEvent::kFarService) r.service = c.far_services.at(i);
    const uint32_t code = ev.prev_distance_code();
    const uint64_t d = code != StoredEvent::kFarPrev ? code : c.far_prevs.at(i);
    if (d != 0) r.prev_live = Live(n - d);
    return r;
  }
  // The place of event `n` (first_live() <= n < end()).
  EventPlace Place(uint64_t n) const;

  // `n` if that event is still held, else kNoEvent.
  uint64_t Live(uint64_t n) const { return n != kNoEvent && n >= first_live_ ? n : kNoEvent; }
  // The previous event of live event `n`'s trace, if still held.
  uint64_t PrevLive(uint64_t n) const {
    const uint64_t d = PrevDistance(n);
    return d == 0 ? kNoEvent : Live(n - d);
  }

  uint64_t first_live() const { return first_live_; }  // events before it are evicted
  uint64_t end() const { return end_; }                // events ever appended
  size_t chunks() const { return chunks_.size(); }
  // Drops the oldest chunk (chunks() must be > 0); returns how many events it
  // held. When it is the one being filled, the rest of its numbers are
  // skipped: the next event starts a new chunk. *lines_end: the LineStore
  // position the dropped events' lines end at (kNoEvent: every line so far).
  uint64_t DropOldestChunk(uint64_t* lines_end);

  // Frees every event, as if every chunk were dropped: numbers go on from
  // end() (rounded up to a chunk), and first_live() == end().
  void Clear();

  // Memory held: records, packed places, spare chunks.
  uint64_t bytes() const;

 private:
  static constexpr uint32_t kGroups = kChunkEvents >> kGroupShift;
  struct Chunk {
    LargeBlock block;  // the records
    StoredEvent* events = nullptr;
    uint64_t seq_base = 0;  // the seq of its first event
    // By event within the chunk: seqs 2^23 or more from seq_base, service
    // ids of 2^16 - 1 and above, distances of 2^24 - 1 and above to the
    // trace's previous event. Rare; they go with the chunk.
    absl::flat_hash_map<uint32_t, uint64_t> far_seqs;
    absl::flat_hash_map<uint32_t, uint32_t> far_services;
    absl::flat_hash_map<uint32_t, uint64_t> far_prevs;
    std::vector<uint8_t> places;    // packed places, group after group
    uint64_t raw_base[kGroups];     // raw_pos of each group's first event
    uint32_t group_start[kGroups];  // each group's first byte in `places`
  };
  std::unique_ptr<Chunk> NewChunk();
  const Chunk& ChunkOf(uint64_t n) const { return *chunks_[(n - first_live_) >> kChunkShift]; }
  const StoredEvent* Locate(uint64_t n) const { return &ChunkOf(n).events[n & (kChunkEvents - 1)]; }
  // The memory of a chunk's far maps.
  static uint64_t FarBytes(const Chunk& c);

  std::deque<std::unique_ptr<Chunk>> chunks_;
  std::vector<std::unique_ptr<Chunk>> spare_;  // made by Prepare
  uint64_t first_live_ = 0;
  uint64_t end_ = 0;
  uint64_t places_bytes_ = 0;  // capacity of the places of chunks_
  uint64_t far_bytes_ = 0;     // capacity of the chunks' far maps
  // The encoder's previous place in the open group.
  uint64_t prev_line_no_ = 0, prev_offset_ = 0;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_EVENT_LOG_H_

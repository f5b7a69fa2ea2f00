#include "logweave/index.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "index/line_store.h"
#include "internal/arena.h"
#include "internal/strings.h"
#include "xxhash.h"

namespace logweave {

uint32_t SourceNames::Add(std::string name, std::string default_service) {
  absl::MutexLock lock(&mu_);
  names_.push_back(std::move(name));
  services_.push_back(std::move(default_service));
  return static_cast<uint32_t>(names_.size() - 1);
}

std::string_view SourceNames::Name(uint32_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
}

std::string_view SourceNames::DefaultService(uint32_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  return id < services_.size() ? std::string_view(services_[id]) : std::string_view();
}

size_t SourceNames::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return names_.size();
}

namespace internal {
namespace {

constexpr uint64_t kNoEvent = UINT64_MAX;  // no event (event numbers are 64-bit)
constexpr uint32_t kNoName = UINT32_MAX;   // no name in a NameTable
constexpr uint32_t kChunkShift = 15;       // 32768 events = 2 MiB: one huge page
constexpr uint32_t kChunkEvents = 1u << kChunkShift;

// One stored line. 64 bytes: one cache line.
struct StoredEvent {
  int64_t time_ns;
  uint64_t seq;
  uint64_t raw_pos;  // the line's bytes in the shard's LineStore
  uint64_t source_offset;
  uint32_t raw_len;
  uint32_t prev_distance;  // this event's number minus the previous one of its trace; 0: none
  // Where the message is: with kStoredMessageInterned, its id in the shard's
  // message table; kEscapedMessage: in escaped_; else its offset in the line.
  uint32_t msg_off;
  uint32_t msg_len;
  uint32_t line_no;
  uint32_t source_id;
  uint32_t service;  // id in the shard's service table
  uint16_t flags;    // RecordFlags
  Level level;
  RecordKind kind;
};
static_assert(sizeof(StoredEvent) == 64);

// StoredEvent::flags beside the RecordFlags, never shown outside the shard.
constexpr uint16_t kStoredMessageInterned = 1 << 15;
constexpr uint16_t kRecordFlagsMask = kStoredMessageInterned - 1;

// Short messages of JSON lines (event names, mostly) are kept once per shard,
// so that the analysis and searches read them without decompressing lines.
// A service has tens to hundreds of event names; past this many distinct
// messages in a shard (messages that carry ids, say) the table stops
// growing: later ones are read from their lines, and are free text to the
// analysis. The table is never evicted, so it must stay small.
constexpr uint32_t kMaxInternedMessageBytes = 80;
constexpr size_t kMaxInternedMessages = 8192;

// A trace id in the trace map. Ids of up to kInlineBytes (W3C ids are 32 hex
// characters) are stored in the slot itself, so that comparing a probe with a
// slot touches no other memory; longer ids point into the shard's arena.
struct TraceKey {
  static constexpr uint32_t kInlineBytes = 32;

  uint64_t hash;
  uint32_t size;
  bool is_inline;
  union {
    const char* ptr;
    char bytes[kInlineBytes];
  };

  // A key that points at `id` (for lookups; not for storing).
  static TraceKey Probe(std::string_view id, uint64_t hash) {
    TraceKey k;
    k.hash = hash;
    k.size = static_cast<uint32_t>(id.size());
    k.is_inline = false;
    k.ptr = id.data();
    return k;
  }
  std::string_view view() const { return std::string_view(is_inline ? bytes : ptr, size); }
};
// A trace's head and summary, stored densely in creation order (the map
// below holds only its hash and number). Recently created traces, which get
// most of the new events, are close together in memory; scans walk the
// array in chunks by position, which inserts never invalidate.
struct TraceRecord {
  TraceKey key;
  uint64_t last;   // the trace's newest inserted event; links go backwards from it
  uint64_t count;  // events ever inserted (evicted ones included)
  uint32_t route;  // id in the shard's route names, or kNoName
  Level max_level;
  int64_t start_ns;   // first and last time of events with a known time
  int64_t end_ns;     // (INT64_MAX, INT64_MIN while there is none)
  uint64_t services;  // bit s: service id s (< 63) has an event; bit 63: some id >= 63
};

constexpr uint32_t kTraceChunkShift = 14;  // 16384 traces per chunk
constexpr uint32_t kTraceChunkSize = 1u << kTraceChunkShift;

inline uint64_t ServiceBit(uint32_t service) {
  return uint64_t{1} << std::min<uint32_t>(service, 63);
}

// The trace map's slot: the id's hash and the trace's number.
struct TraceSlot {
  uint64_t hash;
  uint64_t number;
};
// A lookup by id.
struct TraceProbe {
  uint64_t hash;
  std::string_view id;
};

// Interned names (services, routes): each distinct name stored once, ids
// dense from 0. Remembers the last hit, as consecutive lines mostly repeat it.
class NameTable {
 public:
  uint32_t Id(std::string_view name) {
    if (last_id_ != kNoName && name == last_) return last_id_;
    auto it = ids_.find(name);
    if (it == ids_.end()) {
      // The map's key points at the table's own copy, never into a batch.
      names_.emplace_back(name);
      bytes_ +=
          sizeof(std::string) + name.size() + 1 + 2 * sizeof(std::pair<std::string_view, uint32_t>);
      it = ids_.emplace(std::string_view(names_.back()), static_cast<uint32_t>(names_.size() - 1))
               .first;
    }
    last_ = it->first;
    last_id_ = it->second;
    return it->second;
  }
  // The id of `name`, or kNoName if it was never interned. Does not insert.
  uint32_t Find(std::string_view name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? kNoName : it->second;
  }
  std::string_view Name(uint32_t id) const {
    return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
  }
  size_t size() const { return names_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_ = 0;  // names and their map entries
  std::deque<std::string> names_;
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
  std::string_view last_;
  uint32_t last_id_ = kNoName;
};

}  // namespace

// Recent line hashes, for finding exact repeats: two generations of at most
// `limit` entries each; when the newer one is full the older one is dropped.
// Thread-compatible (owned by a shard).
class DedupeWindow {
 public:
  explicit DedupeWindow(size_t limit) : limit_(limit) {}

  // Before `count` more FindOrAdd calls: grows the tables now if they would
  // grow during those calls (so that an insert under the shard's lock never
  // rehashes), and readies the next generation when this one may fill up.
  void Prepare(size_t count) {
    const size_t capacity = current_.capacity();
    const size_t want = std::min(current_.size() + count, limit_);
    if (want > capacity - capacity / 8) current_.reserve(std::max(want * 2, size_t{1024}));
    if (current_.size() + count >= limit_ && next_.capacity() == 0) next_.reserve(limit_);
  }

  // The event recorded for `hash`, or kNoEvent; then records `event` for it.
  uint64_t FindOrAdd(uint64_t hash, uint64_t event) {
    auto [it, inserted] = current_.try_emplace(hash, event);
    if (!inserted) return it->second;
    if (auto old = previous_.find(hash); old != previous_.end()) {
      it->second = old->second;
      return old->second;
    }
    if (current_.size() >= limit_) {
      previous_ = std::move(current_);
      current_ = std::move(next_);
      next_ = {};
      if (current_.capacity() == 0) current_.reserve(limit_);
    }
    return kNoEvent;
  }
  // Records `event` for `hash` (its earlier event is gone).
  void Replace(uint64_t hash, uint64_t event) { current_[hash] = event; }
  void Prefetch(uint64_t hash) const { current_.prefetch(hash); }
  size_t bytes() const {
    return (current_.capacity() + previous_.capacity()) *
           (sizeof(std::pair<uint64_t, uint64_t>) + 1);
  }

 private:
  const size_t limit_;
  absl::flat_hash_map<uint64_t, uint64_t> current_, previous_;
  absl::flat_hash_map<uint64_t, uint64_t> next_;  // the next generation, reserved ahead
};

// One index shard. Written only by its owner thread (Insert, under mu_ as a
// writer, one batch at a time); read by query threads under mu_ as readers.
class Shard {
 public:
  // `max_bytes`: this shard's memory budget; 0 = unlimited.
  Shard(size_t dedupe_window, uint64_t max_bytes)
      : max_bytes_(max_bytes),
        traces_(0, TraceSlotHash{}, TraceSlotEq{this}),
        dedupe_(dedupe_window) {}
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Inserts in steps of kRecordsPerHold records, releasing the lock between
  // steps, so that a query waits for at most one step.
  static constexpr size_t kRecordsPerHold = 256;

  void Insert(const ShardRecord* records, size_t count, bool dedupe) {
    PrepareForInsert(count, dedupe);
    for (size_t begin = 0; begin < count || begin == 0; begin += kRecordsPerHold) {
      const size_t end = std::min(count, begin + kRecordsPerHold);
      absl::MutexLock lock(&mu_);
      if (begin == 0) InstallPrepared();
      // Hash-table slots are random accesses: ask for them a few records ahead.
      constexpr size_t kLookahead = 8;
      for (size_t i = begin; i < end; ++i) {
        if (i + kLookahead < end) {
          const ShardRecord& ahead = records[i + kLookahead];
          const std::string_view id = ahead.record->trace_id;
          if (!id.empty()) traces_.prefetch(TraceProbe{ahead.trace_hash, id});
          if (dedupe) dedupe_.Prefetch(ahead.line_hash);
        }
        InsertOne(records[i], dedupe);
      }
      if (end == count) {
        UpdateBytes();
        // Over budget: drop the oldest full chunks of events (never the one being filled).
        while (max_bytes_ > 0 && bytes_ > max_bytes_ && chunks_.size() > 1) {
          EvictOldestChunk();
          while (EvictOldestTraceChunk()) {
          }
          UpdateBytes();
        }
        break;
      }
    }
  }

  void UpdateBytes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    bytes_ = lines_.bytes() + messages_.bytes() + arena_bytes_ +
             chunks_.size() * kChunkEvents * sizeof(StoredEvent) +
             trace_chunks_.size() * kTraceChunkSize * sizeof(TraceRecord) +
             traces_.capacity() * (sizeof(TraceSlot) + 1) + dedupe_.bytes() +
             escaped_.capacity() * (sizeof(std::pair<uint64_t, const char*>) + 1);
  }

  // Drops the oldest chunk of trace records (and their map entries) once at
  // most a quarter of its traces still have events; those move to new
  // records first, so that a few long-lived traces never pin old chunks.
  // Never the chunk being filled.
  bool EvictOldestTraceChunk() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t begin = first_live_trace_;
    if (begin + kTraceChunkSize >= trace_count_) return false;
    uint64_t live = 0;
    for (uint64_t n = begin; n < begin + kTraceChunkSize; ++n) {
      if (Live(Trace(n).last) != kNoEvent) ++live;
    }
    if (live > kTraceChunkSize / 4) return false;
    for (uint64_t n = begin; n < begin + kTraceChunkSize; ++n) {
      const TraceRecord& t = Trace(n);
      traces_.erase(TraceProbe{t.key.hash, t.key.view()});
      if (Live(t.last) == kNoEvent) continue;
      // Still in use: a new record (with its own copy of a long id) takes over.
      TraceRecord& moved = NewTrace(t.key.view(), t.key.hash);
      const TraceKey key = moved.key;
      moved = t;
      moved.key = key;
      ++relocated_traces_;
    }
    trace_chunks_.pop_front();
    DropArena(&trace_arenas_);
    first_live_trace_ = begin + kTraceChunkSize;
    return true;
  }

  // Frees the oldest chunk of events with the line bytes and escaped
  // messages only they used. Traces keep their records: a trace whose
  // events are all gone answers as evicted.
  void EvictOldestChunk() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t begin = first_live_;
    for (uint64_t i = begin; i < begin + kChunkEvents; ++i) {
      const StoredEvent& ev = Event(i);
      if (ev.msg_off == kEscapedMessage)
        escaped_.erase(i);  // interned ids are < kMaxInternedMessages
    }
    chunks_.pop_front();
    DropArena(&chunk_arenas_);
    first_live_ = begin + kChunkEvents;
    evicted_events_ += kChunkEvents;
    // Lines are stored in event order: the blocks before the first live
    // event's line hold only evicted ones.
    lines_.DropBefore(first_live_ < events_ ? Event(first_live_).raw_pos : UINT64_MAX);
  }

  // Copies the events of a trace out, newest inserted first. False if unknown.
  bool CollectTrace(std::string_view trace_id, uint64_t hash, const SourceNames& sources,
                    bool with_raw, std::vector<TimelineEvent>* out, uint32_t* evicted,
                    bool* maybe_evicted) const {
    absl::ReaderMutexLock lock(&mu_);
    const TraceRecord* t = FindTrace(trace_id, hash);
    if (t == nullptr) {
      *maybe_evicted = first_live_trace_ > 0;  // the record itself may be gone
      return false;
    }
    out->reserve(std::min<uint64_t>(t->count, events_ - first_live_));
    BlockCache cache;
    for (uint64_t e = Live(t->last); e != kNoEvent; e = PrevLive(e)) {
      const StoredEvent& ev = Event(e);
      TimelineEvent& te = out->emplace_back();
      te.time_ns = ev.time_ns;
      te.has_time = ev.flags & kRecordHasTime;
      te.time_known = ev.flags & (kRecordHasTime | kRecordTimeInferred);
      te.service = std::string(services_.Name(ev.service));
      te.level = ev.level;
      te.message = std::string(Message(e, ev, &cache));
      te.source = std::string(sources.Name(ev.source_id));
      te.line_no = ev.line_no;
      te.source_offset = ev.source_offset;
      te.seq = ev.seq;
      te.kind = ev.kind;
      if (with_raw) te.raw = std::string(lines_.View(ev.raw_pos, ev.raw_len, &cache));
    }
    *evicted = static_cast<uint32_t>(t->count - out->size());
    return true;
  }

  // The summary and services of a trace. False if unknown.
  bool TraceInfoOf(std::string_view trace_id, uint64_t hash, TraceInfo* out) const {
    absl::ReaderMutexLock lock(&mu_);
    const TraceRecord* t = FindTrace(trace_id, hash);
    if (t == nullptr || Live(t->last) == kNoEvent) return false;
    const TraceSummaryView v = Summary(*t);
    out->trace_id = std::string(v.trace_id);
    out->route = std::string(v.route);
    out->events = v.events;
    out->max_level = v.max_level;
    out->start_ns = v.start_ns;
    out->end_ns = v.end_ns;
    // Services by the time of their first timed event; ties and untimed
    // services keep the order of their first event's arrival.
    std::vector<std::pair<int64_t, uint32_t>> first;  // (time, service), newest arrival first
    for (uint64_t e = Live(t->last); e != kNoEvent; e = PrevLive(e)) {
      const StoredEvent& ev = Event(e);
      const int64_t time =
          ev.flags & (kRecordHasTime | kRecordTimeInferred) ? ev.time_ns : INT64_MAX;
      auto it = std::find_if(first.begin(), first.end(),
                             [&](const auto& f) { return f.second == ev.service; });
      if (it == first.end()) {
        first.emplace_back(time, ev.service);
      } else {
        it->first = std::min(it->first, time);
        std::rotate(it, it + 1, first.end());  // keep the earliest arrival last
      }
    }
    std::reverse(first.begin(), first.end());
    std::stable_sort(first.begin(), first.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& f : first) out->services.emplace_back(services_.Name(f.second));
    return true;
  }

  IndexCounters Counters() const {
    absl::ReaderMutexLock lock(&mu_);
    return IndexCounters{
        events_ - evicted_events_, trace_count_ - first_live_trace_,     duplicates_, bytes_,
        evicted_events_,           first_live_trace_ - relocated_traces_};
  }

  // Visits traces [0, count) in chunks of kScanChunk, in creation order
  // (forward) or newest first, taking the reader lock once per chunk.
  // visit(trace) returns the work it did (for the budget), or -1 to stop.
  // Returns false when stopped.
  template <typename Visit>
  bool Walk(bool newest_first, Visit visit, const std::function<bool()>& stop = nullptr) const {
    uint64_t done = 0;  // traces visited
    uint64_t total = 0;
    {
      absl::ReaderMutexLock lock(&mu_);
      total = trace_count_;
    }
    while (done < total) {
      if (stop && stop()) return false;
      absl::ReaderMutexLock lock(&mu_);
      if (!newest_first) done = std::max(done, first_live_trace_);  // skip evicted records
      uint64_t work = 0;
      for (uint32_t n = 0; n < Index::kScanChunk && done < total; ++n, ++done) {
        const uint64_t number = newest_first ? total - 1 - done : done;
        if (number < first_live_trace_) return true;  // newest first: the rest is evicted
        const int64_t w = visit(Trace(number));
        if (w < 0) return false;
        work += static_cast<uint64_t>(w);
        if (work >= Index::kScanEventBudget) {
          ++done;
          break;
        }
      }
    }
    return true;
  }

  // Whether a trace passes `filter`; `service` is the filter's service id in
  // this shard (kNoName: none asked). Adds the events it read to *work, and
  // kDecompressWork for each block of lines it had to decompress.
  bool Matches(const TraceRecord& t, const TraceFilter& filter, uint32_t service, BlockCache* cache,
               uint64_t* work) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (filter.min_level != Level::kUnknown && t.max_level < filter.min_level) return false;
    const int64_t start = t.start_ns == INT64_MAX ? 0 : t.start_ns;
    const int64_t end = t.end_ns == INT64_MIN ? 0 : t.end_ns;
    if (end < filter.start_ns || start > filter.end_ns) return false;
    const bool want_service = !filter.service.empty();
    if (want_service && (service == kNoName || (t.services & ServiceBit(service)) == 0)) {
      return false;
    }
    // A service id >= 63 shares bit 63: confirm by reading the events.
    bool service_ok = !want_service || service < 63;
    bool text_ok = filter.text.empty();
    if (service_ok && text_ok) return true;
    for (uint64_t e = Live(t.last); e != kNoEvent && !(service_ok && text_ok); e = PrevLive(e)) {
      const StoredEvent& ev = Event(e);
      ++*work;
      service_ok = service_ok || ev.service == service;
      if (text_ok) continue;
      const uint64_t misses = cache->misses();
      text_ok = Message(e, ev, cache).find(filter.text) != std::string_view::npos;
      *work += (cache->misses() - misses) * kDecompressWork;
    }
    return service_ok && text_ok;
  }

  bool Scan(const TraceFilter& filter, const std::function<bool(const TraceSummaryView&)>& fn,
            const std::function<bool()>& stop) const {
    uint32_t service = kNoName;
    BlockCache cache(kScanCacheBlocks);
    return Walk(/*newest_first=*/true,
                [&](const TraceRecord& t) -> int64_t {
                  mu_.AssertReaderHeld();
                  if (!filter.service.empty() && service == kNoName)
                    service = services_.Find(filter.service);
                  uint64_t work = 1;
                  if (Live(t.last) == kNoEvent || !Matches(t, filter, service, &cache, &work)) {
                    return static_cast<int64_t>(work);
                  }
                  return fn(Summary(t)) ? static_cast<int64_t>(work) : -1;
                },
                stop);
  }

  // Applies `filter` to one trace; false when fn asked to stop.
  bool Lookup(std::string_view trace_id, uint64_t hash, const TraceFilter& filter,
              const std::function<bool(const TraceSummaryView&)>& fn) const {
    absl::ReaderMutexLock lock(&mu_);
    const TraceRecord* t = FindTrace(trace_id, hash);
    if (t == nullptr || Live(t->last) == kNoEvent) return true;
    uint64_t work = 0;
    const uint32_t service = filter.service.empty() ? kNoName : services_.Find(filter.service);
    BlockCache cache;
    return !Matches(*t, filter, service, &cache, &work) || fn(Summary(*t));
  }

  void ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const {
    Walk(/*newest_first=*/false, [&](const TraceRecord& t) -> int64_t {
      mu_.AssertReaderHeld();
      if (Live(t.last) == kNoEvent) return 1;
      uint32_t live = 0;
      if (first_live_ == 0) {
        live = t.count;
      } else {
        for (uint64_t e = Live(t.last); e != kNoEvent; e = PrevLive(e)) ++live;
      }
      fn(t.key.view(), live);
      return 1;
    });
  }

  void ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn) const {
    std::vector<EventView> events;
    Walk(/*newest_first=*/false, [&](const TraceRecord& t) -> int64_t {
      mu_.AssertReaderHeld();
      events.clear();
      if (Live(t.last) == kNoEvent) return 1;
      for (uint64_t e = Live(t.last); e != kNoEvent; e = PrevLive(e)) {
        const StoredEvent& ev = Event(e);
        EventView& v = events.emplace_back();
        v.time_ns = ev.time_ns;
        v.seq = ev.seq;
        v.service = services_.Name(ev.service);
        // Only interned (and escaped) messages: the others are long, plain
        // text, or one of too many distinct ones, free text to the analysis
        // and not worth decompressing lines for.
        v.message = Message(e, ev, nullptr);
        v.line_no = ev.line_no;
        v.source_id = ev.source_id;
        v.service_id = ev.service;
        v.flags = ev.flags & kRecordFlagsMask;
        v.level = ev.level;
        v.kind = ev.kind;
      }
      std::reverse(events.begin(), events.end());
      TraceView view;
      view.trace_id = t.key.view();
      view.route = t.route == kNoName ? std::string_view() : routes_.Name(t.route);
      view.events = events.data();
      view.count = events.size();
      view.evicted = static_cast<uint32_t>(t.count - events.size());
      fn(view);
      return static_cast<int64_t>(t.count);
    });
  }

 private:
  static constexpr uint32_t kEscapedMessage = UINT32_MAX;
  // A scan's budget counts a block decompressed like this many events read.
  static constexpr uint64_t kDecompressWork = 256;
  // Decompressed blocks a scan keeps: traces walked in creation order have
  // their lines in nearby blocks.
  static constexpr size_t kScanCacheBlocks = 16;

  // Hash and equality of the trace map: slots compare by number, a probe by
  // the id stored in the trace's record.
  struct TraceSlotHash {
    using is_transparent = void;
    size_t operator()(const TraceSlot& s) const { return s.hash; }
    size_t operator()(const TraceProbe& p) const { return p.hash; }
  };
  struct TraceSlotEq {
    using is_transparent = void;
    const Shard* shard;
    bool operator()(const TraceSlot& a, const TraceSlot& b) const { return a.number == b.number; }
    bool operator()(const TraceSlot& a, const TraceProbe& b) const {
      if (a.hash != b.hash) return false;
      const TraceKey& key = shard->TraceUnlocked(a.number).key;
      return key.size == b.id.size() && std::memcmp(key.view().data(), b.id.data(), key.size) == 0;
    }
    bool operator()(const TraceProbe& a, const TraceSlot& b) const { return (*this)(b, a); }
  };

  StoredEvent& Event(uint64_t i) {
    return reinterpret_cast<StoredEvent*>(
        chunks_[(i - first_live_) >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }
  // Event number `i` (>= first_live_). chunks_[0] holds the first live one.
  const StoredEvent& Event(uint64_t i) const {
    return reinterpret_cast<const StoredEvent*>(
        chunks_[(i - first_live_) >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }
  // `e` if that event is still held, else kNoEvent (links point backwards,
  // so a walk stops at the first evicted event).
  uint64_t Live(uint64_t e) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return e != kNoEvent && e >= first_live_ ? e : kNoEvent;
  }
  // The previous event of live event `e`'s trace, if still held.
  uint64_t PrevLive(uint64_t e) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    const uint32_t d = Event(e).prev_distance;
    return d == 0 ? kNoEvent : Live(e - d);
  }
  // The record of trace number `n`. The map's equality calls it during
  // lookups, which happen under mu_ (held by the caller of the lookup).
  const TraceRecord& TraceUnlocked(uint64_t n) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return trace_chunks_[(n - first_live_trace_) >> kTraceChunkShift][n & (kTraceChunkSize - 1)];
  }
  const TraceRecord& Trace(uint64_t n) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return TraceUnlocked(n);
  }
  TraceRecord& MutableTrace(uint64_t n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return trace_chunks_[(n - first_live_trace_) >> kTraceChunkShift][n & (kTraceChunkSize - 1)];
  }
  const TraceRecord* FindTrace(std::string_view id, uint64_t hash) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    auto it = traces_.find(TraceProbe{hash, id});
    return it == traces_.end() ? nullptr : &Trace(it->number);
  }
  TraceSummaryView Summary(const TraceRecord& t) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    TraceSummaryView v;
    v.trace_id = t.key.view();
    v.route = t.route == kNoName ? std::string_view() : routes_.Name(t.route);
    v.events = t.count;
    v.max_level = t.max_level;
    const bool timed = t.start_ns != INT64_MAX;
    v.start_ns = timed ? t.start_ns : 0;
    v.end_ns = timed ? t.end_ns : 0;
    return v;
  }
  // The message of event `index`: from the shard's message table, its
  // escaped copy, or its line (decompressed through `cache`, or, without a
  // cache, empty). Valid like a LineStore::View.
  std::string_view Message(uint64_t index, const StoredEvent& ev, BlockCache* cache) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (ev.flags & kStoredMessageInterned) return messages_.Name(ev.msg_off);
    if (ev.msg_off != kEscapedMessage) {
      if (ev.msg_len == 0 || cache == nullptr) return std::string_view();
      return lines_.View(ev.raw_pos + ev.msg_off, ev.msg_len, cache);
    }
    auto it = escaped_.find(index);
    return it == escaped_.end() ? std::string_view() : std::string_view(it->second, ev.msg_len);
  }

  void InsertOne(const ShardRecord& sr, bool dedupe) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const Record& r = *sr.record;
    const uint64_t index = events_;
    if (dedupe && r.kind == RecordKind::kJson) {
      const uint64_t found = dedupe_.FindOrAdd(sr.line_hash, index);
      const uint64_t other_index = Live(found);
      if (found != kNoEvent && other_index == kNoEvent) dedupe_.Replace(sr.line_hash, index);
      if (other_index != kNoEvent) {
        const StoredEvent& other = Event(other_index);
        if (other.raw_len == r.raw.size() &&
            lines_.View(other.raw_pos, other.raw_len, &dedupe_cache_) == r.raw) {
          ++duplicates_;
          return;
        }
        // A hash collision between different lines: store it, undeduplicated.
      }
    }
    if ((index & (kChunkEvents - 1)) == 0) {
      if (!spare_chunks_.empty()) {
        chunks_.push_back(std::move(spare_chunks_.front()));
        spare_chunks_.erase(spare_chunks_.begin());
      } else {
        chunks_.push_back(AllocateLarge(kChunkEvents * sizeof(StoredEvent)));
      }
      chunk_arenas_.emplace_back();  // made on first use
    }
    StoredEvent& ev = Event(index);
    ev.raw_pos = lines_.Append(r.raw);
    ev.raw_len = static_cast<uint32_t>(r.raw.size());
    ev.flags = r.flags & kRecordFlagsMask;
    const bool message_in_raw =
        r.message.empty() ||
        (r.message.data() >= r.raw.data() && r.message.data() <= r.raw.data() + r.raw.size());
    if (r.kind == RecordKind::kJson && !r.message.empty() &&
        r.message.size() <= kMaxInternedMessageBytes &&
        (messages_.size() < kMaxInternedMessages || messages_.Find(r.message) != kNoName)) {
      ev.msg_off = messages_.Id(r.message);
      ev.flags |= kStoredMessageInterned;
    } else if (message_in_raw) {
      ev.msg_off = r.message.empty() ? 0 : static_cast<uint32_t>(r.message.data() - r.raw.data());
    } else {
      ev.msg_off = kEscapedMessage;
      escaped_.emplace(index, CopyForEvent(index, r.message).data());
    }
    ev.msg_len = static_cast<uint32_t>(r.message.size());
    ev.time_ns = r.time_ns;
    ev.seq = r.seq;
    ev.source_offset = r.source_offset;
    ev.line_no = static_cast<uint32_t>(r.line_no);
    ev.source_id = r.source_id;
    ev.service = services_.Id(r.service);
    ev.level = r.level;
    ev.kind = r.kind;
    ev.prev_distance = 0;
    ++events_;

    if (r.trace_id.empty()) return;
    const TraceProbe probe{sr.trace_hash, r.trace_id};
    TraceRecord* t;
    if (auto it = traces_.find(probe); it != traces_.end()) {
      t = &MutableTrace(it->number);
      // Links go back at most 2^32 events: an older previous event is treated as gone.
      const uint64_t distance = index - t->last;
      ev.prev_distance = distance <= UINT32_MAX ? static_cast<uint32_t>(distance) : 0;
      t->last = index;
      ++t->count;
      if (t->route == kNoName && !r.route.empty()) t->route = routes_.Id(r.route);
    } else {
      t = &NewTrace(r.trace_id, sr.trace_hash);
      t->last = index;
      t->count = 1;
      t->route = r.route.empty() ? kNoName : routes_.Id(r.route);
    }
    t->max_level = std::max(t->max_level, r.level);
    t->services |= ServiceBit(ev.service);
    if (r.flags & (kRecordHasTime | kRecordTimeInferred)) {
      t->start_ns = std::min(t->start_ns, r.time_ns);
      t->end_ns = std::max(t->end_ns, r.time_ns);
    }
  }

  // Owner thread, before taking the lock for an insert of `count` records:
  // does the slow part of growing outside the lock, so that queries never
  // wait for it. Allocates (and faults in) the event and trace chunks the
  // insert may need, and builds the bigger trace map when the insert could
  // make the current one rehash. Reads the shard without the lock: the owner
  // is its only writer, and concurrent readers only read.
  void PrepareForInsert(size_t count, bool dedupe) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    // Chunks that hold events [first_live_, events_ + count).
    const uint64_t event_chunks = (events_ + count - first_live_ + kChunkEvents - 1) >> kChunkShift;
    while (chunks_.size() + spare_chunks_.size() < event_chunks) {
      spare_chunks_.push_back(AllocateLarge(kChunkEvents * sizeof(StoredEvent)));
      FaultIn(spare_chunks_.back().get(), kChunkEvents * sizeof(StoredEvent));
    }
    const uint64_t trace_chunks =
        (trace_count_ + count - first_live_trace_ + kTraceChunkSize - 1) >> kTraceChunkShift;
    while (trace_chunks_.size() + spare_trace_chunks_.size() < trace_chunks) {
      spare_trace_chunks_.push_back(std::make_unique<TraceRecord[]>(kTraceChunkSize));
    }
    // absl's tables grow when size would exceed 7/8 of the capacity.
    if (dedupe) dedupe_.Prepare(count);
    const size_t capacity = traces_.capacity();
    if (traces_.size() + count > capacity - capacity / 8) {
      next_traces_ = std::make_unique<TraceSet>(0, TraceSlotHash{}, TraceSlotEq{this});
      size_t next_capacity = std::max<size_t>(2 * capacity + 1, 1023);
      while (traces_.size() + count > next_capacity - next_capacity / 8) {
        next_capacity = 2 * next_capacity + 1;
      }
      next_traces_->reserve(next_capacity - next_capacity / 8);
      for (const TraceSlot& slot : traces_) next_traces_->insert(slot);
    }
  }

  // Under the writer lock: puts what PrepareForInsert made in place.
  void InstallPrepared() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (next_traces_ != nullptr) {
      traces_.swap(*next_traces_);
      next_traces_.reset();  // the old table: freed under the lock, but freeing is quick
    }
  }

  // Touches every page so that the insert under the lock does not fault.
  static void FaultIn(char* p, size_t bytes) {
    for (size_t i = 0; i < bytes; i += 4096) p[i] = 0;
  }

  // Copies `bytes` into the arena of one chunk (made on first use), counting
  // what the arena reserves. Escaped messages and copied lines live and die
  // with their chunk of events, long trace ids with their chunk of records.
  std::string_view CopyInto(std::unique_ptr<Arena>* arena, std::string_view bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (*arena == nullptr) *arena = std::make_unique<Arena>(64 << 10);
    const size_t before = (*arena)->reserved_bytes();
    std::string_view copy = (*arena)->Copy(bytes);
    arena_bytes_ += (*arena)->reserved_bytes() - before;
    return copy;
  }
  std::string_view CopyForEvent(uint64_t index, std::string_view bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return CopyInto(&chunk_arenas_[(index - first_live_) >> kChunkShift], bytes);
  }
  // Frees the oldest chunk's arena.
  void DropArena(std::deque<std::unique_ptr<Arena>>* arenas) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (arenas->front() != nullptr) arena_bytes_ -= arenas->front()->reserved_bytes();
    arenas->pop_front();
  }

  // Appends a trace record for `id` and maps it.
  TraceRecord& NewTrace(std::string_view id, uint64_t hash) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t number = trace_count_;
    if ((number & (kTraceChunkSize - 1)) == 0) {
      if (!spare_trace_chunks_.empty()) {
        trace_chunks_.push_back(std::move(spare_trace_chunks_.front()));
        spare_trace_chunks_.erase(spare_trace_chunks_.begin());
      } else {
        trace_chunks_.push_back(std::make_unique<TraceRecord[]>(kTraceChunkSize));
      }
      trace_arenas_.emplace_back();  // made on first use
    }
    TraceRecord& t = MutableTrace(number);
    t.key.hash = hash;
    t.key.size = static_cast<uint32_t>(id.size());
    if (id.size() <= TraceKey::kInlineBytes) {
      t.key.is_inline = true;
      std::memcpy(t.key.bytes, id.data(), id.size());
    } else {
      t.key.is_inline = false;
      t.key.ptr =
          CopyInto(&trace_arenas_[(number - first_live_trace_) >> kTraceChunkShift], id).data();
    }
    t.max_level = Level::kUnknown;
    t.start_ns = INT64_MAX;
    t.end_ns = INT64_MIN;
    t.services = 0;
    ++trace_count_;
    traces_.insert(TraceSlot{hash, number});
    return t;
  }

  mutable absl::Mutex mu_;
  // The lines' bytes, in event order, compressed in sealed blocks.
  LineStore lines_ ABSL_GUARDED_BY(mu_);
  // Blocks the owner decompressed to compare a line with its possible duplicate.
  BlockCache dedupe_cache_{1};
  // Per chunk of trace records: ids longer than kInlineBytes (null: none, or evicted).
  std::deque<std::unique_ptr<Arena>> trace_arenas_ ABSL_GUARDED_BY(mu_);
  // Per chunk of events: escaped messages (null: none, or evicted).
  std::deque<std::unique_ptr<Arena>> chunk_arenas_ ABSL_GUARDED_BY(mu_);
  uint64_t arena_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // reserved by chunk_arenas_ and trace_arenas_
  const uint64_t max_bytes_;
  uint64_t first_live_ ABSL_GUARDED_BY(mu_) = 0;  // events before it are evicted
  uint64_t evicted_events_ ABSL_GUARDED_BY(mu_) = 0;
  // The event log from first_live_ on, in chunks of kChunkEvents; evicted
  // chunks are popped from the front.
  std::deque<LargeBlock> chunks_ ABSL_GUARDED_BY(mu_);
  uint64_t events_ ABSL_GUARDED_BY(mu_) = 0;  // events ever inserted
  uint64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Trace records by number, in chunks (never moved).
  std::deque<std::unique_ptr<TraceRecord[]>> trace_chunks_ ABSL_GUARDED_BY(mu_);
  uint64_t trace_count_ ABSL_GUARDED_BY(mu_) = 0;       // records ever created
  uint64_t first_live_trace_ ABSL_GUARDED_BY(mu_) = 0;  // records before it are evicted
  uint64_t relocated_traces_ ABSL_GUARDED_BY(mu_) = 0;  // moved out of an evicted chunk
  using TraceSet = absl::flat_hash_set<TraceSlot, TraceSlotHash, TraceSlotEq>;
  TraceSet traces_ ABSL_GUARDED_BY(mu_);
  // Made by the owner outside the lock (PrepareForInsert), used under it.
  std::vector<LargeBlock> spare_chunks_;
  std::vector<std::unique_ptr<TraceRecord[]>> spare_trace_chunks_;
  std::unique_ptr<TraceSet> next_traces_;
  // Owner thread only (queries never read it), so it may grow outside mu_.
  DedupeWindow dedupe_;
  absl::flat_hash_map<uint64_t, const char*> escaped_ ABSL_GUARDED_BY(mu_);  // event -> message
  NameTable services_ ABSL_GUARDED_BY(mu_);
  NameTable messages_ ABSL_GUARDED_BY(mu_);  // short messages of JSON lines
  NameTable routes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace internal

Index::Index(const IndexOptions& options, uint32_t shards, const SourceNames* sources)
    : options_(options), sources_(sources) {
  shards_.reserve(shards == 0 ? 1 : shards);
  for (uint32_t i = 0; i < std::max<uint32_t>(shards, 1); ++i) {
    shards_.push_back(std::make_unique<internal::Shard>(
        std::max<size_t>(options.dedupe_window / std::max<uint32_t>(shards, 1), 64),
        options.max_bytes / std::max<uint32_t>(shards, 1)));
  }
}

Index::~Index() = default;

uint64_t Index::HashTraceId(std::string_view trace_id) {
  return XXH3_64bits(trace_id.data(), trace_id.size());
}

void Index::Insert(uint32_t shard, const ShardRecord* records, size_t count) {
  shards_[shard]->Insert(records, count, options_.dedupe);
}

absl::StatusOr<Timeline> Index::GetTimeline(std::string_view trace_id,
                                            const TimelineOptions& options) const {
  if (trace_id.empty()) return absl::InvalidArgumentError("timeline: the trace id is empty");
  uint64_t hash = HashTraceId(trace_id);
  Timeline timeline;
  timeline.trace_id = std::string(trace_id);
  bool maybe_evicted = false;
  if (!shards_[ShardOfTraceHash(hash)]->CollectTrace(trace_id, hash, *sources_, options.with_raw,
                                                     &timeline.events, &timeline.evicted_events,
                                                     &maybe_evicted)) {
    return absl::NotFoundError(absl::StrCat(
        "no events for trace id \"", internal::Av(trace_id), "\"",
        maybe_evicted ? " (the index has evicted old traces to stay within index.max_bytes; it "
                        "may have been one of them)"
                      : ""));
  }
  auto& events = timeline.events;
  // Lines without a time mostly got one from their neighbours in their source
  // at parse time (time_known). The rest inherit the time of the event before
  // them in arrival order (or, at the start, after them).
  std::sort(events.begin(), events.end(),
            [](const TimelineEvent& a, const TimelineEvent& b) { return a.seq < b.seq; });
  const TimelineEvent* first_timed = nullptr;
  for (const auto& e : events) {
    if (e.time_known) {
      first_timed = &e;
      break;
    }
  }
  int64_t carry = first_timed != nullptr ? first_timed->time_ns : 0;
  for (auto& e : events) {
    if (e.time_known) {
      carry = e.time_ns;
    } else {
      e.time_ns = carry;
    }
  }
  std::stable_sort(
      events.begin(), events.end(),
      [](const TimelineEvent& a, const TimelineEvent& b) { return a.time_ns < b.time_ns; });
  for (const auto& e : events) {
    if (std::find(timeline.services.begin(), timeline.services.end(), e.service) ==
        timeline.services.end()) {
      timeline.services.push_back(e.service);
    }
  }
  if (!events.empty()) {
    timeline.start_ns = events.front().time_ns;
    timeline.end_ns = events.back().time_ns;
  }
  return timeline;
}

IndexCounters Index::Counters() const {
  IndexCounters total;
  for (const auto& shard : shards_) {
    IndexCounters c = shard->Counters();
    total.events += c.events;
    total.traces += c.traces;
    total.duplicates += c.duplicates;
    total.bytes += c.bytes;
    total.evicted_events += c.evicted_events;
    total.evicted_traces += c.evicted_traces;
  }
  return total;
}

absl::StatusOr<TraceInfo> Index::GetTraceInfo(std::string_view trace_id) const {
  if (trace_id.empty()) return absl::InvalidArgumentError("trace info: the trace id is empty");
  const uint64_t hash = HashTraceId(trace_id);
  TraceInfo info;
  if (!shards_[ShardOfTraceHash(hash)]->TraceInfoOf(trace_id, hash, &info)) {
    return absl::NotFoundError(
        absl::StrCat("no events for trace id \"", internal::Av(trace_id), "\""));
  }
  return info;
}

void Index::ScanTraces(const TraceFilter& filter,
                       const std::function<bool(const TraceSummaryView&)>& fn,
                       const std::function<bool()>& stop) const {
  for (const auto& shard : shards_) {
    if (!shard->Scan(filter, fn, stop)) return;
  }
}

void Index::LookupTraces(const std::vector<std::string_view>& trace_ids, const TraceFilter& filter,
                         const std::function<bool(const TraceSummaryView&)>& fn) const {
  for (std::string_view id : trace_ids) {
    if (id.empty()) continue;
    const uint64_t hash = HashTraceId(id);
    if (!shards_[ShardOfTraceHash(hash)]->Lookup(id, hash, filter, fn)) return;
  }
}

void Index::ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const {
  for (const auto& shard : shards_) shard->ForEachTrace(fn);
}

void Index::ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn) const {
  for (const auto& shard : shards_) shard->ForEachTraceWithEvents(fn);
}

void Index::ForEachTraceWithEventsInShard(uint32_t shard,
                                          const std::function<void(const TraceView&)>& fn) const {
  if (shard < shards_.size()) shards_[shard]->ForEachTraceWithEvents(fn);
}

}  // namespace logweave

#include "logweave/index.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
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

constexpr uint32_t kNoEvent = UINT32_MAX;
constexpr uint32_t kChunkShift = 15;  // 32768 events = 2 MiB: one huge page
constexpr uint32_t kChunkEvents = 1u << kChunkShift;

// One stored line. 64 bytes: one cache line.
struct StoredEvent {
  int64_t time_ns;
  uint64_t seq;
  const char* raw;  // in the shard's arena; an escaped message follows the raw bytes
  uint64_t source_offset;
  uint32_t raw_len;
  uint32_t prev;     // previous event of the same trace (insertion order), or kNoEvent
  uint32_t msg_off;  // message = raw + msg_off
  uint32_t msg_len;
  uint32_t line_no;
  uint32_t source_id;
  uint32_t service;  // id in the shard's service table
  uint16_t flags;    // RecordFlags
  Level level;
  RecordKind kind;
};
static_assert(sizeof(StoredEvent) == 64);

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
struct TraceKeyHash {
  size_t operator()(const TraceKey& k) const { return k.hash; }
};
struct TraceKeyEq {
  bool operator()(const TraceKey& a, const TraceKey& b) const {
    return a.hash == b.hash && a.size == b.size &&
           std::memcmp(a.view().data(), b.view().data(), a.size) == 0;
  }
};
// A trace's events are linked from the last one backwards: linking a new
// event writes only the new event and this entry, never an older event (which
// would be a cache miss per line).
struct TraceEntry {
  uint32_t last;
  uint32_t count;
  uint32_t route;  // id in the shard's route names, or kNoEvent
};

// Interned names (services, routes): each distinct name stored once, ids
// dense from 0. Remembers the last hit, as consecutive lines mostly repeat it.
class NameTable {
 public:
  uint32_t Id(std::string_view name) {
    if (last_id_ != kNoEvent && name == last_) return last_id_;
    auto it = ids_.find(name);
    if (it == ids_.end()) {
      // The map's key points at the table's own copy, never into a batch.
      names_.emplace_back(name);
      it = ids_.emplace(std::string_view(names_.back()), static_cast<uint32_t>(names_.size() - 1))
               .first;
    }
    last_ = it->first;
    last_id_ = it->second;
    return it->second;
  }
  std::string_view Name(uint32_t id) const {
    return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
  }

 private:
  std::deque<std::string> names_;
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
  std::string_view last_;
  uint32_t last_id_ = kNoEvent;
};

}  // namespace

// Recent line hashes, for finding exact repeats: two generations of at most
// `limit` entries each; when the newer one is full the older one is dropped.
// Thread-compatible (owned by a shard).
class DedupeWindow {
 public:
  explicit DedupeWindow(size_t limit) : limit_(limit) {}

  // The event recorded for `hash`, or kNoEvent; then records `event` for it.
  uint32_t FindOrAdd(uint64_t hash, uint32_t event) {
    auto [it, inserted] = current_.try_emplace(hash, event);
    if (!inserted) return it->second;
    if (auto old = previous_.find(hash); old != previous_.end()) {
      it->second = old->second;
      return old->second;
    }
    if (current_.size() >= limit_) {
      previous_ = std::move(current_);
      current_ = {};
      current_.reserve(limit_);
    }
    return kNoEvent;
  }
  void Prefetch(uint64_t hash) const { current_.prefetch(hash); }
  size_t bytes() const {
    return (current_.capacity() + previous_.capacity()) *
           (sizeof(std::pair<uint64_t, uint32_t>) + 1);
  }

 private:
  const size_t limit_;
  absl::flat_hash_map<uint64_t, uint32_t> current_, previous_;
};

// One index shard. Written only by its owner thread (Insert, under mu_ as a
// writer, one batch at a time); read by query threads under mu_ as readers.
class Shard {
 public:
  explicit Shard(size_t dedupe_window) : dedupe_(dedupe_window) {}

  void Insert(const std::shared_ptr<const std::string>& block, const ShardRecord* records,
              size_t count, bool dedupe) {
    absl::MutexLock lock(&mu_);
    if (block != nullptr && (blocks_.empty() || blocks_.back() != block)) blocks_.push_back(block);
    // Hash-table slots are random accesses: ask for them a few records ahead.
    constexpr size_t kLookahead = 8;
    for (size_t i = 0; i < count; ++i) {
      if (i + kLookahead < count) {
        const ShardRecord& ahead = records[i + kLookahead];
        const std::string_view id = ahead.record->trace_id;
        if (!id.empty()) {
          traces_.prefetch(TraceKey::Probe(id, ahead.trace_hash));
        }
        if (dedupe) dedupe_.Prefetch(ahead.line_hash);
      }
      InsertOne(records[i], block != nullptr, dedupe);
    }
    bytes_ = line_bytes_ + arena_.reserved_bytes() +
             chunks_.size() * kChunkEvents * sizeof(StoredEvent) +
             traces_.capacity() * (sizeof(std::pair<TraceKey, TraceEntry>) + 1) + dedupe_.bytes() +
             escaped_.capacity() * (sizeof(std::pair<uint32_t, const char*>) + 1);
  }

  // Copies the events of a trace out, newest inserted first. False if unknown.
  bool CollectTrace(std::string_view trace_id, uint64_t hash, const SourceNames& sources,
                    bool with_raw, std::vector<TimelineEvent>* out) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = traces_.find(TraceKey::Probe(trace_id, hash));
    if (it == traces_.end()) return false;
    out->reserve(it->second.count);
    for (uint32_t e = it->second.last; e != kNoEvent; e = Event(e).prev) {
      const StoredEvent& ev = Event(e);
      TimelineEvent& t = out->emplace_back();
      t.time_ns = ev.time_ns;
      t.has_time = ev.flags & kRecordHasTime;
      t.time_known = ev.flags & (kRecordHasTime | kRecordTimeInferred);
      t.service = std::string(services_.Name(ev.service));
      t.level = ev.level;
      t.message = std::string(Message(e, ev));
      t.source = std::string(sources.Name(ev.source_id));
      t.line_no = ev.line_no;
      t.source_offset = ev.source_offset;
      t.seq = ev.seq;
      t.kind = ev.kind;
      if (with_raw) t.raw.assign(ev.raw, ev.raw_len);
    }
    return true;
  }

  IndexCounters Counters() const {
    absl::ReaderMutexLock lock(&mu_);
    return IndexCounters{events_, traces_.size(), duplicates_, bytes_};
  }

  void ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [key, entry] : traces_) fn(key.view(), entry.count);
  }

  void ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn) const {
    absl::ReaderMutexLock lock(&mu_);
    std::vector<EventView> events;
    for (const auto& [key, entry] : traces_) {
      events.clear();
      for (uint32_t e = entry.last; e != kNoEvent; e = Event(e).prev) {
        const StoredEvent& ev = Event(e);
        EventView& v = events.emplace_back();
        v.time_ns = ev.time_ns;
        v.seq = ev.seq;
        v.service = services_.Name(ev.service);
        v.message = Message(e, ev);
        v.line_no = ev.line_no;
        v.source_id = ev.source_id;
        v.flags = ev.flags;
        v.level = ev.level;
        v.kind = ev.kind;
      }
      std::reverse(events.begin(), events.end());
      TraceView view;
      view.trace_id = key.view();
      view.route = entry.route == kNoEvent ? std::string_view() : routes_.Name(entry.route);
      view.events = events.data();
      view.count = events.size();
      fn(view);
    }
  }

 private:
  static constexpr uint32_t kEscapedMessage = UINT32_MAX;

  StoredEvent& Event(uint32_t i) {
    return reinterpret_cast<StoredEvent*>(chunks_[i >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }
  const StoredEvent& Event(uint32_t i) const {
    return reinterpret_cast<const StoredEvent*>(
        chunks_[i >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }
  std::string_view Message(uint32_t index, const StoredEvent& ev) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (ev.msg_off != kEscapedMessage) return std::string_view(ev.raw + ev.msg_off, ev.msg_len);
    auto it = escaped_.find(index);
    return it == escaped_.end() ? std::string_view() : std::string_view(it->second, ev.msg_len);
  }

  void InsertOne(const ShardRecord& sr, bool in_block, bool dedupe)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const Record& r = *sr.record;
    uint32_t index = events_;
    if (dedupe && r.kind == RecordKind::kJson) {
      uint32_t other_index = dedupe_.FindOrAdd(sr.line_hash, index);
      if (other_index != kNoEvent) {
        const StoredEvent& other = Event(other_index);
        if (other.raw_len == r.raw.size() &&
            std::memcmp(other.raw, r.raw.data(), r.raw.size()) == 0) {
          ++duplicates_;
          return;
        }
        // A hash collision between different lines: store it, undeduplicated.
      }
    }
    if ((index & (kChunkEvents - 1)) == 0) {
      chunks_.push_back(AllocateLarge(kChunkEvents * sizeof(StoredEvent)));
    }
    StoredEvent& ev = Event(index);
    // The raw bytes stay in the batch's block (kept alive by blocks_), or are copied.
    ev.raw = in_block ? r.raw.data() : arena_.Copy(r.raw).data();
    ev.raw_len = static_cast<uint32_t>(r.raw.size());
    line_bytes_ += r.raw.size() + 1;
    const bool message_in_raw =
        r.message.empty() ||
        (r.message.data() >= r.raw.data() && r.message.data() <= r.raw.data() + r.raw.size());
    if (message_in_raw) {
      ev.msg_off = r.message.empty() ? 0 : static_cast<uint32_t>(r.message.data() - r.raw.data());
    } else {
      ev.msg_off = kEscapedMessage;
      escaped_.emplace(index, arena_.Copy(r.message).data());
    }
    ev.msg_len = static_cast<uint32_t>(r.message.size());
    ev.time_ns = r.time_ns;
    ev.seq = r.seq;
    ev.source_offset = r.source_offset;
    ev.line_no = static_cast<uint32_t>(r.line_no);
    ev.source_id = r.source_id;
    ev.service = services_.Id(r.service);
    ev.flags = r.flags;
    ev.level = r.level;
    ev.kind = r.kind;
    ev.prev = kNoEvent;
    ++events_;

    if (r.trace_id.empty()) return;
    TraceKey key = TraceKey::Probe(r.trace_id, sr.trace_hash);
    auto it = traces_.find(key);
    if (it == traces_.end()) {
      if (key.size <= TraceKey::kInlineBytes) {
        key.is_inline = true;
        std::memcpy(key.bytes, r.trace_id.data(), key.size);
      } else {
        key.ptr = arena_.Copy(r.trace_id).data();
      }
      traces_.emplace(key, TraceEntry{index, 1, r.route.empty() ? kNoEvent : routes_.Id(r.route)});
    } else {
      ev.prev = it->second.last;
      it->second.last = index;
      ++it->second.count;
      if (it->second.route == kNoEvent && !r.route.empty()) it->second.route = routes_.Id(r.route);
    }
  }

  mutable absl::Mutex mu_;
  // Batch blocks holding this shard's raw lines (shared with other shards).
  std::vector<std::shared_ptr<const std::string>> blocks_ ABSL_GUARDED_BY(mu_);
  Arena arena_ ABSL_GUARDED_BY(mu_){1 << 20};  // trace ids, escaped messages, copied lines
  std::vector<LargeBlock> chunks_ ABSL_GUARDED_BY(mu_);  // the event log
  uint32_t events_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t line_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<TraceKey, TraceEntry, TraceKeyHash, TraceKeyEq> traces_ ABSL_GUARDED_BY(mu_);
  DedupeWindow dedupe_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint32_t, const char*> escaped_ ABSL_GUARDED_BY(mu_);  // event -> message
  NameTable services_ ABSL_GUARDED_BY(mu_);
  NameTable routes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace internal

Index::Index(const IndexOptions& options, uint32_t shards, const SourceNames* sources)
    : options_(options), sources_(sources) {
  shards_.reserve(shards == 0 ? 1 : shards);
  for (uint32_t i = 0; i < std::max<uint32_t>(shards, 1); ++i) {
    shards_.push_back(std::make_unique<internal::Shard>(
        std::max<size_t>(options.dedupe_window / std::max<uint32_t>(shards, 1), 64)));
  }
}

Index::~Index() = default;

uint64_t Index::HashTraceId(std::string_view trace_id) {
  return XXH3_64bits(trace_id.data(), trace_id.size());
}

void Index::Insert(uint32_t shard, const std::shared_ptr<const std::string>& block,
                   const ShardRecord* records, size_t count) {
  shards_[shard]->Insert(block, records, count, options_.dedupe);
}

absl::StatusOr<Timeline> Index::GetTimeline(std::string_view trace_id,
                                            const TimelineOptions& options) const {
  if (trace_id.empty()) return absl::InvalidArgumentError("timeline: the trace id is empty");
  uint64_t hash = HashTraceId(trace_id);
  Timeline timeline;
  timeline.trace_id = std::string(trace_id);
  if (!shards_[ShardOfTraceHash(hash)]->CollectTrace(trace_id, hash, *sources_, options.with_raw,
                                                     &timeline.events)) {
    return absl::NotFoundError(
        absl::StrCat("no events for trace id \"", internal::Av(trace_id), "\""));
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
  }
  return total;
}

void Index::ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const {
  for (const auto& shard : shards_) shard->ForEachTrace(fn);
}

void Index::ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn) const {
  for (const auto& shard : shards_) shard->ForEachTraceWithEvents(fn);
}

}  // namespace logweave

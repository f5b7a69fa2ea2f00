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
  uint32_t next;     // next event of the same trace (insertion order), or kNoEvent
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

struct TraceKey {
  const char* data;
  uint32_t size;
  uint64_t hash;
  std::string_view view() const { return std::string_view(data, size); }
};
struct TraceKeyHash {
  size_t operator()(const TraceKey& k) const { return k.hash; }
};
struct TraceKeyEq {
  bool operator()(const TraceKey& a, const TraceKey& b) const {
    return a.hash == b.hash && a.size == b.size && std::memcmp(a.data, b.data, a.size) == 0;
  }
};
struct TraceEntry {
  uint32_t first;
  uint32_t last;
  uint32_t count;
};

}  // namespace

// One index shard. Written only by its owner thread (Insert, under mu_ as a
// writer, one batch at a time); read by query threads under mu_ as readers.
class Shard {
 public:
  void Insert(const ShardRecord* records, size_t count, bool dedupe) {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < count; ++i) InsertOne(records[i], dedupe);
    bytes_ = arena_.reserved_bytes() + chunks_.size() * kChunkEvents * sizeof(StoredEvent) +
             traces_.capacity() * (sizeof(std::pair<TraceKey, TraceEntry>) + 1) +
             dedupe_.capacity() * (sizeof(std::pair<uint64_t, uint32_t>) + 1);
  }

  // Copies the events of a trace out, in insertion order. False if unknown.
  bool CollectTrace(std::string_view trace_id, uint64_t hash, const SourceNames& sources,
                    bool with_raw, std::vector<TimelineEvent>* out) const {
    absl::ReaderMutexLock lock(&mu_);
    TraceKey key{trace_id.data(), static_cast<uint32_t>(trace_id.size()), hash};
    auto it = traces_.find(key);
    if (it == traces_.end()) return false;
    out->reserve(it->second.count);
    for (uint32_t e = it->second.first; e != kNoEvent; e = Event(e).next) {
      const StoredEvent& ev = Event(e);
      TimelineEvent& t = out->emplace_back();
      t.time_ns = ev.time_ns;
      t.has_time = ev.flags & kRecordHasTime;
      t.service = service_names_[ev.service];
      t.level = ev.level;
      t.message.assign(ev.raw + ev.msg_off, ev.msg_len);
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

 private:
  StoredEvent& Event(uint32_t i) {
    return reinterpret_cast<StoredEvent*>(chunks_[i >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }
  const StoredEvent& Event(uint32_t i) const {
    return reinterpret_cast<const StoredEvent*>(
        chunks_[i >> kChunkShift].get())[i & (kChunkEvents - 1)];
  }

  uint32_t ServiceId(std::string_view name) {
    if (last_service_id_ != kNoEvent && name == last_service_) return last_service_id_;
    auto it = service_ids_.find(name);
    if (it == service_ids_.end()) {
      // The map's key points at the shard's own copy, never into the batch.
      service_names_.emplace_back(name);
      it = service_ids_
               .emplace(std::string_view(service_names_.back()),
                        static_cast<uint32_t>(service_names_.size() - 1))
               .first;
    }
    last_service_ = it->first;
    last_service_id_ = it->second;
    return it->second;
  }

  void InsertOne(const ShardRecord& sr, bool dedupe) {
    const Record& r = *sr.record;
    uint32_t index = events_;
    if (dedupe && r.kind == RecordKind::kJson) {
      auto [it, inserted] = dedupe_.try_emplace(sr.line_hash, index);
      if (!inserted) {
        const StoredEvent& other = Event(it->second);
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
    const bool message_in_raw = r.message.empty() || (r.message.data() >= r.raw.data() &&
                                                      r.message.data() <= r.raw.data() + r.raw.size());
    size_t extra = message_in_raw ? 0 : r.message.size();
    char* raw = arena_.Allocate(r.raw.size() + extra);
    std::memcpy(raw, r.raw.data(), r.raw.size());
    ev.raw = raw;
    ev.raw_len = static_cast<uint32_t>(r.raw.size());
    if (message_in_raw) {
      ev.msg_off = r.message.empty() ? 0 : static_cast<uint32_t>(r.message.data() - r.raw.data());
    } else {
      std::memcpy(raw + r.raw.size(), r.message.data(), r.message.size());
      ev.msg_off = ev.raw_len;
    }
    ev.msg_len = static_cast<uint32_t>(r.message.size());
    ev.time_ns = r.time_ns;
    ev.seq = r.seq;
    ev.source_offset = r.source_offset;
    ev.line_no = static_cast<uint32_t>(r.line_no);
    ev.source_id = r.source_id;
    ev.service = ServiceId(r.service);
    ev.flags = r.flags;
    ev.level = r.level;
    ev.kind = r.kind;
    ev.next = kNoEvent;
    ++events_;

    if (r.trace_id.empty()) return;
    TraceKey key{r.trace_id.data(), static_cast<uint32_t>(r.trace_id.size()), sr.trace_hash};
    auto it = traces_.find(key);
    if (it == traces_.end()) {
      key.data = arena_.Copy(r.trace_id).data();
      traces_.emplace(key, TraceEntry{index, index, 1});
    } else {
      Event(it->second.last).next = index;
      it->second.last = index;
      ++it->second.count;
    }
  }

  mutable absl::Mutex mu_;
  Arena arena_ ABSL_GUARDED_BY(mu_){4 << 20};
  std::vector<LargeBlock> chunks_ ABSL_GUARDED_BY(mu_);
  uint32_t events_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<TraceKey, TraceEntry, TraceKeyHash, TraceKeyEq> traces_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, uint32_t> dedupe_ ABSL_GUARDED_BY(mu_);  // line hash -> event
  std::deque<std::string> service_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string_view, uint32_t> service_ids_ ABSL_GUARDED_BY(mu_);
  std::string_view last_service_ ABSL_GUARDED_BY(mu_);
  uint32_t last_service_id_ ABSL_GUARDED_BY(mu_) = kNoEvent;
};

}  // namespace internal

Index::Index(const IndexOptions& options, uint32_t shards, const SourceNames* sources)
    : options_(options), sources_(sources) {
  shards_.reserve(shards == 0 ? 1 : shards);
  for (uint32_t i = 0; i < std::max<uint32_t>(shards, 1); ++i) {
    shards_.push_back(std::make_unique<internal::Shard>());
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
  if (!shards_[ShardOfTraceHash(hash)]->CollectTrace(trace_id, hash, *sources_, options.with_raw,
                                                     &timeline.events)) {
    return absl::NotFoundError(absl::StrCat("no events for trace id \"", internal::Av(trace_id), "\""));
  }
  auto& events = timeline.events;
  // Arrival order first, so that lines without time inherit the time of the
  // line before them (or, at the start, after them): they keep their file order.
  std::sort(events.begin(), events.end(),
            [](const TimelineEvent& a, const TimelineEvent& b) { return a.seq < b.seq; });
  const TimelineEvent* first_timed = nullptr;
  for (const auto& e : events) {
    if (e.has_time) {
      first_timed = &e;
      break;
    }
  }
  int64_t carry = first_timed != nullptr ? first_timed->time_ns : 0;
  for (auto& e : events) {
    if (e.has_time) {
      carry = e.time_ns;
    } else {
      e.time_ns = carry;
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    return a.time_ns < b.time_ns;
  });
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

}  // namespace logweave

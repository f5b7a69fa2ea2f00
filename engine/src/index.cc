// The Index: routes calls to its shards (engine/src/index/) and puts
// timelines in order.
#include "logweave/index.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "index/shard.h"
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

Index::Index(const IndexOptions& options, uint32_t shards, const SourceNames* sources)
    : options_(options),
      sources_(sources),
      line_files_(options.lines_in_files ? std::make_unique<LineFiles>() : nullptr) {
  shards = std::max<uint32_t>(shards, 1);
  shards_.reserve(shards);
  const uint64_t shard_bytes = options.max_bytes / shards;
  size_t window = std::max<size_t>(options.dedupe_window / shards, 64);
  if (shard_bytes > 0) {
    // Under a budget the dedupe window takes at most an eighth of a shard's.
    while (window > 64 && internal::Shard::DedupeBytes(window) > shard_bytes / 8) window /= 2;
  }
  for (uint32_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<internal::Shard>(window, shard_bytes, line_files_.get()));
  }
  released_ = std::make_unique<std::atomic<bool>[]>(shards);
}

Index::~Index() = default;

uint64_t Index::HashTraceId(std::string_view trace_id) {
  return XXH3_64bits(trace_id.data(), trace_id.size());
}

void Index::Insert(uint32_t shard, const ShardRecord* records, size_t count) {
  shards_[shard]->Insert(records, count, options_.dedupe);
}

void Index::ReleaseDedupeWindows() {
  for (auto& shard : shards_) shard->ReleaseDedupeWindow();
}

void Index::ReleaseShard(uint32_t shard) {
  if (shard >= shards_.size()) return;
  shards_[shard]->ReleaseTraces();
  released_[shard].store(true, std::memory_order_release);
}

absl::StatusOr<Timeline> Index::GetTimeline(std::string_view trace_id,
                                            const TimelineOptions& options) const {
  if (trace_id.empty()) return absl::InvalidArgumentError("timeline: the trace id is empty");
  uint64_t hash = HashTraceId(trace_id);
  Timeline timeline;
  timeline.trace_id = std::string(trace_id);
  bool maybe_evicted = false;
  const uint32_t shard = ShardOfTraceHash(hash);
  if (!shards_[shard]->CollectTrace(trace_id, hash, *sources_, options.with_raw, &timeline.events,
                                    &timeline.evicted_events, &maybe_evicted)) {
    const char* why =
        released_[shard].load(std::memory_order_acquire)
            ? " (the index freed the traces it held once the analysis had read them, as a replay "
              "does unless asked for a timeline; it may have been one of them)"
        : maybe_evicted ? " (the index has evicted old traces to stay within index.max_bytes; it "
                          "may have been one of them)"
                        : "";
    return absl::NotFoundError(
        absl::StrCat("no events for trace id \"", internal::Av(trace_id), "\"", why));
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
  std::stable_sort(events.begin(), events.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) {
                     return TimelineLess(a.time_ns, a.service, b.time_ns, b.service);
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

uint64_t Index::BytesNow() const {
  uint64_t bytes = 0;
  for (const auto& shard : shards_) bytes += shard->BytesNow();
  return bytes;
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
  if (line_files_ != nullptr) total.unreadable_lines = line_files_->unreadable_lines();
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
                                          const std::function<void(const TraceView&)>& fn,
                                          SliceCursor* cursor, uint64_t max_events,
                                          const SkipTrace& skip) const {
  if (shard >= shards_.size()) {
    if (cursor != nullptr) cursor->done = true;
    return;
  }
  shards_[shard]->ForEachTraceWithEvents(fn, cursor, max_events, skip);
}

}  // namespace logweave

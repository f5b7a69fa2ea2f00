// Shard: timelines, searches, counters and the analysis' pass over traces.
#include <algorithm>
#include <type_traits>

#include "index/shard.h"

namespace logweave::internal {

std::string_view Shard::Message(uint64_t n, const StoredEvent& ev, BlockCache* cache) const {
  if (ev.flags() & kStoredMessageInterned) return messages_.Name(ev.msg());
  if (ev.flags() & kStoredMessageEscaped) {
    auto it = escaped_.find(n);
    return it == escaped_.end() ? std::string_view() : it->second;
  }
  if (cache == nullptr) return std::string_view();
  const EventPlace p = events_.Place(n);
  if (p.msg_len == 0) return std::string_view();
  return LineBytes(ev, p, p.msg_off, p.msg_len, cache);
}

TraceSummaryView Shard::Summary(const TraceRecord& t, TraceIdText* id_buf) const {
  TraceSummaryView v;
  v.trace_id = t.trace_id(id_buf);
  v.route = t.route == kNoName ? std::string_view() : routes_.Name(t.route);
  v.events = t.count;
  v.max_level = t.max_level;
  const bool timed = t.start_ns != INT64_MAX;
  v.start_ns = timed ? t.start_ns : 0;
  v.end_ns = timed ? t.end_ns : 0;
  return v;
}

bool Shard::CollectTrace(std::string_view trace_id, uint64_t hash, const SourceNames& sources,
                         bool with_raw, std::vector<TimelineEvent>* out, uint32_t* evicted,
                         bool* maybe_evicted) const {
  absl::ReaderMutexLock lock(&mu_);
  const TraceRecord* t = traces_.Find(trace_id, hash);
  if (t == nullptr) {
    *maybe_evicted = traces_.first_live() > 0;  // the record itself may be gone
    return false;
  }
  out->reserve(std::min<uint64_t>(t->count, events_.end() - events_.first_live()));
  BlockCache cache;
  for (uint64_t e = events_.Live(t->last); e != kNoEvent; e = events_.PrevLive(e)) {
    const StoredEvent& ev = events_.Event(e);
    const EventPlace p = events_.Place(e);
    TimelineEvent& te = out->emplace_back();
    te.time_ns = ev.time_ns();
    te.has_time = ev.flags() & kRecordHasTime;
    te.time_known = ev.flags() & (kRecordHasTime | kRecordTimeInferred);
    te.service = std::string(services_.Name(events_.Service(e)));
    te.level = ev.level();
    if (ev.flags() & (kStoredMessageInterned | kStoredMessageEscaped)) {
      te.message = std::string(Message(e, ev, nullptr));
    } else if (p.msg_len > 0) {
      te.message = std::string(LineBytes(ev, p, p.msg_off, p.msg_len, &cache));
    }
    te.source = std::string(sources.Name(p.source_id));
    te.line_no = p.line_no;
    te.source_offset = p.source_offset;
    te.seq = events_.Seq(e);
    te.kind = ev.kind();
    if (with_raw) te.raw = std::string(LineBytes(ev, p, 0, p.raw_len, &cache));
  }
  *evicted = static_cast<uint32_t>(t->count - out->size());
  return true;
}

bool Shard::TraceInfoOf(std::string_view trace_id, uint64_t hash, TraceInfo* out) const {
  absl::ReaderMutexLock lock(&mu_);
  const TraceRecord* t = traces_.Find(trace_id, hash);
  if (t == nullptr || !HasEvents(*t)) return false;
  TraceIdText id_buf;
  const TraceSummaryView v = Summary(*t, &id_buf);
  out->trace_id = std::string(v.trace_id);
  out->route = std::string(v.route);
  out->events = v.events;
  out->max_level = v.max_level;
  out->start_ns = v.start_ns;
  out->end_ns = v.end_ns;
  // Services by the time of their first timed event, ties by name (TimelineLess); untimed
  // services after them, in the order of their first event's arrival.
  std::vector<std::pair<int64_t, uint32_t>> first;  // (time, service), newest arrival first
  for (uint64_t e = events_.Live(t->last); e != kNoEvent; e = events_.PrevLive(e)) {
    const StoredEvent& ev = events_.Event(e);
    const int64_t time =
        ev.flags() & (kRecordHasTime | kRecordTimeInferred) ? ev.time_ns() : INT64_MAX;
    const uint32_t service = events_.Service(e);
    auto it = std::find_if(first.begin(), first.end(),
                           [&](const auto& f) { return f.second == service; });
    if (it == first.end()) {
      first.emplace_back(time, service);
    } else {
      it->first = std::min(it->first, time);
      std::rotate(it, it + 1, first.end());  // keep the earliest arrival last
    }
  }
  std::reverse(first.begin(), first.end());
  std::stable_sort(first.begin(), first.end(), [this](const auto& a, const auto& b) {
    mu_.AssertReaderHeld();
    return a.first != INT64_MAX && b.first != INT64_MAX
               ? TimelineLess(a.first, services_.Name(a.second), b.first, services_.Name(b.second))
               : a.first < b.first;
  });
  for (const auto& f : first) out->services.emplace_back(services_.Name(f.second));
  return true;
}

IndexCounters Shard::Counters() const {
  absl::ReaderMutexLock lock(&mu_);
  IndexCounters c;
  c.events = events_.end() - events_.first_live();
  c.traces = traces_.end() - traces_.first_live();
  c.duplicates = duplicates_;
  c.bytes = bytes_;
  c.evicted_events = evicted_events_;
  c.evicted_traces = evicted_traces_;
  return c;
}

// Visits traces [0, count) in chunks of kScanChunk, in creation order
// (forward) or newest first, taking the reader lock once per chunk.
// visit(trace) returns the work it did (for the budget), or -1 to stop.
// Returns false when stopped.
// With `slice` (forward only): from slice->next, over the records before
// slice->end (set to the shard's end on the first slice), until `max_work`
// is done (at the end of a chunk, after one chunk at least); the slice
// records where it stopped and whether it got to the end.
template <typename Visit>
bool Shard::Walk(bool newest_first, Visit visit, const std::function<bool()>& stop,
                 Index::SliceCursor* slice, uint64_t max_work) const {
  uint64_t done = slice != nullptr ? slice->next : 0;  // traces visited
  uint64_t total = 0;
  uint64_t all_work = 0;
  {
    absl::ReaderMutexLock lock(&mu_);
    total = traces_.end();
  }
  if (slice != nullptr) {
    if (slice->end == UINT64_MAX) slice->end = total;
    total = std::min(total, slice->end);
  }
  struct SaveSlice {
    Index::SliceCursor* slice;
    const uint64_t& done;
    uint64_t total;
    ~SaveSlice() {
      if (slice == nullptr) return;
      slice->next = done;
      slice->done = done >= total;
    }
  } save{slice, done, total};
  for (bool first = true; done < total && (first || all_work < max_work); first = false) {
    if (stop && stop()) return false;
    absl::ReaderMutexLock lock(&mu_);
    const uint64_t first_live = traces_.first_live();
    if (!newest_first) done = std::max(done, first_live);  // skip evicted records
    uint64_t work = 0;
    for (uint32_t n = 0; n < Index::kScanChunk && done < total; ++n, ++done) {
      const uint64_t number = newest_first ? total - 1 - done : done;
      if (number < first_live) return true;  // newest first: the rest is evicted
      int64_t w;
      if constexpr (std::is_invocable_v<Visit, const TraceRecord&, uint64_t>) {
        w = visit(traces_.Record(number), number);
      } else {
        w = visit(traces_.Record(number));
      }
      if (w < 0) return false;
      work += static_cast<uint64_t>(w);
      if (work >= Index::kScanEventBudget) {
        ++done;
        break;
      }
    }
    all_work += work;
  }
  return true;
}

// Whether a trace passes `filter`; `service` is the filter's service id in
// this shard (kNoName: none asked). Adds the events it read to *work, and
// kDecompressWork for each block of lines it had to decompress.
bool Shard::Matches(const TraceRecord& t, const TraceFilter& filter, uint32_t service,
                    BlockCache* cache, uint64_t* work) const {
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
  for (uint64_t e = events_.Live(t.last); e != kNoEvent && !(service_ok && text_ok);
       e = events_.PrevLive(e)) {
    const StoredEvent& ev = events_.Event(e);
    ++*work;
    service_ok = service_ok || events_.Service(e) == service;
    if (text_ok) continue;
    const uint64_t misses = cache->misses();
    text_ok = Message(e, ev, cache).find(filter.text) != std::string_view::npos;
    *work += (cache->misses() - misses) * kDecompressWork;
  }
  return service_ok && text_ok;
}

bool Shard::Scan(const TraceFilter& filter, const std::function<bool(const TraceSummaryView&)>& fn,
                 const std::function<bool()>& stop) const {
  uint32_t service = kNoName;
  BlockCache cache(kScanCacheBlocks);
  return Walk(
      /*newest_first=*/true,
      [&](const TraceRecord& t) -> int64_t {
        mu_.AssertReaderHeld();
        if (!filter.service.empty() && service == kNoName) service = services_.Find(filter.service);
        uint64_t work = 1;
        if (!HasEvents(t) || !Matches(t, filter, service, &cache, &work)) {
          return static_cast<int64_t>(work);
        }
        TraceIdText id_buf;
        return fn(Summary(t, &id_buf)) ? static_cast<int64_t>(work) : -1;
      },
      stop);
}

bool Shard::Lookup(std::string_view trace_id, uint64_t hash, const TraceFilter& filter,
                   const std::function<bool(const TraceSummaryView&)>& fn) const {
  absl::ReaderMutexLock lock(&mu_);
  const TraceRecord* t = traces_.Find(trace_id, hash);
  if (t == nullptr || !HasEvents(*t)) return true;
  uint64_t work = 0;
  const uint32_t service = filter.service.empty() ? kNoName : services_.Find(filter.service);
  BlockCache cache;
  TraceIdText id_buf;
  return !Matches(*t, filter, service, &cache, &work) || fn(Summary(*t, &id_buf));
}

void Shard::ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const {
  Walk(/*newest_first=*/false, [&](const TraceRecord& t) -> int64_t {
    mu_.AssertReaderHeld();
    if (!HasEvents(t)) return 1;
    uint32_t live = 0;
    if (events_.first_live() == 0) {
      live = t.count;
    } else {
      for (uint64_t e = events_.Live(t.last); e != kNoEvent; e = events_.PrevLive(e)) ++live;
    }
    TraceIdText buf;
    fn(t.trace_id(&buf), live);
    return 1;
  });
}

void Shard::ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn,
                                   Index::SliceCursor* cursor, uint64_t max_events,
                                   const SkipTrace& skip) const {
  std::vector<EventView> events;
  Walk(
      /*newest_first=*/false,
      [&](const TraceRecord& t, uint64_t number) -> int64_t {
        mu_.AssertReaderHeld();
        events.clear();
        if (!HasEvents(t)) return 1;
        if (skip) {
          TraceIdText buf;
          if (skip(number, t.count, t.trace_id(&buf))) return 1;
        }
        for (uint64_t e = events_.Live(t.last); e != kNoEvent;) {
          const EventLog::Read read = events_.ReadEvent(e);
          const StoredEvent& ev = *read.event;
          EventView& v = events.emplace_back();
          v.time_ns = ev.time_ns();
          v.seq = read.seq;
          const uint32_t service = read.service;
          v.service = services_.Name(service);
          // Only interned (and escaped) messages: the others are long, plain
          // text, or one of too many distinct ones, free text to the analysis
          // and not worth decompressing lines for.
          v.message = Message(e, ev, nullptr);
          if (ev.flags() & kStoredMessageInterned) v.message_id = ev.msg();
          v.service_id = service;
          v.flags = ev.flags() & kRecordFlagsMask;
          v.level = ev.level();
          v.kind = ev.kind();
          e = read.prev_live;
        }
        std::reverse(events.begin(), events.end());
        TraceView view;
        TraceIdText buf;
        view.trace_id = t.trace_id(&buf);
        view.route = t.route == kNoName ? std::string_view() : routes_.Name(t.route);
        view.events = events.data();
        view.count = events.size();
        view.evicted = static_cast<uint32_t>(t.count - events.size());
        view.number = number;
        fn(view);
        return static_cast<int64_t>(t.count);
      },
      nullptr, cursor, max_events);
}

}  // namespace logweave::internal

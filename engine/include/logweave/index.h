// The sharded trace index and its query API.
//
// A trace id hashes to one of S shards. A shard owns the bytes of its lines
// (zstd-compressed blocks, each line stored once), interned service names
// and short messages, an append-only event log and an absl::flat_hash_map
// from trace id to the trace's first/last event. Lines without a trace id are stored in the shard
// chosen by the hash of the line.
//
//   absl::StatusOr<Timeline> t = index.GetTimeline("pay-abc123", {.with_raw = true});
#ifndef LOGWEAVE_INDEX_H_
#define LOGWEAVE_INDEX_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/line_files.h"
#include "logweave/options.h"
#include "logweave/record.h"

namespace logweave {

namespace internal {
class Shard;
}  // namespace internal

// One event of a timeline, copied out of the index (owns its strings).
struct TimelineEvent {
  int64_t time_ns = 0;      // event time; for a line without time, the time of the event before it
  bool has_time = false;    // false: time_ns was inferred from the order of the lines
  bool time_known = false;  // has_time, or inferred from the neighbouring lines of its source
  std::string service;
  Level level = Level::kUnknown;
  std::string message;
  std::string source;  // source name (file path, topic)
  uint64_t line_no = 0;
  uint64_t source_offset = 0;
  uint64_t seq = 0;
  RecordKind kind = RecordKind::kJson;
  std::string raw;  // only when TimelineOptions::with_raw
};

// The order of a trace's events, in timelines and in the analysis: by time; events of equal
// time by service name, so that the order does not depend on which source was read first; a
// service's own events of equal time keep their arrival order (their lines' order in a source).
inline bool TimelineLess(int64_t a_ns, std::string_view a_service, int64_t b_ns,
                         std::string_view b_service) {
  if (a_ns != b_ns) return a_ns < b_ns;
  // One service's names are one string in a shard's table: no comparison for them.
  if (a_service.data() == b_service.data() && a_service.size() == b_service.size()) return false;
  return a_service < b_service;
}

struct Timeline {
  std::string trace_id;
  std::vector<TimelineEvent> events;  // ordered by TimelineLess
  std::vector<std::string> services;  // distinct services, in order of first appearance
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  // Events of this trace no longer held (index.max_bytes evicted the oldest
  // lines). All of them evicted: `events` is empty and this is > 0.
  uint32_t evicted_events = 0;
};

struct TimelineOptions {
  bool with_raw = false;  // copy each event's raw line
};

// A record routed to a shard, with the hashes the parser computed.
struct ShardRecord {
  const Record* record;
  uint64_t line_hash;   // XXH3 of the raw line (dedupe)
  uint64_t trace_hash;  // XXH3 of the trace id (0 without one)
};

// Names of sources and the service their lines default to, shared by the
// pipeline (writer) and queries (readers). Thread-safe; entries are never
// removed, so the views it returns stay valid for its lifetime.
class SourceNames {
 public:
  // Registers a source; returns its id (0, 1, 2, ...).
  uint32_t Add(std::string name, std::string default_service);
  // "" for an unknown id.
  std::string_view Name(uint32_t id) const;
  std::string_view DefaultService(uint32_t id) const;
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::deque<std::string> names_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> services_ ABSL_GUARDED_BY(mu_);
};

// One event as an analysis pass sees it. The views are valid only during the
// callback that receives it. Where its line is (source, line number) is not
// read in this pass: GetTimeline gives it.
struct EventView {
  int64_t time_ns = 0;
  uint64_t seq = 0;
  std::string_view service;
  // The message of a JSON line of up to 80 bytes (an event name, mostly),
  // unless its shard has seen thousands of distinct ones; empty for the
  // others and for plain-text lines, whose text lies in their compressed
  // line (GetTimeline reads it).
  std::string_view message;
  uint32_t service_id = 0;  // `service`'s id in its shard: dense from 0, stable for the shard
  // `message`'s id in its shard's table of messages (stable for the shard), or kNoMessageId
  // for a message kept outside it (one with escapes) and for none.
  uint32_t message_id = kNoMessageId;
  static constexpr uint32_t kNoMessageId = UINT32_MAX;
  uint16_t flags = 0;  // RecordFlags
  Level level = Level::kUnknown;
  RecordKind kind = RecordKind::kJson;
  bool has_time() const { return flags & kRecordHasTime; }
};

// A trace as an analysis pass sees it: its events in arrival order (not yet
// sorted by time), and the route its lines named, if any.
struct TraceView {
  std::string_view trace_id;
  std::string_view route;
  const EventView* events = nullptr;
  size_t count = 0;
  uint32_t evicted = 0;  // older events of the trace no longer held (see IndexOptions::max_bytes)
  uint64_t number = 0;  // its record's number in its shard: from 0, in creation order, never reused
};

// Asked of each trace of a pass before its events are read (under the shard's reader lock, so
// quick): true leaves the trace out. `events`: the trace's event count, evicted ones included.
using SkipTrace = std::function<bool(uint64_t number, uint32_t events, std::string_view trace_id)>;

// What a search asks of a trace; empty fields match everything.
struct TraceFilter {
  std::string_view service;           // some event of this service
  Level min_level = Level::kUnknown;  // some event at least this severe
  int64_t start_ns = INT64_MIN;       // the trace's time span overlaps
  int64_t end_ns = INT64_MAX;         //   [start_ns, end_ns]
  std::string_view text;              // some event's message contains it
};

// A trace's summary, kept up to date on every insert. The views are valid
// only during the callback that receives it.
struct TraceSummaryView {
  std::string_view trace_id;
  std::string_view route;
  uint32_t events = 0;
  Level max_level = Level::kUnknown;
  int64_t start_ns = 0;  // first and last event time (0, 0 when no event has a time)
  int64_t end_ns = 0;
};

// A trace's summary with its services, copied out of the index.
struct TraceInfo {
  std::string trace_id;
  std::string route;
  uint32_t events = 0;
  Level max_level = Level::kUnknown;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<std::string> services;  // ordered by their first event time
};

// Per-shard counters, added up across shards in IngestStats.
struct IndexCounters {
  uint64_t events = 0;  // held now
  uint64_t traces = 0;
  uint64_t duplicates = 0;
  uint64_t bytes = 0;           // line bytes held, plus events, maps and arenas
  uint64_t evicted_events = 0;  // dropped to stay within IndexOptions::max_bytes
  uint64_t evicted_traces = 0;  // trace records dropped once all their events were
  // Lines kept as references whose file no longer held them when read back (LineFiles).
  uint64_t unreadable_lines = 0;
};

// The index: S shards. Insert() for shard k must be called by one thread at a
// time (the shard's owner); queries are thread-safe and may run concurrently
// with inserts (each takes one shard's reader lock at a time).
class Index {
 public:
  Index(const IndexOptions& options, uint32_t shards, const SourceNames* sources);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  uint32_t shard_count() const { return static_cast<uint32_t>(shards_.size()); }
  // Where sources register the files whose lines are kept as references
  // (IndexOptions::lines_in_files); null when lines are always copied.
  LineFiles* line_files() const { return line_files_.get(); }
  // The shard that owns a trace, by the XXH3 hash of its id.
  uint32_t ShardOfTraceHash(uint64_t trace_hash) const {
    return static_cast<uint32_t>((trace_hash >> 32) % shards_.size());
  }
  // The shard that owns a line without trace id, by its line hash.
  uint32_t ShardOfLine(uint64_t line_hash) const {
    return static_cast<uint32_t>((line_hash >> 32) % shards_.size());
  }
  static uint64_t HashTraceId(std::string_view trace_id);

  // Stores records in shard `shard`. Owner thread only. The lines' bytes
  // are copied into the shard's compressed line store: the records' buffers
  // may be freed once this returns.
  void Insert(uint32_t shard, const ShardRecord* records, size_t count);
  // Frees every shard's dedupe window (about 13 bytes per line of
  // index.dedupe_window), for an input that has ended: lines inserted
  // later are deduplicated only against each other. Not while Insert runs.
  void ReleaseDedupeWindows();
  // Frees every trace, event and stored line of shard `shard`, for an
  // analysis that has read them for the last time (a replay that asks for no
  // timeline: RuntimeOptions::keep_index_after_analysis). Its traces are then
  // NOT_FOUND, saying why; its counters of held events, traces and bytes
  // fall to what it holds (nothing, until lines are inserted again: they are
  // numbered on, so a scan under way skips what was freed). Thread-safe
  // against queries; not while Insert runs on the shard.
  void ReleaseShard(uint32_t shard);

  // The events of `trace_id` ordered by event time. NOT_FOUND if the index
  // never had an event of that trace; INVALID_ARGUMENT for an empty id. A
  // trace whose events were all evicted is found, with no events and
  // Timeline::evicted_events > 0.
  absl::StatusOr<Timeline> GetTimeline(std::string_view trace_id,
                                       const TimelineOptions& options = {}) const;

  // Counters summed over all shards.
  IndexCounters Counters() const;
  // Counters().bytes without waiting for any shard's lock (as of each shard's last insert or
  // eviction): cheap enough to ask for every batch.
  uint64_t BytesNow() const;

  // The summary and services of one trace; NOT_FOUND if unknown.
  absl::StatusOr<TraceInfo> GetTraceInfo(std::string_view trace_id) const;

  // Calls fn for every trace matching `filter`, shard by shard, newest
  // created first within a shard, until fn returns false. A shard's reader
  // lock is held for at most kScanChunk traces (or kScanEventBudget events
  // when the filter reads messages) at a time, so an insert never waits for
  // a whole scan; traces created during the scan may be missed. fn runs
  // under the lock: it must be quick.
  // `stop`, if given, is asked before each chunk (outside the lock): true
  // ends the scan (a cancelled call).
  void ScanTraces(const TraceFilter& filter, const std::function<bool(const TraceSummaryView&)>& fn,
                  const std::function<bool()>& stop = nullptr) const;

  // Like ScanTraces over the given ids only (unknown ids are skipped).
  void LookupTraces(const std::vector<std::string_view>& trace_ids, const TraceFilter& filter,
                    const std::function<bool(const TraceSummaryView&)>& fn) const;

  // Calls fn(trace_id, event_count) for every trace, shard by shard, in
  // chunks like ScanTraces.
  void ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const;

  // Calls fn with every trace and its events, shard by shard, in creation
  // order, in chunks like ScanTraces: fn runs under the shard's reader lock,
  // must be quick and must not keep the views.
  void ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn) const;
  // Where a pass over one shard in slices stands (ForEachTraceWithEventsInShard).
  struct SliceCursor {
    uint64_t next = 0;          // the next trace record to visit
    uint64_t end = UINT64_MAX;  // the shard's records when the first slice began
    bool done = false;          // every trace before `end` was visited
  };
  // The same over one shard (< shard_count()); passes on several shards may
  // run at once on different threads. With a cursor the pass goes in slices:
  // each call visits from cursor->next until about `max_events` events were
  // read (whole chunks, at least one), over the traces the shard had when the
  // first slice began (later ones are left to the next pass, as a whole pass
  // leaves them), and sets cursor->done once it has visited them all. With
  // `skip`, the traces it names are passed over before their events are read.
  void ForEachTraceWithEventsInShard(uint32_t shard,
                                     const std::function<void(const TraceView&)>& fn,
                                     SliceCursor* cursor = nullptr,
                                     uint64_t max_events = UINT64_MAX,
                                     const SkipTrace& skip = nullptr) const;

  // How many traces (or events) a scan visits per lock hold.
  static constexpr uint32_t kScanChunk = 4096;
  static constexpr uint32_t kScanEventBudget = 32768;

 private:
  const IndexOptions options_;
  const SourceNames* sources_;
  const std::unique_ptr<LineFiles> line_files_;  // with options_.lines_in_files
  std::vector<std::unique_ptr<internal::Shard>> shards_;
  // By shard: ReleaseShard freed it (for NOT_FOUND's message).
  std::unique_ptr<std::atomic<bool>[]> released_;
};

}  // namespace logweave

#endif  // LOGWEAVE_INDEX_H_

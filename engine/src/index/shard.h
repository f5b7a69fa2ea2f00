// One shard of the Index: the events, traces, names and line bytes of the
// traces whose ids hash to it (and of the lines without a trace id that hash
// to it).
#ifndef LOGWEAVE_INDEX_SHARD_H_
#define LOGWEAVE_INDEX_SHARD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "index/dedupe_window.h"
#include "index/event_log.h"
#include "index/evicted_window.h"
#include "index/line_store.h"
#include "index/name_table.h"
#include "index/trace_table.h"
#include "internal/arena.h"
#include "logweave/index.h"

namespace logweave::internal {

// Written only by its owner thread (Insert, under mu_ as a writer, a bounded
// step at a time); read by query threads under mu_ as readers, one bounded
// step at a time.
class Shard {
 public:
  // `max_bytes`: this shard's memory budget; 0 = unlimited. `files`: where
  // lines flagged kRecordLineInFile are read back from instead of being
  // copied (null: every line is copied); it must outlive the shard.
  Shard(size_t dedupe_window, uint64_t max_bytes, const LineFiles* files);

  // The memory a shard holds whatever its budget: a chunk of events being
  // filled and the one Insert prepares, two chunks of trace records, the
  // open line block, compression state, the window of evicted traces.
  // A budget must leave room beyond it (PipelineOptions::kMinShardBytes).
  static constexpr uint64_t FixedBytes() {
    const uint64_t event_chunk = sizeof(StoredEvent) * EventLog::kChunkEvents +
                                 EventLog::kChunkEvents * 10 /* packed places, about */;
    const uint64_t trace_chunk = sizeof(TraceRecord) * TraceTable::kChunkSize;
    const uint64_t line_blocks = 3 * LineStore::kDefaultBlockBytes;  // open, scratch, a copy
    const uint64_t zstd_state = 256 << 10;  // level-1 contexts for 32 KiB blocks, with margin
    return 2 * event_chunk + 2 * trace_chunk + line_blocks + zstd_state;
  }
  // The memory of a dedupe window of `entries` lines, at most.
  static uint64_t DedupeBytes(size_t entries);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Inserts in steps of kRecordsPerHold records, releasing the lock between
  // steps, so that a query waits for at most one step. Owner thread only.
  static constexpr size_t kRecordsPerHold = 256;
  void Insert(const ShardRecord* records, size_t count, bool dedupe);
  // Frees the dedupe window (Index::ReleaseDedupeWindows). Not while Insert runs.
  void ReleaseDedupeWindow();
  // Frees every trace, event and stored line (Index::ReleaseShard); its
  // counters of duplicates and evictions stay. Not while Insert runs.
  void ReleaseTraces();

  // --- Queries (shard_query.cc); thread-safe. ---

  // Copies the events of a trace out, newest inserted first. False if unknown
  // (*maybe_evicted: its record may have been evicted).
  bool CollectTrace(std::string_view trace_id, uint64_t hash, const SourceNames& sources,
                    bool with_raw, std::vector<TimelineEvent>* out, uint32_t* evicted,
                    bool* maybe_evicted) const;
  // The summary and services of a trace. False if unknown.
  bool TraceInfoOf(std::string_view trace_id, uint64_t hash, TraceInfo* out) const;
  IndexCounters Counters() const;
  // Counters().bytes without taking the lock: as of the last insert or eviction.
  uint64_t BytesNow() const { return bytes_now_.load(std::memory_order_relaxed); }
  // Index::ScanTraces over this shard; false when fn or stop ended the scan.
  bool Scan(const TraceFilter& filter, const std::function<bool(const TraceSummaryView&)>& fn,
            const std::function<bool()>& stop) const;
  // Applies `filter` to one trace; false when fn asked to stop.
  bool Lookup(std::string_view trace_id, uint64_t hash, const TraceFilter& filter,
              const std::function<bool(const TraceSummaryView&)>& fn) const;
  void ForEachTrace(const std::function<void(std::string_view, uint32_t)>& fn) const;
  // With a cursor: one slice of a pass (Index::ForEachTraceWithEventsInShard).
  void ForEachTraceWithEvents(const std::function<void(const TraceView&)>& fn,
                              Index::SliceCursor* cursor = nullptr,
                              uint64_t max_events = UINT64_MAX,
                              const SkipTrace& skip = nullptr) const;

 private:
  // A scan's budget counts a block decompressed, or a file window read (a line kept in
  // its file), like this many events read.
  static constexpr uint64_t kDecompressWork = 256;
  // Decompressed blocks a scan keeps: traces walked in creation order have
  // their lines in nearby blocks.
  static constexpr size_t kScanCacheBlocks = 16;
  // Short messages of JSON lines (event names, mostly) are kept once per
  // shard, so that the analysis and searches read them without decompressing
  // lines. A service has tens to hundreds of event names; past this many
  // distinct messages in a shard (messages that carry ids, say) the table
  // stops growing: later ones are read from their lines, and are free text
  // to the analysis. The table is never evicted, so it must stay small.
  static constexpr uint32_t kMaxInternedMessageBytes = 80;
  static constexpr size_t kMaxInternedMessages = 8192;
  static_assert(kMaxInternedMessages <= UINT16_MAX + 1, "StoredEvent::msg is 16 bits");

  // --- Insert and eviction (shard_insert.cc). ---
  void InsertOne(const ShardRecord& sr, bool dedupe) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether event `other` is still held, is of `service` (an id of services_) and holds the
  // same line as `raw`.
  bool SameLine(uint64_t other, uint32_t service, std::string_view raw)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateBytes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Frees the oldest chunk of events (the one being filled too, when it is
  // the only one) with the line bytes and escaped messages only they used.
  // Traces keep their records: a trace whose events are all gone answers as
  // evicted.
  void EvictOldestChunk() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Evicts until the shard is within max_bytes_ (or holds no event).
  void Evict() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- Reading (shard_query.cc). ---
  // Visits trace records in chunks of Index::kScanChunk (see the .cc): visit(record), or
  // visit(record, number) where it takes the record's number too.
  template <typename Visit>
  bool Walk(bool newest_first, Visit visit, const std::function<bool()>& stop = nullptr,
            Index::SliceCursor* slice = nullptr, uint64_t max_work = UINT64_MAX) const;
  bool Matches(const TraceRecord& t, const TraceFilter& filter, uint32_t service, BlockCache* cache,
               uint64_t* work) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The summary of `t`; `id_buf` holds its id's text if packed (see TraceRecord::trace_id).
  TraceSummaryView Summary(const TraceRecord& t, TraceIdText* id_buf) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The message of event `n`: from the shard's message table, its escaped
  // copy, or its line (decompressed through `cache`, or, without a cache,
  // empty). Valid like a LineStore::View.
  std::string_view Message(uint64_t n, const StoredEvent& ev, BlockCache* cache) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // `length` bytes at `offset` in the line of event `ev`, placed at `p`: from
  // the LineStore or the line's file. Valid like a LineStore::View.
  std::string_view LineBytes(const StoredEvent& ev, const EventPlace& p, uint32_t offset,
                             uint32_t length, BlockCache* cache) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (ev.flags() & kStoredLineInFile) {
      return files_->Read(p.source_id, p.source_offset + offset, length, &cache->file_window());
    }
    return lines_.View(p.raw_pos + offset, length, cache);
  }
  bool HasEvents(const TraceRecord& t) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return t.count > 0 && events_.Live(t.last) != kNoEvent;
  }

  mutable absl::Mutex mu_;
  const uint64_t max_bytes_;
  const LineFiles* const files_;
  // The lines' bytes, in event order, compressed in sealed blocks.
  LineStore lines_ ABSL_GUARDED_BY(mu_);
  EventLog events_ ABSL_GUARDED_BY(mu_);
  TraceTable traces_ ABSL_GUARDED_BY(mu_);
  // Messages with JSON escapes (no slice of their line): event -> copy, in
  // one arena per chunk of events (null: none yet, or evicted).
  absl::flat_hash_map<uint64_t, std::string_view> escaped_ ABSL_GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Arena>> escaped_arenas_ ABSL_GUARDED_BY(mu_);
  uint64_t escaped_arena_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  NameTable services_ ABSL_GUARDED_BY(mu_);
  NameTable messages_ ABSL_GUARDED_BY(mu_);  // short messages of JSON lines
  NameTable routes_ ABSL_GUARDED_BY(mu_);
  uint64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t evicted_events_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t evicted_traces_ ABSL_GUARDED_BY(mu_) = 0;
  // Dropped traces, so that one whose lines come again is known (see EvictedWindow).
  EvictedWindow evicted_window_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> bytes_now_{0};  // bytes_, read without the lock (BytesNow)
  // Owner thread only (queries never read them), so they may change outside mu_.
  DedupeWindow dedupe_;
  BlockCache dedupe_cache_{1};  // blocks decompressed to compare a line with its twin
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_SHARD_H_

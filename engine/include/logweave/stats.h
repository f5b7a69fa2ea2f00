// Ingest counters. Every line a limit or a defect keeps out of the index is
// counted here, so nothing vanishes silently.
#ifndef LOGWEAVE_STATS_H_
#define LOGWEAVE_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace logweave {

// A snapshot of the pipeline's counters. Plain values; copied freely.
struct IngestStats {
  uint64_t lines = 0;               // lines received from sources (empty ones included)
  uint64_t bytes = 0;               // bytes of those lines as received (without terminators)
  uint64_t json_lines = 0;          // lines that are JSON objects
  uint64_t unstructured_lines = 0;  // non-empty lines that are not JSON objects
  uint64_t empty_lines = 0;         // empty or whitespace-only lines (counted, not indexed)
  uint64_t no_trace_id_lines = 0;   // JSON lines without a trace id (indexed, in no trace)
  uint64_t duplicate_lines = 0;     // exact repeats of an indexed JSON line (kept once)
  uint64_t bad_time_lines = 0;      // a time field was there but unparseable (file order used)
  uint64_t no_time_lines = 0;       // JSON lines without any time field
  uint64_t invalid_utf8_lines = 0;  // lines with invalid UTF-8 (kept byte for byte)
  uint64_t truncated_lines = 0;     // lines cut at max_line_bytes (the head is kept)
  uint64_t binary_files = 0;        // files replay skipped because they look binary (set by
                              // the replay, not the pipeline; see connectors/file/file_source.h)
  uint64_t bom_lines = 0;        // lines that started with a UTF-8 BOM (removed)
  uint64_t crlf_lines = 0;       // lines that ended in CRLF (CR removed)
  uint64_t container_lines = 0;  // lines wrapped by a container runtime (CRI, Docker), unwrapped
  uint64_t indexed_events = 0;   // events stored in the index
  uint64_t traces = 0;           // distinct trace ids in the index
  uint64_t index_bytes = 0;      // memory held by the index (arenas, events, maps)
  uint64_t evicted_events = 0;   // dropped to stay within index.max_bytes (oldest first)
  uint64_t evicted_traces = 0;   // trace records dropped once all their events were
  // Lines kept as references (IndexOptions::lines_in_files) whose file no
  // longer held them when read back: they read as empty.
  uint64_t unreadable_lines = 0;
  uint64_t batches = 0;        // batches received
  uint64_t queued_bytes = 0;   // raw bytes submitted and not yet indexed
  uint64_t queued_memory = 0;  // the memory those batches hold (raw, parsed, routed), estimated
  int64_t max_time_ns = 0;     // the latest event time seen
  // Secrets replaced before parsing, by rule (redact:; docs/security.md).
  std::map<std::string, uint64_t> redactions;
  // The event-time watermark: the progress of the slowest source still sending
  // (see DetectorOptions::source_idle_ns); 0 while no line had a time.
  int64_t watermark_ns = 0;
  uint64_t unstructured_errors = 0;   // plain-text error blocks (joined stack traces count once)
  uint64_t unstructured_dropped = 0;  // error blocks beyond the collector's max_entries
  uint64_t plugin_dropped = 0;        // inputs rule plugins dropped at their limits
  double elapsed_seconds = 0;         // since the pipeline started
};

// Counters and event-time progress of one pipeline source (a file, a
// partition, a stream). Plain values; copied freely.
struct SourceStatus {
  std::string name;         // as registered (Pipeline::AddSource)
  uint64_t lines = 0;       // lines submitted
  uint64_t bytes = 0;       // raw bytes submitted
  int64_t progress_ns = 0;  // the latest event time of its lines indexed so far, in its order
  bool ended = false;       // its data ended (Pipeline::EndSource)
  bool holding = false;     // it holds the watermark back now: still sending, not idle
};

}  // namespace logweave

#endif  // LOGWEAVE_STATS_H_

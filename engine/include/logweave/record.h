// Normalized records: what the parser makes of one raw line, and the parsed
// batch that rule plugins observe (RulePlugin::Observe).
#ifndef LOGWEAVE_RECORD_H_
#define LOGWEAVE_RECORD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logweave/batch.h"

namespace logweave {

// Severity, normalized from strings in any case and pino/syslog numbers.
enum class Level : uint8_t { kUnknown = 0, kTrace, kDebug, kInfo, kWarn, kError, kFatal };

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" or "" for kUnknown.
std::string_view LevelName(Level level);

// What kind of line a record came from.
enum class RecordKind : uint8_t {
  kJson = 0,      // a JSON object
  kUnstructured,  // anything else: plain text, a JSON array or scalar, truncated JSON
  kEmpty,         // empty or whitespace only; counted, not indexed
};

// Flags the parser sets on a record.
enum RecordFlags : uint16_t {
  kRecordHasTime = 1 << 0,            // a timestamp was found and parsed
  kRecordBadTime = 1 << 1,            // a time field was present but could not be parsed
  kRecordInvalidUtf8 = 1 << 2,        // the line holds bytes that are not valid UTF-8
  kRecordTruncated = 1 << 3,          // the source cut the line at max_line_bytes
  kRecordServiceFromSource = 1 << 4,  // no service field: the service is the source's name
  kRecordMessageEscaped = 1 << 5,     // message had JSON escapes; `message` is not a slice of raw
  kRecordNumericTraceId = 1 << 6,     // the trace id was a JSON number
  // No usable time: time_ns is that of the nearest timed line before it in the same
  // source (or, at the start of a batch, after it), so it keeps its file order.
  kRecordTimeInferred = 1 << 7,
  // The line came wrapped by a container runtime (a Kubernetes CRI log line
  // "TIME stdout F ...", or Docker's json-file {"log": ..., "stream": ...}):
  // fields are those of the line inside, `raw` is the wrapped line.
  kRecordContainerWrapped = 1 << 8,
  // `raw` is the source file's bytes at source_offset, readable again
  // through LineFiles: the index may keep a reference instead of a copy.
  kRecordLineInFile = 1 << 9,
  // The index keeps the flags below kRecordLineInFile in 9 bits beside its
  // own (index/event_log.h): a new flag needs room made there first.
};

// The normalized view of one line. All string_views point into buffers owned
// by the batch being parsed (ParsedBatch); they are valid until it is released.
struct Record {
  std::string_view raw;        // the line as the source gave it (BOM/CR removed)
  std::string_view trace_id;   // empty: no trace id
  std::string_view service;    // from the line, else the source's default service
  std::string_view message;    // event/msg/message; for unstructured lines the whole line
  std::string_view route;      // route/operation of the request, if the line names one
  int64_t time_ns = 0;         // nanoseconds since the Unix epoch, valid with kRecordHasTime
  uint64_t seq = 0;            // global arrival order; ties: TimelineLess
  uint64_t source_offset = 0;  // byte offset in the source
  uint64_t line_no = 0;        // 1-based line number in the source
  uint32_t source_id = 0;
  uint16_t flags = 0;  // RecordFlags
  Level level = Level::kUnknown;
  RecordKind kind = RecordKind::kJson;

  bool has_time() const { return flags & kRecordHasTime; }
  // time_ns is meaningful: parsed from the line, or inferred from its neighbours.
  bool time_known() const { return flags & (kRecordHasTime | kRecordTimeInferred); }
};

// A parsed batch: the raw bytes (moved into a shared block that the index
// keeps, so lines are never copied), the values that differ from their raw
// bytes (unescaped strings: the parser's working copy keeps none), and one
// Record per line whose views point into both. Movable, not copyable (moving
// keeps the views valid: the buffers' storage does not move).
struct ParsedBatch {
  std::shared_ptr<const std::string> block;  // the batch's bytes (RawBatch::data)
  RawBatch raw;                              // the line spans; raw.data is empty
  std::string scratch;
  std::vector<Record> records;
  std::vector<uint64_t> line_hashes;   // XXH3 of each raw line (0 for empty lines)
  std::vector<uint64_t> trace_hashes;  // XXH3 of each trace id (0 without one)
};

}  // namespace logweave

#endif  // LOGWEAVE_RECORD_H_

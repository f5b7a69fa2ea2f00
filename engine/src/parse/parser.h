// Parse and normalize: turns raw lines into Records.
//
// A line that is a JSON object is read with RapidJSON's SAX reader, in situ,
// picking out only the fields the index needs (trace id, time, level,
// service, message) under their common names. Anything else is kept as an
// unstructured record. No heap allocation per line.
//
//   LineParser parser(options);
//   ParsedBatch parsed;
//   parser.ParseBatch(std::move(raw_batch), default_service, &parsed);
#ifndef LOGWEAVE_PARSE_PARSER_H_
#define LOGWEAVE_PARSE_PARSER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/batch.h"
#include "logweave/options.h"
#include "logweave/record.h"
#include "logweave/source.h"  // ServiceFromSourceName
#include "logweave/stats.h"

namespace logweave {

namespace internal {
class FieldTable;
class Redactor;
}  // namespace internal

// Counters of one ParseBatch call (see IngestStats for their meaning).
struct ParseCounters {
  uint64_t lines = 0, bytes = 0, json = 0, unstructured = 0, empty = 0, no_trace_id = 0,
           bad_time = 0, no_time = 0, invalid_utf8 = 0, truncated = 0, bom = 0, crlf = 0,
           container = 0;
  int64_t max_time_ns = 0;  // latest event time of the batch (0: none)
  // Replacements by rule (indexes into redaction_rules), when any.
  std::vector<uint64_t> redacted;
  std::shared_ptr<const std::vector<std::string>> redaction_rules;
  void AddTo(IngestStats* stats) const;
  ParseCounters& operator+=(const ParseCounters& other);
};

// Thread-compatible: one LineParser per parsing thread (it is cheap to build
// and holds no state between lines; ParseBatch reuses its working copy of a
// batch from one call to the next).
class LineParser {
 public:
  // Fails with INVALID_ARGUMENT for invalid options.
  static absl::StatusOr<std::unique_ptr<LineParser>> Create(const ParserOptions& options);
  ~LineParser();

  // Parses every line of `batch` into `out` (which is overwritten).
  // `default_service` is used for lines without a service field. The lines
  // are parsed in the parser's own working copy; `out->scratch` receives only
  // the values that differ from their raw bytes (unescaped strings), so that
  // a parsed batch waiting for the index holds little beyond its lines.
  ParseCounters ParseBatch(RawBatch&& batch, std::string_view default_service, ParsedBatch* out);

  // Replaces the secrets in the lines of `batch` (its data and spans
  // rewritten when any line changes) and marks it redacted, with its counts:
  // for a batch stored before it is parsed (the write-ahead log). A no-op
  // with redaction off.
  void RedactBatch(RawBatch* batch) const;

  // Parses one line (for tests and tools). `line` is copied into `scratch`,
  // which must outlive the returned record's views.
  Record ParseLine(std::string_view line, std::string_view default_service,
                   std::string* scratch) const;

 private:
  LineParser(std::unique_ptr<internal::FieldTable> fields, int64_t syslog_reference_ns,
             std::unique_ptr<internal::Redactor> redactor);

  // What every line of a batch is parsed with.
  struct LineContext {
    std::string_view default_service;  // for lines without a service field
    int64_t now_ns;                    // the year of year-less syslog times
    // Room after the scratch copies, reserved so that appending never moves
    // them: where the line inside a Docker wrapper is copied to be parsed.
    std::string* side = nullptr;
  };
  LineContext Context(std::string_view default_service, std::string* side) const;
  // Fills `record` from the line at `raw` whose in-situ copy is `scratch_line`
  // (NUL-terminated, same length). Returns the record kind.
  void ParseInto(std::string_view raw, char* scratch_line, const LineContext& context,
                 Record* record) const;
  // ParseInto's work on `raw`, a suffix of record->raw (the whole line, or
  // what follows a container runtime's prefix) whose in-situ copy is
  // `scratch_line`. With `unwrap_docker`, a Docker json-file object is
  // replaced by the line inside it (UnwrapDockerLine).
  void ParseBody(std::string_view raw, char* scratch_line, const LineContext& context,
                 bool unwrap_docker, Record* record) const;
  // Re-parses `record` as the line `inner` (the unescaped "log" value, in the
  // scratch buffer and NUL-terminated), keeping the outer time if it has none.
  void UnwrapDockerLine(std::string_view inner, const LineContext& context, Record* record) const;
  // Copies the record views that point into work_ to out->scratch and points them there.
  void KeepWorkValues(ParsedBatch* out) const;

  std::unique_ptr<internal::FieldTable> fields_;
  const int64_t syslog_reference_ns_;             // 0: the clock
  std::unique_ptr<internal::Redactor> redactor_;  // null: redaction off
  std::shared_ptr<const std::vector<std::string>> redaction_rules_;
  // ParseBatch's in-situ copy of a batch and the side room after it, kept from
  // one batch to the next (its pages stay mapped).
  std::string work_;
};

// Gives records without a usable time the time of the nearest timed record
// before them in the batch (file order), or after them at the batch's start,
// and flags them kRecordTimeInferred.
void InferMissingTimes(std::vector<Record>* records);

// The level a word names, in any case, surrounding whitespace ignored: trace,
// debug/dbg/verbose/fine, info/notice/config, warn/warning, error/err/eror/severe/dpanic,
// fatal/critical/crit/panic/alert/emerg, and the console writers' short forms (INF, WRN, ERRO,
// FTL, ...; the list: LookupLevelWord in parse/level.cc). kUnknown otherwise.
Level ParseLevelWord(std::string_view word);

}  // namespace logweave

#endif  // LOGWEAVE_PARSE_PARSER_H_

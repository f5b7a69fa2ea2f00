// What an analysis reports: the open findings, what changed since the last
// run, the plain-text error blocks and the traces they are attributed to.
// Runtime::AnalyzeNow returns it (in an AnalysisSnapshot); plain values,
// copied freely.
#ifndef LOGWEAVE_REPORT_H_
#define LOGWEAVE_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "logweave/finding.h"
#include "logweave/record.h"
#include "logweave/shared_text.h"

namespace logweave {

// One block of plain-text lines that looks like an error. Its text and id are shared by its
// copies (the collector's, each report's, the findings hub's), its source, service and
// template text with the other entries of the same source or template.
struct UnstructuredEntry {
  SharedText id;  // stable: from the source name and first line number; its finding's id
  uint32_t source_id = 0;
  SharedText source;
  SharedText service;    // the source's service
  uint64_t line_no = 0;  // first line of the block
  uint64_t source_offset = 0;
  uint32_t line_count = 0;
  int64_t time_ns = 0;
  // The first line had no timestamp: the time is that of the nearest preceding
  // record of the same source (or, at the start of a source, 0 and unknown).
  bool time_inferred = false;
  bool time_known = false;
  Level level = Level::kUnknown;
  SharedText text;   // all lines of the block, '\n'-joined, at most kMaxTextBytes
  uint64_t seq = 0;  // arrival order of the first line
  // The log template of its first line (see logweave/templates.h), shared by the errors of its
  // service that differ only in values. A block still open that would start a template, or
  // one over the miner's per-service limit, has id 0 (and its masked first line as text).
  uint64_t template_id = 0;
  SharedText template_text = {};

  static constexpr size_t kMaxTextBytes = 16 << 10;

  // The block's first line: `text` up to its first newline.
  std::string_view first_line() const { return FirstLineOf(text); }
  // A block text's first line: up to its first newline.
  static std::string_view FirstLineOf(std::string_view text) {
    return text.substr(0, text.find('\n'));
  }
  // Every field alike.
  friend bool operator==(const UnstructuredEntry&, const UnstructuredEntry&) = default;
};

// One candidate trace for a plain-text error.
struct AttributionCandidate {
  std::string trace_id;
  double confidence = 0;
  int64_t gap_ns = 0;       // from the trace's last event in the service to the error line
  bool incomplete = false;  // the trace left an expected sequence unfinished in the service
  bool named = false;       // the error's text names this trace's id ("trace_id=...")
  friend bool operator==(const AttributionCandidate&, const AttributionCandidate&) = default;
};

// A plain-text error entry and the trace it most likely belongs to.
struct AttributedEntry {
  UnstructuredEntry entry;
  // Best first; empty: unattributed (no open request of the service in the window).
  std::vector<AttributionCandidate> candidates;
  // The incomplete_sequence findings (ids) of the attributed trace that this error cut short:
  // its finding's related_incomplete_sequence details, in order.
  std::vector<std::string> related_incomplete = {};
  // Every field alike: the same finding (UnstructuredErrorFinding).
  friend bool operator==(const AttributedEntry&, const AttributedEntry&) = default;
};

// Plain-text errors that share a log template: "35 × InvalidPasswordError: ... user <*>".
struct UnstructuredGroup {
  uint64_t template_id = 0;        // 0: one error without a template (a group of its own)
  std::string template_text = {};  // without a template: the error's masked or first line
  uint64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;  // with time_known: earliest and latest error time
  bool time_known = false;
  std::vector<std::string> services = {};       // sorted
  std::vector<std::string> sample_traces = {};  // attributed traces, first 5 distinct
  std::vector<size_t> entries = {};             // indexes of its errors in the input, in order
};

// Groups plain-text errors by template_id: largest count first, then earliest. Pure.
std::vector<UnstructuredGroup> GroupByTemplate(const std::vector<AttributedEntry>& entries);

struct AnalysisReport {
  std::vector<Finding> findings;  // every open finding, ordered by time, then kind and id
  // Since the previous Run: findings that are new, and resolved updates (same id,
  // resolved = true) for findings that later data disproved. With deferred
  // unstructured_error findings, the new ones are not built here: `new_unstructured` names
  // their errors (positions in `unstructured`, ascending).
  std::vector<Finding> changes;
  std::vector<size_t> new_unstructured;
  std::vector<AttributedEntry> unstructured;  // ordered by time
  int64_t watermark_ns = 0;
  uint64_t traces_judged = 0;
  uint64_t traces_waiting = 0;  // still inside trace_idle: not judged yet
  // Not judged either: some of their events were evicted (index.max_bytes), so what is missing
  // from them may just be gone.
  uint64_t traces_partly_evicted = 0;
  // Of traces_judged, those a one-shot run (no change tracking) judged as the earlier trace of
  // the same signature it read (kind, and each event's service and name in time order: all
  // their judgement depends on), without reading their events again: that trace gave no
  // finding and is no plain-text error's candidate.
  uint64_t traces_judged_by_signature = 0;
  uint64_t kinds = 0;          // kinds of trace seen among the judged
  uint64_t kinds_learned = 0;  // of those, with enough traces to expect services
  uint64_t sequences_learned = 0;
  uint64_t late_events = 0;  // events that arrived for traces already judged (all runs)
  // With a TraceLookup (serve --peers): traces found to have lines on other
  // instances too (distinct, all runs), the missing-service and
  // incomplete-sequence findings of this run not reported because other
  // instances hold the lines they miss, and whether some instance could not
  // be asked (the next analysis asks again).
  uint64_t split_traces = 0;
  uint64_t findings_held_elsewhere = 0;
  bool lookup_incomplete = false;
  // The unstructured_error findings are left out of `findings` (the runtime's default, replay
  // and serve alike): each is built from its entry in `unstructured` when it is read
  // (ForEachFinding, AnalysisSnapshot::FindingAt), so that they never all exist at once, nor
  // beside their entries. Off: `findings` holds them all.
  bool unstructured_findings_deferred = false;
};

// The unstructured_error finding of a plain-text error (the entry's id, its attributed trace,
// summary, details and evidence).
Finding UnstructuredErrorFinding(const AttributedEntry& a);
// Its severity, without building it: critical under a FATAL line, warning under WARN, else error.
Severity UnstructuredErrorSeverity(const AttributedEntry& a);

// Calls `fn` with every open finding of `report` in its order (time, then kind and id): those of
// `findings` and, when they are deferred, each plain-text error's, built for the call (the
// reference is valid only during it).
void ForEachFinding(const AnalysisReport& report, const std::function<void(const Finding&)>& fn);

// How many findings ForEachFinding visits.
size_t FindingCount(const AnalysisReport& report);

// Calls `fn` with the findings at positions [begin, end) of ForEachFinding's order. Calls over
// different ranges may run at once on different threads (to format a large report in parts).
void ForEachFindingInRange(const AnalysisReport& report, size_t begin, size_t end,
                           const std::function<void(const Finding&)>& fn);

// One open finding of a report without building it: the stored finding, or (deferred) the
// plain-text error its unstructured_error finding is built from. A view of the report: valid
// while the report lives. Cheap to copy.
class FindingRef {
 public:
  explicit FindingRef(const Finding& stored) : stored_(&stored) {}
  explicit FindingRef(const AttributedEntry& error) : error_(&error) {}

  std::string_view kind() const;
  Severity severity() const;
  // The finding: a copy of the stored one, or the error's, built.
  Finding Build() const;
  // The stored finding, to read without a copy; null for a plain-text error's.
  const Finding* stored() const { return stored_; }

 private:
  const Finding* stored_ = nullptr;
  const AttributedEntry* error_ = nullptr;
};

// ForEachFinding's order without building anything, for a caller that filters many and builds
// few.
void ForEachFindingRef(const AnalysisReport& report, const std::function<void(FindingRef)>& fn);
void ForEachFindingRefInRange(const AnalysisReport& report, size_t begin, size_t end,
                              const std::function<void(FindingRef)>& fn);

// How many open findings `report` holds of each kind (deferred ones included).
std::map<std::string, uint64_t> FindingCountsByKind(const AnalysisReport& report);

}  // namespace logweave

#endif  // LOGWEAVE_REPORT_H_

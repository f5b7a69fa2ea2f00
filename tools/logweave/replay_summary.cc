#include "tools/logweave/replay_summary.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

std::map<std::string, uint64_t> CountByKind(const AnalysisReport& report) {
  std::map<std::string, uint64_t> counts;
  for (const Finding& f : report.findings) ++counts[f.kind];
  if (report.unstructured_findings_deferred && !report.unstructured.empty()) {
    counts["unstructured_error"] += report.unstructured.size();
  }
  return counts;
}

// Findings marked as the consequence of an upstream error (missing services the request
// never reached because it failed before), by kind.
// (A plain-text error's finding is never one: ForEachFinding is not needed.)
std::map<std::string, uint64_t> CountConsequences(const std::vector<Finding>& findings) {
  std::map<std::string, uint64_t> counts;
  for (const auto& f : findings) {
    if (f.Detail("consequence") == "true") ++counts[f.kind];
  }
  return counts;
}

}  // namespace

std::string SummaryJson(const IngestStats& s, double seconds, double analysis_seconds, size_t files,
                        const std::vector<std::string>& errors, uint32_t threads, uint32_t shards,
                        const AnalysisReport& report, uint64_t index_max_bytes) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "summary");
  w.Field("files", static_cast<uint64_t>(files));
  w.Field("lines", s.lines);
  w.Field("bytes", s.bytes);
  w.Field("json_lines", s.json_lines);
  w.Field("unstructured_lines", s.unstructured_lines);
  w.Field("empty_lines", s.empty_lines);
  w.Field("traces", s.traces);
  w.Field("indexed_events", s.indexed_events);
  w.Field("no_trace_id_lines", s.no_trace_id_lines);
  w.Field("duplicate_lines", s.duplicate_lines);
  w.Field("bad_time_lines", s.bad_time_lines);
  w.Field("no_time_lines", s.no_time_lines);
  w.Field("invalid_utf8_lines", s.invalid_utf8_lines);
  w.Field("truncated_lines", s.truncated_lines);
  w.Field("binary_files", s.binary_files);
  w.Field("bom_lines", s.bom_lines);
  w.Field("crlf_lines", s.crlf_lines);
  w.Field("container_lines", s.container_lines);
  w.Field("index_bytes", s.index_bytes);
  w.Field("evicted_events", s.evicted_events);
  w.Field("evicted_traces", s.evicted_traces);
  w.Field("unreadable_lines", s.unreadable_lines);
  w.Field("seconds", seconds);
  w.Field("lines_per_second", seconds > 0 ? s.lines / seconds : 0.0);
  w.Field("mb_per_second", seconds > 0 ? s.bytes / seconds / 1e6 : 0.0);
  w.Field("analysis_seconds", analysis_seconds);
  w.Field("threads", static_cast<uint64_t>(threads));
  w.Field("shards", static_cast<uint64_t>(shards));
  w.Field("watermark", report.watermark_ns == INT64_MAX ? std::string("final")
                                                        : TimeString(report.watermark_ns));
  w.Field("traces_judged", report.traces_judged);
  w.Field("traces_waiting", report.traces_waiting);
  w.Field("traces_partly_evicted", report.traces_partly_evicted);
  w.Field("traces_judged_by_signature", report.traces_judged_by_signature);
  w.Field("trace_kinds", report.kinds);
  w.Field("trace_kinds_learned", report.kinds_learned);
  w.Field("sequences_learned", report.sequences_learned);
  w.Field("late_events", report.late_events);
  w.Field("unstructured_errors", static_cast<uint64_t>(report.unstructured.size()));
  w.Field("unstructured_templates",
          static_cast<uint64_t>(GroupByTemplate(report.unstructured).size()));
  w.Field("unstructured_dropped", s.unstructured_dropped);
  w.Field("plugin_dropped", s.plugin_dropped);
  w.Field("index_max_bytes", index_max_bytes);  // the budget in force; 0: none
  w.Key("findings");
  w.StartObject();
  for (const auto& [kind, n] : CountByKind(report)) w.Field(kind, n);
  w.EndObject();
  w.Key("consequences");
  w.StartObject();
  for (const auto& [kind, n] : CountConsequences(report.findings)) w.Field(kind, n);
  w.EndObject();
  w.Key("redactions");
  w.StartObject();
  for (const auto& [rule, n] : s.redactions) w.Field(rule, n);
  w.EndObject();
  w.Key("errors");
  w.StartArray();
  for (const auto& e : errors) w.String(e);
  w.EndArray();
  w.EndObject();
  return w.str();
}

// The trace with the most events: a good first timeline to look at.
std::string BusiestTrace(const Index& index) {
  std::string best;
  uint32_t best_count = 0;
  index.ForEachTrace([&](std::string_view id, uint32_t count) {
    if (count > best_count || (count == best_count && id < best)) {
      best_count = count;
      best = std::string(id);
    }
  });
  return best;
}

namespace {

// Findings people should read first: up to `per_kind` of each kind, the most
// severe kinds first, each kind by time.
// Copies of them, of every finding of `report` (ForEachFinding: some may be built as they are
// read).
std::vector<Finding> TopFindings(const AnalysisReport& report, size_t per_kind) {
  std::map<std::string, std::vector<Finding>> by_kind;
  std::set<std::string> templates;  // of the plain-text errors listed: one of each
  ForEachFinding(report, [&](const Finding& f) {
    if (f.kind == "unstructured_error") {
      const std::string t(f.Detail("template_id"));
      if (!t.empty() && !templates.insert(t).second) return;
    }
    auto& list = by_kind[f.kind];
    if (list.size() < per_kind) list.push_back(f);
  });
  std::vector<Finding> out;
  for (auto& [kind, list] : by_kind) {
    std::move(list.begin(), list.end(), std::back_inserter(out));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return out;
}

}  // namespace

std::string SummaryText(const IngestStats& s, double seconds, size_t files,
                        std::string_view busiest_trace, const AnalysisReport& report,
                        int64_t trace_idle_ns, uint64_t max_bytes) {
  std::string out = absl::StrFormat(
      "logweave replay: %d file%s, %s lines (%s) in %.2f s: %s lines/s, %.1f MB/s\n", files,
      files == 1 ? "" : "s", Thousands(s.lines), HumanBytes(static_cast<double>(s.bytes)), seconds,
      Thousands(static_cast<uint64_t>(seconds > 0 ? s.lines / seconds : 0)),
      seconds > 0 ? s.bytes / seconds / 1e6 : 0.0);
  absl::StrAppend(&out, "  traces             ", Thousands(s.traces));
  if (report.traces_waiting > 0) {
    absl::StrAppend(&out, "   (", Thousands(report.traces_waiting), " still inside trace_idle ",
                    trace_idle_ns / 1'000'000'000,
                    "s of the last event: not judged; --final judges them)");
  }
  absl::StrAppend(&out, "\n");
  absl::StrAppend(&out, "  json lines         ", Thousands(s.json_lines), "\n");
  absl::StrAppend(&out, "  plain-text lines   ", Thousands(s.unstructured_lines),
                  "   (not JSON: invisible to trace search)\n");
  std::string notes;
  auto note = [&notes](uint64_t n, absl::string_view what) {
    if (n > 0) absl::StrAppend(&notes, "  ", Thousands(n), " ", what, "\n");
  };
  note(s.duplicate_lines, "duplicate lines kept once");
  note(s.bad_time_lines, "lines with an unparseable time (placed by file order)");
  note(s.invalid_utf8_lines, "lines with invalid UTF-8 (kept as bytes)");
  uint64_t redacted = 0;
  for (const auto& [rule, n] : s.redactions) redacted += n;
  note(redacted, "secrets redacted (redact:; by rule in --json)");
  note(s.truncated_lines, "lines longer than max_line_bytes (head kept)");
  note(s.binary_files, "files skipped: they look binary, not like text logs");
  note(s.no_trace_id_lines, "JSON lines without a trace id");
  note(s.plugin_dropped, "requests rule plugins dropped at their limits (plugin_dropped)");
  // What index.max_bytes cost: said here, since the findings may be fewer for it.
  if (s.evicted_events > 0) {
    note(s.evicted_events,
         absl::StrCat("events evicted to stay within index.max_bytes (", HumanBytes(max_bytes),
                      "): ", Thousands(report.traces_partly_evicted),
                      " traces lost some of their events and ", Thousands(s.evicted_traces),
                      " all of them; those settled before were judged while reading, the others "
                      "not; raise index.max_bytes (docs/config.md) to hold them all"));
  }
  note(s.unstructured_dropped,
       "plain-text errors dropped, oldest first: the collector keeps 100,000 at most, and a 32nd "
       "of index.max_bytes under one (unstructured_dropped)");
  if (!notes.empty()) absl::StrAppend(&out, "noticed:\n", notes);
  auto counts = CountByKind(report);
  const size_t finding_count = FindingCount(report);
  if (finding_count == 0) {
    absl::StrAppend(&out, "\nno findings\n");
  } else {
    std::vector<std::string> parts;
    const auto consequences = CountConsequences(report.findings);
    for (const auto& [kind, n] : counts) {
      auto c = consequences.find(kind);
      parts.push_back(c == consequences.end()
                          ? absl::StrCat(n, " ", kind)
                          : absl::StrCat(n, " ", kind, " (", n - c->second, " independent, ",
                                         c->second, " after an upstream error)"));
    }
    absl::StrAppend(&out, "\nfindings: ", absl::StrJoin(parts, ", "), "\n");
    const std::vector<Finding> top = TopFindings(report, 3);
    for (const Finding& f : top) absl::StrAppend(&out, FormatFindingText(f, false));
    if (finding_count > top.size()) {
      absl::StrAppend(&out, "  ... and ", finding_count - top.size(), " more (--findings)\n");
    }
  }
  // The plain-text errors by log template: 35 alike are one line.
  if (!report.unstructured.empty()) {
    absl::StrAppend(&out, "\n", FormatUnstructuredGroupsText(report.unstructured, 5));
  }
  // Suggest a trace worth looking at: one with a finding, else the busiest.
  std::string example;
  // The most severe kind first, then by kind and time, as TopFindings orders them; plain-text
  // errors are not candidates.
  const Finding* first = nullptr;
  for (const Finding& f : report.findings) {
    if (f.trace_id.empty() || f.kind == "unstructured_error") continue;
    if (first == nullptr || f.severity > first->severity ||
        (f.severity == first->severity && f.kind < first->kind)) {
      first = &f;
    }
  }
  if (first != nullptr) example = first->trace_id;
  if (example.empty()) example = std::string(busiest_trace);
  absl::StrAppend(&out, "\nnext:\n");
  if (!example.empty()) {
    absl::StrAppend(&out, "  --timeline ", example, "   one trace across services\n");
  }
  absl::StrAppend(&out, "  --findings              every finding with its evidence lines\n",
                  "  --unstructured          plain-text errors and the traces they belong to\n",
                  "  --stats                 every counter\n",
                  "  --json                  machine-readable output\n");
  return out;
}

}  // namespace logweave::cli

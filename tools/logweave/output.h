// What the logweave command prints: timelines and counters, as readable
// tables for people or as JSON objects (one per line) for scripts.
#ifndef LOGWEAVE_TOOLS_OUTPUT_H_
#define LOGWEAVE_TOOLS_OUTPUT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "logweave/finding.h"
#include "logweave/index.h"
#include "logweave/report.h"
#include "logweave/stats.h"

namespace logweave::cli {

// A table of the timeline's events: time, offset from the first event,
// service, level, message and source:line; the raw line under each event
// when `with_raw`. Like every Format*Text function, valid UTF-8 whatever the
// log bytes were (U+FFFD for each invalid sequence).
std::string FormatTimelineText(const Timeline& timeline, bool with_raw);

// {"kind":"timeline","trace_id":...,"services":[...],"start":...,"end":...,
//  "duration_ms":...,"events":[{...}]} on one line, without a newline.
std::string FormatTimelineJson(const Timeline& timeline, bool with_raw);

// {"kind":"<finding kind>","id":...,"status":"open"|"resolved","severity":...,"time":...,
//  "trace_id":...,"subject":...,"summary":...,"details":{...},"evidence":[...]} on one line.
std::string FormatFindingJson(const Finding& finding);
// Appends every finding of `report` (ForEachFinding's order) to *out as JSON lines, formatting
// runs of them on up to `threads` threads at once; calls `spill` after each run's text is
// appended (it may write *out away and clear it).
void AppendFindingsJson(const AnalysisReport& report, uint32_t threads, std::string* out,
                        const std::function<void()>& spill);

// "[warning] 10:00:01.234 missing_service  <summary>" and its evidence lines.
std::string FormatFindingText(const Finding& finding, bool with_evidence);

// {"kind":"unstructured_entry",...,"attribution":{...}} on one line.
std::string FormatUnstructuredJson(const AttributedEntry& entry);

// Plain-text errors grouped by log template, largest first, at most `max_groups` of them:
// "N plain-text errors", then per template "  35 × TEMPLATE", its services, first and last
// time, first source line, template id, and the traces of its errors with their confidence.
std::string FormatUnstructuredGroupsText(const std::vector<AttributedEntry>& entries,
                                         size_t max_groups);

// A table of plain-text errors and the traces they are attributed to.
std::string FormatUnstructuredText(const std::vector<AttributedEntry>& entries, bool with_text);

// The counters as an aligned table, with throughput over `seconds`.
std::string FormatStatsText(const IngestStats& stats, double seconds);

// `text` unchanged when it is valid UTF-8 (checked first), else a copy with
// each invalid sequence replaced by U+FFFD: for what goes out as JSON or in a
// request (JSON escapes controls by itself).
std::string ValidUtf8(std::string_view text);

// ValidUtf8, and each control a terminal would act on (ESC, CR, other C0 but
// tab and newline, DEL, C1) written as an escape: "\x1b[31m" shows as text and
// colours nothing. Everything the commands print for people passes through it,
// log bytes included.
std::string Printable(std::string_view text);
// Printable, on one line: tabs and newlines as spaces (for table cells).
std::string PrintableLine(std::string_view text);

// "12,345,678"
std::string Thousands(uint64_t n);
// "1.23 MB", "456 kB", "12 B" (decimal units)
std::string HumanBytes(double bytes);
// "2026-11-23T10:00:00.123Z"
std::string TimeString(int64_t ns);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_OUTPUT_H_

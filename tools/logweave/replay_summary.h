// What `logweave replay` prints about a whole replay: its summary, as text (the default
// output) or as the JSON line that ends --json.
#ifndef LOGWEAVE_TOOLS_LOGWEAVE_REPLAY_SUMMARY_H_
#define LOGWEAVE_TOOLS_LOGWEAVE_REPLAY_SUMMARY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "logweave/index.h"
#include "logweave/report.h"
#include "logweave/stats.h"

namespace logweave::cli {

// The {"kind":"summary"} line: the ingest's counters, the analysis's, and the files' errors.
std::string SummaryJson(const IngestStats& s, double seconds, double analysis_seconds, size_t files,
                        const std::vector<std::string>& errors, uint32_t threads, uint32_t shards,
                        const AnalysisReport& report, uint64_t max_bytes);

// The trace with the most events: a good first timeline to look at.
std::string BusiestTrace(const Index& index);

// The incident summary: what was read, what was noticed on the way (and what limits cost),
// the findings people should read first, the plain-text errors by template, and what to try next.
std::string SummaryText(const IngestStats& s, double seconds, size_t files,
                        std::string_view busiest_trace, const AnalysisReport& report,
                        int64_t trace_idle_ns, uint64_t max_bytes);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOGWEAVE_REPLAY_SUMMARY_H_

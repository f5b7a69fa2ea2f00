// The findings of plain-text errors: each attributed error as an unstructured_error finding,
// linked with the incomplete sequences it cut short, and the missing services it explains.
// Pure functions over one analysis run's values; thread-compatible.
#ifndef LOGWEAVE_ANALYSIS_PLAIN_TEXT_FINDINGS_H_
#define LOGWEAVE_ANALYSIS_PLAIN_TEXT_FINDINGS_H_

#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

#include "logweave/finding.h"
#include "logweave/report.h"

namespace logweave::internal {

// The order of a report's findings: by event time, then kind, then id. ForEachFinding merges
// the plain-text errors into `findings` by it, so both are sorted with it.
inline std::tuple<int64_t, std::string_view, std::string_view> FindingOrderKey(
    int64_t time_ns, std::string_view kind, std::string_view id) {
  return {time_ns, kind, id};
}
inline bool FindingBefore(const Finding& a, const Finding& b) {
  return FindingOrderKey(a.time_ns, a.kind, a.id) < FindingOrderKey(b.time_ns, b.kind, b.id);
}
// The same order for the entries whose findings are unstructured_error ones.
inline constexpr std::string_view kUnstructuredErrorKind = "unstructured_error";
inline std::tuple<int64_t, std::string_view, std::string_view> EntryOrderKey(
    const AttributedEntry& a) {
  return FindingOrderKey(a.entry.time_ns, kUnstructuredErrorKind, a.entry.id);
}
// Where a stored finding and a plain-text error's finding are merged into one order (a report's,
// the findings hub's): the stored one first, also when they tie.
inline bool FindingBeforeEntry(const Finding& f, const AttributedEntry& a) {
  return FindingOrderKey(f.time_ns, f.kind, f.id) <= EntryOrderKey(a);
}

// Links the plain-text errors with the judged findings: each entry gets its finding id and the
// incomplete sequences of its trace and service it cut short (`related_incomplete`); those
// findings name it; the `weak` incomplete sequences an error backs up are added to `findings`.
// With `build` the errors' findings (UnstructuredErrorFinding) are added to `findings` too;
// without, the caller builds them when it reads them.
void AddUnstructuredFindings(std::vector<AttributedEntry>& unstructured, std::vector<Finding> weak,
                             bool build, std::vector<Finding>* findings);

// A missing service that was up (not_reached) in a trace a plain-text error of another
// service is attributed to: the request failed there first. The gap becomes a consequence
// of the error (TraceJudge already marked those with an error-level event in the trace).
void MarkPlainTextConsequences(const std::vector<AttributedEntry>& unstructured,
                               std::vector<Finding>* findings);

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PLAIN_TEXT_FINDINGS_H_

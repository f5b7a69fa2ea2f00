// The findings of plain-text errors: each attributed error as an unstructured_error finding,
// linked with the incomplete sequences it cut short, and the missing services it explains.
// Pure functions over one analysis run's values; thread-compatible.
#ifndef LOGWEAVE_ANALYSIS_PLAIN_TEXT_FINDINGS_H_
#define LOGWEAVE_ANALYSIS_PLAIN_TEXT_FINDINGS_H_

#include <vector>

#include "logweave/finding.h"
#include "logweave/report.h"

namespace logweave::internal {

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

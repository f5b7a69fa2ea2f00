// Attribution of plain-text errors to the traces they most likely belong to.
#ifndef LOGWEAVE_ANALYSIS_ATTRIBUTION_H_
#define LOGWEAVE_ANALYSIS_ATTRIBUTION_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "analysis/analyzer.h"
#include "analysis/names.h"
#include "analysis/unstructured.h"
#include "logweave/options.h"

namespace logweave::internal {

// A trace's activity in one service: a candidate owner of that service's
// plain-text errors. 48 bytes: there is one per trace and service that
// logged plain-text errors, all held at once while errors are attributed.
struct Candidate {
  // The times of its first kMaxTimes - 1 events there and of its last: `first`,
  // then `middle[0 .. count - 3]`, then `last` (count of them, at most kMaxTimes).
  static constexpr int kMaxTimes = 8;
  std::string_view trace_id;        // owned by the analysis run
  const int64_t* middle = nullptr;  // owned by the analysis run; count - 2 times
  int64_t first = 0, last = 0;
  uint8_t count = 0;
  bool incomplete = false;  // it left an expected sequence unfinished in the service

  // The latest of its times at or before `t`; INT64_MIN if none is.
  int64_t LatestAtOrBefore(int64_t t) const {
    if (count == 0) return INT64_MIN;
    int64_t before = first <= t ? first : INT64_MIN;
    for (int k = 0; k + 2 < count; ++k) {
      if (middle[k] <= t) before = std::max(before, middle[k]);
    }
    return last <= t ? std::max(before, last) : before;
  }
};

// The words of a plain-text error that could be trace ids: runs of letters,
// digits, '_' and '-' of 6 to 128 bytes with at least one digit, and the
// '-'-separated parts of such a run. Views into `text`; distinct, in order.
std::vector<std::string_view> TraceIdWords(std::string_view text);

// Attributes each entry to the trace it most likely belongs to, from the
// candidates of its service (`candidates[service id]`, sorted here) and the
// ids of traces the entries' texts name (`named_traces`), on `threads`
// threads (>= 1). Entries keep their order.
std::vector<AttributedEntry> Attribute(const DetectorOptions& options,
                                       std::vector<UnstructuredEntry> entries,
                                       std::vector<std::vector<Candidate>>& candidates,
                                       const SharedNames& services,
                                       const absl::flat_hash_set<std::string>& named_traces,
                                       uint32_t threads);

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_ATTRIBUTION_H_

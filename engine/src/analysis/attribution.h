// Attribution of plain-text errors to the traces they most likely belong to.
#ifndef LOGWEAVE_ANALYSIS_ATTRIBUTION_H_
#define LOGWEAVE_ANALYSIS_ATTRIBUTION_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "analysis/analyzer.h"
#include "analysis/names.h"
#include "analysis/trace_id_words.h"
#include "analysis/unstructured.h"
#include "internal/page_allocator.h"
#include "logweave/options.h"

namespace logweave::internal {

// A trace's activity in one service: a candidate owner of that service's
// plain-text errors. 40 bytes: there is one per trace and service that
// logged plain-text errors, all held at once while errors are attributed.
// Trivial, so that the analysis's room for them (CandidateList) is resident
// only as it is filled: make one with `Candidate c{}` (all zero, no times).
struct Candidate {
  // The times of its first kMaxTimes - 1 events there and of its last, in
  // order: `first`, then `middle[0 .. count - 3]`, then `last` (count of them,
  // at most kMaxTimes).
  static constexpr int kMaxTimes = 8;
  const int64_t* middle;  // owned by the analysis run; count - 2 times
  int64_t first, last;

  const char* id_data;  // its trace id: owned by the analysis run
  uint32_t id_size;
  uint8_t count;
  bool incomplete;  // it left an expected sequence unfinished in the service
  bool mentioned;   // a word of some error hashes as its id: it may be named

  // The latest of its times at or before `t`; INT64_MIN if none is. The
  // times are in order (first <= middle... <= last): a request that ended
  // before `t` answers without reading its middle times.
  int64_t LatestAtOrBefore(int64_t t) const {
    if (count == 0) return INT64_MIN;
    if (last <= t) return last;
    for (int k = count - 3; k >= 0; --k) {
      if (middle[k] <= t) return middle[k];
    }
    return first <= t ? first : INT64_MIN;
  }
  std::string_view trace_id() const { return std::string_view(id_data, id_size); }
  void set_trace_id(std::string_view id) {
    id_data = id.data();
    id_size = static_cast<uint32_t>(id.size());
  }
};
static_assert(sizeof(Candidate) == 40);
static_assert(std::is_trivially_default_constructible_v<Candidate>);

// One service's candidates. Room made with resize is not written (nor
// resident) until each is assigned.
using CandidateList = std::vector<Candidate, LazyPageAllocator<Candidate>>;

// The first 8 bytes of `id` as a big-endian number, zero-padded: ids that
// differ there compare as these numbers do.
inline uint64_t IdKey(std::string_view id) {
  if (id.size() >= 8) {
    uint64_t raw;
    std::memcpy(&raw, id.data(), 8);
    return __builtin_bswap64(raw);
  }
  uint64_t key = 0;
  for (size_t k = 0; k < 8; ++k) {
    key = (key << 8) | (k < id.size() ? static_cast<unsigned char>(id[k]) : 0u);
  }
  return key;
}

// Whether a's trace id sorts before b's (as std::string_view's operator<):
// most comparisons are decided on the ids' first 8 bytes.
inline bool IdLess(const Candidate& a, const Candidate& b) {
  const uint64_t ka = IdKey(a.trace_id()), kb = IdKey(b.trace_id());
  return ka != kb ? ka < kb : a.trace_id() < b.trace_id();
}

// Attributes each entry (its `entry`; no candidates yet) in place to the trace
// it most likely belongs to, from the candidates of its service (`candidates[service id]`:
// reordered, and emptied once the service's errors are answered) and the ids of traces the entries'
// texts name (`named_traces`, among each entry's `words`), on `threads`
// threads (>= 1). Entries keep their order.
std::vector<AttributedEntry> Attribute(const DetectorOptions& options,
                                       std::vector<AttributedEntry> entries, EntryWords words,
                                       std::vector<CandidateList>& candidates,
                                       const SharedNames& services,
                                       const absl::flat_hash_set<std::string>& named_traces,
                                       uint32_t threads);

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_ATTRIBUTION_H_

// Per-thread CPU priority, so that ingestion yields the cores to queries.
#ifndef LOGWEAVE_INTERNAL_THREAD_PRIORITY_H_
#define LOGWEAVE_INTERNAL_THREAD_PRIORITY_H_

#include "absl/status/status.h"

namespace logweave {

// Sets the calling thread's nice value to `nice` (0-19) unless it is already
// higher (never raises a priority, which needs privileges). Linux keeps a
// nice value per thread; other threads are unaffected.
absl::Status LowerThisThreadsPriority(int nice);

}  // namespace logweave

#endif  // LOGWEAVE_INTERNAL_THREAD_PRIORITY_H_

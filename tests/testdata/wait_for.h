// Waiting in tests for a condition instead of sleeping a fixed time.
#ifndef LOGWEAVE_TESTS_TESTDATA_WAIT_FOR_H_
#define LOGWEAVE_TESTS_TESTDATA_WAIT_FOR_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace logweave::testdata {

// Evaluates `condition` every `interval` on the calling thread until it holds or `timeout`
// has passed, and once more at the end; whether it held. Blocks the caller.
inline bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout,
                      absl::Duration interval) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(interval);
  }
  return condition();
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_WAIT_FOR_H_

#include "logweave/source.h"

#include "absl/time/clock.h"

namespace logweave {

bool Source::WaitWhilePaused(const std::atomic<bool>& stop, absl::Duration tick) const {
  while (paused()) {
    if (stop.load()) return false;
    absl::SleepFor(tick);
  }
  return !stop.load();
}

}  // namespace logweave

#include "logweave/duration.h"

#include <cmath>
#include <string>

#include "absl/strings/numbers.h"

namespace logweave {

bool ParsePositiveDuration(std::string_view text, absl::Duration* out) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(std::string(text), &seconds)) {
    if (!std::isfinite(seconds)) return false;
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(std::string(text), &d)) {
    return false;
  }
  // Below a nanosecond is zero once held as int64 nanoseconds.
  if (d < absl::Nanoseconds(1) || d > kMaxDuration) return false;
  *out = d;
  return true;
}

}  // namespace logweave

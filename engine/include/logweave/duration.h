// Durations as people write them in settings (config keys and flags).
//
//   absl::Duration d;
//   if (!ParsePositiveDuration("1m30s", &d)) error(kPositiveDurationHint);
#ifndef LOGWEAVE_DURATION_H_
#define LOGWEAVE_DURATION_H_

#include <string_view>

#include "absl/time/time.h"

namespace logweave {

// What ParsePositiveDuration accepts, for error messages: "must be " or "needs " before it.
inline constexpr char kPositiveDurationHint[] =
    "a positive duration like 30s, 500ms or 2m, at most 100 years";

// The longest: durations are held as int64 nanoseconds (292 years); beyond a
// century a value is a mistake.
inline constexpr absl::Duration kMaxDuration = absl::Hours(24 * 365 * 100);

// Parses `text` written as absl::ParseDuration reads it ("30s", "1h30m",
// "500ms") or as a number of seconds ("30", "2.5"). True if it is finite,
// at least a nanosecond and at most kMaxDuration; else false, *out untouched.
// Thread-safe.
bool ParsePositiveDuration(std::string_view text, absl::Duration* out);

}  // namespace logweave

#endif  // LOGWEAVE_DURATION_H_

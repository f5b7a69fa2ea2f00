// Timestamp parsing for log lines: epoch numbers and the timestamps at the
// start of plain-text lines. RFC 3339 strings in and out (ParseTimestamp,
// FormatTimestamp) are part of the API: logweave/timestamp.h.
//
//   int64_t ns;
//   if (ParseTimestamp("2026-11-23T15:58:43.123+01:00", &ns)) ...
//   EpochNumberToNanos(1732377523.25, &ns);   // guesses s / ms / us / ns by magnitude
#ifndef LOGWEAVE_PARSE_TIME_PARSE_H_
#define LOGWEAVE_PARSE_TIME_PARSE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logweave/timestamp.h"

namespace logweave {

// All functions here are pure, thread-safe, never allocate and never throw; they are meant to
// be called once per log line.

// Converts an epoch number whose unit is unknown to nanoseconds, choosing the
// unit by magnitude as log libraries emit them: < 1e11 seconds (zap, python
// `created`), < 1e14 milliseconds (pino `time`), < 1e17 microseconds, else
// nanoseconds. Seconds, milliseconds and microseconds are rounded to the
// nearest microsecond, because the decimal the logger printed is usually not a
// double: zap's 1732377523.123456 is stored as 1732377523.1234560012..., and
// must become exactly 1732377523123456000 ns (today's epoch seconds carry
// ~0.24 us of double precision, so nothing real is lost). Nanosecond values
// are whole numbers at that magnitude and are taken as is.
// Returns false, leaving *out untouched, for negative, NaN, infinite values or
// ones whose nanoseconds do not fit in int64 (e.g. 1e10 seconds).
bool EpochNumberToNanos(double value, int64_t* out);
// Same for an integer, exact: value * 1e9, 1e6, 1e3 or 1 by the thresholds
// above. Returns false, leaving *out untouched, if value is negative or the
// product overflows int64.
bool EpochIntegerToNanos(int64_t value, int64_t* out);

// Parses a timestamp at the very start of a plain-text line ("2026-01-02T03:04:05Z ERROR ...",
// "2026-01-02 03:04:05,123 ERROR ..." (python logging), "2026/01/02 03:04:05 msg" (Go's log
// package), "[2026-01-02T03:04:05.1Z] ...", "[23/Nov/2026:10:00:09 +0000] ..."). The date-time
// forms are those of ParseTimestamp, plus `YYYY/MM/DD` dates; epoch numbers are not recognised here
// (a line starting "200 OK" has no timestamp). The timestamp may be wrapped in '[' ']', in which
// case the ']' must follow it directly and anything may come after the ']'. Unbracketed, it must be
// followed by the end of the line, ASCII whitespace or one of `] ) | ; ,` — not by digits, letters
// or other characters that would continue a date-time. Leading whitespace is not skipped. Returns
// the number of bytes consumed (the brackets included, trailing whitespace not) and sets *out;
// returns 0 and leaves *out untouched if there is no timestamp there.
size_t ParseLeadingTimestamp(std::string_view line, int64_t* out);

// Parses a BSD syslog (RFC 3164) timestamp at the start of a plain-text line:
// `Mon DD HH:MM:SS` with an English month abbreviation in any case and the day
// space-padded or zero-padded ("Nov  3 10:00:20", "Nov 03 ..."), optionally a
// fraction after '.'. It has no year and no zone: it is taken as UTC, in the
// year of `reference_ns` (when the line is read), or the year before if that
// would put it more than 31 days after the reference (December's lines read
// in January). The same delimiter rule as ParseLeadingTimestamp follows it.
// Returns the bytes consumed and sets *out, or 0 leaving *out untouched.
size_t ParseSyslogTimestamp(std::string_view line, int64_t reference_ns, int64_t* out);

}  // namespace logweave

#endif  // LOGWEAVE_PARSE_TIME_PARSE_H_

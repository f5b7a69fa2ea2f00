// Timestamp parsing for log lines: RFC 3339 / ISO-8601 strings and epoch numbers.
//
//   int64_t ns;
//   if (ParseTimestamp("2026-11-23T15:58:43.123+01:00", &ns)) ...
//   EpochNumberToNanos(1732377523.25, &ns);   // guesses s / ms / us / ns by magnitude
#ifndef LOGWEAVE_TIME_PARSE_H_
#define LOGWEAVE_TIME_PARSE_H_

#include <cstdint>
#include <string_view>

namespace logweave {

// Parses an ISO-8601 / RFC 3339 date-time into nanoseconds since the Unix epoch.
// Accepts `YYYY-MM-DDTHH:MM:SS` with 'T', 't' or ' ' between date and time,
// an optional fraction of 0-9 digits after '.' or ',' (more digits are
// truncated to ns), and a zone of 'Z', 'z', '+HH:MM', '+HHMM', '+HH' (or '-').
// Without a zone the time is taken as UTC. A string that is all digits (with
// an optional fraction) is read as an epoch number (see EpochNumberToNanos).
// Returns false, leaving *out untouched, for anything else or an invalid date
// (month 13, Feb 30, hour 24...). Never allocates.
bool ParseTimestamp(std::string_view text, int64_t* out);

// Converts an epoch number whose unit is unknown to nanoseconds, choosing the
// unit by magnitude as log libraries emit them: < 1e11 seconds (zap, python
// `created`), < 1e14 milliseconds (pino `time`), < 1e17 microseconds, else
// nanoseconds. Returns false for negative, NaN or out-of-range values.
bool EpochNumberToNanos(double value, int64_t* out);
// Same for an integer, without floating-point rounding.
bool EpochIntegerToNanos(int64_t value, int64_t* out);

// Parses a timestamp at the start of a plain-text line ("2026-01-02T03:04:05Z ERROR ...",
// "2026-01-02 03:04:05,123 ERROR ...", "[2026-01-02T03:04:05.1Z] ..."). Returns the number
// of bytes consumed (0 if there is no timestamp there) and sets *out.
size_t ParseLeadingTimestamp(std::string_view line, int64_t* out);

// Formats ns since the epoch as RFC 3339 UTC with millisecond... nanosecond precision as
// needed, e.g. "2026-11-23T15:58:43.123Z". Writes into `buf` (>= 40 bytes); returns length.
size_t FormatTimestamp(int64_t ns, char* buf);

}  // namespace logweave

#endif  // LOGWEAVE_TIME_PARSE_H_

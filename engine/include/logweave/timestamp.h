// Timestamps in and out: RFC 3339 / ISO-8601 strings (and the other forms
// log lines use) to nanoseconds since the Unix epoch, and back. Pure,
// thread-safe, no allocation: meant to be called once per log line.
//
//   int64_t ns;
//   if (ParseTimestamp("2026-11-23T15:58:43.123+01:00", &ns)) ...
//   char buf[40];
//   FormatTimestamp(ns, buf);  // "2026-11-23T14:58:43.123Z"
#ifndef LOGWEAVE_TIMESTAMP_H_
#define LOGWEAVE_TIMESTAMP_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logweave {

// Parses an ISO-8601 / RFC 3339 date-time into nanoseconds since the Unix epoch.
// Accepts `YYYY-MM-DDTHH:MM:SS` with 'T', 't' or ' ' between date and time,
// an optional fraction of one or more digits after '.' or ',' (digits beyond the
// ninth are truncated, not rounded), and a zone of 'Z', 'z', '+HH:MM', '+HHMM',
// '+HH' (or '-'; hours 00-23, minutes 00-59). Without a zone the time is taken
// as UTC. Fields are range-checked against the proleptic Gregorian calendar
// (month 1-12, day within the month including Feb 29 in leap years, hour 0-23,
// minute 0-59, second 0-60). Second 60, a leap second, is accepted in any
// minute and folded onto the last nanosecond of second 59 (23:59:60.5Z ->
// 23:59:59.999999999Z), which keeps log order monotonic.
// Also accepts the Common Log Format time of Apache and nginx ($time_local),
// `DD/Mon/YYYY:HH:MM:SS +HHMM` (English month abbreviation in any case), and
// RFC 2822 / RFC 1123 dates (HTTP `Date`, Java's RFC_1123_DATE_TIME):
// `[Day, ]D Mon YYYY HH:MM[:SS] ZONE`, the day name's form checked but not its
// value, ZONE `GMT`, `UT`, `UTC`, `Z` or `+HHMM`/`-HHMM`.
// A string that is entirely `digits` or `digits.digits` is read as an epoch
// number, exactly in decimal, with the unit chosen by magnitude as in
// EpochIntegerToNanos (fraction digits finer than 1 ns are truncated).
// The whole string must match: surrounding whitespace is rejected, not trimmed.
// Dates before 1970 give negative values. Returns false, leaving *out
// untouched, for anything else, an invalid date (month 13, Feb 30, hour 24...)
// or a result outside int64 ns (before 1677-09-21 or after 2262-04-11).
bool ParseTimestamp(std::string_view text, int64_t* out);

// Formats ns since the epoch as RFC 3339 UTC, e.g. "2026-11-23T15:58:43.123Z". The fraction
// always has 3 digits if ns is a whole millisecond (".000" included), else 6 if a whole
// microsecond, else 9. Any int64 works, negative ones (before 1970) included; the output
// parses back to the same value with ParseTimestamp. Writes at most 31 bytes into `buf`
// (which must hold at least 40), NUL-terminated; returns the length without the NUL.
size_t FormatTimestamp(int64_t ns, char* buf);

}  // namespace logweave

#endif  // LOGWEAVE_TIMESTAMP_H_

// Timestamp parsing and formatting; see logweave/time_parse.h for the contracts.
//
// Everything here runs once per log line, so it is hand-written: fixed-position digit reads,
// Howard Hinnant's days_from_civil / civil_from_days (http://howardhinnant.github.io/
// date_algorithms.html), checked int64 arithmetic, no allocation, no locale, no exceptions.
#include "parse/time_parse.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logweave {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Magnitude thresholds of EpochNumberToNanos / EpochIntegerToNanos: values below kMaxSeconds
// are seconds, below kMaxMillis milliseconds, below kMaxMicros microseconds, else nanoseconds.
constexpr int64_t kMaxSeconds = 100'000'000'000;         // 1e11
constexpr int64_t kMaxMillis = 100'000'000'000'000;      // 1e14
constexpr int64_t kMaxMicros = 100'000'000'000'000'000;  // 1e17

// The nanoseconds one unit of a non-negative epoch integer stands for, by its magnitude.
constexpr int64_t EpochUnitNanos(int64_t integer) {
  if (integer < kMaxSeconds) return kNanosPerSecond;
  if (integer < kMaxMillis) return 1'000'000;
  if (integer < kMaxMicros) return 1'000;
  return 1;
}

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads exactly `n` ASCII digits starting at s[pos] into *value. Returns false (leaving *value
// unspecified) if s is too short or any of the bytes is not a digit.
bool ReadFixedDigits(std::string_view s, size_t pos, int n, int* value) {
  if (s.size() < pos + static_cast<size_t>(n)) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<size_t>(i)];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

// Reads the digits of a fraction of a second starting at s[pos] (after its '.'
// or ','): at least one; the first nine are kept, the rest truncated. Returns
// the position after the last digit and sets *nanos, or returns 0 if there is
// no digit at s[pos].
size_t ReadFraction(std::string_view s, size_t pos, int64_t* nanos) {
  const size_t first_digit = pos;
  int64_t value = 0;
  int kept = 0;
  for (; pos < s.size() && IsDigit(s[pos]); ++pos) {
    if (kept < 9) {
      value = value * 10 + (s[pos] - '0');
      ++kept;
    }
  }
  if (pos == first_digit) return 0;
  for (; kept < 9; ++kept) value *= 10;
  *nanos = value;
  return pos;
}

// Reads a UTC offset `+HHMM` or `-HHMM` at s[pos] (hours 00-23, minutes
// 00-59) into *offset_seconds. Returns false if it is not one.
bool ReadHhmmOffset(std::string_view s, size_t pos, int64_t* offset_seconds) {
  int hours, minutes;
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-') ||
      !ReadFixedDigits(s, pos + 1, 2, &hours) || !ReadFixedDigits(s, pos + 3, 2, &minutes) ||
      hours > 23 || minutes > 59) {
    return false;
  }
  *offset_seconds = (hours * 60 + minutes) * 60 * (s[pos] == '-' ? -1 : 1);
  return true;
}

// a / b rounded towards negative infinity, and the remainder that goes with
// it (0 <= FloorMod < b), for b > 0. Neither can overflow.
constexpr int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a % b < 0 ? a % b + b : a % b; }
static_assert(FloorDiv(-1, 86400) == -1 && FloorMod(-1, 86400) == 86399);
static_assert(FloorDiv(86400, 86400) == 1 && FloorMod(86400, 86400) == 0);

constexpr bool IsLeapYear(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr int DaysInMonth(int y, int m) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeapYear(y)) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m in 1..12, d in 1..31).
// Hinnant's days_from_civil; exact for every year representable in int64.
constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(DaysFromCivil(1969, 12, 31) == -1);

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Inverse of DaysFromCivil (Hinnant's civil_from_days).
constexpr CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}
static_assert(CivilFromDays(0).year == 1970 && CivilFromDays(0).month == 1);
static_assert(CivilFromDays(-1).year == 1969 && CivilFromDays(-1).day == 31);

// *out = seconds * 1e9 + nanos (nanos in [0, 1e9)) without intermediate overflow, so that the
// extremes of int64 (1677-09-21 and 2262-04-11) round-trip. Returns false on overflow.
bool CombineSecondsAndNanos(int64_t seconds, int64_t nanos, int64_t* out) {
  if (seconds < 0 && nanos > 0) {  // seconds * 1e9 alone could fall below INT64_MIN
    seconds += 1;
    nanos -= kNanosPerSecond;
  }
  int64_t scaled;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &scaled)) return false;
  return !__builtin_add_overflow(scaled, nanos, out);
}

// A civil date-time at a UTC offset, as read from text, to ns since the epoch. Checks every
// field against the calendar (month 1-12, day within the month, hour 0-23, minute 0-59,
// second 0-60) and folds a leap second (:60) onto the last nanosecond of :59, which keeps
// ordering monotonic (:59.x <= :60.y < next :00) at the cost of collapsing the leap second's
// sub-second detail; Unix time has no representation for it anyway. Returns false for an
// invalid field or a result outside int64 ns, leaving *out untouched.
bool CivilToNanos(int year, int month, int day, int hour, int minute, int second, int64_t nanos,
                  int64_t offset_seconds, int64_t* out) {
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (second == 60) {
    second = 59;
    nanos = kNanosPerSecond - 1;
  }
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 +
                          minute * 60 + second - offset_seconds;
  return CombineSecondsAndNanos(seconds, nanos, out);
}

// Parses a date-time `YYYY-MM-DD?HH:MM:SS[.fff][zone]` at the start of `s` (see the header for
// the accepted forms). With `allow_slash_date` the date may also be `YYYY/MM/DD` (Go's log
// package); the two date separators must match. Parsing is greedy and never backtracks: a
// fraction separator without digits, or a zone cut short ("+01:"), fails the whole parse.
// Returns the bytes consumed and sets *out, or returns 0 and leaves *out untouched. What
// follows the consumed bytes is the caller's business.
size_t ParseIsoPrefix(std::string_view s, bool allow_slash_date, int64_t* out) {
  int year, month, day, hour, minute, second;
  if (!ReadFixedDigits(s, 0, 4, &year)) return 0;
  if (s.size() < 19) return 0;
  const char date_sep = s[4];
  if (!(date_sep == '-' || (allow_slash_date && date_sep == '/'))) return 0;
  if (!ReadFixedDigits(s, 5, 2, &month) || s[7] != date_sep) return 0;
  if (!ReadFixedDigits(s, 8, 2, &day)) return 0;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return 0;
  if (!ReadFixedDigits(s, 11, 2, &hour) || s[13] != ':') return 0;
  if (!ReadFixedDigits(s, 14, 2, &minute) || s[16] != ':') return 0;
  if (!ReadFixedDigits(s, 17, 2, &second)) return 0;
  size_t pos = 19;

  int64_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    pos = ReadFraction(s, pos + 1, &nanos);
    if (pos == 0) return 0;
  }

  // Zone: Z, or an offset of local time from UTC. Absent means UTC.
  int64_t offset_seconds = 0;
  if (pos < s.size()) {
    const char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int offset_hours, offset_minutes = 0;
      if (!ReadFixedDigits(s, pos + 1, 2, &offset_hours)) return 0;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') {
        if (!ReadFixedDigits(s, pos + 1, 2, &offset_minutes)) return 0;
        pos += 3;
      } else if (ReadFixedDigits(s, pos, 2, &offset_minutes)) {
        pos += 2;
      }
      if (offset_hours > 23 || offset_minutes > 59) return 0;
      offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
      if (c == '-') offset_seconds = -offset_seconds;
    }
  }

  int64_t result;
  if (!CivilToNanos(year, month, day, hour, minute, second, nanos, offset_seconds, &result)) {
    return 0;
  }
  *out = result;
  return pos;
}

// The month an English abbreviation names ("Nov", any case), 1-12, or 0.
int MonthFromAbbreviation(std::string_view a) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (a.size() != 3) return 0;
  const char lower[3] = {static_cast<char>(a[0] | 0x20), static_cast<char>(a[1] | 0x20),
                         static_cast<char>(a[2] | 0x20)};
  for (int m = 0; m < 12; ++m) {
    if (std::string_view(lower, 3) == kMonths[m]) return m + 1;
  }
  return 0;
}

// Parses the Common Log Format time of Apache and nginx (`$time_local`) at the
// start of `s`: `DD/Mon/YYYY:HH:MM:SS +HHMM`, the month an English
// abbreviation in any case, the offset required. Returns the bytes consumed
// (26) and sets *out, or returns 0 and leaves *out untouched.
size_t ParseClfPrefix(std::string_view s, int64_t* out) {
  constexpr size_t kLength = 26;  // "23/Nov/2026:10:00:09 +0000"
  if (s.size() < kLength) return 0;
  int day, year, hour, minute, second;
  if (!ReadFixedDigits(s, 0, 2, &day) || s[2] != '/' || s[6] != '/') return 0;
  const int month = MonthFromAbbreviation(s.substr(3, 3));
  if (month == 0) return 0;
  if (!ReadFixedDigits(s, 7, 4, &year) || s[11] != ':') return 0;
  if (!ReadFixedDigits(s, 12, 2, &hour) || s[14] != ':') return 0;
  if (!ReadFixedDigits(s, 15, 2, &minute) || s[17] != ':') return 0;
  if (!ReadFixedDigits(s, 18, 2, &second) || s[20] != ' ') return 0;
  int64_t offset_seconds;
  if (!ReadHhmmOffset(s, 21, &offset_seconds)) return 0;
  int64_t result;
  if (!CivilToNanos(year, month, day, hour, minute, second, 0, offset_seconds, &result)) {
    return 0;
  }
  *out = result;
  return kLength;
}

// Parses an RFC 2822 / RFC 1123 date (HTTP `Date`, email, Java's
// RFC_1123_DATE_TIME) that is the whole of `s`: `[Day, ]D Mon YYYY HH:MM[:SS]
// ZONE`, the day name an English abbreviation (checked for form, not against
// the date), the day of month 1 or 2 digits, the month an English
// abbreviation in any case, ZONE `GMT`, `UT`, `UTC`, `Z` or `+HHMM`/`-HHMM`.
// Sets *out and returns true, or returns false and leaves *out untouched.
bool ParseRfc2822(std::string_view s, int64_t* out) {
  size_t pos = 0;
  if (!s.empty() && IsAsciiLetter(s[0])) {  // "Mon, "
    if (s.size() < 5 || !IsAsciiLetter(s[1]) || !IsAsciiLetter(s[2]) || s[3] != ',' ||
        s[4] != ' ') {
      return false;
    }
    pos = 5;
  }
  int day;
  if (ReadFixedDigits(s, pos, 2, &day)) {
    pos += 2;
  } else if (ReadFixedDigits(s, pos, 1, &day)) {
    pos += 1;
  } else {
    return false;
  }
  // " Nov 2026 10:00:09" or " Nov 2026 10:00"
  if (pos + 10 > s.size() || s[pos] != ' ' || s[pos + 4] != ' ') return false;
  const int month = MonthFromAbbreviation(s.substr(pos + 1, 3));
  int year, hour, minute, second = 0;
  if (month == 0 || !ReadFixedDigits(s, pos + 5, 4, &year)) return false;
  pos += 9;
  if (pos + 6 > s.size() || s[pos] != ' ' || !ReadFixedDigits(s, pos + 1, 2, &hour) ||
      s[pos + 3] != ':' || !ReadFixedDigits(s, pos + 4, 2, &minute)) {
    return false;
  }
  pos += 6;
  if (pos < s.size() && s[pos] == ':') {
    if (!ReadFixedDigits(s, pos + 1, 2, &second)) return false;
    pos += 3;
  }
  if (pos >= s.size() || s[pos] != ' ') return false;
  const std::string_view zone = s.substr(pos + 1);
  int64_t offset_seconds = 0;
  if (zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z") {
    offset_seconds = 0;
  } else if (zone.size() != 5 || !ReadHhmmOffset(zone, 0, &offset_seconds)) {
    return false;
  }
  int64_t result;
  if (!CivilToNanos(year, month, day, hour, minute, second, 0, offset_seconds, &result)) {
    return false;
  }
  *out = result;
  return true;
}

// Parses a string that is entirely an unsigned epoch number, `digits[.digits]`, exactly in
// decimal (no double rounding): the unit is chosen from the integer part by the same
// thresholds as EpochIntegerToNanos; fraction digits finer than a nanosecond are truncated.
bool ParseEpochString(std::string_view s, int64_t* out) {
  size_t pos = 0;
  int64_t integer = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (__builtin_mul_overflow(integer, 10, &integer) ||
        __builtin_add_overflow(integer, s[pos] - '0', &integer)) {
      return false;
    }
    ++pos;
  }
  if (pos == 0) return false;

  const int64_t unit_nanos = EpochUnitNanos(integer);

  // Fraction digit i (0-based) is worth unit_nanos / 10^(i+1) ns; stop adding once that is 0.
  int64_t fraction_nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t first_digit = pos;
    int64_t place = unit_nanos / 10;
    for (; pos < s.size() && IsDigit(s[pos]); ++pos) {
      fraction_nanos += (s[pos] - '0') * place;
      place /= 10;
    }
    if (pos == first_digit) return false;
  }
  if (pos != s.size()) return false;

  int64_t result;
  if (__builtin_mul_overflow(integer, unit_nanos, &result) ||
      __builtin_add_overflow(result, fraction_nanos, &result)) {
    return false;
  }
  *out = result;
  return true;
}

// Bytes that may follow an unbracketed leading timestamp: ASCII whitespace and punctuation that
// commonly closes a field. Digits, letters, '.', ':', '+', '-' and '/' would mean the timestamp
// continues in a form we did not parse, so they are not delimiters.
constexpr bool IsTimestampDelimiter(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '\v':
    case '\f':
    case ']':
    case ')':
    case '|':
    case ';':
    case ',':
      return true;
    default:
      return false;
  }
}

// Writes `value` (0 <= value < 10^width) as exactly `width` decimal digits.
void WriteDigits(int64_t value, int width, char* p) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

bool ParseTimestamp(std::string_view text, int64_t* out) {
  if (text.size() > 2 && text[2] == '/') {
    int64_t result;
    if (ParseClfPrefix(text, &result) != text.size()) return false;
    *out = result;
    return true;
  }
  if (text.size() > 4 && text[4] == '-') {
    int64_t result;
    if (ParseIsoPrefix(text, /*allow_slash_date=*/false, &result) != text.size()) return false;
    *out = result;
    return true;
  }
  if (text.size() > 2 && IsDigit(text[0]) && (text[1] == ' ' || text[2] == ' ')) {
    return ParseRfc2822(text, out);
  }
  if (!text.empty() && IsAsciiLetter(text[0])) return ParseRfc2822(text, out);
  return ParseEpochString(text, out);
}

bool EpochIntegerToNanos(int64_t value, int64_t* out) {
  if (value < 0) return false;
  const int64_t unit_nanos = EpochUnitNanos(value);
  int64_t result;
  if (__builtin_mul_overflow(value, unit_nanos, &result)) return false;
  *out = result;
  return true;
}

bool EpochNumberToNanos(double value, int64_t* out) {
  // `!(value >= 0)` also rejects NaN.
  if (!(value >= 0) || !std::isfinite(value)) return false;
  if (value >= static_cast<double>(kMaxMicros)) {
    // Nanoseconds. A double this large is a whole number; 2^63 is the first value that does
    // not fit in int64 and is exactly representable, so the comparison is exact.
    if (value >= 9223372036854775808.0) return false;
    *out = static_cast<int64_t>(value);
    return true;
  }
  int64_t unit_nanos;
  double micros_per_unit;
  if (value < static_cast<double>(kMaxSeconds)) {
    unit_nanos = kNanosPerSecond;
    micros_per_unit = 1e6;
  } else if (value < static_cast<double>(kMaxMillis)) {
    unit_nanos = 1'000'000;
    micros_per_unit = 1e3;
  } else {
    unit_nanos = 1'000;
    micros_per_unit = 1;
  }
  // Split so the fraction is exact (value - floor(value) is exact for doubles), then round it
  // to the nearest microsecond: the decimal the logger printed (1732377523.123456) is not
  // representable, and its nearest double is .12345600128173828, which must not leak into ns.
  const double whole = std::floor(value);
  const int64_t whole_units = static_cast<int64_t>(whole);  // < 1e17, fits
  const int64_t fraction_micros = std::llround((value - whole) * micros_per_unit);
  int64_t result;
  if (__builtin_mul_overflow(whole_units, unit_nanos, &result) ||
      __builtin_add_overflow(result, fraction_micros * 1'000, &result)) {
    return false;
  }
  *out = result;
  return true;
}

size_t ParseLeadingTimestamp(std::string_view line, int64_t* out) {
  const bool bracketed = !line.empty() && line[0] == '[';
  const std::string_view rest = bracketed ? line.substr(1) : line;
  int64_t result;
  const size_t n = rest.size() > 2 && rest[2] == '/'
                       ? ParseClfPrefix(rest, &result)
                       : ParseIsoPrefix(rest, /*allow_slash_date=*/true, &result);
  if (n == 0) return 0;
  size_t consumed = n;
  if (bracketed) {
    // The closing bracket is the delimiter; anything may follow it ("[...][INFO]").
    if (n >= rest.size() || rest[n] != ']') return 0;
    consumed = n + 2;  // '[' and ']'
  } else if (n < rest.size() && !IsTimestampDelimiter(rest[n])) {
    return 0;
  }
  *out = result;
  return consumed;
}

size_t ParseSyslogTimestamp(std::string_view line, int64_t reference_ns, int64_t* out) {
  // "Nov 23 10:00:20": 15 bytes before an optional fraction.
  if (line.size() < 15 || line[3] != ' ' || line[6] != ' ' || line[9] != ':' || line[12] != ':') {
    return 0;
  }
  const int month = MonthFromAbbreviation(line.substr(0, 3));
  if (month == 0) return 0;
  int day, hour, minute, second;
  if (line[4] == ' ') {
    if (!ReadFixedDigits(line, 5, 1, &day)) return 0;
  } else if (!ReadFixedDigits(line, 4, 2, &day)) {
    return 0;
  }
  if (!ReadFixedDigits(line, 7, 2, &hour) || !ReadFixedDigits(line, 10, 2, &minute) ||
      !ReadFixedDigits(line, 13, 2, &second)) {
    return 0;
  }
  size_t pos = 15;
  int64_t nanos = 0;
  if (pos < line.size() && line[pos] == '.') {
    pos = ReadFraction(line, pos + 1, &nanos);
    if (pos == 0) return 0;
  }
  if (pos < line.size() && !IsTimestampDelimiter(line[pos])) return 0;
  const int64_t reference_days = FloorDiv(reference_ns, kSecondsPerDay * kNanosPerSecond);
  int year = static_cast<int>(CivilFromDays(reference_days).year);
  int64_t result;
  if (!CivilToNanos(year, month, day, hour, minute, second, nanos, 0, &result)) {
    // Feb 29 outside a leap year: it can only be from an earlier year.
    if (!CivilToNanos(--year, month, day, hour, minute, second, nanos, 0, &result)) return 0;
  }
  constexpr int64_t kAhead = 31 * kSecondsPerDay * kNanosPerSecond;
  if (result - reference_ns > kAhead &&
      !CivilToNanos(year - 1, month, day, hour, minute, second, nanos, 0, &result)) {
    return 0;
  }
  *out = result;
  return pos;
}

size_t FormatTimestamp(int64_t ns, char* buf) {
  // Floor division, so times before 1970 get a positive sub-second part. Neither step can
  // overflow: |ns / 1e9| and |seconds / 86400| are far below the int64 limits.
  const int64_t seconds = FloorDiv(ns, kNanosPerSecond);
  const int64_t nanos = FloorMod(ns, kNanosPerSecond);
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = FloorMod(seconds, kSecondsPerDay);
  const CivilDate date = CivilFromDays(days);  // int64 ns spans years 1677..2262: 4 digits

  char* p = buf;
  WriteDigits(date.year, 4, p);
  p[4] = '-';
  WriteDigits(date.month, 2, p + 5);
  p[7] = '-';
  WriteDigits(date.day, 2, p + 8);
  p[10] = 'T';
  WriteDigits(second_of_day / 3600, 2, p + 11);
  p[13] = ':';
  WriteDigits(second_of_day / 60 % 60, 2, p + 14);
  p[16] = ':';
  WriteDigits(second_of_day % 60, 2, p + 17);
  p[19] = '.';
  p += 20;
  if (nanos % 1'000'000 == 0) {
    WriteDigits(nanos / 1'000'000, 3, p);
    p += 3;
  } else if (nanos % 1'000 == 0) {
    WriteDigits(nanos / 1'000, 6, p);
    p += 6;
  } else {
    WriteDigits(nanos, 9, p);
    p += 9;
  }
  *p++ = 'Z';
  *p = '\0';
  return static_cast<size_t>(p - buf);
}

}  // namespace logweave

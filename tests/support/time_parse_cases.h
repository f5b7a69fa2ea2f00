// What the time parsing tests share (time_parse_test, time_format_test): reference instants and
// small wrappers that turn the out-parameter API of parse/time_parse.h into values.
//
// Expected values are independent of the code under test: reference instants come from
// Abseil's civil-time conversion (UtcSeconds).
#ifndef LOGWEAVE_TESTS_SUPPORT_TIME_PARSE_CASES_H_
#define LOGWEAVE_TESTS_SUPPORT_TIME_PARSE_CASES_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "parse/time_parse.h"

namespace logweave::time_parse_test {

inline constexpr int64_t kNs = 1'000'000'000;

// Seconds since the epoch of a UTC civil time, from Abseil's civil-time
// library: an oracle independent of the parser under test.
inline int64_t UtcSeconds(int year, int month, int day, int hour, int minute, int second) {
  return absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone()));
}

inline constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Returns the parsed value, or nullopt if ParseTimestamp rejects `text`.
inline std::optional<int64_t> Parse(std::string_view text) {
  int64_t ns = 0;
  if (!ParseTimestamp(text, &ns)) return std::nullopt;
  return ns;
}

inline std::optional<int64_t> FromDouble(double value) {
  int64_t ns = 0;
  if (!EpochNumberToNanos(value, &ns)) return std::nullopt;
  return ns;
}

inline std::optional<int64_t> FromInteger(int64_t value) {
  int64_t ns = 0;
  if (!EpochIntegerToNanos(value, &ns)) return std::nullopt;
  return ns;
}

inline std::string Format(int64_t ns) {
  char buf[40];
  const size_t n = FormatTimestamp(ns, buf);
  return std::string(buf, n);
}

// Result of ParseLeadingTimestamp: bytes consumed and the value (meaningful if consumed > 0).
struct Leading {
  size_t consumed;
  int64_t ns;
};
inline Leading ParseLeading(std::string_view line) {
  Leading r{0, -12345};
  r.consumed = ParseLeadingTimestamp(line, &r.ns);
  return r;
}

// Expects ParseLeadingTimestamp to consume `consumed` bytes of `line` and give `ns`.
inline void ExpectLeading(std::string_view line, size_t consumed, int64_t ns) {
  const Leading r = ParseLeading(line);
  EXPECT_EQ(r.consumed, consumed) << line;
  EXPECT_EQ(r.ns, ns) << line;
}

}  // namespace logweave::time_parse_test

#endif  // LOGWEAVE_TESTS_SUPPORT_TIME_PARSE_CASES_H_

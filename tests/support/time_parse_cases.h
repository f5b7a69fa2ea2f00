// What the time parsing tests share (time_parse_test, time_format_test): reference instants and
// small wrappers that turn the out-parameter API of parse/time_parse.h into values.
//
// Expected values are independent of the code under test: epoch-second constants were taken
// from `date -u -d <iso> +%s` (GNU coreutils) and are noted next to each constant.
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

#include "parse/time_parse.h"

namespace logweave::time_parse_test {

inline constexpr int64_t kNs = 1'000'000'000;

// `date -u -d <iso> +%s`
inline constexpr int64_t k20261123T155843 = 1795449523;   // 2026-11-23T15:58:43Z
inline constexpr int64_t k20261123T000000 = 1795392000;   // 2026-11-23T00:00:00Z
inline constexpr int64_t k20261123T102843 = 1795429723;   // 2026-11-23T10:28:43Z
inline constexpr int64_t k20261123T235843 = 1795478323;   // 2026-11-23T23:58:43Z
inline constexpr int64_t k20261123T145843 = 1795445923;   // 2026-11-23T14:58:43Z
inline constexpr int64_t k20260102T030405 = 1767323045;   // 2026-01-02T03:04:05Z
inline constexpr int64_t k20251231T233000 = 1767223800;   // 2025-12-31T23:30:00Z
inline constexpr int64_t k20260301T000000 = 1772323200;   // 2026-03-01T00:00:00Z
inline constexpr int64_t k20270101T000000 = 1798761600;   // 2027-01-01T00:00:00Z
inline constexpr int64_t k20240229T000000 = 1709164800;   // 2024-02-29T00:00:00Z
inline constexpr int64_t k20240301T000000 = 1709251200;   // 2024-03-01T00:00:00Z
inline constexpr int64_t k20000229T000000 = 951782400;    // 2000-02-29T00:00:00Z
inline constexpr int64_t k20000301T000000 = 951868800;    // 2000-03-01T00:00:00Z
inline constexpr int64_t k19000301T000000 = -2203891200;  // 1900-03-01T00:00:00Z
inline constexpr int64_t k20161231T235959 = 1483228799;   // 2016-12-31T23:59:59Z
inline constexpr int64_t k20241123T155843 = 1732377523;   // 2024-11-23T15:58:43Z (zap example)

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

// What the ClassifyPlainLine tests share (plain_text_test, plain_text_blocks_test): the
// expected classes and a check that prints a failing line readably.
#ifndef LOGWEAVE_TESTS_SUPPORT_PLAIN_LINE_CLASSES_H_
#define LOGWEAVE_TESTS_SUPPORT_PLAIN_LINE_CLASSES_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parse/plain_text.h"

namespace logweave::plain_text_test {

using std::string_view;
using namespace std::string_view_literals;

inline constexpr PlainLineClass kNothing{};
inline constexpr PlainLineClass kError{.error_like = true};
inline constexpr PlainLineClass kContinuation{.continuation = true};
inline constexpr PlainLineClass kErrorContinuation{.error_like = true, .continuation = true};
inline constexpr PlainLineClass kHeader{
    .error_like = true, .continuation = true, .exception_header = true};

// "{error_like continuation}", "{}": readable in a failure message.
inline std::string Describe(const PlainLineClass& c) {
  std::string out = "{";
  if (c.error_like) out += "error_like ";
  if (c.continuation) out += "continuation ";
  if (c.exception_header) out += "exception_header ";
  if (out.size() > 1) out.pop_back();
  return out + "}";
}

// The line with control and non-ASCII bytes escaped, cut after 120 bytes.
inline std::string Printable(string_view line) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < line.size() && i < 120; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  if (line.size() > 120) out += "... (" + std::to_string(line.size()) + " bytes)";
  return out;
}

inline void ExpectAll(std::span<const string_view> lines, const PlainLineClass& want) {
  for (string_view line : lines) {
    EXPECT_EQ(Describe(ClassifyPlainLine(line)), Describe(want)) << "line: " << Printable(line);
  }
}
// The same for lines written in place: ExpectAll({"a", "b"}, kError).
inline void ExpectAll(std::initializer_list<string_view> lines, const PlainLineClass& want) {
  ExpectAll(std::span<const string_view>(lines.begin(), lines.size()), want);
}

// Lines that ClassifyPlainLine puts in one class: a case of ClassifyPlainLinesTest (its
// TEST_P is in plain_text_test.cc; plain_text_test.cc and plain_text_blocks_test.cc instantiate
// it). Each case was a test of its own, named as the case is.
struct PlainLinesCase {
  std::string name = "";
  PlainLineClass want = {};
  std::vector<string_view> lines = {};
};

class ClassifyPlainLinesTest : public ::testing::TestWithParam<PlainLinesCase> {};

inline std::string PlainLinesCaseName(const ::testing::TestParamInfo<PlainLinesCase>& info) {
  return info.param.name;
}

}  // namespace logweave::plain_text_test

#endif  // LOGWEAVE_TESTS_SUPPORT_PLAIN_LINE_CLASSES_H_

// Tests for ParseTimestamp and ParseSyslogTimestamp (parse/time_parse.h). Shared constants:
// support/time_parse_cases.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/time_parse_cases.h"

namespace logweave::time_parse_test {
namespace {

// Texts ParseTimestamp reads and what each gives (nullopt: rejected); each case was a test of
// its own, named as the case is.
struct ParseCase {
  std::string name = "";
  std::vector<std::pair<std::string_view, std::optional<int64_t>>> texts = {};
};

class ParseTimestampCaseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseTimestampCaseTest, GivesTheInstant) {
  for (const auto& [text, want] : GetParam().texts) EXPECT_EQ(Parse(text), want) << text;
}

std::string ParseCaseName(const ::testing::TestParamInfo<ParseCase>& info) {
  return info.param.name;
}

// --- ParseTimestamp: Common Log Format (Apache, nginx $time_local) -----------------------------

std::vector<ParseCase> CommonLogFormatCases() {
  return {
      {"CommonLogFormatTimeWithUtcOffset",
       {{"23/Nov/2026:15:58:43 +0000", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"CommonLogFormatOffsetIsSubtracted",
       {// 16:58:43 at +01:00 is 15:58:43Z; 10:28:43 at -05:30 is 15:58:43Z.
        {"23/Nov/2026:16:58:43 +0100", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"23/Nov/2026:10:28:43 -0530", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"CommonLogFormatMonthInAnyCaseAndDayRollover",
       {{"02/JAN/2026:03:04:05 +0000", UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs},
        // 00:30 on Jan 1 at +01:00 is still Dec 31 in UTC.
        {"01/jan/2026:00:30:00 +0100", UtcSeconds(2025, 12, 31, 23, 30, 0) * kNs}}},
  };
}
INSTANTIATE_TEST_SUITE_P(CommonLogFormat, ParseTimestampCaseTest,
                         ::testing::ValuesIn(CommonLogFormatCases()), ParseCaseName);

TEST(ParseTimestampTest, CommonLogFormatLeapSecondFoldsAsIsoDoes) {
  EXPECT_EQ(Parse("31/Dec/2016:23:59:60 +0000"), Parse("2016-12-31T23:59:60Z"));
  EXPECT_EQ(Parse("31/Dec/2016:23:59:60 +0000"),
            UtcSeconds(2016, 12, 31, 23, 59, 59) * kNs + kNs - 1);
}

TEST(ParseLeadingTimestampTest, BracketedCommonLogFormatTimeStartsALine) {
  ExpectLeading("[23/Nov/2026:15:58:43 +0000] upstream timed out (110)", 28u,
                UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs);
}

// --- ParseTimestamp: RFC 2822 / RFC 1123 (HTTP Date, email, Java RFC_1123_DATE_TIME) -----------

std::vector<ParseCase> Rfc2822Cases() {
  return {
      {"Rfc1123DateInGmt",
       {{"Mon, 23 Nov 2026 15:58:43 GMT", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"Mon, 23 Nov 2026 15:58:43 UT", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"Mon, 23 Nov 2026 15:58:43 UTC", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"Rfc2822NumericZoneWithoutDayNameOrSeconds",
       {// 10:28:43 at -05:30 is 15:58:43Z; the day name is optional, and so are the seconds.
        {"23 Nov 2026 10:28:43 -0530", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"Mon, 23 Nov 2026 16:58 +0100", (UtcSeconds(2026, 11, 23, 15, 58, 43) - 43) * kNs}}},
      {"Rfc2822OneDigitDayAndRollover",
       {{"Fri, 2 Jan 2026 03:04:05 GMT", UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs},
        {"1 JAN 2026 00:30:00 +0100", UtcSeconds(2025, 12, 31, 23, 30, 0) * kNs}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Rfc2822, ParseTimestampCaseTest, ::testing::ValuesIn(Rfc2822Cases()),
                         ParseCaseName);

// --- ParseSyslogTimestamp: RFC 3164, no year ------------------------------------------------

TEST(ParseSyslogTimestampTest, TakesTheYearOfTheReference) {
  int64_t ns = 0;
  const int64_t reference = (UtcSeconds(2026, 11, 23, 15, 58, 43) + 86400) * kNs;  // a day later
  EXPECT_EQ(ParseSyslogTimestamp("Nov 23 15:58:43 host app[12]: boom", reference, &ns), 15u);
  EXPECT_EQ(ns, UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs);
  EXPECT_EQ(ParseSyslogTimestamp("nov 23 15:58:43.25 host", reference, &ns), 18u);
  EXPECT_EQ(ns, UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 250'000'000);
}

TEST(ParseSyslogTimestampTest, SpacePaddedAndZeroPaddedDays) {
  int64_t padded = 0, zero = 0;
  const int64_t reference = UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs;
  EXPECT_GT(ParseSyslogTimestamp("Jan  2 03:04:05 h", reference, &padded), 0u);
  EXPECT_GT(ParseSyslogTimestamp("Jan 02 03:04:05 h", reference, &zero), 0u);
  EXPECT_EQ(padded, UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs);
  EXPECT_EQ(zero, padded);
}

TEST(ParseSyslogTimestampTest, DecemberReadInJanuaryIsLastYear) {
  int64_t ns = 0;
  // Read on 2026-01-02: "Dec 31 23:30:00" is 2025-12-31, not 2026-12-31.
  ASSERT_GT(ParseSyslogTimestamp("Dec 31 23:30:00 h", UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs, &ns),
            0u);
  EXPECT_EQ(ns, UtcSeconds(2025, 12, 31, 23, 30, 0) * kNs);
}

TEST(ParseSyslogTimestampTest, RejectsOtherShapes) {
  int64_t ns = -1;
  for (std::string_view bad :
       {"Noo 23 15:58:43 h", "Nov 32 15:58:43 h", "Nov 23 24:58:43 h", "Nov 23 15:58 h",
        "Nov 23 15:58:43x", "Nov 3 15:58:43 h", "November 23 15:58:43", "Nov 23 15:58:43."}) {
    EXPECT_EQ(ParseSyslogTimestamp(bad, UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs, &ns), 0u)
        << bad;
  }
  EXPECT_EQ(ns, -1);
}

// --- ParseTimestamp: zones -------------------------------------------------------------------

std::vector<ParseCase> ZonesCases() {
  return {
      {"ParsesUtcDesignatorZ",
       {{"2026-11-23T15:58:43Z", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"MidnightHasNoTimeOfDay",
       {{"2026-11-23T00:00:00Z", UtcSeconds(2026, 11, 23, 0, 0, 0) * kNs}}},
      {"NoZoneMeansUtc", {{"2026-11-23T15:58:43", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"PositiveHalfHourOffsetIsSubtracted",
       {{"2026-11-23T15:58:43+05:30", UtcSeconds(2026, 11, 23, 10, 28, 43) * kNs}}},
      {"NegativeOffsetIsAdded",
       {{"2026-11-23T15:58:43-08:00", UtcSeconds(2026, 11, 23, 23, 58, 43) * kNs}}},
      {"CompactOffsetWithoutColon",
       {{"2026-11-23T15:58:43+0100", UtcSeconds(2026, 11, 23, 14, 58, 43) * kNs},
        {"2026-11-23T15:58:43+0530", UtcSeconds(2026, 11, 23, 10, 28, 43) * kNs}}},
      {"HourOnlyOffset",
       {{"2026-11-23T15:58:43+01", UtcSeconds(2026, 11, 23, 14, 58, 43) * kNs},
        {"2026-11-23T15:58:43-08", UtcSeconds(2026, 11, 23, 23, 58, 43) * kNs}}},
      {"LargestOffsetsAccepted",
       {{"2026-11-23T15:58:43+23:59",
         (UtcSeconds(2026, 11, 23, 15, 58, 43) - 23 * 3600 - 59 * 60) * kNs},
        {"2026-11-23T15:58:43-23:59",
         (UtcSeconds(2026, 11, 23, 15, 58, 43) + 23 * 3600 + 59 * 60) * kNs}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Zones, ParseTimestampCaseTest, ::testing::ValuesIn(ZonesCases()),
                         ParseCaseName);

TEST(ParseTimestampTest, UnixEpochIsZero) { EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0); }

TEST(ParseTimestampTest, ZeroOffsetsEqualZ) {
  const int64_t want = UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs;
  for (const char* text : {"2026-11-23T15:58:43+00:00", "2026-11-23T15:58:43-00:00",
                           "2026-11-23T15:58:43+0000", "2026-11-23T15:58:43+00"}) {
    EXPECT_EQ(Parse(text), want) << text;
  }
}

// --- ParseTimestamp: fractions -----------------------------------------------------------------

TEST(ParseTimestampTest, FractionOfOneToNineDigits) {
  struct Case {
    const char* text;
    int64_t nanos;
  };
  const Case cases[] = {
      {"2026-11-23T15:58:43Z", 0},
      {"2026-11-23T15:58:43.1Z", 100'000'000},
      {"2026-11-23T15:58:43.12Z", 120'000'000},
      {"2026-11-23T15:58:43.123Z", 123'000'000},
      {"2026-11-23T15:58:43.1234Z", 123'400'000},
      {"2026-11-23T15:58:43.12345Z", 123'450'000},
      {"2026-11-23T15:58:43.123456Z", 123'456'000},
      {"2026-11-23T15:58:43.1234567Z", 123'456'700},
      {"2026-11-23T15:58:43.12345678Z", 123'456'780},
      {"2026-11-23T15:58:43.123456789Z", 123'456'789},
      {"2026-11-23T15:58:43.000000001Z", 1},
      {"2026-11-23T15:58:43.000Z", 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Parse(c.text), UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + c.nanos) << c.text;
  }
}

std::vector<ParseCase> FractionsCases() {
  return {
      {"FractionBeyondNineDigitsIsTruncatedNotRounded",
       {{"2026-11-23T15:58:43.1234567899Z",
         UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 123'456'789},
        {"2026-11-23T15:58:43.999999999999999Z",
         UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 999'999'999}}},
      {"CommaFractionSeparator",
       {{"2026-01-02 03:04:05,123", UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs + 123'000'000},
        {"2026-11-23T15:58:43,5Z", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 500'000'000}}},
      {"FractionWithOffset",
       {{"2026-11-23T15:58:43.123+01:00",
         UtcSeconds(2026, 11, 23, 14, 58, 43) * kNs + 123'000'000}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Fractions, ParseTimestampCaseTest, ::testing::ValuesIn(FractionsCases()),
                         ParseCaseName);

// --- ParseTimestamp: separators and case -------------------------------------------------------

std::vector<ParseCase> SeparatorsCases() {
  return {
      {"SpaceSeparatorBetweenDateAndTime",
       {{"2026-11-23 15:58:43Z", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"2026-11-23 15:58:43", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs}}},
      {"LowerCaseTAndZ",
       {{"2026-11-23t15:58:43z", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs},
        {"2026-11-23t15:58:43.5z", UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 500'000'000}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Separators, ParseTimestampCaseTest, ::testing::ValuesIn(SeparatorsCases()),
                         ParseCaseName);

// --- ParseTimestamp: calendar arithmetic -------------------------------------------------------

TEST(ParseTimestampTest, PositiveOffsetRollsBackToPreviousDayAndYear) {
  EXPECT_EQ(Parse("2026-01-01T00:30:00+01:00"), UtcSeconds(2025, 12, 31, 23, 30, 0) * kNs);
  EXPECT_EQ(Parse("2026-01-01T00:30:00+01:00"), Parse("2025-12-31T23:30:00Z"));
}

std::vector<ParseCase> CalendarCases() {
  return {
      {"NegativeOffsetRollsForwardIntoNextMonth",
       {// 2026 is not a leap year: Feb 28 23:30 at -01:00 is Mar 1 00:30 UTC.
        {"2026-02-28T23:30:00-01:00", (UtcSeconds(2026, 3, 1, 0, 0, 0) + 1800) * kNs}}},
      {"NegativeOffsetRollsForwardIntoNextYear",
       {{"2026-12-31T23:59:59-00:01", (UtcSeconds(2027, 1, 1, 0, 0, 0) + 59) * kNs},
        {"2026-12-31T23:00:00-01:00", UtcSeconds(2027, 1, 1, 0, 0, 0) * kNs}}},
      {"LeapYearAcceptsFebruary29",
       {{"2024-02-29T00:00:00Z", UtcSeconds(2024, 2, 29, 0, 0, 0) * kNs},
        {"2024-03-01T00:00:00Z", UtcSeconds(2024, 3, 1, 0, 0, 0) * kNs}}},
      {"CenturyLeapRules",
       {// Divisible by 400: leap. Divisible by 100 only: not leap.
        {"2000-02-29T00:00:00Z", UtcSeconds(2000, 2, 29, 0, 0, 0) * kNs},
        {"2000-03-01T00:00:00Z", UtcSeconds(2000, 3, 1, 0, 0, 0) * kNs},
        {"1900-02-29T00:00:00Z", std::nullopt},
        {"2100-02-29T00:00:00Z", std::nullopt},
        {"1900-03-01T00:00:00Z", UtcSeconds(1900, 3, 1, 0, 0, 0) * kNs}}},
      {"DatesBefore1970AreNegative",
       {{"1969-12-31T23:59:59Z", -kNs},
        {"1969-12-31T23:59:59.5Z", -500'000'000},
        {"1969-12-31T23:59:59.999999999Z", -1}}},
      {"RejectsInstantsOutsideInt64Nanoseconds",
       {// int64 ns spans 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z.
        {"1677-09-21T00:12:43.145224192Z", kInt64Min},
        {"1677-09-21T00:12:43.145224191Z", std::nullopt},
        {"2262-04-11T23:47:16.854775807Z", kInt64Max},
        {"2262-04-11T23:47:16.854775808Z", std::nullopt},
        {"0000-01-01T00:00:00Z", std::nullopt},
        {"9999-12-31T23:59:59Z", std::nullopt},
        // The offset alone can push an in-range local time out of range.
        {"2262-04-11T23:47:16-01:00", std::nullopt}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Calendar, ParseTimestampCaseTest, ::testing::ValuesIn(CalendarCases()),
                         ParseCaseName);

TEST(ParseTimestampTest, MonthAndYearBoundariesAreOneSecondApart) {
  EXPECT_EQ(*Parse("2027-01-01T00:00:00Z") - *Parse("2026-12-31T23:59:59Z"), kNs);
  EXPECT_EQ(*Parse("2026-03-01T00:00:00Z") - *Parse("2026-02-28T23:59:59Z"), kNs);
  EXPECT_EQ(*Parse("2026-05-01T00:00:00Z") - *Parse("2026-04-30T23:59:59Z"), kNs);
}

TEST(ParseTimestampTest, CommonYearRejectsFebruary29) {
  EXPECT_EQ(Parse("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-02-29T00:00:00Z"), std::nullopt);
  EXPECT_NE(Parse("2023-02-28T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestampTest, DayMustExistInMonth) {
  for (std::string_view good : {"2026-01-31T00:00:00Z", "2026-04-30T00:00:00Z"}) {
    EXPECT_NE(Parse(good), std::nullopt) << good;
  }
  for (std::string_view bad :
       {"2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-02-30T00:00:00Z"}) {
    EXPECT_EQ(Parse(bad), std::nullopt) << bad;
  }
}

TEST(ParseTimestampTest, LeapSecondFoldsOntoLastNanosecondOfSecond59) {
  const int64_t last_ns_of_2016 = UtcSeconds(2016, 12, 31, 23, 59, 59) * kNs + 999'999'999;
  EXPECT_EQ(Parse("2016-12-31T23:59:60Z"), last_ns_of_2016);
  EXPECT_EQ(Parse("2016-12-31T23:59:60.5Z"), last_ns_of_2016);
  // Order is kept: :59.9 <= :60 < next :00.
  EXPECT_LT(*Parse("2016-12-31T23:59:59.9Z"), *Parse("2016-12-31T23:59:60Z"));
  EXPECT_LT(*Parse("2016-12-31T23:59:60.999Z"), *Parse("2017-01-01T00:00:00Z"));
  // In local time a leap second happens at other minutes.
  EXPECT_EQ(Parse("2017-01-01T05:29:60+05:30"), last_ns_of_2016);
}

// --- ParseTimestamp: rejection -----------------------------------------------------------------

// Texts ParseTimestamp rejects; each case was a test of its own, named as the case is.
struct RejectCase {
  std::string name = "";
  std::vector<std::string_view> texts = {};
};

class ParseTimestampRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ParseTimestampRejectTest, RejectsEach) {
  for (std::string_view text : GetParam().texts) {
    EXPECT_EQ(Parse(text), std::nullopt) << '"' << text << '"';
  }
}

std::vector<RejectCase> RejectCases() {
  return {
      {"CommonLogFormatRejectsBadFieldsAndTrailingBytes",
       {"23/Noo/2026:15:58:43 +0000", "30/Feb/2026:15:58:43 +0000", "23/Nov/2026:24:00:00 +0000",
        "23/Nov/2026:15:58:43", "23/Nov/2026:15:58:43 +000", "23/Nov/2026:15:58:43 +0000 x",
        "23/Nov/2026 15:58:43 +0000", "3/Nov/2026:15:58:43 +0000"}},
      {"Rfc2822RejectsBadFieldsAndTrailingBytes",
       {"Mon, 23 Noo 2026 15:58:43 GMT", "Mon, 30 Feb 2026 15:58:43 GMT",
        "Mon, 23 Nov 2026 24:00:00 GMT", "Mon, 23 Nov 2026 15:58:43",
        "Mon, 23 Nov 2026 15:58:43 EST", "Mon, 23 Nov 2026 15:58:43 GMT x",
        "Mon 23 Nov 2026 15:58:43 GMT", "Monday, 23 Nov 2026 15:58:43 GMT",
        "23 Nov 26 15:58:43 GMT", "Mon, 123 Nov 2026 15:58 GMT", "Mon, 23 Nov 2026 15:58:43 +01:00",
        "M"}},
      {"RejectsOutOfRangeFields",
       {
           "2026-00-23T15:58:43Z",       // month 0
           "2026-13-23T15:58:43Z",       // month 13
           "2026-11-00T15:58:43Z",       // day 0
           "2026-11-32T15:58:43Z",       // day 32
           "2026-11-23T24:00:00Z",       // hour 24
           "2026-11-23T15:60:43Z",       // minute 60
           "2026-11-23T15:58:61Z",       // second 61
           "2026-11-23T15:58:99Z",       // second 99
           "2026-11-23T15:58:43+24:00",  // offset hour 24
           "2026-11-23T15:58:43+01:60",  // offset minute 60
       }},
      {"RejectsLetters",
       {
           "abcd-11-23T15:58:43Z",
           "2026-1a-23T15:58:43Z",
           "2026-11-2bT15:58:43Z",
           "2026-11-23T1x:58:43Z",
           "2026-11-23T15:58:4yZ",
           "2026-11-23X15:58:43Z",
           "2026-11-23T15:58:43.12aZ",
           "2026-11-23T15:58:43+0a:00",
           "2026-11-23T15:58:43UTC",
           "2026-11-23T15:58:43 Z",
       }},
      {"RejectsTruncatedStrings",
       {
           "",
           "2026-",
           "2026-11-2",
           "2026-11-23",
           "2026-11-23T",
           "2026-11-23T15:58",
           "2026-11-23T15:58:4",
           "2026-11-23T15:58:43.",
           "2026-11-23T15:58:43,",
           "2026-11-23T15:58:43.Z",
           "2026-11-23T15:58:43+",
           "2026-11-23T15:58:43+1",
           "2026-11-23T15:58:43+01:",
           "2026-11-23T15:58:43+01:3",
           "2026-11-23T15:58:43+013",
       }},
      {"RejectsTrailingCharacters",
       {
           "2026-11-23T15:58:43Zx",
           "2026-11-23T15:58:43ZZ",
           "2026-11-23T15:58:43+01:00:00",
           "2026-11-23T15:58:43+01:00Z",
           "2026-11-23T15:58:43.123.456Z",
       }},
      {"RejectsSurroundingWhitespace",
       {" 2026-11-23T15:58:43Z", "2026-11-23T15:58:43Z ", "2026-11-23T15:58:43Z\n",
        "\t2026-11-23T15:58:43Z", " 1732377523", "1732377523 "}},
      {"RejectsWrongSeparators",
       {
           "2026/11/23T15:58:43Z",  // slash dates only in ParseLeadingTimestamp
           "2026-11/23T15:58:43Z", "2026-11-23_15:58:43Z", "2026-11-23T15.58.43Z",
           "2026-11-23T15:58-43Z", "26-11-23T15:58:43Z",
           "20261123T155843Z",  // ISO basic format is not supported
       }},
      {"RejectsMalformedEpochStrings",
       {
           "-1", "+1", "-1732377523", "1e9", "1.7e9", "1.", ".5", "1.2.3", "1,5", "0x10",
           "1732377523Z",
           "9223372036854775808",   // > INT64_MAX
           "99999999999999999999",  // > INT64_MAX
           "10000000000",           // 1e10 s = 1e19 ns overflows
           "9223372037",            // first second past 2262-04-11T23:47:16Z
       }},
  };
}
INSTANTIATE_TEST_SUITE_P(Rejection, ParseTimestampRejectTest, ::testing::ValuesIn(RejectCases()),
                         [](const ::testing::TestParamInfo<RejectCase>& info) {
                           return info.param.name;
                         });

TEST(ParseTimestampTest, RejectsEmbeddedNul) {
  EXPECT_EQ(Parse(std::string_view("2026-11-23T15:58:43Z\0", 21)), std::nullopt);
  EXPECT_EQ(Parse(std::string_view("2026-11-23\0T15:58:43Z", 21)), std::nullopt);
}

TEST(ParseTimestampTest, FailureLeavesOutputUntouched) {
  int64_t ns = 42;
  EXPECT_FALSE(ParseTimestamp("2026-13-23T15:58:43Z", &ns));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T15:58:43+01:", &ns));
  EXPECT_FALSE(ParseTimestamp("17323775x3", &ns));
  EXPECT_FALSE(ParseTimestamp("", &ns));
  EXPECT_EQ(ns, 42);
}

TEST(ParseTimestampTest, ReadsOnlyTheGivenView) {
  // The view ends before the zone; the bytes after it must not be consumed.
  const char text[] = "2026-11-23T15:58:43+05:30";
  EXPECT_EQ(Parse(std::string_view(text, 19)), UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs);
  EXPECT_EQ(Parse(std::string_view(text, 22)),
            (UtcSeconds(2026, 11, 23, 15, 58, 43) - 5 * 3600) * kNs);
}

// --- ParseTimestamp: epoch number strings ------------------------------------------------------

std::vector<ParseCase> EpochStringsCases() {
  return {
      {"EpochSecondsString",
       {{"1732377523", UtcSeconds(2024, 11, 23, 15, 58, 43) * kNs}, {"0", 0}}},
      {"EpochSecondsStringWithFractionIsExact",
       {{"1732377523.123456", 1732377523123456000},
        {"1732377523.123456789", 1732377523123456789},
        {"1732377523.25", 1732377523250000000}}},
      {"BareYearIsReadAsEpochSeconds",
       {// A string of digits is an epoch number even when it looks like the start of a
        // date.
        {"2026", 2026 * kNs},
        {"20261123", 20261123 * kNs}}},
      {"EpochStringFractionBelowNanosecondIsTruncated",
       {{"1.0000000019", 1'000'000'001}, {"1700000000123.4567899", 1700000000123456789}}},
      {"EpochMillisString",
       {{"1700000000123", 1700000000123000000}, {"1700000000123.456", 1700000000123456000}}},
      {"EpochMicrosString",
       {{"1700000000123456", 1700000000123456000}, {"1700000000123456.789", 1700000000123456789}}},
      {"EpochNanosString",
       {{"1700000000123456789", 1700000000123456789}, {"9223372036854775807", kInt64Max}}},
  };
}
INSTANTIATE_TEST_SUITE_P(EpochStrings, ParseTimestampCaseTest,
                         ::testing::ValuesIn(EpochStringsCases()), ParseCaseName);

}  // namespace
}  // namespace logweave::time_parse_test

// Tests for ParseTimestamp and ParseSyslogTimestamp (parse/time_parse.h). Shared constants:
// support/time_parse_cases.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/time_parse_cases.h"

namespace logweave::time_parse_test {
namespace {

// --- ParseTimestamp: Common Log Format (Apache, nginx $time_local) -----------------------------

TEST(ParseTimestampTest, CommonLogFormatTimeWithUtcOffset) {
  EXPECT_EQ(Parse("23/Nov/2026:15:58:43 +0000"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, CommonLogFormatOffsetIsSubtracted) {
  // 16:58:43 at +01:00 is 15:58:43Z; 10:28:43 at -05:30 is 15:58:43Z.
  EXPECT_EQ(Parse("23/Nov/2026:16:58:43 +0100"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("23/Nov/2026:10:28:43 -0530"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, CommonLogFormatMonthInAnyCaseAndDayRollover) {
  EXPECT_EQ(Parse("02/JAN/2026:03:04:05 +0000"), k20260102T030405 * kNs);
  // 00:30 on Jan 1 at +01:00 is still Dec 31 in UTC.
  EXPECT_EQ(Parse("01/jan/2026:00:30:00 +0100"), k20251231T233000 * kNs);
}

TEST(ParseTimestampTest, CommonLogFormatRejectsBadFieldsAndTrailingBytes) {
  for (std::string_view bad :
       {"23/Noo/2026:15:58:43 +0000", "30/Feb/2026:15:58:43 +0000", "23/Nov/2026:24:00:00 +0000",
        "23/Nov/2026:15:58:43", "23/Nov/2026:15:58:43 +000", "23/Nov/2026:15:58:43 +0000 x",
        "23/Nov/2026 15:58:43 +0000", "3/Nov/2026:15:58:43 +0000"}) {
    EXPECT_EQ(Parse(bad), std::nullopt) << bad;
  }
}

TEST(ParseTimestampTest, CommonLogFormatLeapSecondFoldsAsIsoDoes) {
  EXPECT_EQ(Parse("31/Dec/2016:23:59:60 +0000"), Parse("2016-12-31T23:59:60Z"));
  EXPECT_EQ(Parse("31/Dec/2016:23:59:60 +0000"), k20161231T235959 * kNs + kNs - 1);
}

TEST(ParseLeadingTimestampTest, BracketedCommonLogFormatTimeStartsALine) {
  ExpectLeading("[23/Nov/2026:15:58:43 +0000] upstream timed out (110)", 28u,
                k20261123T155843 * kNs);
}

// --- ParseTimestamp: RFC 2822 / RFC 1123 (HTTP Date, email, Java RFC_1123_DATE_TIME) -----------

TEST(ParseTimestampTest, Rfc1123DateInGmt) {
  EXPECT_EQ(Parse("Mon, 23 Nov 2026 15:58:43 GMT"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("Mon, 23 Nov 2026 15:58:43 UT"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("Mon, 23 Nov 2026 15:58:43 UTC"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, Rfc2822NumericZoneWithoutDayNameOrSeconds) {
  // 10:28:43 at -05:30 is 15:58:43Z; the day name is optional, and so are the seconds.
  EXPECT_EQ(Parse("23 Nov 2026 10:28:43 -0530"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("Mon, 23 Nov 2026 16:58 +0100"), (k20261123T155843 - 43) * kNs);
}

TEST(ParseTimestampTest, Rfc2822OneDigitDayAndRollover) {
  EXPECT_EQ(Parse("Fri, 2 Jan 2026 03:04:05 GMT"), k20260102T030405 * kNs);
  EXPECT_EQ(Parse("1 JAN 2026 00:30:00 +0100"), k20251231T233000 * kNs);
}

TEST(ParseTimestampTest, Rfc2822RejectsBadFieldsAndTrailingBytes) {
  for (std::string_view bad : {"Mon, 23 Noo 2026 15:58:43 GMT", "Mon, 30 Feb 2026 15:58:43 GMT",
                               "Mon, 23 Nov 2026 24:00:00 GMT", "Mon, 23 Nov 2026 15:58:43",
                               "Mon, 23 Nov 2026 15:58:43 EST", "Mon, 23 Nov 2026 15:58:43 GMT x",
                               "Mon 23 Nov 2026 15:58:43 GMT", "Monday, 23 Nov 2026 15:58:43 GMT",
                               "23 Nov 26 15:58:43 GMT", "Mon, 123 Nov 2026 15:58 GMT",
                               "Mon, 23 Nov 2026 15:58:43 +01:00", "M"}) {
    EXPECT_EQ(Parse(bad), std::nullopt) << bad;
  }
}

// --- ParseSyslogTimestamp: RFC 3164, no year ------------------------------------------------

TEST(ParseSyslogTimestampTest, TakesTheYearOfTheReference) {
  int64_t ns = 0;
  const int64_t reference = (k20261123T155843 + 86400) * kNs;  // a day later
  EXPECT_EQ(ParseSyslogTimestamp("Nov 23 15:58:43 host app[12]: boom", reference, &ns), 15u);
  EXPECT_EQ(ns, k20261123T155843 * kNs);
  EXPECT_EQ(ParseSyslogTimestamp("nov 23 15:58:43.25 host", reference, &ns), 18u);
  EXPECT_EQ(ns, k20261123T155843 * kNs + 250'000'000);
}

TEST(ParseSyslogTimestampTest, SpacePaddedAndZeroPaddedDays) {
  int64_t padded = 0, zero = 0;
  const int64_t reference = k20260102T030405 * kNs;
  EXPECT_GT(ParseSyslogTimestamp("Jan  2 03:04:05 h", reference, &padded), 0u);
  EXPECT_GT(ParseSyslogTimestamp("Jan 02 03:04:05 h", reference, &zero), 0u);
  EXPECT_EQ(padded, k20260102T030405 * kNs);
  EXPECT_EQ(zero, padded);
}

TEST(ParseSyslogTimestampTest, DecemberReadInJanuaryIsLastYear) {
  int64_t ns = 0;
  // Read on 2026-01-02: "Dec 31 23:30:00" is 2025-12-31, not 2026-12-31.
  ASSERT_GT(ParseSyslogTimestamp("Dec 31 23:30:00 h", k20260102T030405 * kNs, &ns), 0u);
  EXPECT_EQ(ns, k20251231T233000 * kNs);
}

TEST(ParseSyslogTimestampTest, RejectsOtherShapes) {
  int64_t ns = -1;
  for (std::string_view bad :
       {"Noo 23 15:58:43 h", "Nov 32 15:58:43 h", "Nov 23 24:58:43 h", "Nov 23 15:58 h",
        "Nov 23 15:58:43x", "Nov 3 15:58:43 h", "November 23 15:58:43", "Nov 23 15:58:43."}) {
    EXPECT_EQ(ParseSyslogTimestamp(bad, k20261123T155843 * kNs, &ns), 0u) << bad;
  }
  EXPECT_EQ(ns, -1);
}

// --- ParseTimestamp: zones -------------------------------------------------------------------

TEST(ParseTimestampTest, ParsesUtcDesignatorZ) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43Z"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, UnixEpochIsZero) { EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0); }

TEST(ParseTimestampTest, MidnightHasNoTimeOfDay) {
  EXPECT_EQ(Parse("2026-11-23T00:00:00Z"), k20261123T000000 * kNs);
}

TEST(ParseTimestampTest, NoZoneMeansUtc) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, PositiveHalfHourOffsetIsSubtracted) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43+05:30"), k20261123T102843 * kNs);
}

TEST(ParseTimestampTest, NegativeOffsetIsAdded) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43-08:00"), k20261123T235843 * kNs);
}

TEST(ParseTimestampTest, CompactOffsetWithoutColon) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43+0100"), k20261123T145843 * kNs);
  EXPECT_EQ(Parse("2026-11-23T15:58:43+0530"), k20261123T102843 * kNs);
}

TEST(ParseTimestampTest, HourOnlyOffset) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43+01"), k20261123T145843 * kNs);
  EXPECT_EQ(Parse("2026-11-23T15:58:43-08"), k20261123T235843 * kNs);
}

TEST(ParseTimestampTest, ZeroOffsetsEqualZ) {
  const int64_t want = k20261123T155843 * kNs;
  for (const char* text : {"2026-11-23T15:58:43+00:00", "2026-11-23T15:58:43-00:00",
                           "2026-11-23T15:58:43+0000", "2026-11-23T15:58:43+00"}) {
    EXPECT_EQ(Parse(text), want) << text;
  }
}

TEST(ParseTimestampTest, LargestOffsetsAccepted) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43+23:59"), (k20261123T155843 - 23 * 3600 - 59 * 60) * kNs);
  EXPECT_EQ(Parse("2026-11-23T15:58:43-23:59"), (k20261123T155843 + 23 * 3600 + 59 * 60) * kNs);
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
    EXPECT_EQ(Parse(c.text), k20261123T155843 * kNs + c.nanos) << c.text;
  }
}

TEST(ParseTimestampTest, FractionBeyondNineDigitsIsTruncatedNotRounded) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43.1234567899Z"), k20261123T155843 * kNs + 123'456'789);
  EXPECT_EQ(Parse("2026-11-23T15:58:43.999999999999999Z"), k20261123T155843 * kNs + 999'999'999);
}

TEST(ParseTimestampTest, CommaFractionSeparator) {
  EXPECT_EQ(Parse("2026-01-02 03:04:05,123"), k20260102T030405 * kNs + 123'000'000);
  EXPECT_EQ(Parse("2026-11-23T15:58:43,5Z"), k20261123T155843 * kNs + 500'000'000);
}

TEST(ParseTimestampTest, FractionWithOffset) {
  EXPECT_EQ(Parse("2026-11-23T15:58:43.123+01:00"), k20261123T145843 * kNs + 123'000'000);
}

// --- ParseTimestamp: separators and case -------------------------------------------------------

TEST(ParseTimestampTest, SpaceSeparatorBetweenDateAndTime) {
  EXPECT_EQ(Parse("2026-11-23 15:58:43Z"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("2026-11-23 15:58:43"), k20261123T155843 * kNs);
}

TEST(ParseTimestampTest, LowerCaseTAndZ) {
  EXPECT_EQ(Parse("2026-11-23t15:58:43z"), k20261123T155843 * kNs);
  EXPECT_EQ(Parse("2026-11-23t15:58:43.5z"), k20261123T155843 * kNs + 500'000'000);
}

// --- ParseTimestamp: calendar arithmetic -------------------------------------------------------

TEST(ParseTimestampTest, PositiveOffsetRollsBackToPreviousDayAndYear) {
  EXPECT_EQ(Parse("2026-01-01T00:30:00+01:00"), k20251231T233000 * kNs);
  EXPECT_EQ(Parse("2026-01-01T00:30:00+01:00"), Parse("2025-12-31T23:30:00Z"));
}

TEST(ParseTimestampTest, NegativeOffsetRollsForwardIntoNextMonth) {
  // 2026 is not a leap year: Feb 28 23:30 at -01:00 is Mar 1 00:30 UTC.
  EXPECT_EQ(Parse("2026-02-28T23:30:00-01:00"), (k20260301T000000 + 1800) * kNs);
}

TEST(ParseTimestampTest, NegativeOffsetRollsForwardIntoNextYear) {
  EXPECT_EQ(Parse("2026-12-31T23:59:59-00:01"), (k20270101T000000 + 59) * kNs);
  EXPECT_EQ(Parse("2026-12-31T23:00:00-01:00"), k20270101T000000 * kNs);
}

TEST(ParseTimestampTest, MonthAndYearBoundariesAreOneSecondApart) {
  EXPECT_EQ(*Parse("2027-01-01T00:00:00Z") - *Parse("2026-12-31T23:59:59Z"), kNs);
  EXPECT_EQ(*Parse("2026-03-01T00:00:00Z") - *Parse("2026-02-28T23:59:59Z"), kNs);
  EXPECT_EQ(*Parse("2026-05-01T00:00:00Z") - *Parse("2026-04-30T23:59:59Z"), kNs);
}

TEST(ParseTimestampTest, LeapYearAcceptsFebruary29) {
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), k20240229T000000 * kNs);
  EXPECT_EQ(Parse("2024-03-01T00:00:00Z"), k20240301T000000 * kNs);
}

TEST(ParseTimestampTest, CommonYearRejectsFebruary29) {
  EXPECT_EQ(Parse("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-02-29T00:00:00Z"), std::nullopt);
  EXPECT_NE(Parse("2023-02-28T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestampTest, CenturyLeapRules) {
  // Divisible by 400: leap. Divisible by 100 only: not leap.
  EXPECT_EQ(Parse("2000-02-29T00:00:00Z"), k20000229T000000 * kNs);
  EXPECT_EQ(Parse("2000-03-01T00:00:00Z"), k20000301T000000 * kNs);
  EXPECT_EQ(Parse("1900-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2100-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("1900-03-01T00:00:00Z"), k19000301T000000 * kNs);
}

TEST(ParseTimestampTest, DayMustExistInMonth) {
  EXPECT_NE(Parse("2026-01-31T00:00:00Z"), std::nullopt);
  EXPECT_NE(Parse("2026-04-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-04-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-06-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-09-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-11-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-02-30T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestampTest, DatesBefore1970AreNegative) {
  EXPECT_EQ(Parse("1969-12-31T23:59:59Z"), -kNs);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.5Z"), -500'000'000);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999999999Z"), -1);
}

TEST(ParseTimestampTest, RejectsInstantsOutsideInt64Nanoseconds) {
  // int64 ns spans 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z.
  EXPECT_EQ(Parse("1677-09-21T00:12:43.145224192Z"), kInt64Min);
  EXPECT_EQ(Parse("1677-09-21T00:12:43.145224191Z"), std::nullopt);
  EXPECT_EQ(Parse("2262-04-11T23:47:16.854775807Z"), kInt64Max);
  EXPECT_EQ(Parse("2262-04-11T23:47:16.854775808Z"), std::nullopt);
  EXPECT_EQ(Parse("0000-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(Parse("9999-12-31T23:59:59Z"), std::nullopt);
  // The offset alone can push an in-range local time out of range.
  EXPECT_EQ(Parse("2262-04-11T23:47:16-01:00"), std::nullopt);
}

TEST(ParseTimestampTest, LeapSecondFoldsOntoLastNanosecondOfSecond59) {
  const int64_t last_ns_of_2016 = k20161231T235959 * kNs + 999'999'999;
  EXPECT_EQ(Parse("2016-12-31T23:59:60Z"), last_ns_of_2016);
  EXPECT_EQ(Parse("2016-12-31T23:59:60.5Z"), last_ns_of_2016);
  // Order is kept: :59.9 <= :60 < next :00.
  EXPECT_LT(*Parse("2016-12-31T23:59:59.9Z"), *Parse("2016-12-31T23:59:60Z"));
  EXPECT_LT(*Parse("2016-12-31T23:59:60.999Z"), *Parse("2017-01-01T00:00:00Z"));
  // In local time a leap second happens at other minutes.
  EXPECT_EQ(Parse("2017-01-01T05:29:60+05:30"), last_ns_of_2016);
}

// --- ParseTimestamp: rejection -----------------------------------------------------------------

TEST(ParseTimestampTest, RejectsOutOfRangeFields) {
  for (const char* text : {
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
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << text;
  }
}

TEST(ParseTimestampTest, RejectsLetters) {
  for (const char* text : {
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
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << text;
  }
}

TEST(ParseTimestampTest, RejectsTruncatedStrings) {
  for (const char* text : {
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
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseTimestampTest, RejectsTrailingCharacters) {
  for (const char* text : {
           "2026-11-23T15:58:43Zx",
           "2026-11-23T15:58:43ZZ",
           "2026-11-23T15:58:43+01:00:00",
           "2026-11-23T15:58:43+01:00Z",
           "2026-11-23T15:58:43.123.456Z",
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << text;
  }
}

TEST(ParseTimestampTest, RejectsSurroundingWhitespace) {
  EXPECT_EQ(Parse(" 2026-11-23T15:58:43Z"), std::nullopt);
  EXPECT_EQ(Parse("2026-11-23T15:58:43Z "), std::nullopt);
  EXPECT_EQ(Parse("2026-11-23T15:58:43Z\n"), std::nullopt);
  EXPECT_EQ(Parse("\t2026-11-23T15:58:43Z"), std::nullopt);
  EXPECT_EQ(Parse(" 1732377523"), std::nullopt);
  EXPECT_EQ(Parse("1732377523 "), std::nullopt);
}

TEST(ParseTimestampTest, RejectsWrongSeparators) {
  for (const char* text : {
           "2026/11/23T15:58:43Z",  // slash dates only in ParseLeadingTimestamp
           "2026-11/23T15:58:43Z", "2026-11-23_15:58:43Z", "2026-11-23T15.58.43Z",
           "2026-11-23T15:58-43Z", "26-11-23T15:58:43Z",
           "20261123T155843Z",  // ISO basic format is not supported
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << text;
  }
}

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
  EXPECT_EQ(Parse(std::string_view(text, 19)), k20261123T155843 * kNs);
  EXPECT_EQ(Parse(std::string_view(text, 22)), (k20261123T155843 - 5 * 3600) * kNs);
}

// --- ParseTimestamp: epoch number strings ------------------------------------------------------

TEST(ParseTimestampTest, EpochSecondsString) {
  EXPECT_EQ(Parse("1732377523"), k20241123T155843 * kNs);
  EXPECT_EQ(Parse("0"), 0);
}

TEST(ParseTimestampTest, EpochSecondsStringWithFractionIsExact) {
  EXPECT_EQ(Parse("1732377523.123456"), 1732377523123456000);
  EXPECT_EQ(Parse("1732377523.123456789"), 1732377523123456789);
  EXPECT_EQ(Parse("1732377523.25"), 1732377523250000000);
}

TEST(ParseTimestampTest, BareYearIsReadAsEpochSeconds) {
  // A string of digits is an epoch number even when it looks like the start of a date.
  EXPECT_EQ(Parse("2026"), 2026 * kNs);
  EXPECT_EQ(Parse("20261123"), 20261123 * kNs);
}

TEST(ParseTimestampTest, EpochStringFractionBelowNanosecondIsTruncated) {
  EXPECT_EQ(Parse("1.0000000019"), 1'000'000'001);
  EXPECT_EQ(Parse("1700000000123.4567899"), 1700000000123456789);
}

TEST(ParseTimestampTest, EpochMillisString) {
  EXPECT_EQ(Parse("1700000000123"), 1700000000123000000);
  EXPECT_EQ(Parse("1700000000123.456"), 1700000000123456000);
}

TEST(ParseTimestampTest, EpochMicrosString) {
  EXPECT_EQ(Parse("1700000000123456"), 1700000000123456000);
  EXPECT_EQ(Parse("1700000000123456.789"), 1700000000123456789);
}

TEST(ParseTimestampTest, EpochNanosString) {
  EXPECT_EQ(Parse("1700000000123456789"), 1700000000123456789);
  EXPECT_EQ(Parse("9223372036854775807"), kInt64Max);
}

TEST(ParseTimestampTest, RejectsMalformedEpochStrings) {
  for (const char* text : {
           "-1", "+1", "-1732377523", "1e9", "1.7e9", "1.", ".5", "1.2.3", "1,5", "0x10",
           "1732377523Z",
           "9223372036854775808",   // > INT64_MAX
           "99999999999999999999",  // > INT64_MAX
           "10000000000",           // 1e10 s = 1e19 ns overflows
           "9223372037",            // first second past 2262-04-11T23:47:16Z
       }) {
    EXPECT_EQ(Parse(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace logweave::time_parse_test

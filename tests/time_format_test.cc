// Tests for EpochNumberToNanos, EpochIntegerToNanos, ParseLeadingTimestamp and FormatTimestamp
// (parse/time_parse.h). Shared constants: support/time_parse_cases.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "support/time_parse_cases.h"

namespace logweave::time_parse_test {
namespace {

// --- EpochNumberToNanos ------------------------------------------------------------------------

TEST(EpochNumberToNanosTest, ZapSecondsWithMicrosecondsAreExact) {
  // zap: "ts":1732377523.123456 -- naive value * 1e9 gives 1732377523123456000 here by luck
  // but 1732377523123400960 for .123401 (checked in Python: int(1732377523.123401 * 1e9)).
  EXPECT_EQ(FromDouble(1732377523.123456), 1732377523123456000);
  EXPECT_EQ(FromDouble(1732377523.123401), 1732377523123401000);
  EXPECT_EQ(FromDouble(1732377523.999999), 1732377523999999000);
}

TEST(EpochNumberToNanosTest, SecondsRoundToNearestMicrosecond) {
  EXPECT_EQ(FromDouble(1732377523.25), 1732377523250000000);
  EXPECT_EQ(FromDouble(1732377523.0), 1732377523000000000);
  EXPECT_EQ(FromDouble(0.5), 500'000'000);
  EXPECT_EQ(FromDouble(1.0000004), 1'000'000'000);
  EXPECT_EQ(FromDouble(1.0000006), 1'000'001'000);
}

TEST(EpochNumberToNanosTest, RoundingCarriesIntoNextSecond) {
  EXPECT_EQ(FromDouble(1732377523.9999996), 1732377524000000000);
}

TEST(EpochNumberToNanosTest, PinoMilliseconds) {
  EXPECT_EQ(FromDouble(1700000000123.0), 1700000000123000000);
  EXPECT_EQ(FromDouble(1700000000123.5), 1700000000123500000);
}

TEST(EpochNumberToNanosTest, Microseconds) {
  EXPECT_EQ(FromDouble(1700000000123456.0), 1700000000123456000);
}

TEST(EpochNumberToNanosTest, Nanoseconds) {
  // 1.7e18 = 17 * 2^17 * 5^17 is exactly representable.
  EXPECT_EQ(FromDouble(1.7e18), 1700000000000000000);
  EXPECT_EQ(FromDouble(9223372036854774784.0), 9223372036854774784);  // largest double < 2^63
}

TEST(EpochNumberToNanosTest, UnitThresholdsAreExclusiveUpperBounds) {
  // 1e11 is milliseconds, 1e14 microseconds, 1e17 nanoseconds: all are 1e17 ns.
  EXPECT_EQ(FromDouble(1e11), 100'000'000'000'000'000);
  EXPECT_EQ(FromDouble(1e14), 100'000'000'000'000'000);
  EXPECT_EQ(FromDouble(1e17), 100'000'000'000'000'000);
  // Just below 1e11 is still seconds, and 99999999999 s does not fit in int64 ns.
  EXPECT_EQ(FromDouble(99999999999.0), std::nullopt);
  EXPECT_EQ(FromDouble(9223372036.0), 9223372036 * kNs);
}

TEST(EpochNumberToNanosTest, ZeroIsTheEpoch) {
  EXPECT_EQ(FromDouble(0.0), 0);
  EXPECT_EQ(FromDouble(-0.0), 0);
}

TEST(EpochNumberToNanosTest, RejectsNegativeNanAndInfinity) {
  EXPECT_EQ(FromDouble(-1.0), std::nullopt);
  EXPECT_EQ(FromDouble(-1e-9), std::nullopt);
  EXPECT_EQ(FromDouble(-1732377523.0), std::nullopt);
  EXPECT_EQ(FromDouble(std::nan("")), std::nullopt);
  EXPECT_EQ(FromDouble(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
  EXPECT_EQ(FromDouble(std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(FromDouble(-std::numeric_limits<double>::infinity()), std::nullopt);
}

TEST(EpochNumberToNanosTest, RejectsOverflow) {
  EXPECT_EQ(FromDouble(9223372037.0), std::nullopt);           // seconds past year 2262
  EXPECT_EQ(FromDouble(1e13), std::nullopt);                   // ms: 1e19 ns
  EXPECT_EQ(FromDouble(1e16), std::nullopt);                   // us: 1e19 ns
  EXPECT_EQ(FromDouble(9223372036854775808.0), std::nullopt);  // 2^63 ns
  EXPECT_EQ(FromDouble(1e300), std::nullopt);
  EXPECT_EQ(FromDouble(std::numeric_limits<double>::max()), std::nullopt);
}

TEST(EpochNumberToNanosTest, FailureLeavesOutputUntouched) {
  int64_t ns = 42;
  EXPECT_FALSE(EpochNumberToNanos(-1.0, &ns));
  EXPECT_FALSE(EpochNumberToNanos(std::nan(""), &ns));
  EXPECT_FALSE(EpochNumberToNanos(1e300, &ns));
  EXPECT_EQ(ns, 42);
}

// --- EpochIntegerToNanos -----------------------------------------------------------------------

TEST(EpochIntegerToNanosTest, Seconds) {
  EXPECT_EQ(FromInteger(1732377523), UtcSeconds(2024, 11, 23, 15, 58, 43) * kNs);
  EXPECT_EQ(FromInteger(0), 0);
  EXPECT_EQ(FromInteger(9223372036), 9223372036 * kNs);
}

TEST(EpochIntegerToNanosTest, PinoMilliseconds) {
  EXPECT_EQ(FromInteger(1700000000123), 1700000000123000000);
}

TEST(EpochIntegerToNanosTest, Microseconds) {
  EXPECT_EQ(FromInteger(1700000000123456), 1700000000123456000);
}

TEST(EpochIntegerToNanosTest, Nanoseconds) {
  EXPECT_EQ(FromInteger(1700000000123456789), 1700000000123456789);
  EXPECT_EQ(FromInteger(kInt64Max), kInt64Max);
}

TEST(EpochIntegerToNanosTest, UnitThresholdsAreExclusiveUpperBounds) {
  EXPECT_EQ(FromInteger(100'000'000'000), 100'000'000'000'000'000);          // 1e11 ms
  EXPECT_EQ(FromInteger(100'000'000'000'000), 100'000'000'000'000'000);      // 1e14 us
  EXPECT_EQ(FromInteger(100'000'000'000'000'000), 100'000'000'000'000'000);  // 1e17 ns
  EXPECT_EQ(FromInteger(99'999'999'999), std::nullopt);                      // seconds: overflows
  EXPECT_EQ(FromInteger(99'999'999'999'999), std::nullopt);                  // ms: overflows
  EXPECT_EQ(FromInteger(99'999'999'999'999'999), std::nullopt);              // us: overflows
}

TEST(EpochIntegerToNanosTest, RejectsNegative) {
  EXPECT_EQ(FromInteger(-1), std::nullopt);
  EXPECT_EQ(FromInteger(-1700000000123), std::nullopt);
  EXPECT_EQ(FromInteger(kInt64Min), std::nullopt);
}

TEST(EpochIntegerToNanosTest, RejectsOverflow) {
  EXPECT_EQ(FromInteger(9223372037), std::nullopt);        // seconds
  EXPECT_EQ(FromInteger(9223372036855), std::nullopt);     // ms
  EXPECT_EQ(FromInteger(9223372036854776), std::nullopt);  // us
  EXPECT_EQ(FromInteger(9223372036854), 9223372036854 * 1'000'000);
  EXPECT_EQ(FromInteger(9223372036854775), 9223372036854775 * 1'000);
}

TEST(EpochIntegerToNanosTest, FailureLeavesOutputUntouched) {
  int64_t ns = 42;
  EXPECT_FALSE(EpochIntegerToNanos(-5, &ns));
  EXPECT_FALSE(EpochIntegerToNanos(9223372037, &ns));
  EXPECT_EQ(ns, 42);
}

TEST(EpochIntegerToNanosTest, AgreesWithDoubleForWholeValues) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{1732377523}, int64_t{1700000000123},
                    int64_t{1700000000123456}, int64_t{1700000000000000000}}) {
    EXPECT_EQ(FromInteger(v), FromDouble(static_cast<double>(v))) << v;
  }
}

// --- ParseLeadingTimestamp ---------------------------------------------------------------------

// A line that starts with a timestamp: the bytes it takes and its value. One case a format.
struct LeadingCase {
  const char* name = "";
  std::string_view line = {};
  size_t consumed = 0;
  int64_t ns = 0;
};

class ParseLeadingTimestampFormatTest : public ::testing::TestWithParam<LeadingCase> {};

TEST_P(ParseLeadingTimestampFormatTest, ReadsTheLeadingTimestamp) {
  ExpectLeading(GetParam().line, GetParam().consumed, GetParam().ns);
}

// Every case is 2026-01-02T03:04:05Z plus a fraction.
const int64_t kNsAt030405 = UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs;
const LeadingCase kLeadingCases[] = {
    {"IsoWithZoneFollowedBySpace", "2026-01-02T03:04:05.123Z ERROR db: connection refused", 24u,
     kNsAt030405 + 123'000'000},
    {"PythonLoggingCommaMillis", "2026-01-02 03:04:05,123 ERROR root: payment failed", 23u,
     kNsAt030405 + 123'000'000},
    {"PythonLoggingDashSeparatedFields", "2026-01-02 03:04:05,123 - app - WARNING - slow query",
     23u, kNsAt030405 + 123'000'000},
    {"GoLogPackageSlashDate", "2026/01/02 03:04:05 http: listening on :8080", 19u, kNsAt030405},
    // log.LstdFlags | log.Lmicroseconds
    {"GoLogPackageMicroseconds", "2026/01/02 03:04:05.123456 main.go:42: started", 26u,
     kNsAt030405 + 123'456'000},
    {"BracketedTimestampConsumesBothBrackets", "[2026-01-02T03:04:05.1Z] GET /healthz 200", 24u,
     kNsAt030405 + 100'000'000},
    {"BracketMayBeFollowedByAnything", "[2026-01-02 03:04:05][INFO] ready", 21u, kNsAt030405},
    {"UnopenedCloseBracketIsOnlyADelimiter", "2026-01-02T03:04:05Z] x", 20u, kNsAt030405},
    {"WholeLineIsTheTimestamp", "2026-01-02T03:04:05Z", 20u, kNsAt030405},
};

INSTANTIATE_TEST_SUITE_P(Formats, ParseLeadingTimestampFormatTest,
                         ::testing::ValuesIn(kLeadingCases),
                         [](const ::testing::TestParamInfo<LeadingCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ParseLeadingTimestampTest, RejectsMixedDateSeparators) {
  EXPECT_EQ(ParseLeading("2026/01-02 03:04:05 x").consumed, 0u);
  EXPECT_EQ(ParseLeading("2026-01/02 03:04:05 x").consumed, 0u);
}

TEST(ParseLeadingTimestampTest, BracketedLineThatIsOnlyTheTimestamp) {
  EXPECT_EQ(ParseLeading("[2026-01-02T03:04:05Z]").consumed, 22u);
}

TEST(ParseLeadingTimestampTest, OpenBracketRequiresCloseBracketRightAfter) {
  EXPECT_EQ(ParseLeading("[2026-01-02T03:04:05Z INFO ready").consumed, 0u);
  EXPECT_EQ(ParseLeading("[2026-01-02T03:04:05Z").consumed, 0u);
  EXPECT_EQ(ParseLeading("[ 2026-01-02T03:04:05Z]").consumed, 0u);
  EXPECT_EQ(ParseLeading("[2026-01-02T03:04:05Z ]").consumed, 0u);
}

TEST(ParseLeadingTimestampTest, TabAndLineEndingsAreDelimiters) {
  EXPECT_EQ(ParseLeading("2026-01-02T03:04:05\tINFO").consumed, 19u);
  EXPECT_EQ(ParseLeading("2026-01-02T03:04:05Z\r\n").consumed, 20u);
  EXPECT_EQ(ParseLeading("2026-01-02T03:04:05Z\n").consumed, 20u);
  EXPECT_EQ(ParseLeading("2026-01-02T03:04:05Z|INFO|x").consumed, 20u);
}

TEST(ParseLeadingTimestampTest, TrailingSpacesAreNotConsumed) {
  EXPECT_EQ(ParseLeading("2026-01-02T03:04:05Z    INFO").consumed, 20u);
}

TEST(ParseLeadingTimestampTest, OffsetsAndLowerCase) {
  ExpectLeading("2026-01-02T04:04:05+01:00 INFO x", 25u, UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs);
  ExpectLeading("2026-01-02T04:04:05+0100 INFO x", 24u, UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs);
  ExpectLeading("2026-01-02t03:04:05z x", 20u, UtcSeconds(2026, 1, 2, 3, 4, 5) * kNs);
}

TEST(ParseLeadingTimestampTest, FollowedByDigitsOrLettersIsNotATimestamp) {
  for (const char* line : {
           "2026-01-02T03:04:05ZINFO x", "2026-01-02T03:04:05xyz", "2026-01-02 03:04:05123 x",
           "2026-01-02 03:04:05.123abc", "2026-01-02 03:04:05:06 x", "2026-01-02 03:04:05. x",
           "2026-01-02 03:04:05+01: x", "2026-01-02 03:04:05/x",
           "2026-01-02T03:04:05Z\xc2\xa0x",  // UTF-8 no-break space is not ASCII whitespace
       }) {
    EXPECT_EQ(ParseLeading(line).consumed, 0u) << line;
  }
}

TEST(ParseLeadingTimestampTest, NoTimestampReturnsZero) {
  for (const char* line : {
           "",
           "ERROR something broke",
           "[INFO] 2026-01-02T03:04:05Z",
           "[]",
           "[",
           "200 OK",
           "1732377523 epoch numbers are not recognised here",
           " 2026-01-02T03:04:05Z leading whitespace is not skipped",
           "2026-01-02 date only",
           "2026-01-02",
           "2026-13-02 03:04:05 invalid month",
           "2023-02-29 03:04:05 not a leap year",
           "2026-01-02 24:00:00 hour 24",
           "Jan  2 03:04:05 host sshd[1]: syslog format",
       }) {
    EXPECT_EQ(ParseLeading(line).consumed, 0u) << line;
  }
}

TEST(ParseLeadingTimestampTest, ZeroLeavesOutputUntouched) {
  int64_t ns = 42;
  EXPECT_EQ(ParseLeadingTimestamp("no timestamp here", &ns), 0u);
  EXPECT_EQ(ParseLeadingTimestamp("2026-01-02T03:04:05Zx", &ns), 0u);
  EXPECT_EQ(ParseLeadingTimestamp("[2026-01-02T03:04:05Z", &ns), 0u);
  EXPECT_EQ(ns, 42);
}

TEST(ParseLeadingTimestampTest, AgreesWithParseTimestamp) {
  for (const char* ts : {"2026-11-23T15:58:43Z", "2026-11-23 15:58:43,123",
                         "2026-11-23T15:58:43.123456789+05:30", "2016-12-31T23:59:60Z"}) {
    const std::string line = std::string(ts) + " msg";
    const Leading r = ParseLeading(line);
    EXPECT_EQ(r.consumed, std::strlen(ts)) << ts;
    EXPECT_EQ(r.ns, Parse(ts)) << ts;
  }
}

// --- FormatTimestamp ---------------------------------------------------------------------------

TEST(FormatTimestampTest, WholeMillisecondsUseThreeDigits) {
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 123'000'000),
            "2026-11-23T15:58:43.123Z");
}

TEST(FormatTimestampTest, WholeSecondsStillShowThreeDigits) {
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs), "2026-11-23T15:58:43.000Z");
  EXPECT_EQ(Format(0), "1970-01-01T00:00:00.000Z");
}

TEST(FormatTimestampTest, WholeMicrosecondsUseSixDigits) {
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 123'456'000),
            "2026-11-23T15:58:43.123456Z");
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 1'000),
            "2026-11-23T15:58:43.000001Z");
}

TEST(FormatTimestampTest, OtherwiseNineDigits) {
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 123'456'789),
            "2026-11-23T15:58:43.123456789Z");
  EXPECT_EQ(Format(UtcSeconds(2026, 11, 23, 15, 58, 43) * kNs + 1),
            "2026-11-23T15:58:43.000000001Z");
}

TEST(FormatTimestampTest, CalendarDates) {
  EXPECT_EQ(Format(UtcSeconds(2024, 2, 29, 0, 0, 0) * kNs), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(Format(UtcSeconds(2000, 2, 29, 0, 0, 0) * kNs), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(Format(UtcSeconds(2025, 12, 31, 23, 30, 0) * kNs), "2025-12-31T23:30:00.000Z");
  EXPECT_EQ(Format(UtcSeconds(2027, 1, 1, 0, 0, 0) * kNs - 1), "2026-12-31T23:59:59.999999999Z");
}

TEST(FormatTimestampTest, NegativeValuesAreBefore1970) {
  EXPECT_EQ(Format(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(Format(-kNs), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(Format(-500'000'000), "1969-12-31T23:59:59.500Z");
  EXPECT_EQ(Format(UtcSeconds(1900, 3, 1, 0, 0, 0) * kNs), "1900-03-01T00:00:00.000Z");
}

TEST(FormatTimestampTest, Int64Extremes) {
  EXPECT_EQ(Format(kInt64Min), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(Format(kInt64Max), "2262-04-11T23:47:16.854775807Z");
}

TEST(FormatTimestampTest, ReturnsLengthAndNulTerminates) {
  char buf[40];
  std::memset(buf, 'x', sizeof(buf));
  const size_t n = FormatTimestamp(kInt64Min, buf);
  EXPECT_EQ(n, 30u);
  EXPECT_EQ(buf[n], '\0');
  EXPECT_EQ(std::strlen(buf), n);
  EXPECT_EQ(buf[n + 1], 'x');  // nothing written past the NUL
}

TEST(FormatTimestampTest, RoundTripsThroughParseTimestamp) {
  std::mt19937_64 rng(20261123);  // fixed seed: deterministic
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 kInt64Min,
                                 kInt64Max,
                                 kInt64Min + 1,
                                 kInt64Max - 1,
                                 kNs,
                                 -kNs,
                                 999'999'999,
                                 UtcSeconds(2024, 2, 29, 0, 0, 0) * kNs + 7,
                                 UtcSeconds(1900, 3, 1, 0, 0, 0) * kNs - 1};
  for (int i = 0; i < 20000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    // Also exercise whole ms and us, which take the short formats.
    if (i % 3 == 1) v = v / 1'000'000 * 1'000'000;
    if (i % 3 == 2) v = v / 1'000 * 1'000;
    values.push_back(v);
  }
  for (int64_t v : values) {
    const std::string s = Format(v);
    ASSERT_EQ(Parse(s), v) << s;
  }
}

TEST(FormatTimestampTest, CanonicalStringsRoundTripThroughFormat) {
  for (const char* s :
       {"2026-11-23T15:58:43.123Z", "2026-11-23T15:58:43.000Z", "2026-11-23T15:58:43.123456Z",
        "2026-11-23T15:58:43.123456789Z", "1969-07-20T20:17:40.000Z", "2000-02-29T23:59:59.999Z"}) {
    const std::optional<int64_t> ns = Parse(s);
    ASSERT_NE(ns, std::nullopt) << s;
    EXPECT_EQ(Format(*ns), s);
  }
}

}  // namespace
}  // namespace logweave::time_parse_test

// Tests for the LineParser (parse/parser.h): priority among field names and what bad input
// gives (broken JSON, invalid UTF-8, deep nesting, huge lines, plain text).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/parse_line_fixture.h"

namespace logweave::parser_test {
namespace {

// ---------------------------------------------------------------------------------------------
// Priority among field names.

TEST_F(ParseLineTest, TraceIdKeyBeatsTraceIdCamelCaseWhenListedFirst) {
  Record r = Parse(R"({"trace_id":"from-snake","traceId":"from-camel","msg":"x"})");
  EXPECT_EQ(r.trace_id, "from-snake");
}

TEST_F(ParseLineTest, TraceIdKeyBeatsTraceIdCamelCaseWhenListedLast) {
  Record r = Parse(R"({"traceId":"from-camel","trace_id":"from-snake","msg":"x"})");
  EXPECT_EQ(r.trace_id, "from-snake");
}

TEST_F(ParseLineTest, MsgBeatsMessageInEitherOrder) {
  Record r = Parse(R"({"message":"second choice","msg":"first choice"})");
  EXPECT_EQ(r.message, "first choice");
}

// The trace id of `line` parsed with `name` listed first among the trace id names.
std::string TraceIdWithFirstName(const std::string& name, std::string_view line) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), name);
  std::unique_ptr<LineParser> parser = MakeParser(options);
  std::string scratch;
  return std::string(parser->ParseLine(line, kSourceService, &scratch).trace_id);
}

TEST(LineParserFieldsTest, ConfiguredTraceIdNameIsFound) {
  EXPECT_EQ(TraceIdWithFirstName(
                "req_trace", R"({"level":"info","msg":"quote issued","req_trace":"rq-77f1c2"})"),
            "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredTraceIdNameBeatsBuiltInNames) {
  EXPECT_EQ(TraceIdWithFirstName(
                "req_trace",
                R"({"trace_id":"builtin-one","msg":"quote issued","req_trace":"rq-77f1c2"})"),
            "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredNestedPathIsFound) {
  EXPECT_EQ(TraceIdWithFirstName(
                "ctx.tracing.root",
                R"({"msg":"quote issued","ctx":{"user":"u-1","tracing":{"root":"rq-77f1c2"}}})"),
            "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredNameOf64BytesIsFound) {
  // 64 bytes: FieldNames::Validate() accepts names up to 200 bytes.
  const std::string key = "acme_platform_observability_distributed_tracing_root_trace_ident";
  ASSERT_EQ(key.size(), 64u);
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), key);
  ASSERT_TRUE(options.Validate().ok());
  // Regression (fixed): Validate() accepts configured names up to 200 bytes, but FieldTable::Add()
  // and FieldTable::Find() silently ignore names longer than 63 bytes, so this configured key is
  // never matched and the line has no trace id.
  EXPECT_EQ(TraceIdWithFirstName(key, R"({"msg":"quote issued",")" + key + R"(":"rq-77f1c2"})"),
            "rq-77f1c2");
}

TEST(LineParserFieldsTest, EmptyFieldListIsRejectedAtCreate) {
  ParserOptions options;
  options.fields.trace_id.clear();
  absl::StatusOr<std::unique_ptr<LineParser>> parser = LineParser::Create(options);
  EXPECT_EQ(parser.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Bad input.

// Expects `r` to be the whole `line` kept as an unstructured message, without a trace id.
void ExpectWholeLineUnstructured(const Record& r, std::string_view line) {
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
}

TEST_F(ParseLineTest, TruncatedJsonIsUnstructuredWithTheLineAsMessage) {
  const std::string line = R"({"trace_id":"a","msg":"x)";
  Record r = Parse(line);
  ExpectWholeLineUnstructured(r, line);
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
}

TEST_F(ParseLineTest, JsonArrayLineIsUnstructured) {
  const std::string line = R"([{"trace_id":"a","msg":"x"}])";
  Record r = Parse(line);
  ExpectWholeLineUnstructured(r, line);
}

TEST_F(ParseLineTest, JsonScalarLinesAreUnstructured) {
  for (const std::string line : {R"("connection reset by peer")", "42", "true", "null"}) {
    SCOPED_TRACE(line);
    Record r = Parse(line);
    EXPECT_EQ(r.kind, RecordKind::kUnstructured);
    EXPECT_EQ(r.message, line);
  }
}

TEST_F(ParseLineTest, TrailingGarbageAfterObjectIsUnstructured) {
  const std::string line = R"({"trace_id":"a","msg":"x"} trailing)";
  Record r = Parse(line);
  ExpectWholeLineUnstructured(r, line);
}

TEST_F(ParseLineTest, TwoConcatenatedObjectsAreUnstructured) {
  Record r = Parse(R"({"trace_id":"a","msg":"x"}{"trace_id":"b","msg":"y"})");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
}

TEST_F(ParseLineTest, SurroundingWhitespaceAroundObjectIsStillJson) {
  Record r = Parse("  \t{\"trace_id\":\"a1\",\"msg\":\"x\"}  ");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, "a1");
}

TEST_F(ParseLineTest, EmptyLineIsEmpty) { EXPECT_EQ(Parse("").kind, RecordKind::kEmpty); }

TEST_F(ParseLineTest, WhitespaceOnlyLineIsEmpty) {
  EXPECT_EQ(Parse(" \t  \t").kind, RecordKind::kEmpty);
}

TEST_F(ParseLineTest, InvalidUtf8InsideJsonStringIsJsonFlaggedInvalidUtf8) {
  // "caf\xE9" is Latin-1, not UTF-8.
  Record r = Parse(
      "{\"level\":\"info\",\"msg\":\"order for caf\xE9 au "
      "lait\",\"trace_id\":\"4bf92f3577b34da6a3ce"
      "929d0e0e4736\"}");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_TRUE(r.flags & kRecordInvalidUtf8);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.message, "order for caf\xE9 au lait");
}

TEST_F(ParseLineTest, ValidUtf8LineIsNotFlaggedInvalidUtf8) {
  Record r = Parse(R"({"level":"info","msg":"order for café au lait ☕"})");
  EXPECT_FALSE(r.flags & kRecordInvalidUtf8);
}

TEST_F(ParseLineTest, NulByteAfterObjectMakesLineUnstructured) {
  const std::string line = "{\"trace_id\":\"a1\",\"msg\":\"x\"}\0junk"s;
  ASSERT_EQ(line.size(), 32u);
  Record r = Parse(line);
  ExpectWholeLineUnstructured(r, line);
}

TEST_F(ParseLineTest, NulByteInsideJsonStringMakesLineUnstructured) {
  const std::string line = "{\"trace_id\":\"a1\",\"msg\":\"x\0y\"}"s;
  Record r = Parse(line);
  ExpectWholeLineUnstructured(r, line);
}

TEST_F(ParseLineTest, UnparseableTimeIsFlaggedBadTimeWithoutTime) {
  Record r = Parse(
      R"({"timestamp":"yesterday","levelname":"INFO","message":"nightly export done","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_TRUE(r.flags & kRecordBadTime);
  EXPECT_FALSE(r.has_time());
  EXPECT_EQ(r.trace_id, kTrace);
}

TEST_F(ParseLineTest, ObjectAndArrayValuesAreNotTakenAsStrings) {
  Record r = Parse(R"({"trace_id":{"x":1},"msg":["a"],"level":"info","service":["s"]})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_TRUE(r.trace_id.empty());
  EXPECT_TRUE(r.message.empty());
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kInfo);
}

TEST_F(ParseLineTest, LowerRankedStringIsTakenWhenHigherRankedKeyHoldsObject) {
  Record r = Parse(R"({"trace_id":{"x":1},"traceId":"fallback-1","msg":["a"],"message":"m"})");
  EXPECT_EQ(r.trace_id, "fallback-1");
  EXPECT_EQ(r.message, "m");
}

TEST_F(ParseLineTest, NullAndBoolValuesAreNotTaken) {
  Record r = Parse(R"({"trace_id":null,"msg":true,"level":false,"time":null})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_TRUE(r.trace_id.empty());
  EXPECT_TRUE(r.message.empty());
  EXPECT_EQ(r.level, Level::kUnknown);
  EXPECT_FALSE(r.has_time());
  EXPECT_FALSE(r.flags & kRecordBadTime);
}

// A line holding `depth` nested arrays under "payload", after a trace id.
std::string DeeplyNestedLine(size_t depth) {
  return R"({"trace_id":"deep-1","payload":)" + std::string(depth, '[') + std::string(depth, ']') +
         R"(,"msg":"after"})";
}

// Parses `line` in a child process and exits 0 if it came out as JSON with the trace id
// "deep-1", 3 otherwise; a crash (stack overflow) fails the expectation instead of the run.
void ParseDeepLineAndExit(const std::string& line) {
  std::unique_ptr<LineParser> parser = MakeParser();
  std::string scratch;
  Record r = parser->ParseLine(line, kSourceService, &scratch);
  std::_Exit(r.kind == RecordKind::kJson && r.trace_id == "deep-1" && r.message == "after" ? 0 : 3);
}

TEST(LineParserDeathTest, TenThousandNestedArraysParseWithoutCrashing) {
  const std::string line = DeeplyNestedLine(10000);
  EXPECT_EXIT(ParseDeepLineAndExit(line), ::testing::ExitedWithCode(0), "");
}

TEST(LineParserDeathTest, NestingUpToTheDefaultMaxLineBytesParsesWithoutCrashing) {
  // 500000 '[' and ']' make a line just under the default max_line_bytes (1 MiB), so a
  // source passes it to the parser whole.
  const std::string line = DeeplyNestedLine(500000);
  ASSERT_LT(line.size(), LineBatcherOptions{}.max_line_bytes);
  // Regression (fixed): LineParser::ParseInto() runs RapidJSON's recursive-descent Reader (no
  // kParseIterativeFlag) and FieldHandler::StartArray() accepts any depth, so each '['
  // recurses; one hostile 1 MB line overflows the stack and kills the process.
  EXPECT_EXIT(ParseDeepLineAndExit(line), ::testing::ExitedWithCode(0), "");
}

TEST_F(ParseLineTest, TwoMebibyteJsonLineParses) {
  const std::string body(2 << 20, 'x');
  const std::string line = R"({"level":"info","trace_id":"big-1","msg":")" + body + R"("})";
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, "big-1");
  EXPECT_EQ(r.message.size(), body.size());
  EXPECT_EQ(r.message, body);
}

TEST_F(ParseLineTest, EscapedMessageIsUnescapedAndFlagged) {
  Record r = Parse(R"({"level":"info","msg":"a\"b\u00e9","trace_id":"t-1"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.message, "a\"b\xC3\xA9");
  EXPECT_TRUE(r.flags & kRecordMessageEscaped);
  EXPECT_EQ(r.trace_id, "t-1");
}

TEST_F(ParseLineTest, EscapedKeyMatchesFieldName) {
  Record r = Parse(R"({"trace\u005fid":"t-2","msg":"x"})");
  EXPECT_EQ(r.trace_id, "t-2");
}

TEST_F(ParseLineTest, PlainTextLineWithLeadingTimestampAndErrorLevel) {
  const std::string line =
      "2026-11-23T10:00:04.125Z ERROR ledger.posting: posting failed for account 7731";
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 4125 * kMsNs);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
  EXPECT_TRUE(r.trace_id.empty());
}

TEST_F(ParseLineTest, PythonLoggingPlainTextLineHasTimeAndLevel) {
  Record r = Parse("2026-11-23 10:00:04,125 WARNING checkout.api: slow upstream (1843 ms)");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 4125 * kMsNs);
  EXPECT_EQ(r.level, Level::kWarn);
}

TEST_F(ParseLineTest, PlainTextLineWithoutTimestampHasNoTime) {
  Record r = Parse("panic: runtime error: index out of range [3] with length 3");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_FALSE(r.has_time());
  EXPECT_FALSE(r.flags & kRecordBadTime);
  EXPECT_EQ(r.level, Level::kFatal);
}

TEST(LineParserPriorityTest, EmptyValueDoesNotHideALaterName) {
  auto parser = std::move(*LineParser::Create({}));
  std::string scratch;
  Record r = parser->ParseLine(R"({"trace_id":"","traceId":"abc","msg":"x"})", "svc", &scratch);
  EXPECT_EQ(r.trace_id, "abc");
}

TEST(LineParserSurrogateTest, LoneSurrogateEscapeFromJavaScriptKeepsTheLineStructured) {
  auto parser = std::move(*LineParser::Create({}));
  std::string scratch;
  // What Node's JSON.stringify writes for a string holding half a surrogate pair.
  Record r = parser->ParseLine(R"({"msg":"bad \ud800 x","trace_id":"t1"})", "svc", &scratch);
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, "t1");
  EXPECT_EQ(r.message, "bad \xEF\xBF\xBD x");
  // A valid pair is left alone.
  Record pair = parser->ParseLine(R"({"msg":"\ud83d\ude00","trace_id":"t2"})", "svc", &scratch);
  EXPECT_EQ(pair.kind, RecordKind::kJson);
  EXPECT_EQ(pair.message, "\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace logweave::parser_test

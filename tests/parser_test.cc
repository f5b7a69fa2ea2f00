// Tests for logweave/parser.h: field extraction per logging convention, field priority,
// outcomes of bad input, ParseBatch counters and bookkeeping, source-name services and level
// words.
//
// Expected times are independent of the code under test: 2026-11-23T10:00:00Z is epoch second
// 1795428000 (`date -u -d @1795428000`), and the other instants are offsets from it.
#include "parse/parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "logweave/batch.h"
#include "logweave/options.h"
#include "logweave/record.h"

namespace logweave {
namespace {

using namespace std::string_literals;

// 2026-11-23T10:00:00Z in nanoseconds since the epoch.
constexpr int64_t kBaseNs = 1795428000LL * 1'000'000'000;
constexpr int64_t kMsNs = 1'000'000;

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSourceService = "ledger";

std::unique_ptr<LineParser> MakeParser(const ParserOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<LineParser>> parser = LineParser::Create(options);
  EXPECT_TRUE(parser.ok()) << parser.status();
  return parser.ok() ? std::move(*parser) : nullptr;
}

// True if `view` lies entirely inside `buffer`.
bool PointsInto(std::string_view view, std::string_view buffer) {
  std::less<const char*> less;
  return !less(view.data(), buffer.data()) &&
         !less(buffer.data() + buffer.size(), view.data() + view.size());
}

// The bytes of a parsed batch, which record.raw and unescaped values point into.
std::string_view BatchBytes(const ParsedBatch& parsed) {
  return parsed.block != nullptr ? std::string_view(*parsed.block) : std::string_view();
}

// Parses single lines with the built-in field names. Each Parse() reuses the scratch buffer,
// so a record is only valid until the next Parse().
class ParseLineTest : public ::testing::Test {
 protected:
  Record Parse(std::string_view line) {
    return parser_->ParseLine(line, kSourceService, &scratch_);
  }

  std::unique_ptr<LineParser> parser_ = MakeParser();
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------------
// Logging conventions.

TEST_F(ParseLineTest, ZapLineWithoutServiceFieldTakesSourceService) {
  Record r = Parse(
      R"({"level":"info","ts":1795428000.123456,"caller":"ledger/post.go:88","msg":"posted entry","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kInfo);
  EXPECT_EQ(r.message, "posted entry");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 123456000);
  EXPECT_FALSE(r.flags & kRecordBadTime);
}

TEST_F(ParseLineTest, PythonJsonLoggerLineGivesAllFields) {
  Record r = Parse(
      R"({"timestamp":"2026-11-23T10:00:01.250Z","levelname":"WARNING","name":"checkout.api","message":"cart total mismatch","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","service":"checkout"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "checkout");
  EXPECT_FALSE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.message, "cart total mismatch");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 1250 * kMsNs);
}

TEST_F(ParseLineTest, LogstashEcsLineWithDottedKeysGivesAllFields) {
  Record r = Parse(
      R"({"@timestamp":"2026-11-23T10:00:02.500+00:00","log.level":"ERROR","message":"insufficient funds for account 7731","ecs.version":"1.2.0","service.name":"ledger-core","event.dataset":"ledger-core.log","process.thread.name":"http-nio-8080-exec-3","log.logger":"com.acme.ledger.PostingService","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"00f067aa0ba902b7"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "ledger-core");
  EXPECT_FALSE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "insufficient funds for account 7731");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 2500 * kMsNs);
}

TEST_F(ParseLineTest, PinoLineWithEpochMillisAndNumericLevelGivesAllFields) {
  Record r = Parse(
      R"({"level":30,"time":1795428000123,"pid":4242,"hostname":"payments-7d9f","service":"payments","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"charge captured"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_FALSE(r.flags & kRecordNumericTraceId);
  EXPECT_EQ(r.service, "payments");
  EXPECT_EQ(r.level, Level::kInfo);
  EXPECT_EQ(r.message, "charge captured");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 123 * kMsNs);
}

TEST_F(ParseLineTest, PinoNumericLevelsMapTraceThroughFatal) {
  const std::pair<int, Level> cases[] = {{10, Level::kTrace}, {20, Level::kDebug},
                                         {30, Level::kInfo},  {40, Level::kWarn},
                                         {50, Level::kError}, {60, Level::kFatal}};
  for (const auto& [number, level] : cases) {
    SCOPED_TRACE(number);
    Record r =
        Parse(R"({"level":)" + std::to_string(number) +
              R"(,"time":1795428000123,"pid":4242,"hostname":"payments-7d9f","msg":"tick"})");
    EXPECT_EQ(r.kind, RecordKind::kJson);
    EXPECT_EQ(r.level, level);
  }
}

TEST_F(ParseLineTest, OpenTelemetryNestedTraceAndServiceObjectsAreRead) {
  Record r = Parse(
      R"({"time":"2026-11-23T10:00:03Z","trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"},"service":{"name":"payments","version":"1.4.2"},"severity":"WARN","body":"retrying charge after gateway timeout"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "payments");
  EXPECT_FALSE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.message, "retrying charge after gateway timeout");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 3000 * kMsNs);
}

TEST_F(ParseLineTest, NestedEcsLogLevelObjectIsRead) {
  Record r = Parse(
      R"({"@timestamp":"2026-11-23T10:00:02.500Z","log":{"level":"warn","logger":"com.acme.ledger.PostingService"},"message":"slow commit","service":{"name":"ledger-core"}})");
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.service, "ledger-core");
  EXPECT_EQ(r.message, "slow commit");
}

TEST_F(ParseLineTest, EmptyServiceFieldFallsBackToSourceService) {
  Record r = Parse(R"({"level":"info","service":"","msg":"x"})");
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
}

TEST_F(ParseLineTest, TraceidKeyIsATraceId) {
  Record r = Parse(R"({"level":"info","msg":"cache warm","traceid":"a1b2c3d4e5f60718"})");
  EXPECT_EQ(r.trace_id, "a1b2c3d4e5f60718");
}

TEST_F(ParseLineTest, TraceDashIdKeyIsATraceId) {
  Record r = Parse(R"({"level":"info","msg":"cache warm","trace-id":"a1b2c3d4e5f60718"})");
  EXPECT_EQ(r.trace_id, "a1b2c3d4e5f60718");
}

TEST_F(ParseLineTest, XTraceIdHeaderKeyIsATraceId) {
  Record r = Parse(
      R"({"method":"GET","path":"/v1/accounts","status":200,"x-trace-id":"a1b2c3d4e5f60718","msg":"request"})");
  EXPECT_EQ(r.trace_id, "a1b2c3d4e5f60718");
}

TEST_F(ParseLineTest, NumericTraceIdIsKeptAsItsDigitsAndFlagged) {
  Record r = Parse(R"({"level":"info","msg":"batch settled","trace_id":1234567890123})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, "1234567890123");
  EXPECT_TRUE(r.flags & kRecordNumericTraceId);
}

TEST_F(ParseLineTest, EpochNanosecondIntegerTimeIsTakenExactly) {
  Record r = Parse(
      R"({"time":1795428000123456789,"level":"debug","msg":"flush","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 123456789);
}

TEST_F(ParseLineTest, IsoTimeWithPositiveOffsetIsConvertedToUtc) {
  // 15:30:00.250+05:30 is 10:00:00.250Z.
  Record r = Parse(
      R"({"timestamp":"2026-11-23T15:30:00.250+05:30","level":"info","message":"settlement run started"})");
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
}

TEST_F(ParseLineTest, LevelStringsAreReadInAnyCase) {
  const std::pair<std::string, Level> cases[] = {
      {"WARNING", Level::kWarn}, {"Error", Level::kError}, {"crit", Level::kFatal},
      {"notice", Level::kInfo},  {"DEBUG", Level::kDebug}, {"Trace", Level::kTrace}};
  for (const auto& [word, level] : cases) {
    SCOPED_TRACE(word);
    Record r = Parse(R"({"level":")" + word + R"(","msg":"disk usage at 91%"})");
    EXPECT_EQ(r.level, level);
  }
}

TEST_F(ParseLineTest, NginxJsonAccessLogLineGivesTimeAndTraceparent) {
  // log_format json escape=json
  // '{"time_local":"$time_local",...,"traceparent":"$http_traceparent"}'
  Record r = Parse(
      R"({"time_local":"23/Nov/2026:10:00:00 +0000","remote_addr":"10.0.0.7","request":"POST /checkout HTTP/1.1","status":"502","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs);
  EXPECT_EQ(r.trace_id, kTrace);
}

TEST_F(ParseLineTest, PaddedLevelWordsAreRead) {
  // log4j/logback patterns like %-5level pad the level to five characters.
  EXPECT_EQ(Parse(R"({"level":"INFO ","msg":"cache warm"})").level, Level::kInfo);
  EXPECT_EQ(Parse(R"({"level":" warn\t","msg":"cache cold"})").level, Level::kWarn);
  EXPECT_EQ(Parse(R"({"level":"   ","msg":"blank"})").level, Level::kUnknown);
}

TEST_F(ParseLineTest, GoStructTraceIDKeyIsATraceId) {
  // encoding/json writes a field TraceID without a json tag under its Go name.
  Record r =
      Parse(R"({"Level":"info","msg":"settled","TraceID":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  EXPECT_EQ(r.trace_id, kTrace);
}

TEST_F(ParseLineTest, GoogleCloudTraceFieldGivesTheBareTraceId) {
  // Cloud Run / GKE structured logging: the trace is a resource name.
  Record r = Parse(
      R"({"severity":"ERROR","message":"charge failed","logging.googleapis.com/trace":"projects/shop-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736","time":"2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.level, Level::kError);
  // The unwrapped id is a slice of the raw line, like any other value.
  EXPECT_NE(r.raw.find(r.trace_id), std::string_view::npos);
}

TEST_F(ParseLineTest, TraceparentValueGivesItsTraceId) {
  Record r = Parse(
      R"({"msg":"inbound","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})");
  EXPECT_EQ(r.trace_id, kTrace);
  // The same shape under any trace key is a traceparent too.
  EXPECT_EQ(
      Parse(R"({"trace_id":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"})").trace_id,
      kTrace);
}

TEST_F(ParseLineTest, DatadogTraceAndServiceAreReadNestedOrDotted) {
  // dd-trace's log injection: a decimal 64-bit trace id, nested or as a dotted key.
  Record nested = Parse(
      R"({"message":"charge failed","status":"error","dd":{"trace_id":"1234567890123456789","span_id":"42","service":"payments"}})");
  EXPECT_EQ(nested.trace_id, "1234567890123456789");
  EXPECT_EQ(nested.service, "payments");
  Record dotted = Parse(R"({"msg":"x","dd.trace_id":"1234567890123456789","dd.service":"cart"})");
  EXPECT_EQ(dotted.trace_id, "1234567890123456789");
  EXPECT_EQ(dotted.service, "cart");
}

TEST_F(ParseLineTest, Log4j2JsonLayoutLineGivesAllFields) {
  Record r = Parse(
      R"({"timeMillis":1795428000250,"thread":"main","level":"ERROR","loggerName":"com.shop.Checkout","message":"charge failed","contextMap":{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}})");
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.service, "com.shop.Checkout");
  EXPECT_EQ(r.message, "charge failed");
  EXPECT_EQ(r.trace_id, kTrace);
  // The newer "instant" object gives whole seconds.
  EXPECT_EQ(
      Parse(R"({"instant":{"epochSecond":1795428001,"nanoOfSecond":5},"message":"m"})").time_ns,
      kBaseNs + 1000 * kMsNs);
}

TEST_F(ParseLineTest, LogbackMdcTraceIdIsRead) {
  EXPECT_EQ(
      Parse(R"({"message":"m","mdc":{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}})").trace_id,
      kTrace);
  EXPECT_EQ(Parse(R"({"message":"m","X-B3-TraceId":"4bf92f3577b34da6a3ce929d0e0e4736"})").trace_id,
            kTrace);
}

TEST_F(ParseLineTest, SerilogAndDotNetJsonLinesGiveAllFields) {
  Record serilog = Parse(
      R"({"Timestamp":"2026-11-23T11:00:00.5+01:00","Level":"Error","MessageTemplate":"Charge {Id} failed","RenderedMessage":"Charge 7 failed","Properties":{"Id":7,"TraceId":"4bf92f3577b34da6a3ce929d0e0e4736"}})");
  EXPECT_EQ(serilog.time_ns, kBaseNs + 500 * kMsNs);
  EXPECT_EQ(serilog.level, Level::kError);
  EXPECT_EQ(serilog.message, "Charge 7 failed");
  EXPECT_EQ(serilog.trace_id, kTrace);
  // Microsoft.Extensions.Logging's JSON console formatter.
  Record dotnet = Parse(
      R"({"Timestamp":"2026-11-23T10:00:00Z","EventId":0,"LogLevel":"Warning","Category":"Shop.Api","Message":"slow charge"})");
  EXPECT_EQ(dotnet.time_ns, kBaseNs);
  EXPECT_EQ(dotnet.level, Level::kWarn);
  EXPECT_EQ(dotnet.service, "Shop.Api");
  EXPECT_EQ(dotnet.message, "slow charge");
}

TEST_F(ParseLineTest, JournaldExportLineGivesAllFields) {
  // journalctl -o json: every value a string, the time in microseconds, syslog priorities.
  Record r = Parse(
      R"({"__REALTIME_TIMESTAMP":"1795428000123456","PRIORITY":"3","SYSLOG_IDENTIFIER":"payments","MESSAGE":"charge failed","TRACE_ID":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  EXPECT_EQ(r.time_ns, kBaseNs + 123456000);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.service, "payments");
  EXPECT_EQ(r.message, "charge failed");
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(Parse(R"({"PRIORITY":"6","MESSAGE":"m"})").level, Level::kInfo);
}

TEST_F(ParseLineTest, MonologNumericLevelsMapDebugThroughEmergency) {
  // PHP Monolog writes both "level": 400 and "level_name": "ERROR".
  Record r = Parse(
      R"({"message":"charge failed","channel":"app","level":400,"level_name":"ERROR","datetime":"2026-11-23T10:00:00+00:00"})");
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.time_ns, kBaseNs);
  const std::pair<int, Level> levels[] = {{100, Level::kDebug}, {200, Level::kInfo},
                                          {250, Level::kInfo},  {300, Level::kWarn},
                                          {500, Level::kFatal}, {600, Level::kFatal}};
  for (auto [number, level] : levels) {
    EXPECT_EQ(Parse(absl::StrCat(R"({"msg":"m","level":)", number, "}")).level, level) << number;
  }
  // Above Monolog's range: java.util.logging's values, else unknown.
  const std::pair<int, Level> jul[] = {
      {800, Level::kInfo}, {900, Level::kWarn}, {1000, Level::kError}, {650, Level::kUnknown}};
  for (auto [number, level] : jul) {
    EXPECT_EQ(Parse(absl::StrCat(R"({"msg":"m","level":)", number, "}")).level, level) << number;
  }
}

TEST_F(ParseLineTest, PythonAsctimeWithCommaMillisecondsIsATime) {
  Record r = Parse(
      R"({"asctime":"2026-11-23 10:00:00,250","levelname":"ERROR","message":"charge failed"})");
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
  EXPECT_TRUE(r.has_time());
}

TEST_F(ParseLineTest, Rfc1123DateFieldIsATime) {
  EXPECT_EQ(Parse(R"({"date":"Mon, 23 Nov 2026 10:00:00 GMT","msg":"m"})").time_ns, kBaseNs);
  // fluent-bit's json output: "date" as epoch seconds with a fraction.
  EXPECT_EQ(Parse(R"({"date":1795428000.25,"log":"charge failed"})").time_ns,
            kBaseNs + 250 * kMsNs);
}

TEST_F(ParseLineTest, FluentBitKubernetesRecordGivesServiceAndMessage) {
  Record r = Parse(
      R"({"date":1795428000.0,"log":"charge failed\n","stream":"stderr","kubernetes":{"pod_name":"payments-7f9c","container_name":"payments","labels":{"app":"payments-api"}}})");
  // "log" and "stream" make it a container line: the line inside is plain text, and the
  // record's service comes from the metadata around it.
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.service, "payments-api");
  EXPECT_EQ(r.message, "charge failed");
  EXPECT_EQ(r.time_ns, kBaseNs);
  EXPECT_EQ(Parse(R"({"log":"m","kubernetes":{"container_name":"payments"}})").service, "payments");
}

TEST_F(ParseLineTest, Log15AndZapLevelWordsAndOneLetterLevelsAreRead) {
  EXPECT_EQ(Parse(R"({"lvl":"eror","msg":"m"})").level, Level::kError);
  EXPECT_EQ(Parse(R"({"lvl":"dbug","msg":"m"})").level, Level::kDebug);
  EXPECT_EQ(Parse(R"({"level":"dpanic","msg":"m"})").level, Level::kError);
  const std::pair<const char*, Level> initials[] = {
      {"E", Level::kError}, {"w", Level::kWarn},  {"I", Level::kInfo},   {"D", Level::kDebug},
      {"F", Level::kFatal}, {"V", Level::kTrace}, {"X", Level::kUnknown}};
  for (auto [initial, level] : initials) {
    EXPECT_EQ(Parse(absl::StrCat(R"({"msg":"m","level":")", initial, "\"}")).level, level)
        << initial;
  }
}

TEST_F(ParseLineTest, GlogPlainTextLineHasItsLevel) {
  Record r = Parse("E1123 10:00:19.123456   12 server.go:33] charge failed");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(Parse("W1123 10:00:19.123456   12 server.go:33] slow").level, Level::kWarn);
  // A word that merely starts with a level initial is not one.
  EXPECT_EQ(Parse("E12345 is not glog").level, Level::kUnknown);
}

TEST_F(ParseLineTest, LogfmtPlainTextLineHasTheTimeOfItsTsPair) {
  Record r =
      Parse(R"(level=error ts=2026-11-23T10:00:00.25Z caller=pay.go:12 msg="charge failed")");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
  EXPECT_EQ(Parse(R"(msg="x" time="2026-11-23 10:00:00" level=info)").time_ns, kBaseNs);
  EXPECT_EQ(Parse("at=info time=1795428000 msg=x").time_ns, kBaseNs);
  // A pair inside a quoted message that is no time does not hide the real one.
  EXPECT_EQ(Parse(R"(level=error msg="retry at ts=5" time=2026-11-23T10:00:00Z)").time_ns, kBaseNs);
  // A duration is not a time, nor is a key that only ends in "ts".
  EXPECT_FALSE(Parse("request done time=5 status=200").has_time());
  EXPECT_FALSE(Parse("counts=2026-11-23T10:00:00Z").has_time());
}

// --- Container runtime wrappers ------------------------------------------------------------

TEST_F(ParseLineTest, KubernetesCriLineIsParsedAsTheJsonLineInside) {
  // /var/log/containers/*.log: the runtime's time, stream and tag before the container's line.
  const std::string line =
      R"(2026-11-23T10:00:00.5Z stdout F {"level":"error","msg":"charge failed","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","time":"2026-11-23T10:00:00.25Z"})";
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.raw, line);  // the raw line is what the file holds
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "charge failed");
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);  // the line's own time wins
  EXPECT_TRUE(r.flags & kRecordContainerWrapped);
  // Without a time of its own, the line has the runtime's.
  EXPECT_EQ(Parse(R"(2026-11-23T10:00:00.5Z stderr F {"msg":"no time"})").time_ns,
            kBaseNs + 500 * kMsNs);
}

TEST_F(ParseLineTest, KubernetesCriPlainTextLineKeepsItsIndentation) {
  Record r = Parse("2026-11-23T10:00:00.5Z stderr F \tat com.shop.Pay.charge(Pay.java:42)");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, "\tat com.shop.Pay.charge(Pay.java:42)");
  EXPECT_EQ(r.time_ns, kBaseNs + 500 * kMsNs);
  Record partial = Parse("2026-11-23T10:00:00.5Z stdout P ERROR first part of a long line");
  EXPECT_EQ(partial.message, "ERROR first part of a long line");
  EXPECT_EQ(partial.level, Level::kError);
  // The container wrote an empty line.
  Record empty = Parse("2026-11-23T10:00:00.5Z stdout F ");
  EXPECT_EQ(empty.kind, RecordKind::kEmpty);
}

TEST_F(ParseLineTest, LinesThatOnlyLookLikeCriAreLeftWhole) {
  for (const char* line :
       {"2026-11-23T10:00:00.5Z stdin F hello", "2026-11-23T10:00:00.5Z stdout X hello",
        "2026-11-23T10:00:00.5Z stdout FF hello", "2026-11-23T99:00:00.5Z stdout F x",
        "2026-11-23 10:00:00,5 stdout F hello"}) {
    Record r = Parse(line);
    EXPECT_FALSE(r.flags & kRecordContainerWrapped) << line;
    EXPECT_EQ(r.message, line);
  }
}

TEST_F(ParseLineTest, DockerJsonFileLineIsParsedAsTheJsonLineInside) {
  Record r = Parse(
      R"({"log":"{\"level\":\"error\",\"msg\":\"ledger write failed\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"service\":\"ledger\"}\n","stream":"stdout","time":"2026-11-23T10:00:00.000000001Z"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "ledger");
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "ledger write failed");
  EXPECT_TRUE(r.flags & kRecordMessageEscaped);  // unescaped: not a slice of the raw line
  EXPECT_EQ(r.time_ns, kBaseNs + 1);             // Docker's time, the line has none
  EXPECT_TRUE(r.flags & kRecordContainerWrapped);
}

TEST_F(ParseLineTest, DockerJsonFileWithPlainTextInsideIsUnstructured) {
  Record r = Parse(
      R"({"log":"panic: runtime error: index out of range\n","stream":"stderr","time":"2026-11-23T10:00:00.5Z"})");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, "panic: runtime error: index out of range");
  EXPECT_EQ(r.level, Level::kFatal);
  EXPECT_EQ(r.time_ns, kBaseNs + 500 * kMsNs);
  EXPECT_EQ(Parse(R"({"log":"\n","stream":"stdout","time":"2026-11-23T10:00:00Z"})").kind,
            RecordKind::kEmpty);
}

TEST_F(ParseLineTest, DockerLineWithBrokenJsonInsideKeepsItsTextIntact) {
  // Docker splits lines over 16 KiB; the first part is JSON cut short. Its text must come
  // out exactly as the service wrote it (the in-situ parser must not have written into it).
  Record r = Parse(
      R"({"log":"{\"level\":\"error\",\"msg\":\"payment failed \\\"card declined\\\"\",\"err\":\"E42","stream":"stderr","time":"2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, R"({"level":"error","msg":"payment failed \"card declined\"","err":"E42)");
  EXPECT_EQ(r.time_ns, kBaseNs);
}

TEST_F(ParseLineTest, DockerLineWithDeeplyNestedJsonInsideIsStillJson) {
  // Deeper than the recursive parser goes: the retry with the iterative one must see the
  // original bytes.
  std::string inner = R"({\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"deep\":)";
  for (int i = 0; i < 300; ++i) inner += R"({\"a\":)";
  inner += "1";
  for (int i = 0; i < 300; ++i) inner += "}";
  inner += "}";
  Record r = Parse(R"({"log":")" + inner + R"(","stream":"stdout","time":"2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
}

TEST_F(ParseLineTest, AppJsonWithStreamAndLogFieldsIsNotADockerLine) {
  Record r = Parse(
      R"({"level":"error","msg":"charge failed","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","stream":"orders","log":"ERROR audit","time":"2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.message, "charge failed");
  EXPECT_FALSE(r.flags & kRecordContainerWrapped);
  // stdout, but no time key: not Docker's shape either.
  EXPECT_FALSE(Parse(R"({"msg":"m","stream":"stdout","log":"x"})").flags & kRecordContainerWrapped);
}

TEST_F(ParseLineTest, DockerWrapperFillsInTraceIdAndKeepsItsFlags) {
  Record r =
      Parse(R"({"log":"plain words\n","stream":"stdout","time":"not a time","trace_id":12345})");
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.trace_id, "12345");
  EXPECT_TRUE(r.flags & kRecordNumericTraceId);
  EXPECT_TRUE(r.flags & kRecordBadTime);  // Docker's time was unparseable: counted
  EXPECT_FALSE(r.has_time());
}

TEST_F(ParseLineTest, LogKeyWithoutStreamIsAnOrdinaryMessage) {
  Record r = Parse(R"({"log":"{\"msg\":\"inner\"}","time":"2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.message, R"({"msg":"inner"})");
  EXPECT_FALSE(r.flags & kRecordContainerWrapped);
}

TEST(LineParserSyslogTest, SyslogLinesHaveTheirTimeAndSeverity) {
  ParserOptions options;
  options.syslog_reference_ns = kBaseNs + 3600LL * 1'000'000'000;  // read an hour later
  auto parser = MakeParser(options);
  std::string scratch;
  // /var/log/syslog (RFC 3164): no year; the reference's is used.
  Record bsd = parser->ParseLine("Nov 23 10:00:00 web1 payments[812]: ERROR charge failed",
                                 "syslog", &scratch);
  EXPECT_EQ(bsd.kind, RecordKind::kUnstructured);
  EXPECT_EQ(bsd.time_ns, kBaseNs);
  EXPECT_EQ(bsd.level, Level::kError);
  // RFC 5424 with its priority: <11> is facility 1, severity 3 (error).
  Record rfc5424 = parser->ParseLine(
      "<11>1 2026-11-23T10:00:00.5Z web1 payments 812 - - charge failed", "syslog", &scratch);
  EXPECT_EQ(rfc5424.time_ns, kBaseNs + 500 * kMsNs);
  EXPECT_EQ(rfc5424.level, Level::kError);
  // On the wire (RFC 3164 with <PRI>); a level word beats the priority.
  Record wire =
      parser->ParseLine("<14>Nov 23 10:00:00 web1 app: WARN disk 91%", "syslog", &scratch);
  EXPECT_EQ(wire.time_ns, kBaseNs);
  EXPECT_EQ(wire.level, Level::kWarn);
  // Not a priority: left alone.
  Record html = parser->ParseLine("<html> Nov 23 10:00:00", "syslog", &scratch);
  EXPECT_FALSE(html.has_time());
}

TEST_F(ParseLineTest, IdsThatOnlyLookWrappedAreKeptWhole) {
  // Not hex where the trace id would be, or a resource name without /traces/: left alone.
  EXPECT_EQ(
      Parse(R"({"trace_id":"00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01"})").trace_id,
      "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01");
  EXPECT_EQ(Parse(R"({"trace_id":"projects/shop-prod/spans/1"})").trace_id,
            "projects/shop-prod/spans/1");
  EXPECT_EQ(Parse(R"({"trace_id":"projects/shop-prod/traces/"})").trace_id,
            "projects/shop-prod/traces/");
}

TEST_F(ParseLineTest, UnknownLevelWordGivesUnknownLevel) {
  Record r = Parse(R"({"level":"loud","msg":"disk usage at 91%"})");
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.level, Level::kUnknown);
}

TEST_F(ParseLineTest, LineWithoutTimeFieldHasNoTimeAndNoBadTime) {
  Record r = Parse(R"({"level":"info","msg":"healthcheck ok"})");
  EXPECT_FALSE(r.has_time());
  EXPECT_FALSE(r.flags & kRecordBadTime);
  EXPECT_TRUE(r.trace_id.empty());
}

TEST_F(ParseLineTest, UnescapedValuesAreSlicesOfTheRawLine) {
  Record r =
      Parse(R"({"level":"info","msg":"posted entry","trace_id":"abc123","service":"ledger"})");
  EXPECT_TRUE(PointsInto(r.trace_id, r.raw));
  EXPECT_TRUE(PointsInto(r.message, r.raw));
  EXPECT_TRUE(PointsInto(r.service, r.raw));
  EXPECT_FALSE(r.flags & kRecordMessageEscaped);
}

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

TEST(LineParserFieldsTest, ConfiguredTraceIdNameIsFound) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), "req_trace");
  std::unique_ptr<LineParser> parser = MakeParser(options);
  std::string scratch;
  Record r = parser->ParseLine(R"({"level":"info","msg":"quote issued","req_trace":"rq-77f1c2"})",
                               kSourceService, &scratch);
  EXPECT_EQ(r.trace_id, "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredTraceIdNameBeatsBuiltInNames) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), "req_trace");
  std::unique_ptr<LineParser> parser = MakeParser(options);
  std::string scratch;
  Record r = parser->ParseLine(
      R"({"trace_id":"builtin-one","msg":"quote issued","req_trace":"rq-77f1c2"})", kSourceService,
      &scratch);
  EXPECT_EQ(r.trace_id, "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredNestedPathIsFound) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), "ctx.tracing.root");
  std::unique_ptr<LineParser> parser = MakeParser(options);
  std::string scratch;
  Record r = parser->ParseLine(
      R"({"msg":"quote issued","ctx":{"user":"u-1","tracing":{"root":"rq-77f1c2"}}})",
      kSourceService, &scratch);
  EXPECT_EQ(r.trace_id, "rq-77f1c2");
}

TEST(LineParserFieldsTest, ConfiguredNameOf64BytesIsFound) {
  // 64 bytes: FieldNames::Validate() accepts names up to 200 bytes.
  const std::string key = "acme_platform_observability_distributed_tracing_root_trace_ident";
  ASSERT_EQ(key.size(), 64u);
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), key);
  ASSERT_TRUE(options.Validate().ok());
  std::unique_ptr<LineParser> parser = MakeParser(options);
  std::string scratch;
  Record r = parser->ParseLine(R"({"msg":"quote issued",")" + key + R"(":"rq-77f1c2"})",
                               kSourceService, &scratch);
  // Regression (fixed): Validate() accepts configured names up to 200 bytes, but FieldTable::Add()
  // and FieldTable::Find() silently ignore names longer than 63 bytes, so this configured key is
  // never matched and the line has no trace id.
  EXPECT_EQ(r.trace_id, "rq-77f1c2");
}

TEST(LineParserFieldsTest, EmptyFieldListIsRejectedAtCreate) {
  ParserOptions options;
  options.fields.trace_id.clear();
  absl::StatusOr<std::unique_ptr<LineParser>> parser = LineParser::Create(options);
  EXPECT_EQ(parser.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Bad input.

TEST_F(ParseLineTest, TruncatedJsonIsUnstructuredWithTheLineAsMessage) {
  const std::string line = R"({"trace_id":"a","msg":"x)";
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
  EXPECT_EQ(r.service, "ledger");
  EXPECT_TRUE(r.flags & kRecordServiceFromSource);
}

TEST_F(ParseLineTest, JsonArrayLineIsUnstructured) {
  const std::string line = R"([{"trace_id":"a","msg":"x"}])";
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
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
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
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
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
}

TEST_F(ParseLineTest, NulByteInsideJsonStringMakesLineUnstructured) {
  const std::string line = "{\"trace_id\":\"a1\",\"msg\":\"x\0y\"}"s;
  Record r = Parse(line);
  EXPECT_EQ(r.kind, RecordKind::kUnstructured);
  EXPECT_EQ(r.message, line);
  EXPECT_TRUE(r.trace_id.empty());
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

// ---------------------------------------------------------------------------------------------
// ParseBatch.

// The counters as named pairs, so a mismatch names the counter.
std::vector<std::pair<std::string, uint64_t>> Named(const ParseCounters& c) {
  return {{"lines", c.lines},
          {"bytes", c.bytes},
          {"json", c.json},
          {"unstructured", c.unstructured},
          {"empty", c.empty},
          {"no_trace_id", c.no_trace_id},
          {"bad_time", c.bad_time},
          {"no_time", c.no_time},
          {"invalid_utf8", c.invalid_utf8},
          {"truncated", c.truncated},
          {"bom", c.bom},
          {"crlf", c.crlf}};
}

TEST(ParseBatchTest, MixedBatchGivesExactCounters) {
  const std::vector<std::string> lines = {
      // JSON, trace id, time.
      R"({"level":"info","ts":1795428000.5,"caller":"ledger/post.go:88","msg":"posted entry","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})",
      // Plain text.
      "2026-11-23T10:00:04Z INFO ledger started on :8080",
      // Empty.
      "",
      // JSON, bad time.
      R"({"timestamp":"yesterday","levelname":"INFO","message":"nightly export done","trace_id":"5af92f3577b34da6a3ce929d0e0e4736"})",
      // JSON, invalid UTF-8, trace id, time.
      "{\"level\":\"info\",\"ts\":1795428001,\"msg\":\"caf\xE9\",\"trace_id\":\"6bf9\"}",
      // JSON, no trace id, no time.
      R"({"level":"info","msg":"healthcheck ok"})",
      // Whitespace only.
      "   ",
      // Truncated JSON.
      R"({"trace_id":"a","msg":"x)",
      // Plain text with invalid UTF-8.
      "GET /caf\xE9 404",
  };
  RawBatch raw;
  uint64_t offset = 0;
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    raw.AddLine(lines[i], offset, i + 1);
    offset += lines[i].size() + 1;
    total_bytes += lines[i].size();
  }
  ParsedBatch parsed;
  ParseCounters c = MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);

  ParseCounters want;
  want.lines = 9;
  want.bytes = total_bytes;
  want.json = 4;
  want.unstructured = 3;
  want.empty = 2;
  want.no_trace_id = 1;
  want.bad_time = 1;
  want.no_time = 1;
  want.invalid_utf8 = 2;
  EXPECT_EQ(Named(c), Named(want));
  ASSERT_EQ(parsed.records.size(), lines.size());
  EXPECT_EQ(parsed.records[0].trace_id, kTrace);
  EXPECT_EQ(parsed.records[0].time_ns, kBaseNs + 500 * kMsNs);
}

TEST(ParseBatchTest, ContainerWrappedLinesAreCounted) {
  auto parser = MakeParser();
  RawBatch batch;
  batch.AddLine(R"(2026-11-23T10:00:00Z stdout F {"msg":"a"})", 0, 1);
  batch.AddLine(R"({"log":"b\n","stream":"stdout","time":"2026-11-23T10:00:00Z"})", 40, 2);
  batch.AddLine(R"({"msg":"c"})", 100, 3);
  ParsedBatch out;
  ParseCounters c = parser->ParseBatch(std::move(batch), "svc", &out);
  EXPECT_EQ(c.container, 2u);
  EXPECT_EQ(c.json, 2u);
  EXPECT_EQ(c.unstructured, 1u);
}

TEST(ParseBatchTest, SourceLineFlagsAreCounted) {
  RawBatch raw;
  raw.AddLine(R"({"level":"info","msg":"boot","trace_id":"t-1"})", 0, 1, kLineHadBOM);
  raw.AddLine(R"({"level":"info","msg":"ready","trace_id":"t-1"})", 50, 2, kLineHadCR);
  raw.AddLine("", 100, 3, kLineHadCR);
  raw.AddLine(R"({"level":"info","msg":"aaaaaaaa)", 102, 4, kLineTruncated | kLineHadCR);
  ParsedBatch parsed;
  ParseCounters c = MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  EXPECT_EQ(c.bom, 1u);
  EXPECT_EQ(c.crlf, 3u);
  EXPECT_EQ(c.truncated, 1u);
  ASSERT_EQ(parsed.records.size(), 4u);
  EXPECT_FALSE(parsed.records[0].flags & kRecordTruncated);
  EXPECT_FALSE(parsed.records[1].flags & kRecordTruncated);
  EXPECT_TRUE(parsed.records[3].flags & kRecordTruncated);
  // The cut JSON line keeps the level that lies whole in its head.
  EXPECT_EQ(parsed.records[3].kind, RecordKind::kJson);
  EXPECT_EQ(parsed.records[3].level, Level::kInfo);
}

// ---------------------------------------------------------------------------------------------
// Lines cut at max_line_bytes: what lies whole in the kept head is kept.

// Parses `head` as the kept head of a line the batcher cut (kLineTruncated) with `options`.
struct CutLine {
  ParsedBatch parsed;
  ParseCounters counters;
  const Record& record() const { return parsed.records[0]; }
};
CutLine ParseCut(std::string_view head, const ParserOptions& options = {},
                 uint8_t flags = kLineTruncated) {
  RawBatch raw;
  raw.AddLine(head, 0, 1, flags);
  CutLine out;
  out.counters = MakeParser(options)->ParseBatch(std::move(raw), kSourceService, &out.parsed);
  return out;
}

constexpr std::string_view kCutHead =
    R"({"ts":"2026-11-23T10:00:00.250Z","level":"error","service":"payments","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"card declined: upstream said )";

TEST(CutLineTest, CutJsonLineKeepsTraceTimeLevelAndServiceOfItsHead) {
  CutLine cut = ParseCut(kCutHead);
  const Record& r = cut.record();
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "payments");
  EXPECT_FALSE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
  EXPECT_TRUE(r.flags & kRecordTruncated);
  EXPECT_TRUE(r.message.empty());  // the message was cut: no part of it is made up
  EXPECT_EQ(r.raw, kCutHead);      // the raw line is the kept head
  EXPECT_EQ(cut.counters.json, 1u);
  EXPECT_EQ(cut.counters.truncated, 1u);
  EXPECT_EQ(cut.counters.unstructured, 0u);
  EXPECT_EQ(cut.counters.no_trace_id, 0u);
  EXPECT_NE(cut.parsed.trace_hashes[0], 0u);  // routed to its trace's shard
}

TEST(CutLineTest, MessageWholeInTheHeadIsKept) {
  CutLine cut = ParseCut(
      R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"card declined","payload":"AAAAAAAAAAAA)");
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, kTrace);
  EXPECT_EQ(cut.record().message, "card declined");
  EXPECT_EQ(cut.record().service, kSourceService);  // no service field in the head
}

TEST(CutLineTest, CutAnywhereInsideTheLastValueOrKeyKeepsTheFieldsBeforeIt) {
  const std::string line =
      R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","level":"warn","n":12345,"arr":[1,2,{"k":"v"}],"esc":"a\u00e9\"b","last":"zzzz"})";
  const size_t after_level = line.find(R"(,"n")");
  // Every cut from just after the level's value to just before the end.
  for (size_t cut_at = after_level; cut_at + 1 < line.size(); ++cut_at) {
    SCOPED_TRACE(line.substr(0, cut_at));
    CutLine cut = ParseCut(line.substr(0, cut_at));
    EXPECT_EQ(cut.record().kind, RecordKind::kJson);
    EXPECT_EQ(cut.record().trace_id, kTrace);
    EXPECT_EQ(cut.record().level, Level::kWarn);
  }
}

TEST(CutLineTest, FieldsAfterTheCutAreAbsentAndCounted) {
  CutLine cut = ParseCut(R"({"level":"info","msg":"export done","payload":"AAAAAAAA)");
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_TRUE(cut.record().trace_id.empty());
  EXPECT_EQ(cut.counters.no_trace_id, 1u);
  EXPECT_EQ(cut.counters.no_time, 1u);
}

TEST(CutLineTest, ConfiguredAndNestedFieldNamesAreFoundInTheHead) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), "ctx.tracing.root");
  options.fields.service.insert(options.fields.service.begin(), "app_name");
  CutLine cut = ParseCut(
      R"({"app_name":"quotes","ctx":{"user":"u-1","tracing":{"root":"rq-77f1c2"}},"msg":"quote iss)",
      options);
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, "rq-77f1c2");
  EXPECT_EQ(cut.record().service, "quotes");
}

TEST(CutLineTest, CutPlainTextAndJsonBrokenBeforeTheCutStayPlainText) {
  CutLine text = ParseCut("2026-11-23T10:00:04Z ERROR ledger: request failed with a very long ");
  EXPECT_EQ(text.record().kind, RecordKind::kUnstructured);
  EXPECT_EQ(text.counters.truncated, 1u);
  // Broken long before the cut: not a cut JSON object, whatever it holds.
  CutLine broken = ParseCut(
      R"({"level":"info",,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"aaaaaaaaaaaaaaaaaaaaaaaaa)");
  EXPECT_EQ(broken.record().kind, RecordKind::kUnstructured);
  EXPECT_TRUE(broken.record().trace_id.empty());
}

TEST(CutLineTest, SameHeadNotCutByUsIsPlainText) {
  // A line that ends early in the file (a writer died mid-line) is not a cut of ours.
  CutLine cut = ParseCut(kCutHead, {}, /*flags=*/0);
  EXPECT_EQ(cut.record().kind, RecordKind::kUnstructured);
  EXPECT_TRUE(cut.record().trace_id.empty());
  EXPECT_EQ(cut.counters.truncated, 0u);
}

TEST(CutLineTest, CutCriWrappedJsonLineKeepsItsTraceId) {
  const std::string head =
      "2026-11-23T10:00:09.123456789Z stdout F " + std::string(kCutHead.substr(0, 120));
  CutLine cut = ParseCut(head);
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, kTrace);
  EXPECT_EQ(cut.counters.container, 1u);
}

TEST(ParseBatchTest, RecordsGetSequenceAndSourcePositions) {
  RawBatch raw;
  raw.source_id = 3;
  raw.first_seq = 1000;
  const std::vector<std::string> lines = {R"({"level":"info","msg":"a","trace_id":"t-1"})",
                                          "plain text line", "", R"({"level":"warn","msg":"b"})"};
  const uint64_t offsets[] = {4096, 4140, 4156, 4157};
  for (size_t i = 0; i < lines.size(); ++i) raw.AddLine(lines[i], offsets[i], 70 + i);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.records.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    const Record& r = parsed.records[i];
    EXPECT_EQ(r.seq, 1000 + i);
    EXPECT_EQ(r.source_offset, offsets[i]);
    EXPECT_EQ(r.line_no, 70 + i);
    EXPECT_EQ(r.source_id, 3u);
    EXPECT_EQ(r.raw, lines[i]);
    EXPECT_TRUE(PointsInto(r.raw, BatchBytes(parsed)));
  }
}

TEST(ParseBatchTest, IdenticalLinesHaveEqualHashesAndEmptyLinesZero) {
  const std::string retry = R"({"level":"error","msg":"charge failed","trace_id":"t-9"})";
  const std::string other = R"({"level":"error","msg":"charge failed again","trace_id":"t-9"})";
  RawBatch raw;
  raw.AddLine(retry, 0, 1);
  raw.AddLine(other, 57, 2);
  raw.AddLine("", 121, 3);
  raw.AddLine(retry, 122, 4);
  raw.AddLine("no trace here", 179, 5);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.line_hashes.size(), 5u);
  ASSERT_EQ(parsed.trace_hashes.size(), 5u);
  EXPECT_EQ(parsed.line_hashes[0], parsed.line_hashes[3]);
  EXPECT_NE(parsed.line_hashes[0], parsed.line_hashes[1]);
  EXPECT_NE(parsed.line_hashes[0], 0u);
  EXPECT_EQ(parsed.line_hashes[2], 0u);
  EXPECT_EQ(parsed.trace_hashes[0], parsed.trace_hashes[1]);
  EXPECT_NE(parsed.trace_hashes[0], 0u);
  EXPECT_EQ(parsed.trace_hashes[2], 0u);
  EXPECT_EQ(parsed.trace_hashes[4], 0u);
}

TEST(ParseBatchTest, EscapedMessageInBatchIsUnescapedIntoScratch) {
  RawBatch raw;
  raw.AddLine(R"({"level":"info","msg":"line1\nline2 \u2192 done","trace_id":"t-3"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.records.size(), 1u);
  const Record& r = parsed.records[0];
  EXPECT_EQ(r.message, "line1\nline2 \xE2\x86\x92 done");
  EXPECT_TRUE(r.flags & kRecordMessageEscaped);
  EXPECT_TRUE(PointsInto(r.message, parsed.scratch));
  EXPECT_TRUE(PointsInto(r.trace_id, BatchBytes(parsed)));
}

TEST(ParseBatchTest, OutputIsOverwrittenByTheNextBatch) {
  std::unique_ptr<LineParser> parser = MakeParser();
  ParsedBatch parsed;
  RawBatch first;
  first.AddLine(R"({"level":"info","msg":"a","trace_id":"t-1"})", 0, 1);
  first.AddLine(R"({"level":"info","msg":"b","trace_id":"t-2"})", 44, 2);
  parser->ParseBatch(std::move(first), kSourceService, &parsed);
  RawBatch second;
  second.AddLine("plain", 88, 3);
  ParseCounters c = parser->ParseBatch(std::move(second), kSourceService, &parsed);
  EXPECT_EQ(c.lines, 1u);
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.line_hashes.size(), 1u);
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kUnstructured);
  EXPECT_TRUE(parsed.records[0].trace_id.empty());
  EXPECT_EQ(parsed.records[0].flags, kRecordServiceFromSource);
}

TEST(ParseBatchTest, MovingParsedBatchKeepsRawViewsValid) {
  // A batch of one short line, e.g. the last line a source flushes.
  RawBatch raw;
  raw.AddLine(R"({"msg":"ok"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ParsedBatch moved = std::move(parsed);
  ASSERT_EQ(moved.records.size(), 1u);
  EXPECT_TRUE(PointsInto(moved.records[0].raw, BatchBytes(moved)));
  EXPECT_TRUE(PointsInto(moved.records[0].message, BatchBytes(moved)));
}

TEST(ParseBatchTest, MovingParsedBatchKeepsEscapedMessageViewValid) {
  // A batch of one short line whose message has an escape, so it lives in the scratch copy.
  RawBatch raw;
  raw.AddLine(R"({"msg":"\n"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ParsedBatch moved = std::move(parsed);
  ASSERT_EQ(moved.records.size(), 1u);
  ASSERT_TRUE(moved.records[0].flags & kRecordMessageEscaped);
  // Regression (fixed): parser.h promises "moving keeps the views valid: the buffers' storage does
  // not move", but ParsedBatch::scratch is a std::string: for a batch of up to 15 bytes (lines +
  // NULs) it sits in the small-string buffer inside the object, so after the move an escaped
  // message still points into the moved-from ParsedBatch (a dangling view once that is destroyed).
  EXPECT_TRUE(PointsInto(moved.records[0].message, moved.scratch));
}

// ---------------------------------------------------------------------------------------------
// ServiceFromSourceName.

TEST(ServiceFromSourceNameTest, KubernetesLogFilesNameTheirContainer) {
  EXPECT_EQ(
      ServiceFromSourceName("/var/log/containers/payments-7f9c-x2_shop_payments-"
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log"),
      "payments");
  EXPECT_EQ(ServiceFromSourceName("/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log"),
            "payments-api");
  // kubelet's rotated files, compressed or not.
  EXPECT_EQ(ServiceFromSourceName(
                "/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log.20261123-101010"),
            "payments-api");
  EXPECT_EQ(ServiceFromSourceName(
                "/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log.20261123-101010.gz"),
            "payments-api");
  // A numbered log outside /var/log/pods is named by the usual rules.
  EXPECT_EQ(ServiceFromSourceName("/tmp/2026.log"), "2026");
  EXPECT_EQ(ServiceFromSourceName("logs/20261123.log"), "20261123");
  // Not the Kubernetes shapes: the usual rules.
  EXPECT_EQ(ServiceFromSourceName("/var/log/app_prod_api-deadbeef.log"), "app_prod_api-deadbeef");
  EXPECT_EQ(ServiceFromSourceName("0.log"), "0");
}

TEST(ServiceFromSourceNameTest, StripsDirectoriesExtensionsRotationAndDates) {
  const std::pair<std::string, std::string> cases[] = {
      {"/var/log/ledger.log", "ledger"},
      {"ledger.log.1", "ledger"},
      {"ledger.log.2.gz", "ledger"},
      {"/var/log/ledger/ledger.log.2.gz", "ledger"},
      {"api-2026-11-23.log", "api"},
      {"api-20261123.log", "api"},
      {"app.log-20261123.gz", "app"},
      {"payments.json.zst", "payments"},
      {"events.ndjson", "events"},
      {"events.jsonl", "events"},
      {"worker_3.out", "worker"},
      {"checkout-service.log", "checkout-service"},
      {"python3.log", "python3"},
      {"api-v2.log", "api-v2"},
      {"-", "stdin"},
  };
  for (const auto& [source, service] : cases) {
    EXPECT_EQ(ServiceFromSourceName(source), service) << source;
  }
}

// ---------------------------------------------------------------------------------------------
// ParseLevelWord.

TEST(ParseLevelWordTest, MapsEveryDocumentedWordInAnyCase) {
  const std::pair<std::string, Level> cases[] = {
      {"trace", Level::kTrace},      {"TRACE", Level::kTrace},     {"debug", Level::kDebug},
      {"Debug", Level::kDebug},      {"dbg", Level::kDebug},       {"verbose", Level::kDebug},
      {"fine", Level::kDebug},       {"info", Level::kInfo},       {"INFO", Level::kInfo},
      {"Information", Level::kInfo}, {"notice", Level::kInfo},     {"NOTICE", Level::kInfo},
      {"warn", Level::kWarn},        {"WARNING", Level::kWarn},    {"Warning", Level::kWarn},
      {"error", Level::kError},      {"ERR", Level::kError},       {"Error", Level::kError},
      {"SEVERE", Level::kError},     {"fatal", Level::kFatal},     {"critical", Level::kFatal},
      {"CRIT", Level::kFatal},       {"panic", Level::kFatal},     {"alert", Level::kFatal},
      {"emerg", Level::kFatal},      {"EMERGENCY", Level::kFatal},
  };
  for (const auto& [word, level] : cases) {
    EXPECT_EQ(ParseLevelWord(word), level) << word;
  }
}

TEST(ParseLevelWordTest, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(ParseLevelWord("info "), Level::kInfo);
  EXPECT_EQ(ParseLevelWord(" ERROR"), Level::kError);
  EXPECT_EQ(ParseLevelWord("\tWarn\r\n"), Level::kWarn);
}

TEST(ParseLevelWordTest, NonLevelWordsAreUnknown) {
  for (const std::string word :
       {"", "warnings", "inf", "errors", "okay", "30", "in fo", " ", "information-level"}) {
    EXPECT_EQ(ParseLevelWord(word), Level::kUnknown) << '"' << word << '"';
  }
}

}  // namespace
}  // namespace logweave

namespace logweave {
namespace {

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
}  // namespace logweave

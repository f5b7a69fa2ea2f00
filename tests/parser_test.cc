// Tests for the LineParser (parse/parser.h): field extraction per logging convention and
// container runtime wrappers. Shared setup: support/parse_line_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/parse_line_fixture.h"

namespace logweave::parser_test {
namespace {

// ---------------------------------------------------------------------------------------------
// Logging conventions.

TEST_F(ParseLineTest, ZapLineWithoutServiceFieldTakesSourceService) {
  Record r = Parse(
      R"({"level":"info","ts":1795428000.123456,"caller":"ledger/post.go:88","msg":"posted entry","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  ExpectJsonFields(r, {"ledger", true, Level::kInfo, "posted entry", kBaseNs + 123456000});
  EXPECT_FALSE(r.flags & kRecordBadTime);
}

TEST_F(ParseLineTest, PythonJsonLoggerLineGivesAllFields) {
  Record r = Parse(
      R"({"timestamp":"2026-11-23T10:00:01.250Z","levelname":"WARNING","name":"checkout.api","message":"cart total mismatch","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","service":"checkout"})");
  ExpectJsonFields(
      r, {"checkout", false, Level::kWarn, "cart total mismatch", kBaseNs + 1250 * kMsNs});
}

TEST_F(ParseLineTest, LogstashEcsLineWithDottedKeysGivesAllFields) {
  Record r = Parse(
      R"({"@timestamp":"2026-11-23T10:00:02.500+00:00","log.level":"ERROR","message":"insufficient funds for account 7731","ecs.version":"1.2.0","service.name":"ledger-core","event.dataset":"ledger-core.log","process.thread.name":"http-nio-8080-exec-3","log.logger":"com.acme.ledger.PostingService","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"00f067aa0ba902b7"})");
  ExpectJsonFields(r, {"ledger-core", false, Level::kError, "insufficient funds for account 7731",
                       kBaseNs + 2500 * kMsNs});
}

TEST_F(ParseLineTest, PinoLineWithEpochMillisAndNumericLevelGivesAllFields) {
  Record r = Parse(
      R"({"level":30,"time":1795428000123,"pid":4242,"hostname":"payments-7d9f","service":"payments","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"charge captured"})");
  EXPECT_FALSE(r.flags & kRecordNumericTraceId);
  ExpectJsonFields(r, {"payments", false, Level::kInfo, "charge captured", kBaseNs + 123 * kMsNs});
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
  ExpectJsonFields(r, {"payments", false, Level::kWarn, "retrying charge after gateway timeout",
                       kBaseNs + 3000 * kMsNs});
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

// INT64_MAX nanoseconds is the final watermark's (everything judged): a line that states it is a
// time that cannot be used, not the end of the input.
TEST_F(ParseLineTest, TheLargestNanosecondTimeIsABadTime) {
  Record r = Parse(R"({"ts":9223372036854775807,"msg":"m","trace_id":"x"})");
  EXPECT_FALSE(r.has_time());
  EXPECT_TRUE(r.flags & kRecordBadTime);
  EXPECT_TRUE(Parse(R"({"ts":9223372036854775806,"msg":"m"})").has_time());
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

// A plain-text line's level is its first level word; a console writer's short form or a word
// of another meaning ("config", "fail", "inf") names it only in upper case.
TEST_F(ParseLineTest, PlainTextLineLevelSkipsShortFormsInLowerCase) {
  EXPECT_EQ(Parse("2026-11-23 10:00:01 config error: missing key db.host").level, Level::kError);
  EXPECT_EQ(Parse("2026-11-23 10:00:01 Config reload failed, ERROR code 3").level, Level::kError);
  EXPECT_EQ(Parse("3 jobs fail health checks").level, Level::kUnknown);
  EXPECT_EQ(Parse("10:00AM WRN cache miss rate high").level, Level::kWarn);
  EXPECT_EQ(Parse("10:00AM FTL cannot open /etc/app.yaml").level, Level::kFatal);
  EXPECT_EQ(Parse("2026-11-23 10:00:01 info starting worker 3").level, Level::kInfo);
}

// A number beyond a double's range makes RapidJSON refuse the line; it is read as null and the
// line stays JSON with its trace (the raw line keeps the number).
TEST_F(ParseLineTest, ANumberBeyondADoublesRangeDoesNotCostTheLineItsTrace) {
  const std::string digits(400, '7');
  for (const std::string& line : std::vector<std::string>{
           R"({"trace_id":"keep1","bytes":1e400,"msg":"m"})",
           R"({"trace_id":"keep1","sizes":[1,-1e309,2],"msg":"m"})",
           R"({"bytes":)" + digits + R"(,"trace_id":"keep1","msg":"m"})",
           R"({"trace_id":"keep1","a":1e400,"b":2e400,"c":{"d":-3E+999},"msg":"m"})"}) {
    Record r = Parse(line);
    EXPECT_EQ(r.kind, RecordKind::kJson) << line;
    EXPECT_EQ(r.trace_id, "keep1") << line;
    EXPECT_EQ(r.message, "m") << line;
    EXPECT_EQ(r.raw, line);
  }
  // With a lone surrogate in the same line, both repairs hold.
  Record both = Parse(R"({"trace_id":"keep3","msg":"bad \ud800 here","bytes":1e400})");
  EXPECT_EQ(both.kind, RecordKind::kJson);
  EXPECT_EQ(both.trace_id, "keep3");
  // What is no number stays a line that is no JSON: the repair does not make it valid.
  for (const std::string line :
       {R"({"trace_id":"x","a":1e400-5})", R"({"trace_id":"x","a":1e400.5})",
        R"({"trace_id":"x","a":-1e400e})"}) {
    EXPECT_EQ(Parse(line).kind, RecordKind::kUnstructured) << line;
  }
  Record t = Parse(R"({"trace_id":"keep2","ts":1e400})");
  EXPECT_EQ(t.kind, RecordKind::kJson);
  EXPECT_EQ(t.trace_id, "keep2");
  EXPECT_FALSE(t.has_time());
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

// A time key whose value no time can be read from is a bad time, counted as such; null and ""
// are no value; a time under another key still wins.
TEST_F(ParseLineTest, ATimeKeyHoldingABoolArrayOrObjectIsABadTime) {
  for (const char* line : {R"({"ts":true,"msg":"m"})", R"({"time":[1795428000],"msg":"m"})",
                           R"({"timestamp":{"sec":1795428000},"msg":"m"})",
                           R"({"ts":false,"msg":{"nested":[1,2]}})"}) {
    Record r = Parse(line);
    EXPECT_EQ(r.kind, RecordKind::kJson) << line;
    EXPECT_FALSE(r.has_time()) << line;
    EXPECT_TRUE(r.flags & kRecordBadTime) << line;
  }
  for (const char* line : {R"({"ts":null,"msg":"m"})", R"({"ts":"","msg":"m"})",
                           R"({"msg":"m","tags":["time"],"ctx":{"time":1}})"}) {
    Record r = Parse(line);
    EXPECT_FALSE(r.has_time()) << line;
    EXPECT_FALSE(r.flags & kRecordBadTime) << line;
  }
  Record r = Parse(R"({"time":{"sec":1},"ts":1795428000,"msg":"m"})");
  EXPECT_TRUE(r.has_time());
  EXPECT_FALSE(r.flags & kRecordBadTime);
}

TEST_F(ParseLineTest, UnescapedValuesAreSlicesOfTheRawLine) {
  Record r =
      Parse(R"({"level":"info","msg":"posted entry","trace_id":"abc123","service":"ledger"})");
  EXPECT_TRUE(PointsInto(r.trace_id, r.raw));
  EXPECT_TRUE(PointsInto(r.message, r.raw));
  EXPECT_TRUE(PointsInto(r.service, r.raw));
  EXPECT_FALSE(r.flags & kRecordMessageEscaped);
}

}  // namespace
}  // namespace logweave::parser_test

// The mapping of OTLP log records to lines, and the OTLP/JSON reader.
#include "connectors/otlp/otlp_mapping.h"

#include <string>

#include "connectors/otlp/otlp_json.h"
#include "connectors/otlp/otlp_lines.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/otlp/otlp_builders.h"

namespace logweave::otlp {
namespace {

using testing::HasSubstr;

rapidjson::Document ParseLine(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  EXPECT_FALSE(doc.HasParseError()) << line;
  EXPECT_TRUE(doc.IsObject()) << line;
  return doc;
}

std::string Render(const collector::ExportLogsServiceRequest& request) {
  OtlpMapper mapper;
  std::string line, why;
  const auto& rl = request.resource_logs(0);
  EXPECT_TRUE(
      mapper.RenderRecord(rl, rl.scope_logs(0), rl.scope_logs(0).log_records(0), &line, &why))
      << why;
  return line;
}

TEST(OtlpMappingTest, SeverityNumberRangesGiveLevelsAndTextIsTheFallback) {
  EXPECT_EQ(LevelOfSeverity(0), "");
  EXPECT_EQ(LevelOfSeverity(1), "trace");
  EXPECT_EQ(LevelOfSeverity(4), "trace");
  EXPECT_EQ(LevelOfSeverity(5), "debug");
  EXPECT_EQ(LevelOfSeverity(12), "info");
  EXPECT_EQ(LevelOfSeverity(13), "warn");
  EXPECT_EQ(LevelOfSeverity(20), "error");
  EXPECT_EQ(LevelOfSeverity(21), "fatal");
  EXPECT_EQ(LevelOfSeverity(24), "fatal");
  EXPECT_EQ(LevelOfSeverity(25), "");

  RequestBuilder b;
  b.Resource("api").Record({.severity_number = 0, .severity_text = "Warning", .body = "slow"});
  auto doc = ParseLine(Render(b.request()));
  EXPECT_STREQ(doc["level"].GetString(), "Warning");
}

TEST(OtlpMappingTest, RecordBecomesOneJsonObjectWithIdsTimeServiceAndAttributes) {
  RequestBuilder b;
  b.Resource("checkout", {{"service.version", "2.1.0"}})
      .Record({.time_ns = 1764970302123456789ull,
               .severity_number = 17,
               .severity_text = "ERROR",
               .body = "payment declined",
               .trace_id = Hex("5b8efff798038103d269b633813fc60c"),
               .span_id = Hex("eee19b7ec3c1b174"),
               .int_attributes = {{"http.response.status_code", 502}},
               .attributes = {{"message", "an attribute named like the message"}}});
  const std::string line = Render(b.request());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto doc = ParseLine(line);
  EXPECT_STREQ(doc["timestamp"].GetString(), "2025-12-05T21:31:42.123456789Z");
  EXPECT_STREQ(doc["level"].GetString(), "error");
  EXPECT_STREQ(doc["service"].GetString(), "checkout");
  EXPECT_STREQ(doc["trace_id"].GetString(), "5b8efff798038103d269b633813fc60c");
  EXPECT_STREQ(doc["span_id"].GetString(), "eee19b7ec3c1b174");
  EXPECT_STREQ(doc["message"].GetString(), "payment declined");
  EXPECT_EQ(doc["http.response.status_code"].GetInt(), 502);
  EXPECT_STREQ(doc["service.version"].GetString(), "2.1.0");
  // Names the parser would read as its own fields are kept one level down.
  EXPECT_STREQ(doc["attributes"]["message"].GetString(), "an attribute named like the message");
  EXPECT_STREQ(doc["resource"]["service.name"].GetString(), "checkout");
}

TEST(OtlpMappingTest, ObservedTimeStandsInAndAllZeroTraceIdIsNone) {
  RequestBuilder b;
  b.Resource("api").Record({.observed_ns = 1764970302000000000ull,
                            .body = "no time of its own",
                            .trace_id = std::string(16, '\0'),
                            .span_id = std::string(8, '\0')});
  auto doc = ParseLine(Render(b.request()));
  EXPECT_STREQ(doc["timestamp"].GetString(), "2025-12-05T21:31:42.000Z");
  EXPECT_FALSE(doc.HasMember("trace_id"));
  EXPECT_FALSE(doc.HasMember("span_id"));
}

TEST(OtlpMappingTest, StructuredBodyIsKeptAsJson) {
  RequestBuilder b;
  common::AnyValue body;
  auto* kv = body.mutable_kvlist_value()->add_values();
  kv->set_key("order");
  kv->mutable_value()->set_int_value(42);
  auto* list = body.mutable_kvlist_value()->add_values();
  list->set_key("items");
  list->mutable_value()->mutable_array_value()->add_values()->set_string_value("book");
  list->mutable_value()->mutable_array_value()->add_values()->set_double_value(2.5);
  b.Resource("api").Record({.body = ""});
  *b.last_record()->mutable_body() = body;
  auto doc = ParseLine(Render(b.request()));
  EXPECT_FALSE(doc.HasMember("message"));
  EXPECT_EQ(doc["body"]["order"].GetInt(), 42);
  EXPECT_STREQ(doc["body"]["items"][0].GetString(), "book");
  EXPECT_EQ(doc["body"]["items"][1].GetDouble(), 2.5);
}

TEST(OtlpMappingTest, ServiceFallsBackToNamespaceThenKubernetesNames) {
  ::opentelemetry::proto::resource::v1::Resource r;
  EXPECT_EQ(ServiceOfResource(r), "");
  auto add = [&r](const std::string& k, const std::string& v) {
    auto* kv = r.add_attributes();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  };
  add("k8s.pod.name", "ledger-7d9f-x2");
  EXPECT_EQ(ServiceOfResource(r), "ledger-7d9f-x2");
  add("k8s.container.name", "ledger-main");
  EXPECT_EQ(ServiceOfResource(r), "ledger-main");
  add("k8s.deployment.name", "ledger");
  EXPECT_EQ(ServiceOfResource(r), "ledger");
  add("service.namespace", "payments");
  EXPECT_EQ(ServiceOfResource(r), "payments");
  add("service.name", "ledger-api");
  EXPECT_EQ(ServiceOfResource(r), "ledger-api");
}

TEST(OtlpMappingTest, IdsOfTheWrongLengthAreRefusedAndCounted) {
  RequestBuilder b;
  b.Resource("api")
      .Record({.body = "good", .trace_id = Hex("5b8efff798038103d269b633813fc60c")})
      .Record({.body = "short trace id", .trace_id = "abc"})
      .Record({.body = "long span id", .span_id = std::string(9, 'x')});
  OtlpMapper mapper;
  RawBatch batch;
  uint64_t next = 1;
  OtlpMapReport report;
  mapper.Append(b.request(), &batch, &next, &report);
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_EQ(report.records, 1u);
  EXPECT_EQ(report.rejected, 2u);
  EXPECT_THAT(report.first_error, HasSubstr("trace_id is 3 bytes"));
  EXPECT_EQ(next, 2u);
}

TEST(OtlpJsonTest, ReadsTheOtlpJsonMappingWithHexIdsAndIntegersAsStrings) {
  const std::string json = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"cart"}}]},
    "scopeLogs":[{"scope":{"name":"lib"},"logRecords":[
      {"timeUnixNano":"1764970302123456789","severityNumber":"SEVERITY_NUMBER_WARN",
       "body":{"stringValue":"retrying"},"traceId":"5B8EFFF798038103D269B633813FC60C",
       "spanId":"eee19b7ec3c1b174","attributes":[{"key":"attempt","value":{"intValue":"3"}},
       {"key":"ok","value":{"boolValue":false}},{"key":"raw","value":{"bytesValue":"AAE="}}]},
      {"time_unix_nano":1764970302223456789,"severity_number":9,"body":{"string_value":"snake"}}
    ]}]}]})";
  collector::ExportLogsServiceRequest request;
  OtlpMapReport report;
  ASSERT_TRUE(DecodeOtlpJson(json, &request, &report).ok());
  EXPECT_EQ(report.rejected, 0u);
  const auto& records = request.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(records.size(), 2);
  EXPECT_EQ(records[0].time_unix_nano(), 1764970302123456789ull);
  EXPECT_EQ(records[0].severity_number(), 13);
  EXPECT_EQ(records[0].trace_id(), Hex("5b8efff798038103d269b633813fc60c"));
  EXPECT_EQ(records[0].attributes(0).value().int_value(), 3);
  EXPECT_EQ(records[0].attributes(2).value().bytes_value(), std::string("\0\1", 2));
  EXPECT_EQ(records[1].time_unix_nano(), 1764970302223456789ull);
  EXPECT_EQ(records[1].body().string_value(), "snake");
}

TEST(OtlpJsonTest, UnreadableRecordsAreLeftOutAndCountedTheRestIsKept) {
  const std::string json = R"({"resourceLogs":[
    {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
     "scopeLogs":[{"logRecords":[
       {"body":{"stringValue":"fine"}},
       {"traceId":"not-hex-not-hex-not-hex-not-hex!"},
       {"timeUnixNano":"yesterday"},
       7,
       {"attributes":[{"key":"x","value":{"mysteryValue":1}}]}]}]},
    {"resource":"broken","scopeLogs":[{"logRecords":[{},{}]}]}]})";
  collector::ExportLogsServiceRequest request;
  OtlpMapReport report;
  ASSERT_TRUE(DecodeOtlpJson(json, &request, &report).ok());
  EXPECT_EQ(request.resource_logs(0).scope_logs(0).log_records_size(), 1);
  EXPECT_EQ(report.rejected, 6u);  // 4 bad records, and both records of the broken resource
  EXPECT_THAT(report.first_error, HasSubstr("traceId"));
}

TEST(OtlpJsonTest, ABrokenEntryRejectsEachRecordItHoldsWithTheReason) {
  struct Case {
    const char* resource_logs;  // the resourceLogs array
    uint64_t rejected;
    const char* why;
  };
  const Case cases[] = {
      {R"([7])", 1, "a resourceLogs entry is not an object"},
      {R"([{"scopeLogs":{"logRecords":[{}]}}])", 1, "scopeLogs is not an array"},
      {R"([{"resource":[],"scopeLogs":[{"logRecords":[{},{}]},{"logRecords":[{}]}]}])", 3,
       "resource is not an object"},
      {R"([{"scopeLogs":[5,{"logRecords":[{}]}]}])", 1, "a scopeLogs entry is not an object"},
      {R"([{"scopeLogs":[{"scope":{"name":1},"logRecords":[{},{},{}]}]}])", 3,
       "scope.name is not a string"},
      {R"([{"scopeLogs":[{"scope":{"name":"lib"},"logRecords":{}}]}])", 1,
       "logRecords is not an array"},
  };
  for (const Case& c : cases) {
    collector::ExportLogsServiceRequest request;
    OtlpMapReport report;
    ASSERT_TRUE(DecodeOtlpJson(std::string(R"({"resourceLogs":)") + c.resource_logs + "}", &request,
                               &report)
                    .ok());
    EXPECT_EQ(report.rejected, c.rejected) << c.resource_logs;
    EXPECT_EQ(report.first_error, c.why) << c.resource_logs;
  }
}

TEST(OtlpJsonTest, ABodyThatIsNotAJsonObjectIsRefusedWhole) {
  collector::ExportLogsServiceRequest request;
  OtlpMapReport report;
  EXPECT_EQ(DecodeOtlpJson("{\"resourceLogs\":[", &request, &report).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeOtlpJson("[1,2]", &request, &report).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeOtlpJson(R"({"resourceLogs":{}})", &request, &report).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(DecodeOtlpJson("{}", &request, &report).ok());  // an empty request
  EXPECT_TRUE(LooksLikeOtlpJsonLine(R"( { "resourceLogs": [] })"));
  EXPECT_FALSE(LooksLikeOtlpJsonLine(R"({"msg":"resourceLogs"})"));
}

TEST(OtlpLineExpanderTest, AFileExporterLineBecomesOneLinePerRecordOtherLinesStay) {
  const std::string exported =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},)"
      R"("scopeLogs":[{"logRecords":[{"severityNumber":9,"body":{"stringValue":"one"},)"
      R"("traceId":"0af7651916cd43dd8448eb211c80319c"},{"severityNumber":17,"body":{"stringValue":"two"}},)"
      R"({"traceId":"bad"}]}]}]})";
  RawBatch batch;
  batch.AddLine(R"({"level":"info","msg":"a plain JSON line"})", 0, 1);
  batch.AddLine(exported, 42, 2, kLineHadCR);
  batch.AddLine(R"({"resourceLogs":[ cut off)", 900, 3);
  OtlpLineExpander expander;
  expander.Expand(&batch);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch.Line(0), R"({"level":"info","msg":"a plain JSON line"})");
  EXPECT_THAT(std::string(batch.Line(1)), HasSubstr(R"("message":"one")"));
  EXPECT_THAT(std::string(batch.Line(1)), HasSubstr(R"("service":"cart")"));
  EXPECT_THAT(std::string(batch.Line(2)), HasSubstr(R"("level":"error")"));
  EXPECT_EQ(batch.lines[1].source_offset, 42u);  // each record points at the line it came from
  EXPECT_EQ(batch.lines[2].line_no, 2u);
  EXPECT_EQ(batch.lines[2].flags, kLineHadCR);
  EXPECT_EQ(batch.Line(3), R"({"resourceLogs":[ cut off)");  // unreadable: kept whole
  const OtlpLineStats stats = expander.Stats();
  EXPECT_EQ(stats.lines, 1u);
  EXPECT_EQ(stats.records, 2u);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.kept, 1u);

  RawBatch plain;
  plain.AddLine("no OTLP here", 0, 1);
  const std::string before = plain.data;
  expander.Expand(&plain);
  EXPECT_EQ(plain.data, before);
}

}  // namespace
}  // namespace logweave::otlp

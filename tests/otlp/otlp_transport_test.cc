// OTLP/HTTP (POST /v1/logs) and OTLP/gRPC (LogsService/Export) against a
// real pipeline: hand-built payloads as JSON, protobuf and gzip; refusals;
// partial success; tokens; and backpressure that makes the exporter retry.

#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/http/listener.h"
#include "connectors/otlp/otlp_grpc.h"
#include "connectors/otlp/otlp_http.h"
#include "connectors/otlp/otlp_lines.h"
#include "connectors/otlp/otlp_receiver.h"
#include "gmock/gmock.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpc/compression.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "logweave/pipeline.h"
#include "tests/otlp/otlp_builders.h"
#include "tests/otlp/otlp_endpoints.h"
#include "tests/testdata/gzip.h"
#include "tests/testdata/pipeline_blocker.h"

namespace logweave::otlp {
namespace {

using testdata::Gzip;
using testing::HasSubstr;

constexpr char kIngestToken[] = "ingest-token-0123456789abcdef";
constexpr char kReadToken[] = "read-token-0123456789abcdef";
constexpr char kAdminToken[] = "admin-token-0123456789abcdef";
constexpr uint64_t kT0 = 1764970302000000000ull;  // 2025-12-05T21:31:42Z

// One checkout trace across three services, one request per service.
RequestBuilder::Request ServiceRequest(int service, const std::string& trace_hex) {
  RequestBuilder b;
  const std::string trace = Hex(trace_hex);
  switch (service) {
    case 0:
      b.Resource("frontend", {{"service.version", "1.4.0"}})
          .Record({.time_ns = kT0,
                   .severity_number = 9,
                   .body = "POST /checkout",
                   .trace_id = trace,
                   .span_id = Hex("0000000000000001")})
          .Record({.time_ns = kT0 + 90'000'000,
                   .severity_number = 13,
                   .body = "checkout slow",
                   .trace_id = trace,
                   .int_attributes = {{"http.response.status_code", 200}}});
      break;
    case 1:
      b.Resource("cart").Record({.time_ns = kT0 + 10'000'000,
                                 .severity_number = 5,
                                 .body = "cart loaded",
                                 .trace_id = trace});
      break;
    default:
      b.Resource("payments")
          .Record({.time_ns = kT0 + 20'000'000,
                   .severity_number = 17,
                   .body = "card declined",
                   .trace_id = trace,
                   .int_attributes = {{"http.response.status_code", 402}}})
          .Record({.time_ns = kT0 + 30'000'000,
                   .severity_number = 21,
                   .body = "ledger unreachable",
                   .trace_id = trace});
      break;
  }
  return b.request();
}

// The payments service's two records of `trace` as OTLP/JSON (one line).
std::string PaymentsJson(const std::string& trace) {
  return absl::StrCat(
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"payments"}}]},)",
      R"("scopeLogs":[{"logRecords":[{"timeUnixNano":")", kT0 + 20'000'000,
      R"(","severityNumber":17,"body":{"stringValue":"card declined"},"traceId":")", trace,
      R"(","attributes":[{"key":"http.response.status_code","value":{"intValue":"402"}}]},)",
      R"({"timeUnixNano":")", kT0 + 30'000'000,
      R"(","severityText":"FATAL","body":{"stringValue":"ledger unreachable"},"traceId":")", trace,
      R"("}]}]}]})");
}

// The RetryInfo.retry_delay in a gRPC error's details (google.rpc.Status);
// zero when there is none.
absl::Duration RetryDelayOf(const grpc::Status& status) {
  const std::string details = status.error_details();  // a copy
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(details.data()),
                                            static_cast<int>(details.size()));
  // Status.details (3) -> Any.value (2) -> RetryInfo.retry_delay (1) -> Duration
  std::string any, retry_info, duration;
  auto field = [](google::protobuf::io::CodedInputStream& s, int number, std::string* out) {
    while (uint32_t tag = s.ReadTag()) {
      if ((tag >> 3) == static_cast<uint32_t>(number) && (tag & 7) == 2) {
        uint32_t n = 0;
        return s.ReadVarint32(&n) && s.ReadString(out, static_cast<int>(n));
      }
      if (!google::protobuf::internal::WireFormatLite::SkipField(&s, tag)) return false;
    }
    return false;
  };
  if (!field(in, 3, &any)) return absl::ZeroDuration();
  google::protobuf::Any parsed;
  if (!parsed.ParseFromString(any) ||
      parsed.type_url() != "type.googleapis.com/google.rpc.RetryInfo") {
    return absl::ZeroDuration();
  }
  google::protobuf::io::CodedInputStream info(
      reinterpret_cast<const uint8_t*>(parsed.value().data()),
      static_cast<int>(parsed.value().size()));
  if (!field(info, 1, &duration)) return absl::ZeroDuration();
  google::protobuf::Duration d;
  if (!d.ParseFromString(duration)) return absl::ZeroDuration();
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

class OtlpTransportTest : public ::testing::Test {
 protected:
  void Start(bool with_tokens = false, OtlpOptions otlp = {}) {
    PipelineOptions options;
    options.threads = 1;
    options.queue_bytes = 1 << 20;  // the least: the backpressure test fills it
    auto pipeline = Pipeline::Create(options);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status();
    pipeline_ = std::move(*pipeline);
    receiver_ = std::make_unique<OtlpReceiver>(pipeline_.get(), otlp);
    if (with_tokens) {
      auto tokens = TokenStore::Parse(
          absl::StrCat(kIngestToken, " ingest\n", kReadToken, " read\n", kAdminToken, " admin\n"),
          "tokens");
      ASSERT_TRUE(tokens.ok()) << tokens.status();
      tokens_ = std::move(*tokens);
    }
    ASSERT_NO_FATAL_FAILURE(endpoints_.Start(receiver_.get(), tokens_.get(), with_tokens));
    stub_ = collector::LogsService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", endpoints_.grpc_port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { endpoints_.Stop(); }

  httplib::Result Post(const std::string& body, const std::string& type,
                       httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", endpoints_.http_port());
    return client.Post("/v1/logs", headers, body, type);
  }
  grpc::Status Export(const RequestBuilder::Request& request,
                      collector::ExportLogsServiceResponse* response, const std::string& token = "",
                      absl::Duration timeout = absl::InfiniteDuration()) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    if (timeout != absl::InfiniteDuration()) {
      context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    }
    return stub_->Export(&context, request, response);
  }
  Timeline TimelineOf(const std::string& trace) {
    auto t = pipeline_->index().GetTimeline(trace, {.with_raw = true});
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : Timeline();
  }

  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<OtlpReceiver> receiver_;
  OtlpEndpoints endpoints_;
  std::unique_ptr<collector::LogsService::Stub> stub_;
};

constexpr char kTraceA[] = "5b8efff798038103d269b633813fc60c";
constexpr char kTraceB[] = "0af7651916cd43dd8448eb211c80319c";

TEST_F(OtlpTransportTest, HttpProtobufJsonAndGzipRecordsAreIndexedWhenTheAnswerComes) {
  Start();
  auto r = Post(ServiceRequest(0, kTraceA).SerializeAsString(), "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-protobuf");
  collector::ExportLogsServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(r->body));
  EXPECT_FALSE(response.has_partial_success());
  // gzip, with the header.
  r = Post(Gzip(ServiceRequest(1, kTraceA).SerializeAsString()), "application/x-protobuf",
           {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // OTLP/JSON.
  const std::string json = PaymentsJson(kTraceA);
  r = Post(Gzip(json), "application/json; charset=utf-8", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{}");

  // No Flush: a 200 means indexed.
  const Timeline t = TimelineOf(kTraceA);
  ASSERT_EQ(t.events.size(), 5u);
  EXPECT_THAT(t.services, testing::ElementsAre("frontend", "cart", "payments"));
  EXPECT_EQ(t.events[0].level, Level::kInfo);
  EXPECT_EQ(t.events[1].level, Level::kDebug);
  EXPECT_EQ(t.events[2].level, Level::kError);
  EXPECT_EQ(t.events[3].level, Level::kFatal);
  EXPECT_EQ(t.events[4].level, Level::kWarn);
  EXPECT_EQ(t.events[2].message, "card declined");
  EXPECT_THAT(t.events[2].raw, HasSubstr(R"("http.response.status_code":402)"));
  EXPECT_THAT(t.events[0].raw, HasSubstr(R"("service.version":"1.4.0")"));
  EXPECT_EQ(t.events[0].source, "otlp-http");
  const OtlpStats stats = receiver_->Stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.records, 5u);
  EXPECT_EQ(stats.rejected, 0u);
}

TEST_F(OtlpTransportTest, HttpRefusesOversizeUnknownTypesAndGarbageWithTheRightCodes) {
  Start(false, OtlpOptions{.max_request_bytes = 4096});
  RequestBuilder big;
  big.Resource("api");
  for (int i = 0; i < 100; ++i) {
    big.Record({.time_ns = kT0 + i, .severity_number = 9, .body = std::string(100, 'x')});
  }
  const std::string bytes = big.request().SerializeAsString();
  auto r = Post(bytes, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  // Small on the wire, too large inflated.
  r = Post(Gzip(bytes), "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  r = Post("hello", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  r = Post("\xff\xff\xff garbage", "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Post(R"({"resourceLogs":[)", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr(R"("code":3)"));
  EXPECT_EQ(receiver_->Stats().refused, 5u);
  EXPECT_EQ(receiver_->Stats().records, 0u);
}

// The peak resident memory of this process (VmHWM), in bytes.
size_t PeakRss() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST_F(OtlpTransportTest, AGzipBombIsRefusedWithoutBeingInflatedBeyondTheLimit) {
  Start(false, OtlpOptions{.max_request_bytes = 1 << 20});
  constexpr size_t kInflated = size_t{256} << 20;
  const std::string bomb = testdata::GzipZeros(kInflated);
  ASSERT_LT(bomb.size(), size_t{1} << 20);  // small on the wire
  const size_t peak_before = PeakRss();
  auto r = Post(bomb, "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("otlp.max_request_bytes"));
  EXPECT_EQ(r->get_header_value("Connection"), "close");  // the rest of the body is not read
  // Inflating it whole would have held 256 MiB (twice that while a string grows).
  EXPECT_LT(PeakRss() - peak_before, size_t{64} << 20);
  EXPECT_EQ(receiver_->Stats().refused, 1u);
  // The same bomb without Content-Encoding is inflated here, also up to the limit.
  r = Post(bomb, "application/x-protobuf");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_LT(PeakRss() - peak_before, size_t{64} << 20);
  EXPECT_EQ(receiver_->Stats().refused, 2u);
  // The listener still answers.
  r = Post(ServiceRequest(1, kTraceA).SerializeAsString(), "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(OtlpTransportTest, AGrpcRequestThatInflatesBeyondTheLimitIsRefusedAndCounted) {
  Start(false, OtlpOptions{.max_request_bytes = 4096});
  RequestBuilder b;
  b.Resource("api").Record({.body = std::string(64 << 10, 'x')});  // compresses to ~100 bytes
  grpc::ClientContext context;
  context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  collector::ExportLogsServiceResponse response;
  const grpc::Status s = stub_->Export(&context, b.request(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("otlp.max_request_bytes"));
  EXPECT_EQ(receiver_->Stats().refused, 1u);
  EXPECT_EQ(receiver_->Stats().records, 0u);
}

TEST_F(OtlpTransportTest, HttpReportsUnreadableRecordsInPartialSuccessAndKeepsTheRest) {
  Start();
  const std::string json = absl::StrCat(
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},)",
      R"("scopeLogs":[{"logRecords":[{"body":{"stringValue":"ok"},"traceId":")", kTraceB,
      R"("},{"body":{"stringValue":"bad"},"traceId":"xyz"},"garbage",)",
      R"({"body":{"stringValue":"zero"},"traceId":"00000000000000000000000000000000"}]}]}]})");
  auto r = Post(json, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr(R"("rejectedLogRecords":"2")"));
  EXPECT_THAT(r->body, HasSubstr("traceId"));
  EXPECT_EQ(TimelineOf(kTraceB).events.size(), 1u);
  // The all-zero trace id is none: the record is indexed outside traces.
  EXPECT_EQ(pipeline_->Stats().no_trace_id_lines, 1u);
  EXPECT_EQ(receiver_->Stats().rejected, 2u);
  EXPECT_EQ(receiver_->Stats().records, 2u);
}

TEST_F(OtlpTransportTest, GrpcExportIndexesRecordsAndReportsPartialSuccess) {
  Start();
  collector::ExportLogsServiceResponse response;
  for (int s = 0; s < 3; ++s) {
    ASSERT_TRUE(Export(ServiceRequest(s, kTraceB), &response).ok());
  }
  const Timeline t = TimelineOf(kTraceB);
  ASSERT_EQ(t.events.size(), 5u);
  EXPECT_EQ(t.events[0].source, "otlp-grpc");
  EXPECT_EQ(t.events[3].level, Level::kFatal);

  RequestBuilder b;
  b.Resource("cart")
      .Record({.body = "fine", .trace_id = Hex(kTraceA)})
      .Record({.body = "bad span", .trace_id = Hex(kTraceA), .span_id = "123"});
  ASSERT_TRUE(Export(b.request(), &response).ok());
  EXPECT_EQ(response.partial_success().rejected_log_records(), 1);
  EXPECT_THAT(response.partial_success().error_message(), HasSubstr("span_id is 3 bytes"));
}

TEST_F(OtlpTransportTest, GrpcRefusesARequestOverTheLimitWithResourceExhausted) {
  Start(false, OtlpOptions{.max_request_bytes = 1024});
  RequestBuilder b;
  b.Resource("api").Record({.body = std::string(2000, 'x')});
  collector::ExportLogsServiceResponse response;
  EXPECT_EQ(Export(b.request(), &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(receiver_->Stats().refused, 1u);
}

TEST_F(OtlpTransportTest, WithTokensOnlyIngestOrAdminTokensMaySend) {
  Start(/*with_tokens=*/true);
  const std::string body = ServiceRequest(1, kTraceA).SerializeAsString();
  auto bearer = [](const char* t) {
    return httplib::Headers{{"Authorization", absl::StrCat("Bearer ", t)}};
  };
  auto r = Post(body, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = Post(body, "application/x-protobuf", bearer(kReadToken));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(r->body, HasSubstr("needs an ingest or admin token"));
  EXPECT_EQ(receiver_->Stats().refused, 2u);  // counted as the gRPC refusals are
  r = Post(body, "application/x-protobuf", bearer(kIngestToken));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = Post(body, "application/x-protobuf", bearer(kAdminToken));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  collector::ExportLogsServiceResponse response;
  EXPECT_EQ(Export(ServiceRequest(1, kTraceA), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Export(ServiceRequest(1, kTraceA), &response, kReadToken).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(receiver_->Stats().refused, 4u);
  EXPECT_TRUE(Export(ServiceRequest(1, kTraceA), &response, kIngestToken).ok());
  // An ingest token reads nothing.
  EXPECT_EQ(tokens_->Check(absl::StrCat("Bearer ", kIngestToken), TokenScope::kRead).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(OtlpTransportTest, AFullPipelineAnswersRetryLaterAndTheRetriedRecordsAreAllIndexed) {
  Start();
  // A batch of queue_bytes whose indexing waits: the pipeline has no room.
  testdata::PipelineBlocker blocker(pipeline_.get());
  ASSERT_FALSE(pipeline_->HasRoom());

  const std::string body = ServiceRequest(2, kTraceA).SerializeAsString();
  auto r = Post(body, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  collector::ExportLogsServiceResponse response;
  // gRPC holds the call for half its deadline, then says when to retry.
  const absl::Time sent = absl::Now();
  const grpc::Status unavailable =
      Export(ServiceRequest(0, kTraceA), &response, "", absl::Milliseconds(400));
  EXPECT_EQ(unavailable.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_GE(absl::Now() - sent, absl::Milliseconds(190));
  EXPECT_EQ(RetryDelayOf(unavailable), absl::Seconds(1));
  EXPECT_EQ(receiver_->Stats().retry_answers, 2u);
  EXPECT_EQ(receiver_->Stats().room_waits, 1u);
  EXPECT_EQ(pipeline_->index().GetTimeline(kTraceA).status().code(),
            absl::StatusCode::kNotFound);  // nothing was taken

  // The exporters retry once the index caught up.
  blocker.Release();
  pipeline_->Flush();
  r = Post(body, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(Export(ServiceRequest(0, kTraceA), &response).ok());
  EXPECT_EQ(TimelineOf(kTraceA).events.size(), 4u);
  EXPECT_EQ(receiver_->Stats().records, 4u);
}

TEST_F(OtlpTransportTest, AGrpcExportIsHeldWhileThePipelineIsFullAndIndexedOnceThereIsRoom) {
  Start();
  auto blocker = std::make_unique<testdata::PipelineBlocker>(pipeline_.get());
  grpc::Status status;
  std::thread exporter([&] {
    collector::ExportLogsServiceResponse response;
    status = Export(ServiceRequest(2, kTraceB), &response, "", absl::Seconds(20));
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (receiver_->Stats().room_waits == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(receiver_->Stats().room_waits, 1u);
  EXPECT_EQ(receiver_->Stats().records, 0u);
  blocker->Release();
  exporter.join();
  pipeline_->Flush();
  blocker.reset();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(TimelineOf(kTraceB).events.size(), 2u);
  EXPECT_EQ(receiver_->Stats().retry_answers, 0u);
}

TEST(OtlpFileExporterTest, ThePipelinesBatchTransformIndexesEachRecordOfAnExportedLine) {
  PipelineOptions options;
  options.threads = 1;
  auto pipeline = Pipeline::Create(options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  OtlpLineExpander expander;
  (*pipeline)->SetBatchTransform([&expander](RawBatch* b) { expander.Expand(b); });
  RawBatch batch;
  batch.source_id = (*pipeline)->AddSource("collector/logs.json");
  batch.AddLine(PaymentsJson(kTraceA), 0, 1);
  batch.AddLine(R"({"level":"info","trace_id":"0af7651916cd43dd8448eb211c80319c","msg":"plain"})",
                900, 2);
  batch.AddLine(PaymentsJson(kTraceA).replace(0, 1, "{ "), 1000, 3);  // the same records again
  (*pipeline)->Submit(std::move(batch));
  (*pipeline)->Flush();
  auto t = (*pipeline)->index().GetTimeline(kTraceA);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->events.size(), 2u);  // the repeated records are exact duplicates: kept once
  EXPECT_EQ(t->events[0].level, Level::kError);
  EXPECT_EQ(t->events[1].level, Level::kFatal);
  EXPECT_EQ(t->events[1].message, "ledger unreachable");
  EXPECT_EQ(t->events[0].source_offset, 0u);
  EXPECT_EQ(expander.Stats().lines, 2u);
  EXPECT_EQ(expander.Stats().records, 4u);
  EXPECT_EQ((*pipeline)->Stats().lines, 5u);
}

}  // namespace
}  // namespace logweave::otlp

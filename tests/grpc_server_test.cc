// The logweave.v1 gRPC API end to end over the shop fixture (support/grpc_shop_server.h):
// ListUnstructured and GetStats; the standard health and reflection services through generic
// stubs with hand-encoded messages; how the server starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/grpc_shop_server.h"

namespace logweave::grpc_server_test {
namespace {

// --- Hand-encoded protobuf for the generic stub (health, reflection). ---

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// A length-delimited field `number` holding `bytes` (short strings only).
std::string LengthDelimited(int number, const std::string& bytes) {
  EXPECT_LT(bytes.size(), 128u);
  return absl::StrCat(std::string(1, static_cast<char>(number << 3 | 2)),
                      std::string(1, static_cast<char>(bytes.size())), bytes);
}

// Waits for the next event of `cq`, which must be `tag`; false on timeout or failure.
bool Next(grpc::CompletionQueue* cq, void* tag, absl::Duration timeout = absl::Seconds(20)) {
  void* got = nullptr;
  bool ok = false;
  if (cq->AsyncNext(&got, &ok, absl::ToChronoTime(absl::Now() + timeout)) !=
      grpc::CompletionQueue::GOT_EVENT) {
    return false;
  }
  EXPECT_EQ(got, tag);
  return ok && got == tag;
}

// grpc.health.v1.Health/Check for `service`: the status field of the response
// (1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN), or -1 with the call's error.
int HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                grpc::Status* status) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  SetDeadline(&context);
  // HealthCheckRequest { string service = 1; } (empty message for the whole server).
  std::string request = service.empty() ? "" : LengthDelimited(1, service);
  auto call =
      stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", ToByteBuffer(request), &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  call->Finish(&response, status, reinterpret_cast<void*>(1));
  EXPECT_TRUE(Next(&cq, reinterpret_cast<void*>(1)));
  cq.Shutdown();
  if (!status->ok()) return -1;
  google::protobuf::UnknownFieldSet fields;
  EXPECT_TRUE(fields.ParseFromString(FromByteBuffer(response)));
  int serving = 0;  // UNKNOWN when the field is absent (proto3 default)
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) serving = static_cast<int>(fields.field(i).varint());
  }
  return serving;
}

// The services that grpc.reflection.v1alpha.ServerReflection lists.
std::vector<std::string> ReflectionListServices(const std::shared_ptr<grpc::Channel>& channel,
                                                grpc::Status* status) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  SetDeadline(&context);
  std::vector<std::string> services;
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = reinterpret_cast<void*>(1);
  call->StartCall(tag);
  EXPECT_TRUE(Next(&cq, tag));
  // ServerReflectionRequest { oneof message_request { string list_services = 7; } }
  call->Write(ToByteBuffer(LengthDelimited(7, "")), tag);
  EXPECT_TRUE(Next(&cq, tag));
  grpc::ByteBuffer response;
  call->Read(&response, tag);
  if (Next(&cq, tag)) {
    // ServerReflectionResponse { ListServiceResponse list_services_response = 6; }
    // ListServiceResponse { repeated ServiceResponse service = 1; }
    // ServiceResponse { string name = 1; }
    google::protobuf::UnknownFieldSet top;
    EXPECT_TRUE(top.ParseFromString(FromByteBuffer(response)));
    for (int i = 0; i < top.field_count(); ++i) {
      if (top.field(i).number() != 6) continue;
      google::protobuf::UnknownFieldSet list;
      EXPECT_TRUE(list.ParseFromString(top.field(i).length_delimited()));
      for (int j = 0; j < list.field_count(); ++j) {
        google::protobuf::UnknownFieldSet service;
        EXPECT_TRUE(service.ParseFromString(list.field(j).length_delimited()));
        for (int k = 0; k < service.field_count(); ++k) {
          if (service.field(k).number() == 1) {
            services.push_back(service.field(k).length_delimited());
          }
        }
      }
    }
  }
  call->WritesDone(tag);
  EXPECT_TRUE(Next(&cq, tag));
  call->Finish(status, tag);
  EXPECT_TRUE(Next(&cq, tag));
  cq.Shutdown();
  return services;
}

// --- ListUnstructured ---

TEST_F(GrpcServerTest, ListUnstructuredGivesAttributionOldestFirst) {
  v1::ListUnstructuredRequest request;
  request.set_page_size(100);
  v1::ListUnstructuredResponse all;
  ASSERT_TRUE(PollUntil([&] {
    all.Clear();
    if (!ListUnstructured(request, &all).ok()) return false;
    int attributed = 0;
    for (const auto& e : all.entries()) attributed += !e.trace_id().empty();
    return all.entries_size() == 8 && attributed == 3;
  })) << all.DebugString();
  EXPECT_TRUE(all.next_page_token().empty());
  std::set<std::string> attributed_to;
  for (int i = 0; i < all.entries_size(); ++i) {
    const v1::UnstructuredEntry& e = all.entries(i);
    if (i > 0) {
      EXPECT_LE(all.entries(i - 1).time_unix_nano(), e.time_unix_nano());
    }
    EXPECT_EQ(e.level(), v1::LEVEL_ERROR);
    EXPECT_EQ(e.lines(), 1u);
    EXPECT_FALSE(e.id().empty());
    if (e.service() == "email") {
      attributed_to.insert(e.trace_id());
      EXPECT_GT(e.confidence(), 0.5);
      ASSERT_GT(e.candidates_size(), 1);  // runners-up are named
      EXPECT_EQ(e.candidates(0).trace_id(), e.trace_id());
      EXPECT_NEAR(static_cast<double>(e.candidates(0).gap_nanos()), 5e9, 1e6);
    } else {
      EXPECT_EQ(e.service(), "batch");
      EXPECT_EQ(e.source(), "logs/batch.log");
      EXPECT_TRUE(e.trace_id().empty());
      EXPECT_THAT(e.candidates(), IsEmpty());
      EXPECT_THAT(e.text(), ::testing::HasSubstr("No space left on device"));
    }
  }
  EXPECT_EQ(attributed_to, Traces({40, 41, 170}));

  request.set_unattributed_only(true);
  v1::ListUnstructuredResponse unattributed;
  ASSERT_TRUE(ListUnstructured(request, &unattributed).ok());
  std::vector<int64_t> times;
  for (const auto& e : unattributed.entries()) times.push_back(e.time_unix_nano());
  std::vector<int64_t> expected;
  for (int64_t ms : kBatchErrorMs) expected.push_back(Ns(ms));
  EXPECT_EQ(times, expected);

  request.set_unattributed_only(false);
  request.set_service("email");
  request.set_start_unix_nano(Ns(9100));
  request.set_end_unix_nano(Ns(30000));
  v1::ListUnstructuredResponse email;
  ASSERT_TRUE(ListUnstructured(request, &email).ok());
  ASSERT_EQ(email.entries_size(), 2);  // 41's and 170's; 40's is at 9.06 s
  EXPECT_EQ(email.entries(0).trace_id(), Trace(41));
  EXPECT_EQ(email.entries(1).trace_id(), Trace(170));
}

TEST_F(GrpcServerTest, ListUnstructuredGroupsErrorsByTemplate) {
  v1::ListUnstructuredRequest request;
  request.set_page_size(2);  // the groups cover every page
  request.set_group_by_template(true);
  v1::ListUnstructuredResponse response;
  ASSERT_TRUE(PollUntil([&] {
    response.Clear();
    return ListUnstructured(request, &response).ok() && response.templates_size() == 2 &&
           response.templates(0).count() == 5 && response.templates(1).count() == 3;
  })) << response.DebugString();
  const v1::UnstructuredTemplate& batch = response.templates(0);
  EXPECT_THAT(batch.template_(), ::testing::HasSubstr("No space left on device"));
  EXPECT_THAT(batch.services(), ::testing::ElementsAre("batch"));
  EXPECT_EQ(batch.first_unix_nano(), Ns(kBatchErrorMs.front()));
  EXPECT_EQ(batch.last_unix_nano(), Ns(kBatchErrorMs.back()));
  EXPECT_THAT(batch.sample_traces(), IsEmpty());
  const v1::UnstructuredTemplate& email = response.templates(1);
  EXPECT_THAT(email.template_(), ::testing::HasSubstr("Connection timeout to email provider"));
  std::set<std::string> traces(email.sample_traces().begin(), email.sample_traces().end());
  EXPECT_EQ(traces, Traces({40, 41, 170}));
  EXPECT_EQ(response.entries_size(), 2);

  // Only the errors of one template.
  request.set_template_id(email.template_id());
  request.set_page_size(100);
  v1::ListUnstructuredResponse only;
  ASSERT_TRUE(ListUnstructured(request, &only).ok());
  ASSERT_EQ(only.entries_size(), 3);
  for (const auto& e : only.entries()) EXPECT_EQ(e.template_id(), email.template_id());
}

TEST_F(GrpcServerTest, ListUnstructuredPagesVisitEveryEntryOnce) {
  v1::ListUnstructuredRequest request;
  request.set_page_size(100);
  v1::ListUnstructuredResponse all;
  ASSERT_TRUE(PollUntil([&] {
    all.Clear();
    return ListUnstructured(request, &all).ok() && all.entries_size() == 8;
  }));
  std::vector<std::string> all_ids;
  for (const auto& e : all.entries()) all_ids.push_back(e.id());

  request.set_page_size(3);
  std::vector<std::string> visited;
  std::vector<int> page_sizes;
  do {
    v1::ListUnstructuredResponse page;
    grpc::Status s = ListUnstructured(request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    page_sizes.push_back(page.entries_size());
    for (const auto& e : page.entries()) visited.push_back(e.id());
    request.set_page_token(page.next_page_token());
    ASSERT_LT(page_sizes.size(), 10u) << "pagination does not end";
  } while (!request.page_token().empty());
  EXPECT_THAT(page_sizes, ElementsAre(3, 3, 2));
  EXPECT_EQ(visited, all_ids);
}

TEST_F(GrpcServerTest, ListUnstructuredRejectsABadPageTokenAndAnInvertedRange) {
  v1::ListUnstructuredRequest request;
  request.set_page_token("garbage");
  v1::ListUnstructuredResponse response;
  EXPECT_EQ(ListUnstructured(request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.clear_page_token();
  request.set_start_unix_nano(Ns(2000));
  request.set_end_unix_nano(Ns(1000));
  EXPECT_EQ(ListUnstructured(request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// --- GetStats ---

TEST_F(GrpcServerTest, GetStatsCountersGrowWhileIngesting) {
  const v1::Stats before = Stats();
  EXPECT_FALSE(before.ready());
  EXPECT_GE(before.lines(), 1800u);  // the shop: 6 lines per trace, and a few more
  EXPECT_GT(before.bytes(), before.lines() * 100);
  EXPECT_GE(before.json_lines(), 1790u);
  EXPECT_EQ(before.unstructured_lines(), 8u);  // 3 email timeouts + 5 batch job errors
  EXPECT_GE(before.traces(), static_cast<uint64_t>(kShopTraces));
  EXPECT_GT(before.index_bytes(), 0u);
  EXPECT_EQ(before.evicted_events(), 0u);
  // The watermark is the latest event time: the background's, an hour after the shop.
  EXPECT_GE(before.watermark_unix_nano(), Ns(3'600'000));
  std::set<std::string> sources;
  for (const auto& s : before.sources()) sources.insert(s.name() + "=" + s.service());
  EXPECT_THAT(sources, Contains("logs/gateway.log=gateway"));
  EXPECT_THAT(sources, Contains("logs/inventory.log=inventory"));

  v1::Stats after;
  ASSERT_TRUE(PollUntil([&] {
    after = Stats();
    return after.lines() > before.lines() && after.traces() > before.traces() &&
           after.watermark_unix_nano() > before.watermark_unix_nano();
  }));
  EXPECT_GE(after.indexed_events(), before.indexed_events());
  EXPECT_GE(after.batches(), before.batches());
  EXPECT_GE(after.uptime_seconds(), before.uptime_seconds());

  server_->SetReady(true);
  EXPECT_TRUE(Stats().ready());

  AwaitShopFindings();
  v1::Stats judged = Stats();
  EXPECT_EQ(judged.findings().at("missing_service"), 2u);
  EXPECT_EQ(judged.findings().at("incomplete_sequence"), 3u);
  EXPECT_EQ(judged.unstructured_errors(), 8u);
  EXPECT_GE(judged.traces_judged(), static_cast<uint64_t>(kShopTraces));
}

// --- Health and reflection ---

TEST_F(GrpcServerTest, HealthIsNotServingUntilReady) {
  grpc::Status status;
  EXPECT_EQ(HealthCheck(channel_, "", &status), 2) << status.error_message();
  EXPECT_EQ(HealthCheck(channel_, "logweave.v1.LogWeave", &status), 2) << status.error_message();
  server_->SetReady(true);
  EXPECT_EQ(HealthCheck(channel_, "", &status), 1) << status.error_message();
  EXPECT_EQ(HealthCheck(channel_, "logweave.v1.LogWeave", &status), 1) << status.error_message();
  server_->SetReady(false);
  EXPECT_EQ(HealthCheck(channel_, "", &status), 2) << status.error_message();
}

TEST_F(GrpcServerTest, ReflectionListsTheServices) {
  grpc::Status status;
  std::vector<std::string> services = ReflectionListServices(channel_, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(services, Contains("logweave.v1.LogWeave"));
  EXPECT_THAT(services, Contains("grpc.health.v1.Health"));
}

// Not over the fixture: a death test runs best without other threads around.
TEST(LogweaveServerStartTest, AnAddressThatCannotBeBoundIsUnavailable) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Regression (fixed): when BuildAndStart fails, Start returns the error but the half-built server
  // is destroyed on the way out: ~LogweaveServer -> Shutdown -> SetReady(false) ->
  // server_->GetHealthCheckService() with server_ == nullptr, a null dereference
  // (SIGSEGV) instead of UNAVAILABLE. Run in a child process, so that the crash fails
  // only this test.
  EXPECT_EXIT(
      {
        RuntimeOptions options;
        options.pipeline.threads = 1;
        auto runtime = Runtime::Create(options);
        if (!runtime.ok()) std::_Exit(3);
        // 192.0.2.1 (TEST-NET-1) is not an address of this host (and not
        // loopback: allowed explicitly, to reach the bind).
        ServerOptions server_options{.address = "192.0.2.1:0"};
        server_options.security.allow_insecure = true;
        auto server = LogweaveServer::Start(server_options, runtime->get());
        std::_Exit(!server.ok() && server.status().code() == absl::StatusCode::kUnavailable ? 0
                                                                                            : 4);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(LogweaveServerStartTest, InvalidOptionsAreRejected) {
  RuntimeOptions options;
  options.pipeline.threads = 1;
  auto runtime = Runtime::Create(options);
  ASSERT_TRUE(runtime.ok());
  auto no_port = LogweaveServer::Start({.address = "localhost"}, runtime->get());
  EXPECT_EQ(no_port.status().code(), absl::StatusCode::kInvalidArgument);
  options.analysis_interval = absl::ZeroDuration();
  EXPECT_EQ(Runtime::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NextAnalysisWaitTest, TheIntervalOrTwiceTheLastRun) {
  EXPECT_EQ(NextAnalysisWait(absl::Seconds(1), absl::Milliseconds(100)), absl::Seconds(1));
  EXPECT_EQ(NextAnalysisWait(absl::Seconds(1), absl::Milliseconds(500)), absl::Seconds(1));
  EXPECT_EQ(NextAnalysisWait(absl::Seconds(1), absl::Seconds(3)), absl::Seconds(6));
}

}  // namespace
}  // namespace logweave::grpc_server_test

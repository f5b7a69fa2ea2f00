// The server's limits, each with its gRPC code, while it keeps serving other
// clients: request size, search strings and trace ids, StreamFindings
// subscribers, and findings skipped for a reader that fell behind (counted
// and told in the call's trailing metadata).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "connectors/grpc/query_service.h"
#include "connectors/grpc/server.h"
#include "grpcpp/create_channel.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

class GrpcLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({.address = "127.0.0.1:0"}); }
  void Start(const ServerOptions& server_options) {
    RuntimeOptions options;
    options.pipeline.threads = 1;
    options.findings_kept = 10;
    auto runtime = Runtime::Create(options);
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    auto server = LogweaveServer::Start(server_options, runtime_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    server_->SetReady(true);
    stub_ = NewStub();
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(2));
    if (runtime_ != nullptr) runtime_->Stop();
  }

  // A stub on a channel of its own (a connection of its own).
  std::unique_ptr<v1::LogWeave::Stub> NewStub() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return v1::LogWeave::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), args));
  }
  static void Deadline(grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  }
  // A GetStats from another client: the server still answers.
  void ExpectOthersServed() {
    auto other = NewStub();
    grpc::ClientContext c;
    Deadline(&c);
    v1::Stats stats;
    EXPECT_TRUE(other->GetStats(&c, v1::GetStatsRequest(), &stats).ok());
  }
  grpc::Status Search(const v1::SearchTracesRequest& request) {
    grpc::ClientContext c;
    Deadline(&c);
    v1::SearchTracesResponse response;
    return stub_->SearchTraces(&c, request, &response);
  }

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<LogweaveServer> server_;
  std::unique_ptr<v1::LogWeave::Stub> stub_;
};

TEST_F(GrpcLimitsTest, ARequestOverTheSizeLimitIsResourceExhausted) {
  v1::SearchTracesRequest request;
  request.set_text(std::string(2 << 20, 'x'));  // 2 MiB, over the 1 MiB default
  EXPECT_EQ(Search(request).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectOthersServed();
}

TEST_F(GrpcLimitsTest, LongSearchStringsAndTraceIdsAreInvalidArguments) {
  v1::SearchTracesRequest request;
  request.set_text(std::string(QueryService::kMaxSearchTextBytes, 'x'));
  EXPECT_TRUE(Search(request).ok());  // at the limit
  request.set_text(std::string(QueryService::kMaxSearchTextBytes + 1, 'x'));
  grpc::Status s = Search(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("the search text is 4097 bytes; at most 4096"));
  request.Clear();
  request.set_service(std::string(5000, 's'));
  EXPECT_EQ(Search(request).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext c;
  Deadline(&c);
  v1::GetTimelineRequest timeline;
  timeline.set_trace_id(std::string(QueryService::kMaxTraceIdBytes + 1, 'a'));
  v1::GetTimelineResponse response;
  s = stub_->GetTimeline(&c, timeline, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("at most 1024"));
  ExpectOthersServed();
}

TEST_F(GrpcLimitsTest, ASearchLongerThanTheServersLimitIsDeadlineExceeded) {
  TearDown();
  server_.reset();
  runtime_.reset();
  // No time at all: every search runs past it, whatever the client's deadline.
  Start({.address = "127.0.0.1:0", .max_call_time = absl::ZeroDuration()});
  grpc::Status s = Search(v1::SearchTracesRequest());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(s.error_message(), HasSubstr("the server's limit of 0 per call"));
  ExpectOthersServed();
}

TEST_F(GrpcLimitsTest, SubscribersBeyondTheLimitAreResourceExhausted) {
  struct Subscriber {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Finding>> reader;
  };
  std::vector<std::unique_ptr<Subscriber>> open;
  for (int i = 0; i < QueryService::kMaxSubscribers; ++i) {
    auto s = std::make_unique<Subscriber>();
    s->reader = stub_->StreamFindings(&s->context, v1::StreamFindingsRequest());
    open.push_back(std::move(s));
  }
  // The server sends its initial metadata once it counts a subscriber.
  for (auto& s : open) s->reader->WaitForInitialMetadata();
  // One more, now that the server has taken all of them in.
  grpc::Status refused;
  for (int attempt = 0; attempt < 200; ++attempt) {
    grpc::ClientContext c;
    Deadline(&c);
    auto reader = NewStub()->StreamFindings(&c, v1::StreamFindingsRequest());
    v1::Finding f;
    if (reader->Read(&f)) continue;  // no findings are published here
    refused = reader->Finish();
    if (refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("64 StreamFindings calls are open"));
  ExpectOthersServed();
  for (auto& s : open) s->context.TryCancel();
  for (auto& s : open) (void)s->reader->Finish();
}

TEST_F(GrpcLimitsTest, FindingsSkippedForAReaderThatFellBehindAreCountedAndTold) {
  // 50 findings published, 10 kept: a reader from the start misses 40.
  std::vector<Finding> findings(50);
  for (size_t i = 0; i < findings.size(); ++i) {
    findings[i].id = absl::StrCat("f-", i);
    findings[i].kind = "missing_service";
    findings[i].time_ns = 1'000'000'000 + static_cast<int64_t>(i);
  }
  runtime_->findings().Publish(findings);
  grpc::ClientContext c;
  Deadline(&c);
  v1::StreamFindingsRequest request;
  request.set_since_unix_nano(1);
  auto reader = stub_->StreamFindings(&c, request);
  std::vector<std::string> ids;
  v1::Finding f;
  while (ids.size() < 10 && reader->Read(&f)) ids.push_back(f.id());
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids.front(), "f-40");
  server_->Shutdown(absl::Seconds(2));  // ends the stream with its trailers
  while (reader->Read(&f)) {
  }
  EXPECT_TRUE(reader->Finish().ok());
  const auto& trailers = c.GetServerTrailingMetadata();
  auto it = trailers.find(QueryService::kDroppedTrailer);
  ASSERT_NE(it, trailers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "40");
  EXPECT_EQ(server_->service().stream_findings_dropped(), 40u);
}

}  // namespace
}  // namespace logweave

// A real OpenTelemetry client: the JS SDK (@opentelemetry/sdk-logs with the
// OTLP/HTTP JSON, OTLP/HTTP protobuf and OTLP/gRPC exporters, from the npm
// registry) sends the records of traces across three services; they must come
// back as whole timelines with the right levels, also when the pipeline is
// full and the exporters have to retry. npm installs the SDK once into the
// build tree (OTLP_NPM_DIR); without node or npm, or when the registry cannot
// be reached, the tests are skipped saying why. Run in the release preset
// only (the suite name starts with Real).
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/http/listener.h"
#include "connectors/otlp/otlp_grpc.h"
#include "connectors/otlp/otlp_http.h"
#include "connectors/otlp/otlp_receiver.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "logweave/pipeline.h"
#include "tests/otlp/otlp_endpoints.h"
#include "tests/testdata/pipeline_blocker.h"

namespace logweave::otlp {
namespace {

// Pinned: the versions this test was written against.
constexpr char kPackageJson[] = R"({"name":"logweave-otlp-sdk-test","private":true,
"dependencies":{"@opentelemetry/sdk-logs":"0.223.1","@opentelemetry/api-logs":"0.223.1",
"@opentelemetry/exporter-logs-otlp-http":"0.223.1","@opentelemetry/exporter-logs-otlp-proto":"0.223.1",
"@opentelemetry/exporter-logs-otlp-grpc":"0.223.1","@opentelemetry/resources":"2.12.1",
"@opentelemetry/api":"1.9.1","@grpc/grpc-js":"^1.14.0"}})";

int RunShell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Installs the SDK once (under a lock: ctest runs tests in parallel); empty
// when it is there, else why it is not.
std::string InstallSdk() {
  const std::string dir = OTLP_NPM_DIR;
  if (RunShell("command -v node >/dev/null && command -v npm >/dev/null") != 0) {
    return "node or npm is not installed";
  }
  std::filesystem::create_directories(dir);
  if (!std::filesystem::exists(dir + "/node_modules/@opentelemetry/exporter-logs-otlp-grpc")) {
    std::ofstream(dir + "/package.json") << kPackageJson;
    const std::string install =
        absl::StrCat("cd '", dir, "' && flock .lock timeout 300 npm install --no-audit --no-fund ",
                     "--loglevel=error > npm-install.log 2>&1");
    if (RunShell(install) != 0) {
      return absl::StrCat("npm install failed (see ", dir, "/npm-install.log)");
    }
  }
  return "";
}

std::vector<std::string> Traces(int n, int salt) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(absl::StrCat(absl::Hex(0x4bf92f3577b34da6ull + salt, absl::kZeroPad16),
                               absl::Hex(0xa3ce929d0e0e4736ull + i, absl::kZeroPad16)));
  }
  return out;
}

class RealOtlpSdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = InstallSdk();
    if (!why.empty()) GTEST_SKIP() << "the OpenTelemetry JS SDK is not available: " << why;
    PipelineOptions options;
    options.threads = 2;
    options.queue_bytes = 1 << 20;
    auto pipeline = Pipeline::Create(options);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status();
    pipeline_ = std::move(*pipeline);
    receiver_ = std::make_unique<OtlpReceiver>(pipeline_.get(), OtlpOptions{});
    ASSERT_NO_FATAL_FAILURE(endpoints_.Start(receiver_.get()));
  }
  void TearDown() override { endpoints_.Stop(); }

  // Runs the SDK client for `traces`; its exit code.
  int SendWithSdk(const std::vector<std::string>& traces) {
    std::string command = absl::StrCat(
        "NODE_PATH='", OTLP_NPM_DIR, "/node_modules' timeout 60 node '", OTLP_SDK_CLIENT,
        "' http://127.0.0.1:", endpoints_.http_port(), " 127.0.0.1:", endpoints_.grpc_port());
    for (const std::string& t : traces) absl::StrAppend(&command, " ", t);
    return RunShell(command);
  }

  void ExpectWholeTimelines(const std::vector<std::string>& traces) {
    for (const std::string& trace : traces) {
      auto t = pipeline_->index().GetTimeline(trace, {.with_raw = true});
      ASSERT_TRUE(t.ok()) << trace << ": " << t.status();
      ASSERT_EQ(t->events.size(), 5u) << trace;
      EXPECT_THAT(t->services, testing::UnorderedElementsAre("frontend", "cart", "payments"));
      std::multiset<std::pair<std::string, Level>> got;
      for (const TimelineEvent& e : t->events) got.insert({e.service, e.level});
      EXPECT_THAT(got, testing::UnorderedElementsAre(
                           std::pair<std::string, Level>{"frontend", Level::kInfo},
                           std::pair<std::string, Level>{"frontend", Level::kWarn},
                           std::pair<std::string, Level>{"cart", Level::kDebug},
                           std::pair<std::string, Level>{"payments", Level::kError},
                           std::pair<std::string, Level>{"payments", Level::kFatal}));
      bool status_seen = false, body_seen = false;
      for (const TimelineEvent& e : t->events) {
        status_seen |= e.raw.find(R"("http.response.status_code":402)") != std::string::npos;
        body_seen |= e.raw.find(R"("body":{"reason":"ledger unreachable")") != std::string::npos;
      }
      EXPECT_TRUE(status_seen) << trace;
      EXPECT_TRUE(body_seen) << trace;
    }
  }

  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<OtlpReceiver> receiver_;
  OtlpEndpoints endpoints_;
};

TEST_F(RealOtlpSdkTest, ThreeServicesOverJsonProtobufAndGrpcComeBackAsWholeTimelines) {
  const std::vector<std::string> traces = Traces(20, 0);
  ASSERT_EQ(SendWithSdk(traces), 0);
  ExpectWholeTimelines(traces);
  EXPECT_EQ(receiver_->Stats().records, 100u);
  EXPECT_EQ(receiver_->Stats().rejected, 0u);
}

// The JS HTTP exporters retry a 503 after its Retry-After (1 s, within
// their 10 s budget); the JS gRPC exporter (0.223.1) retries nothing, so its
// export is held until the pipeline has room (otlp.grpc_room_wait).
TEST_F(RealOtlpSdkTest, ExportersRetryWhileThePipelineIsFullAndNothingIsLost) {
  // A batch of queue_bytes whose indexing waits: the pipeline has no room.
  auto blocker = std::make_unique<testdata::PipelineBlocker>(pipeline_.get());
  const std::vector<std::string> traces = Traces(10, 1);
  int exit_code = -1;
  std::thread client([&] { exit_code = SendWithSdk(traces); });
  // Once both HTTP exporters were told to retry and the gRPC one is held,
  // there is room again.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while ((receiver_->Stats().retry_answers < 2 || receiver_->Stats().room_waits < 1) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const OtlpStats during = receiver_->Stats();
  blocker->Release();
  client.join();
  pipeline_->Flush();
  blocker.reset();
  EXPECT_GE(during.retry_answers, 2u);
  EXPECT_EQ(during.room_waits, 1u);
  EXPECT_EQ(during.records, 0u);  // nothing was taken while it was full
  ASSERT_EQ(exit_code, 0);
  ExpectWholeTimelines(traces);
  EXPECT_EQ(receiver_->Stats().records, 50u);
}

}  // namespace
}  // namespace logweave::otlp

// The HTTP listener of `logweave serve` (connectors/http): /healthz and
// /readyz over the shared readiness, /metrics with its names, its figures
// (the same as GetStats') and its token, the gRPC listener's bind rule and
// TLS, and the exposition checked by Prometheus's own promtool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/grpc/server.h"
#include "connectors/http/health_routes.h"
#include "connectors/http/listener.h"
#include "connectors/http/metrics.h"
#include "connectors/http/readiness.h"
#include "grpcpp/create_channel.h"
#include "httplib.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tests/testdata/actions.h"
#include "tests/testdata/certificates.h"
#include "tests/testdata/exposition.h"
#include "tests/testdata/grpc_health.h"
#include "tests/testdata/run_command.h"
#include "tests/testdata/shop_server.h"

namespace logweave {
namespace {

using testdata::Sample;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kReadToken[] = "read-token-0123456789abcdef";

// Lines as two services print them: one trace through both, a plain-text
// error, a line without a time and an exact repeat.
testdata::LogFiles ShopLogs() {
  return {
      {"gateway.log",
       {R"({"ts":"2026-03-01T10:00:00.000Z","level":"info","service":"gateway","trace_id":"t-1","msg":"POST /checkout"})",
        R"({"ts":"2026-03-01T10:00:00.120Z","level":"info","service":"gateway","trace_id":"t-1","msg":"200 OK"})",
        R"({"ts":"2026-03-01T10:00:00.120Z","level":"info","service":"gateway","trace_id":"t-1","msg":"200 OK"})"}},
      {"payments.log",
       {R"({"ts":"2026-03-01T10:00:00.050Z","level":"info","service":"payments","trace_id":"t-1","msg":"charge"})",
        "2026-03-01 10:00:01 ERROR payments: connection refused to ledger:5432",
        R"({"level":"warn","service":"payments","msg":"retrying"})"}},
  };
}

TEST(ReadinessTest, HoldsUntilEveryConditionIsReleasedAndTellsWatchersOfChanges) {
  Readiness readiness;
  readiness.Hold("replay", "still replaying");
  std::vector<bool> told;
  readiness.Watch([&told](bool ready) { told.push_back(ready); });
  EXPECT_EQ(readiness.Check(), "still replaying");
  readiness.Hold("other", "other reason");
  EXPECT_EQ(readiness.Check(), "other reason; still replaying");  // by name
  readiness.Release("replay");
  EXPECT_EQ(readiness.Check(), "other reason");
  readiness.Release("other");
  EXPECT_EQ(readiness.Check(), "");
  readiness.Check();
  EXPECT_EQ(told, (std::vector<bool>{false, true}));  // once at Watch, then each change
  readiness.Shutdown();
  EXPECT_EQ(readiness.Check(), "shutting down");
  EXPECT_EQ(told, (std::vector<bool>{false, true, false}));
}

TEST(ReadinessTest, ProbesAreAskedAtEveryCheckAndTheRefreshTellsWatchers) {
  Readiness readiness;
  std::atomic<bool> joined{false};
  readiness.AddProbe("kafka", [&joined] { return joined ? "" : "kafka: not joined"; });
  std::atomic<bool> ready{false};
  readiness.Watch([&ready](bool r) { ready = r; });
  EXPECT_EQ(readiness.Check(), "kafka: not joined");
  readiness.StartRefreshing(absl::Milliseconds(5));
  joined = true;  // nobody asks: the refresh notices
  ASSERT_TRUE(testdata::Eventually([&] { return ready.load(); }));
  readiness.Shutdown();  // the probe is dropped: what it reads may go
  EXPECT_FALSE(ready);
  EXPECT_EQ(readiness.Check(), "shutting down");
}

// Options for `address` (GCC 12 warns about designated initialisers of them).
HttpListenerOptions At(const std::string& address, const TokenStore* tokens = nullptr) {
  HttpListenerOptions options;
  options.address = address;
  options.tokens = tokens;
  return options;
}

// GET `path` (with `headers`) through `client`: the response; one with status -1, and a test
// failure, if nothing answered.
httplib::Response Get(httplib::Client& client, const std::string& path,
                      const httplib::Headers& headers = {}) {
  httplib::Result r = client.Get(path, headers);
  if (r) return *r;
  ADD_FAILURE() << "no answer to GET " << path;
  httplib::Response none;
  none.status = -1;
  return none;
}

class HttpListenerTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpListener> Listen(HttpListenerOptions options) {
    auto listener = HttpListener::Create(options);
    EXPECT_TRUE(listener.ok()) << listener.status();
    if (!listener.ok()) return nullptr;
    return *std::move(listener);
  }
};

TEST_F(HttpListenerTest, HealthzAnswersWhileRunningAndReadyzFollowsReadinessWithItsReason) {
  Readiness readiness;
  readiness.Hold("replay", "the initial replay is not indexed yet");
  auto listener = Listen(At("127.0.0.1:0"));
  ASSERT_NE(listener, nullptr);
  AddHealthRoutes(*listener, readiness);
  listener->Start();
  httplib::Client client("127.0.0.1", listener->port());
  EXPECT_EQ(Get(client, "/healthz").status, 200);
  httplib::Response ready = Get(client, "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("the initial replay is not indexed yet"));
  readiness.Release("replay");
  EXPECT_EQ(Get(client, "/readyz").status, 200);
  EXPECT_EQ(Get(client, "/readyz/x").status, 404);
  readiness.Shutdown();
  ready = Get(client, "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("shutting down"));
  listener->Stop();
  EXPECT_FALSE(client.Get("/healthz"));  // nobody listens any more
}

TEST_F(HttpListenerTest, MetricsNeedAReadTokenWhenTokensAreOnAndTheProbesDoNot) {
  auto tokens = TokenStore::Parse(absl::StrCat(kReadToken, "\n"), "tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  std::unique_ptr<Runtime> runtime = testdata::IngestFiles(ShopLogs());
  ASSERT_NE(runtime, nullptr);
  ServeMetrics metrics(runtime.get());
  Readiness readiness;
  auto listener = Listen(At("127.0.0.1:0", tokens->get()));
  ASSERT_NE(listener, nullptr);
  metrics.AddRoute(*listener);
  AddHealthRoutes(*listener, readiness);
  listener->Start();
  httplib::Client client("127.0.0.1", listener->port());
  const httplib::Response anonymous = Get(client, "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.get_header_value("WWW-Authenticate"), StartsWith("Bearer"));
  EXPECT_EQ(
      Get(client, "/metrics", {{"Authorization", "Bearer not-a-token-of-this-server"}}).status,
      401);
  const httplib::Response with_token =
      Get(client, "/metrics", {{"Authorization", absl::StrCat("Bearer ", kReadToken)}});
  EXPECT_EQ(with_token.status, 200);
  EXPECT_THAT(with_token.body, HasSubstr("logweave_analysis_runs_total"));
  EXPECT_THAT(with_token.get_header_value("Content-Type"), HasSubstr("version=0.0.4"));
  for (const char* probe : {"/healthz", "/readyz"}) {
    EXPECT_EQ(Get(client, probe).status, 200) << probe;
  }
}

TEST_F(HttpListenerTest, FollowsTheGrpcBindRuleAndNamesBadAddresses) {
  HttpListenerOptions open;
  open.address = "0.0.0.0:0";
  auto refused = HttpListener::Create(open);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--allow-insecure"));
  HttpListenerOptions allowed = At("0.0.0.0:0");
  allowed.security.allow_insecure = true;
  EXPECT_NE(Listen(allowed), nullptr);
  HttpListenerOptions bad_address;
  bad_address.address = "localhost";
  auto bad = HttpListener::Create(bad_address);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("serve.http_address must be host:port"));
  // A port in use.
  auto first = Listen(At("127.0.0.1:0"));
  ASSERT_NE(first, nullptr);
  auto second = HttpListener::Create(At(first->address()));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(HttpListenerTest, ServesHttpsWithTheGrpcCertificateAndAsksForClientCertificates) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("http_tls_", ::getpid());
  testdata::Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  Readiness readiness;
  HttpListenerOptions options = At("127.0.0.1:0");
  options.security.tls_cert = certs("server.pem");
  options.security.tls_key = certs("server.key");
  options.security.tls_client_ca = certs("ca.pem");
  auto listener = Listen(options);
  ASSERT_NE(listener, nullptr);
  EXPECT_TRUE(listener->tls());
  AddHealthRoutes(*listener, readiness);
  listener->Start();

  httplib::SSLClient with_cert("127.0.0.1", listener->port(), certs("client.pem"),
                               certs("client.key"));
  with_cert.set_ca_cert_path(certs("ca.pem").c_str());
  with_cert.enable_server_certificate_verification(true);
  auto ok = with_cert.Get("/healthz");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);

  httplib::SSLClient stranger("127.0.0.1", listener->port(), certs("stranger.pem"),
                              certs("stranger.key"));
  stranger.set_ca_cert_path(certs("ca.pem").c_str());
  EXPECT_FALSE(stranger.Get("/healthz"));  // its CA is not the client CA
  httplib::Client plain("127.0.0.1", listener->port());
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);  // plain HTTP to an HTTPS port
}

TEST_F(HttpListenerTest, ARenewedCertificateIsServedWithoutARestart) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("http_rotation_", ::getpid());
  testdata::Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  // The served files start as a copy of the server certificate of "ca".
  const auto live_cert = dir / "live.pem", live_key = dir / "live.key";
  std::filesystem::copy_file(certs("server.pem"), live_cert);
  std::filesystem::copy_file(certs("server.key"), live_key);
  Readiness readiness;
  HttpListenerOptions options = At("127.0.0.1:0");
  options.security.tls_cert = live_cert.string();
  options.security.tls_key = live_key.string();
  auto listener = Listen(options);
  ASSERT_NE(listener, nullptr);
  AddHealthRoutes(*listener, readiness);
  listener->Start();
  // A GET /healthz from a new client (a new handshake) trusting only `ca`.
  auto healthy_trusting = [&](const std::string& ca) {
    httplib::SSLClient client("127.0.0.1", listener->port());
    client.set_ca_cert_path(certs(ca + ".pem").c_str());
    client.enable_server_certificate_verification(true);
    auto r = client.Get("/healthz");
    return r && r->status == 200;
  };
  EXPECT_TRUE(healthy_trusting("ca"));
  EXPECT_FALSE(healthy_trusting("other-ca"));

  // Half a rotation (a new key beside the old certificate) keeps the old pair.
  ASSERT_TRUE(certs.IssueServer("new", "other-ca"));
  std::filesystem::copy_file(dir / "new.key", live_key,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(healthy_trusting("ca"));
  // The whole rotation: the next handshake presents the new certificate.
  std::filesystem::copy_file(dir / "new.pem", live_cert,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(healthy_trusting("other-ca"));
  EXPECT_FALSE(healthy_trusting("ca"));
  std::filesystem::remove_all(dir);
}

// A runtime over ShopLogs and a gRPC server that reports its calls to the metrics.
class ServeMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = testdata::IngestFiles(ShopLogs());
    ASSERT_NE(runtime_, nullptr);
    runtime_->AnalyzeNow(true);
    metrics_ = std::make_unique<ServeMetrics>(runtime_.get());
    auto server = LogweaveServer::Start({.address = "127.0.0.1:0", .call_observer = metrics_.get()},
                                        runtime_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    server_->SetReady(true);
    metrics_->set_stats([this] { return server_->service().CurrentStats(); });
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
  }
  v1::Stats GetStats() {
    auto stub = v1::LogWeave::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::Stats stats;
    EXPECT_TRUE(stub->GetStats(&context, v1::GetStatsRequest(), &stats).ok());
    return stats;
  }

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<ServeMetrics> metrics_;
  std::unique_ptr<LogweaveServer> server_;
};

TEST_F(ServeMetricsTest, FiguresAreThoseOfGetStatsAndCallsAreCountedByMethodAndCode) {
  const v1::Stats stats = GetStats();
  ASSERT_EQ(stats.lines(), 6u);
  const std::string text = metrics_->Exposition();
  EXPECT_EQ(Sample(text, "logweave_lines_read_total"), stats.lines());
  EXPECT_EQ(Sample(text, "logweave_bytes_read_total"), stats.bytes());
  EXPECT_EQ(Sample(text, "logweave_parsed_lines_total{format=\"json\"}"), stats.json_lines());
  EXPECT_EQ(Sample(text, "logweave_parsed_lines_total{format=\"unstructured\"}"), 1);
  EXPECT_EQ(Sample(text, "logweave_duplicate_lines_total"), 1);
  EXPECT_EQ(Sample(text, "logweave_lines_without_time_total"), 1);
  EXPECT_EQ(Sample(text, "logweave_index_traces"), stats.traces());
  EXPECT_EQ(Sample(text,
                   "logweave_source_lines_read_total{source=\"logs/payments.log\","
                   "service=\"payments\"}"),
            3);
  EXPECT_EQ(Sample(text, "logweave_analysis_runs_total"), 1);
  EXPECT_EQ(Sample(text, "logweave_ready"), 1);
  // The error line is a finding of the analysis, by kind and severity.
  EXPECT_EQ(Sample(text, "logweave_open_findings{kind=\"unstructured_error\",severity=\"error\"}"),
            1);
  EXPECT_EQ(Sample(text,
                   "logweave_grpc_requests_total{code=\"OK\",method=\"GetStats\","
                   "service=\"logweave.v1.LogWeave\"}"),
            1);
  EXPECT_EQ(Sample(text,
                   "logweave_grpc_request_duration_seconds_count{method=\"GetStats\","
                   "service=\"logweave.v1.LogWeave\"}"),
            1);
  // A call that fails is counted with its code.
  auto stub = v1::LogWeave::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                                        grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::GetTimelineResponse timeline;
  EXPECT_EQ(stub->GetTimeline(&context, v1::GetTimelineRequest(), &timeline).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Sample(metrics_->Exposition(),
                   "logweave_grpc_requests_total{code=\"INVALID_ARGUMENT\",method=\"GetTimeline\","
                   "service=\"logweave.v1.LogWeave\"}"),
            1);
}

TEST_F(ServeMetricsTest, NamesStartWithLogweaveAndCountersEndInTotal) {
  GetStats();
  for (const prometheus::MetricFamily& f : metrics_->Collect()) {
    EXPECT_THAT(f.name, StartsWith("logweave_"));
    EXPECT_EQ(f.type == prometheus::MetricType::Counter, absl::EndsWith(f.name, "_total"))
        << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
}

TEST_F(ServeMetricsTest, PromtoolAcceptsTheExposition) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus; tools/bootstrap)";
  }
  GetStats();
  const std::string path = ::testing::TempDir() + absl::StrCat("/metrics_", ::getpid(), ".txt");
  std::ofstream(path) << metrics_->Exposition();
  const std::string err = path + ".err";
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat("promtool check metrics < ", path), err);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "");  // no lint remark either
}

TEST(SharedReadinessTest, ReadyzAndGrpcHealthTellTheSameState) {
  std::unique_ptr<Runtime> runtime = testdata::IngestFiles(ShopLogs());
  ASSERT_NE(runtime, nullptr);
  auto server = LogweaveServer::Start({.address = "127.0.0.1:0"}, runtime.get());
  ASSERT_TRUE(server.ok()) << server.status();
  LogweaveServer* grpc_server = server->get();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_server->port()),
                                     grpc::InsecureChannelCredentials());
  // As serve wires them.
  Readiness readiness;
  readiness.Hold("replay", "the initial replay is not indexed yet");
  readiness.Watch([grpc_server](bool ready) { grpc_server->SetReady(ready); });
  auto listener = HttpListener::Create(At("127.0.0.1:0"));
  ASSERT_TRUE(listener.ok()) << listener.status();
  AddHealthRoutes(**listener, readiness);
  (*listener)->Start();
  httplib::Client client("127.0.0.1", (*listener)->port());
  auto readyz = [&client] {
    auto r = client.Get("/readyz");
    return r ? r->status : -1;
  };
  EXPECT_EQ(readyz(), 503);
  EXPECT_EQ(testdata::HealthCheckBytes(channel), testdata::kHealthNotServing);
  readiness.Release("replay");
  EXPECT_EQ(readyz(), 200);
  EXPECT_EQ(testdata::HealthCheckBytes(channel), testdata::kHealthServing);
  readiness.Shutdown();
  EXPECT_EQ(readyz(), 503);
  EXPECT_EQ(testdata::HealthCheckBytes(channel), testdata::kHealthNotServing);
  (*listener)->Stop();
  grpc_server->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace logweave

// `logweave serve --http-address` against the real thing: its /metrics
// agrees with `logweave stats --json` on the same server, and a real
// Prometheus server (Debian package prometheus) scraping it on loopback
// answers the same number of lines read through its query API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "rapidjson/document.h"
#include "testdata/demo_serve.h"
#include "testdata/exposition.h"
#include "testdata/free_port.h"
#include "testdata/run_command.h"

namespace logweave {
namespace {

using testdata::AddressAfter;
using testdata::FreePort;
using testdata::Sample;

int PortOf(const std::string& address) {
  int port = 0;
  return absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port) ? port : 0;
}

bool Installed(const std::string& program) {
  return std::system(absl::StrCat("command -v ", program, " >/dev/null 2>&1").c_str()) == 0;
}

// One `logweave serve` over the demo logs for the suite, every trace judged
// (nothing changes once it is ready).
class PrometheusScrapeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    serve_ = new testdata::StreamingCommand(absl::StrCat(
        "timeout --preserve-status -s TERM 120 ", LOGWEAVE_BIN, " serve ", LOGWEAVE_SOURCE_DIR,
        "/deploy/demo/logs --final --address 127.0.0.1:0 --http-address 127.0.0.1:0 2>&1"));
    for (std::string line = serve_->ReadLine(); !line.empty(); line = serve_->ReadLine()) {
      if (grpc_address_.empty()) grpc_address_ = AddressAfter(line, "listening on ");
      if (http_address_.empty()) http_address_ = AddressAfter(line, "HTTP on ");
      if (line.find("ready:") != std::string::npos) break;
    }
  }
  static void TearDownTestSuite() {
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Close(), 0);
    delete serve_;
  }
  void SetUp() override {
    ASSERT_FALSE(grpc_address_.empty()) << "serve did not say where it listens";
    ASSERT_FALSE(http_address_.empty()) << "serve did not say where HTTP listens";
  }

  // The `lines` figure of `logweave stats --json`; 0 if it failed.
  static uint64_t StatsLines() {
    const testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat(LOGWEAVE_BIN, " stats --json --server ", grpc_address_, " </dev/null"),
        ::testing::TempDir() + "/prometheus_scrape_stats.err");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    return !d.HasParseError() && d.HasMember("lines") ? d["lines"].GetUint64() : 0;
  }

  static testdata::StreamingCommand* serve_;
  static std::string grpc_address_;
  static std::string http_address_;
};

testdata::StreamingCommand* PrometheusScrapeTest::serve_ = nullptr;
std::string PrometheusScrapeTest::grpc_address_;
std::string PrometheusScrapeTest::http_address_;

TEST_F(PrometheusScrapeTest, LinesReadEqualTheLinesOfLogweaveStats) {
  const uint64_t lines = StatsLines();
  ASSERT_GT(lines, 1000u);
  httplib::Client client("127.0.0.1", PortOf(http_address_));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_EQ(Sample(metrics->body, "logweave_lines_read_total"), static_cast<double>(lines));
  // The stats call above was counted.
  EXPECT_GE(Sample(metrics->body,
                   "logweave_grpc_requests_total{code=\"OK\",method=\"GetStats\","
                   "service=\"logweave.v1.LogWeave\"}"),
            1);
  for (const char* probe : {"/healthz", "/readyz"}) {
    auto r = client.Get(probe);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << probe << ": " << r->body;
  }
}

// Stops a command when the test ends, however it ends.
struct StopOnExit {
  testdata::StreamingCommand& command;
  ~StopOnExit() {
    command.Signal(SIGTERM);
    command.Close();
  }
};

TEST(ServeHttpAddressTest, ReadyzSaysWhyWhileKafkaIsNotConnected) {
  // Nothing listens on port 1: the consumer cannot reach its broker.
  testdata::StreamingCommand serve(
      absl::StrCat("timeout --preserve-status -s TERM 60 ", LOGWEAVE_BIN,
                   " serve --kafka-brokers 127.0.0.1:1 --kafka-topic logs --address 127.0.0.1:0"
                   " --http-address 127.0.0.1:0 2>&1"));
  StopOnExit stop{serve};
  std::string http_address;
  for (std::string line = serve.ReadLine(); !line.empty() && http_address.empty();
       line = serve.ReadLine()) {
    http_address = AddressAfter(line, "HTTP on ");
  }
  ASSERT_FALSE(http_address.empty());
  httplib::Client client("127.0.0.1", PortOf(http_address));
  std::string body;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  // The consumer's first error comes within a connection attempt.
  while (body.find("last error") == std::string::npos && absl::Now() < deadline) {
    auto r = client.Get("/readyz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    body = r->body;
    if (body.find("last error") == std::string::npos) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_THAT(body, ::testing::HasSubstr("kafka: the consumer has not joined its group yet"));
  EXPECT_THAT(body, ::testing::HasSubstr("last error: kafka:"));
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);  // alive, not ready
}

TEST(ServeHttpAddressTest, BeyondLoopbackWithoutProtectionOrNotHostPortIsAUsageError) {
  const std::string err = ::testing::TempDir() + "/serve_http_address.err";
  testdata::CommandResult r = testdata::RunCommand(
      absl::StrCat("timeout -s KILL 30 ", LOGWEAVE_BIN,
                   " serve --address 127.0.0.1:0 --http-address 0.0.0.0:0 </dev/null"),
      err);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("refusing to serve logs on 0.0.0.0:0"));
  const std::string config = ::testing::TempDir() + "/serve_http_address.yaml";
  std::ofstream(config) << "serve:\n  http_address: 9090\n";
  r = testdata::RunCommand(
      absl::StrCat("timeout -s KILL 30 ", LOGWEAVE_BIN, " serve --config ", config, " </dev/null"),
      err);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("http_address"));
  EXPECT_THAT(r.err, ::testing::HasSubstr("host:port"));
}

TEST_F(PrometheusScrapeTest, APrometheusServerScrapingItAnswersTheLinesRead) {
  if (!Installed("prometheus")) {
    GTEST_SKIP() << "the prometheus binary is not installed (Debian package prometheus; "
                    "tools/bootstrap installs it)";
  }
  const uint64_t lines = StatsLines();
  ASSERT_GT(lines, 0u);
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("prometheus_", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "data");
  struct RemoveOnExit {  // after Prometheus has stopped (destroyed after `stop`)
    std::filesystem::path dir;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove_dir{dir};
  std::ofstream(dir / "prometheus.yml") << "global:\n"
                                        << "  scrape_interval: 1s\n"
                                        << "  evaluation_interval: 1s\n"
                                        << "scrape_configs:\n"
                                        << "  - job_name: logweave\n"
                                        << "    static_configs:\n"
                                        << "      - targets: ['" << http_address_ << "']\n";
  const int port = FreePort();
  ASSERT_GT(port, 0);
  testdata::StreamingCommand prometheus(absl::StrCat(
      "prometheus --config.file=", (dir / "prometheus.yml").string(),
      " --storage.tsdb.path=", (dir / "data").string(), " --web.listen-address=127.0.0.1:", port,
      " --log.level=warn 2>", (dir / "prometheus.log").string()));
  StopOnExit stop{prometheus};

  httplib::Client api("127.0.0.1", port);
  double answered = -1;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (answered != static_cast<double>(lines) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));  // Prometheus starting, then its first scrape
    auto r = api.Get("/api/v1/query?query=logweave_lines_read_total");
    if (!r || r->status != 200) continue;
    rapidjson::Document d;
    d.Parse(r->body.c_str());
    if (d.HasParseError() || !d.HasMember("data")) continue;
    const rapidjson::Value& result = d["data"]["result"];
    if (!result.IsArray() || result.Empty()) continue;
    // [ <time>, "<value>" ]
    if (!absl::SimpleAtod(result[0]["value"][1].GetString(), &answered)) answered = -1;
  }
  std::stringstream log;
  log << std::ifstream(dir / "prometheus.log").rdbuf();
  EXPECT_EQ(answered, static_cast<double>(lines)) << "prometheus said:\n" << log.str();
}

}  // namespace
}  // namespace logweave

// What the query commands' tests share (client_cli_test, client_cli_listing_test): a small
// shop's log files served by one in-process server for the suite, and a fixture that runs the
// logweave binary against it in a temporary directory.
// Thread-compatible: one fixture per test; the suite server is started once per suite.
#ifndef LOGWEAVE_TESTS_SUPPORT_CLIENT_CLI_FIXTURE_H_
#define LOGWEAVE_TESTS_SUPPORT_CLIENT_CLI_FIXTURE_H_

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/server.h"
#include "logweave/pipeline.h"
#include "rapidjson/document.h"
#include "testdata/checkout_shop.h"
#include "testdata/json_lines.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/shop_server.h"
#include "testdata/test_dir.h"

namespace logweave::client_cli_test {

using testdata::JsonLines;

using testdata::GatewayLine;

using ::testing::HasSubstr;
using ::testing::Not;

inline std::string Trace(int i) { return testdata::ShopTrace(i); }

// The traces the log files below hold, and what is wrong with them.
inline constexpr int kTraces = 200;
inline constexpr int kNoPayments1 = 17;   // payments never reached: missing_service
inline constexpr int kNoPayments2 = 123;  // same
inline constexpr int kEmailTimeout = 40;  // email job timed out: plain-text error + incomplete
inline constexpr int kDeclined = 99;      // payments logged an ERROR event
inline constexpr int64_t kSmtpErrorMs = 600000;  // a plain-text error no trace explains

// A small shop's log files: POST /checkout through gateway -> checkout ->
// payments, each with an email job; one line per vector entry.
inline std::map<std::string, std::vector<std::string>> ShopFiles() {
  return testdata::CheckoutShopFiles(
      {.traces = kTraces,
       .vary =
           [](int i, testdata::CheckoutTrace& c) {
             if (i == kNoPayments1 || i == kNoPayments2) c.payments.clear();
             if (i == kDeclined) {
               c.payments.push_back(testdata::EcsLine("payments", c.id, i * 100 + 25,
                                                      "card_declined_by_issuer", "ERROR"));
             }
             if (i == kEmailTimeout) c.email_timeout = testdata::EmailTimeoutError(i * 100 + 5060);
           },
       .more_email = {
           {kSmtpErrorMs, testdata::PlainTime(kSmtpErrorMs) + " ERROR SMTP relay refused"}}});
}

using Result = testdata::CommandResult;

// A free loopback port with nothing listening on it.
inline int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// The binary under test: built by CMake (path compiled in), or $LOGWEAVE_BIN.
inline std::string Bin() {
  const char* bin = std::getenv("LOGWEAVE_BIN");
  return bin != nullptr ? bin : LOGWEAVE_BIN;
}

// One server over the shop's logs for the whole suite.
class ClientCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shop_.Start(ShopFiles()); }
  static void TearDownTestSuite() { shop_.Stop(); }

  void SetUp() override {
    ASSERT_NE(shop_.server, nullptr);
    bin_ = Bin();
    dir_ = testdata::MakeTestDir("client_cli");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static std::string Server() { return shop_.address(); }

  // Runs `env bin args` through the shell; captures stdout, stderr and the exit code.
  Result RunWithEnv(const std::string& env, const std::string& args) {
    return testdata::RunCommand(
        absl::StrCat(env, env.empty() ? "" : " ", bin_, " ", args, " </dev/null"),
        (dir_ / "stderr.txt").string());
  }
  // `logweave COMMAND args --server <the test server>`, LOGWEAVE_SERVER unset.
  Result Run(const std::string& command, const std::string& args = "") {
    return RunWithEnv("env -u LOGWEAVE_SERVER",
                      absl::StrCat(command, " ", args, " --server ", Server()));
  }

  // Expects `logweave COMMAND args` to be refused as a usage error (exit 2) saying `message`.
  void ExpectUsageError(const std::string& command, const std::string& args,
                        const std::string& message) {
    Result r = Run(command, args);
    EXPECT_EQ(r.exit_code, 2) << command << " " << args;
    EXPECT_THAT(r.err, HasSubstr(message)) << command << " " << args;
  }

  // The JSON lines `logweave COMMAND args` prints, expecting it to exit 0.
  std::vector<rapidjson::Document> RunJson(const std::string& command, const std::string& args) {
    Result r = Run(command, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return JsonLines(r.out);
  }

  static std::vector<std::string> Strings(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.GetArray()) out.push_back(v.GetString());
    return out;
  }

  static inline testdata::SuiteServer shop_;
  std::string bin_;
  std::filesystem::path dir_;
};

}  // namespace logweave::client_cli_test

#endif  // LOGWEAVE_TESTS_SUPPORT_CLIENT_CLI_FIXTURE_H_

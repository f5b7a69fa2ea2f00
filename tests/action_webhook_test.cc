// webhook actions against a local HTTP server: the finding as JSON, headers
// from the environment, retries on 5xx, client errors not retried, an
// unreachable receiver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "testdata/actions.h"
#include "testdata/certificates.h"
#include "testdata/hook_server.h"

namespace logweave {
namespace {

using actions::ActionOutcome;
using actions::ActionRun;
using ::testing::HasSubstr;

std::string PageAction(const std::string& url, const std::string& extra = "") {
  return testdata::OneActionYaml(
      "page", "drift, canary_rollback",
      absl::StrCat("    webhook: \"", url, "\"\n    dry_run: false\n", extra));
}

TEST(WebhookActionTest, PostsTheFindingAsJsonWithHeadersFromTheEnvironment) {
  testdata::HookServer server;
  setenv("LOGWEAVE_TEST_PAGER_TOKEN", "s3cret", 1);
  const Finding f = testdata::CanaryRollback("my app", "t1");
  const ActionRun run = testdata::RunOnce(
      PageAction(server.url("/hook/{service}"),
                 "    headers: {Authorization: \"Bearer ${LOGWEAVE_TEST_PAGER_TOKEN}\"}\n"),
      f);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk) << run.result.error;
  EXPECT_EQ(run.result.http_status, 200);
  EXPECT_EQ(run.result.attempts, 1u);
  EXPECT_EQ(run.result.output, "{\"ok\":true}");
  std::vector<testdata::HookServer::Request> got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook/my%20app");
  EXPECT_EQ(got[0].authorization, "Bearer s3cret");
  EXPECT_EQ(got[0].content_type, "application/json");
  rapidjson::Document body;
  body.Parse(got[0].body.c_str());
  ASSERT_FALSE(body.HasParseError()) << got[0].body;
  EXPECT_EQ(std::string(body["id"].GetString()), f.id);
  EXPECT_EQ(std::string(body["kind"].GetString()), "canary_rollback");
  EXPECT_EQ(std::string(body["details"]["service"].GetString()), "my app");
}

TEST(WebhookActionTest, RetriesAfterA500AndSucceeds) {
  testdata::HookServer server({500});
  actions::DispatcherStats stats;
  const ActionRun run = testdata::RunOnce(PageAction(server.url("/incident"), "    retries: 3\n"),
                                          testdata::Drift("sg-web"), &stats);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk);
  EXPECT_EQ(run.result.attempts, 2u);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(stats.outcomes["ok"], 1u);
}

TEST(WebhookActionTest, GivesUpAfterItsRetries) {
  testdata::HookServer server({503, 503, 503});
  const ActionRun run = testdata::RunOnce(PageAction(server.url("/incident"), "    retries: 1\n"),
                                          testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kFailed);
  EXPECT_EQ(run.result.http_status, 503);
  EXPECT_EQ(run.result.attempts, 2u);
  EXPECT_THAT(run.result.error, HasSubstr("HTTP 503"));
}

TEST(WebhookActionTest, ClientErrorIsNotRetried) {
  testdata::HookServer server({404});
  const ActionRun run = testdata::RunOnce(PageAction(server.url("/wrong"), "    retries: 3\n"),
                                          testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kFailed);
  EXPECT_EQ(run.result.http_status, 404);
  EXPECT_EQ(run.result.attempts, 1u);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(WebhookActionTest, UnreachableIsFailedAndCounted) {
  std::string url;
  {
    testdata::HookServer gone;
    url = gone.url("/incident");
  }  // nothing listens there any more
  actions::DispatcherStats stats;
  const ActionRun run =
      testdata::RunOnce(PageAction(url, "    retries: 1\n"), testdata::Drift("sg-web"), &stats);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kFailed);
  EXPECT_EQ(run.result.http_status, 0);
  EXPECT_EQ(run.result.attempts, 2u) << "a connection error is retried";
  EXPECT_THAT(run.result.error, HasSubstr("Connection"));
  EXPECT_EQ(stats.outcomes["failed"], 1u);
  EXPECT_EQ(stats.outcomes.count("ok"), 0u);
}

TEST(WebhookActionTest, HttpsVerifiesTheServer) {
  // A plain HTTP server is no TLS server: the https request fails, never
  // falling back to plain text.
  testdata::HookServer server;
  const ActionRun run =
      testdata::RunOnce(PageAction(absl::StrCat("https://127.0.0.1:", server.port(), "/incident"),
                                   "    retries: 0\n"),
                        testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kFailed);
  EXPECT_TRUE(server.requests().empty());
}

TEST(WebhookActionTest, HttpsPostsToAReceiverWhoseCertificateTheGivenCaSigned) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "webhook_https_certs";
  testdata::Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  const testdata::HookServer::Tls tls{certs("server.pem"), certs("server.key")};
  testdata::HookServer server({}, &tls);
  const std::string url = absl::StrCat("https://127.0.0.1:", server.port(), "/incident");

  // Verified against the CA that signed the receiver's certificate: delivered.
  auto trusted = testdata::Dispatcher(
      PageAction(url, absl::StrCat("    retries: 0\n    ca_file: \"", certs("ca.pem"), "\"\n")));
  ASSERT_NE(trusted, nullptr);
  trusted->Offer(testdata::Drift("sg-web"));
  trusted->Drain();
  std::vector<ActionRun> runs = trusted->Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].result.outcome, ActionOutcome::kOk) << runs[0].result.error;
  EXPECT_EQ(runs[0].result.http_status, 200);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/incident");

  // Against another CA: refused before anything is sent.
  auto stranger = testdata::Dispatcher(PageAction(
      url, absl::StrCat("    retries: 0\n    ca_file: \"", certs("other-ca.pem"), "\"\n")));
  ASSERT_NE(stranger, nullptr);
  stranger->Offer(testdata::Drift("sg-db"));
  stranger->Drain();
  runs = stranger->Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].result.outcome, ActionOutcome::kFailed);
  EXPECT_EQ(server.requests().size(), 1u) << "nothing reached the receiver";
}

}  // namespace
}  // namespace logweave

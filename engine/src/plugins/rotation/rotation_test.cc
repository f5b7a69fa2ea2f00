// The rotation rule plugin: reading rotations, authentication failures and
// health checks from lines of several shapes, and the rotation_incomplete
// decision over event time, through the pipeline and the analyzer.
#include "plugins/rotation/rotation.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "analysis/analyzer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "testdata/finding_details.h"
#include "testdata/invalid_argument.h"
#include "testdata/plugin_pipeline.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStartNs = 1795428000 * kSecond;  // 2026-11-23T10:00:00Z

const RotationOptions* RotationOf(const PipelineOptions& o) {
  return internal::FindPluginOptions<RotationConfig>(o.plugins);
}

// "2026-11-23T10:MM:SSZ" for `s` seconds after 10:00 (may be negative).
std::string Iso(int s) {
  const int t = 36000 + s;
  return absl::StrFormat("2026-11-23T%02d:%02d:%02dZ", t / 3600, t / 60 % 60, t % 60);
}
// Python logging's asctime: "2026-11-23 10:03:12,345".
std::string Asctime(int s) {
  const int t = 36000 + s;
  return absl::StrFormat("2026-11-23 %02d:%02d:%02d,123", t / 3600, t / 60 % 60, t % 60);
}

// A CloudTrail Secrets Manager event, as the trail writes one per line.
std::string SecretEvent(int s, const std::string& event, const std::string& secret_arn,
                        const std::string& extra = "") {
  return R"({"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/rotation-lambda/fn"},"eventTime":")" +
         Iso(s) + R"(","eventSource":"secretsmanager.amazonaws.com","eventName":")" + event +
         R"(","awsRegion":"eu-west-1","requestParameters":{"secretId":")" + secret_arn +
         R"("},"responseElements":null)" + extra + "}";
}
const std::string kOrdersArn =
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/orders-Xk3pQ9";
const std::string kBillingArn =
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/billing-7hTr2a";

// orders (Python, asyncpg, plain text): the driver's traceback ends in the error.
std::string AsyncpgFailure(int s) {
  return Asctime(s) +
         " ERROR orders.db: asyncpg.exceptions.InvalidPasswordError: password authentication "
         "failed for user \"orders_app\"";
}
std::string ConnectionRefused(int s) {
  return Asctime(s) +
         " ERROR orders.db: OSError: [Errno 111] Connect call failed ('10.0.4.12', 5432): "
         "connection refused";
}
// orders' access log, plain text.
std::string Probe(int s, const std::string& path, int status) {
  return absl::StrFormat("%s INFO uvicorn.access: 10.0.0.7:51234 - \"GET %s HTTP/1.1\" %d",
                         Asctime(s), path, status);
}
// billing (.NET, Serilog compact JSON: @t, @l, @mt; no service field).
std::string MysqlFailure(int s) {
  return R"({"@t":")" + Iso(s) +
         R"j(","@l":"Error","@mt":"Opening connection failed","Exception":"MySqlConnector.MySqlException (0x80004005): Access denied for user 'billing'@'10.0.3.7' (using password: YES)"})j";
}

class RotationPluginTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> NewPipeline(const RotationOptions& rotation = {}) {
    return testdata::PluginPipeline(std::make_shared<const RotationConfig>(rotation));
  }
  static void Add(Pipeline* p, const std::string& name, const std::vector<std::string>& lines) {
    testdata::SubmitLines(p, p->AddSource(name), lines, 7);
  }
  static std::vector<Finding> Of(const std::vector<Finding>& findings) {
    return testdata::FindingsOfKind(findings, "rotation_incomplete");
  }
  // One final analysis of the given files.
  std::vector<Finding> Replay(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& files,
      const RotationOptions& options = {}) {
    auto p = NewPipeline(options);
    for (const auto& [name, lines] : files) Add(p.get(), name, lines);
    p->Flush();
    Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
    return Of(analyzer.Run(INT64_MAX).findings);
  }
  // One final analysis of orders' log `orders` after the rotation of its secret at 10:00.
  std::vector<Finding> ReplayAfterRotation(const std::vector<std::string>& orders) {
    return Replay(
        {{"cloudtrail.log", {SecretEvent(0, "RotateSecret", kOrdersArn)}}, {"orders.log", orders}});
  }
  // orders' log: probes of /healthz every 10 s from 09:55 to 10:20, and
  // `line(s)` at each second s for which `at(s)`.
  static std::vector<std::string> OrdersLog(const std::function<bool(int)>& at,
                                            const std::function<std::string(int)>& line) {
    std::vector<std::string> out;
    for (int s = -300; s <= 1200; ++s) {
      if (s % 10 == 0) out.push_back(Probe(s, "/healthz", 200));
      if (at(s)) out.push_back(line(s));
    }
    return out;
  }
};

TEST(SecretNameTest, TheArnsRandomSuffixIsStripped) {
  EXPECT_EQ(SecretName(kOrdersArn), "prod/db/orders");
  EXPECT_EQ(SecretName("prod/db/orders"), "prod/db/orders");
  EXPECT_EQ(SecretName("my-db-backup"), "my-db-backup");  // a name has no suffix to strip
  EXPECT_EQ(SecretName("arn:aws:secretsmanager:eu-west-1:1:secret:my-db-backup-AbC123"),
            "my-db-backup");
}

TEST(RotationSignalReaderTest, DatabaseAndDriverFailuresInTheirOwnWords) {
  RotationSignalReader reader{RotationOptions{}};
  struct Case {
    std::string line;
    bool json;
    std::string what, user;
  };
  const Case cases[] = {
      {"2026-11-23 10:00:01.123 UTC [4711] FATAL:  password authentication failed for user "
       "\"orders_app\"",
       false, "postgres", "orders_app"},
      {R"j({"level":"error","ts":1795428001.5,"msg":"connect","error":"failed to connect to `host=db user=app database=orders`: server error (FATAL: password authentication failed for user \"app\" (SQLSTATE 28P01))"})j",
       true, "postgres", "app"},
      {AsyncpgFailure(3), false, "asyncpg", "orders_app"},
      {MysqlFailure(4), true, "mysql", "billing"},
      {"ERROR 1045 (28000): Access denied for user 'report'@'10.1.2.3' (using password: YES)",
       false, "mysql", "report"},
      {"2026-11-23 10:00:05.12 Logon       Error: 18456, Severity: 14, State: 8.", false,
       "sqlserver", ""},
      {"com.microsoft.sqlserver.jdbc.SQLServerException: Login failed for user 'ledger'.", false,
       "sqlserver", "ledger"},
      {R"({"t":{"$date":"2026-11-23T10:00:06.000+00:00"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn42","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","user":"catalog","db":"admin","error":"AuthenticationFailed: SCRAM authentication failed, storedKey mismatch"}})",
       true, "mongodb", ""},
      {"pymongo.errors.OperationFailure: Authentication failed., full error: {'ok': 0.0, "
       "'errmsg': 'Authentication failed.', 'code': 18, 'codeName': 'AuthenticationFailed'}",
       false, "mongodb", ""},
      {R"({"time":"2026-11-23T10:00:07Z","path":"/healthz/db","status":503,"msg":"db check: pq: password authentication failed"})",
       true, "deep_health", ""},
      {R"({"time":"2026-11-23T10:00:07Z","req":{"url":"/healthz/db?full=1"},"res":{"statusCode":500},"msg":"database: invalid credentials"})",
       true, "deep_health", ""},
  };
  for (const Case& c : cases) {
    RotationSignal s;
    ASSERT_TRUE(reader.Read(c.line, c.json, &s)) << c.line;
    EXPECT_EQ(s.kind, RotationSignal::kAuthFailure) << c.line;
    EXPECT_EQ(s.what, c.what) << c.line;
    EXPECT_EQ(s.user, c.user) << c.line;
  }
}

TEST(RotationSignalReaderTest, ConnectionErrorsAndTimeoutsAreNotAuthenticationFailures) {
  RotationSignalReader reader{RotationOptions{}};
  RotationSignal s;
  EXPECT_FALSE(reader.Read(ConnectionRefused(1), false, &s));
  EXPECT_FALSE(reader.Read(
      "psycopg2.OperationalError: connection to server at \"db\" (10.0.4.12), port 5432 failed: "
      "timeout expired",
      false, &s));
  EXPECT_FALSE(reader.Read(
      R"({"time":"2026-11-23T10:00:07Z","path":"/healthz/db","status":503,"msg":"dial tcp 10.0.4.12:5432: connect: connection refused"})",
      true, &s));
  EXPECT_FALSE(
      reader.Read(R"({"msg":"user alice logged in","status":200,"path":"/login"})", true, &s));
}

TEST(RotationSignalReaderTest, RotationsHealthChecksAndFailedCalls) {
  RotationOptions o;
  o.path_fields = {"target"};
  RotationSignalReader reader(o);
  RotationSignal s;
  ASSERT_TRUE(reader.Read(SecretEvent(0, "RotateSecret", kOrdersArn), true, &s));
  EXPECT_EQ(s.kind, RotationSignal::kRotation);
  EXPECT_EQ(s.secret, "prod/db/orders");
  EXPECT_EQ(s.event, "RotateSecret");
  ASSERT_TRUE(
      reader.Read(SecretEvent(0, "PutSecretValue", kOrdersArn,
                              R"(,"errorCode":"AccessDenied","errorMessage":"not authorized")"),
                  true, &s));
  EXPECT_EQ(s.kind, RotationSignal::kFailedRotation);
  // Moving AWSPENDING is a step of a rotation, not what clients read.
  EXPECT_FALSE(reader.Read(
      absl::StrReplaceAll(SecretEvent(0, "UpdateSecretVersionStage", kOrdersArn),
                          {{R"("secretId")", R"("versionStage":"AWSPENDING","secretId")"}}),
      true, &s));
  EXPECT_FALSE(reader.Read(SecretEvent(0, "GetSecretValue", kOrdersArn), true, &s));
  // EventBridge's wrapper.
  ASSERT_TRUE(reader.Read(
      R"({"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"secretsmanager.amazonaws.com","eventName":"UpdateSecret","requestParameters":{"secretId":"prod/db/billing"}}})",
      true, &s));
  EXPECT_EQ(s.secret, "prod/db/billing");
  ASSERT_TRUE(reader.Read(Probe(0, "/healthz", 200), false, &s));
  EXPECT_EQ(s.kind, RotationSignal::kShallowHealth);
  EXPECT_TRUE(s.ok);
  ASSERT_TRUE(reader.Read(R"({"target":"/healthz/db","code":"x","status":"204"})", true, &s));
  EXPECT_EQ(s.kind, RotationSignal::kDeepHealthOk);
  EXPECT_FALSE(reader.Read(Probe(0, "/healthz/dbx", 200), false, &s));
}

TEST_F(RotationPluginTest, FailuresSoonAfterARotationAreOneFinding) {
  // Rotated at 10:00:00; orders fails from 10:02:30 every 5 s until 10:08:00.
  auto orders = OrdersLog([](int s) { return s >= 150 && s <= 480 && s % 5 == 0; }, AsyncpgFailure);
  std::vector<Finding> found = ReplayAfterRotation(orders);
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0];
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.subject, "orders");
  testdata::ExpectDetails(
      f, {"secret=prod/db/orders", "service=orders", "rotated_at=2026-11-23T10:00:00.000Z",
          "first_failure=2026-11-23T10:02:30.123Z", "failures=67", "failure_kind=asyncpg",
          "db_user=orders_app", "shallow_health=passed"});
  EXPECT_NE(f.summary.find("Running, but cannot authenticate"), std::string::npos) << f.summary;
  // The failures stop at 10:08 and the log goes on to 10:20: resolved by quiet.
  EXPECT_TRUE(f.resolved);
  EXPECT_EQ(f.Detail("resolved_by"), "quiet");
  EXPECT_EQ(f.Detail("resolved_at"), "2026-11-23T10:18:00.123Z");
  ASSERT_EQ(f.evidence.size(), 3u);
  EXPECT_EQ(f.evidence[0].source, "cloudtrail.log");
  EXPECT_NE(f.evidence[1].text.find("InvalidPasswordError"), std::string::npos);
}

TEST_F(RotationPluginTest, ConnectionRefusedAfterARotationIsNotAFinding) {
  auto orders = OrdersLog([](int s) { return s >= 150 && s % 5 == 0; }, ConnectionRefused);
  EXPECT_TRUE(ReplayAfterRotation(orders).empty());
}

TEST_F(RotationPluginTest, FailuresThatBeganBeforeAnyRotationAreNotAFinding) {
  // No rotation at all.
  auto failing = OrdersLog([](int s) { return s >= 150 && s % 5 == 0; }, AsyncpgFailure);
  EXPECT_TRUE(Replay({{"orders.log", failing}}).empty());
  // Failing since 09:58, still failing after the rotation at 10:00.
  auto before = OrdersLog([](int s) { return s >= -120 && s % 5 == 0; }, AsyncpgFailure);
  EXPECT_TRUE(ReplayAfterRotation(before).empty());
  // Failures that start more than the window (15 min) after it.
  auto late = OrdersLog([](int s) { return s >= 960 && s % 5 == 0; }, AsyncpgFailure);
  EXPECT_TRUE(ReplayAfterRotation(late).empty());
}

TEST_F(RotationPluginTest, AFailedRotationIsNotAFinding) {
  auto orders = OrdersLog([](int s) { return s >= 150 && s % 5 == 0; }, AsyncpgFailure);
  const std::string failed = SecretEvent(
      0, "RotateSecret", kOrdersArn,
      R"(,"errorCode":"InvalidRequestException","errorMessage":"A previous rotation isn't complete.")");
  auto p = NewPipeline();
  Add(p.get(), "cloudtrail.log", {failed});
  Add(p.get(), "orders.log", orders);
  p->Flush();
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  EXPECT_TRUE(Of(analyzer.Run(INT64_MAX).findings).empty());
  auto* plugin = dynamic_cast<RotationPlugin*>(p->plugins()[0]);
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->counters().failed_rotations, 1u);
  EXPECT_EQ(plugin->counters().rotations, 0u);
  EXPECT_GT(plugin->counters().unexplained, 0u);
}

TEST_F(RotationPluginTest, StreamingReportsTheIncidentThenItsRecoveryByDeepHealth) {
  // Failures from 10:01 on; the deep health check fails until 10:06, passes at 10:06:30.
  std::vector<std::string> orders;
  for (int s = 0; s <= 900; s += 5) {
    if (s % 10 == 0) orders.push_back(Probe(s, "/healthz", 200));
    if (s >= 60 && s < 390) orders.push_back(AsyncpgFailure(s));
    if (s % 30 == 0 && s >= 60) {
      orders.push_back(
          s < 390
              ? R"({"time":")" + Iso(s) +
                    R"(","path":"/healthz/db","status":503,"error":"password authentication failed for user \"orders_app\""})"
              : R"({"time":")" + Iso(s) + R"(","path":"/healthz/db","status":200})");
    }
  }
  RotationOptions o;
  o.lateness_ns = 0;
  auto p = NewPipeline(o);
  const uint32_t trail = p->AddSource("cloudtrail.log");
  const uint32_t app = p->AddSource("orders.log");
  testdata::SubmitLines(p.get(), trail, {SecretEvent(0, "RotateSecret", kOrdersArn)}, 1);
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  std::vector<Finding> changes;
  for (size_t from = 0; from < orders.size(); from += 20) {
    testdata::SubmitLines(p.get(), app, orders, 20, from, from + 20);
    p->Flush();
    AnalysisReport r = analyzer.Run(p->Stats().max_time_ns);
    for (const Finding& f : Of(r.changes)) changes.push_back(f);
  }
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[0].resolved);
  // The deep health check's failure at 10:01:00 is the first.
  EXPECT_EQ(changes[0].Detail("first_failure"), "2026-11-23T10:01:00.000Z");
  EXPECT_EQ(changes[0].Detail("failure_kind"), "deep_health");
  EXPECT_TRUE(changes[1].resolved);
  EXPECT_EQ(changes[1].id, changes[0].id);
  // A final analysis says how it ended.
  std::vector<Finding> final_findings = Of(analyzer.Run(INT64_MAX).findings);
  ASSERT_EQ(final_findings.size(), 1u);
  EXPECT_TRUE(final_findings[0].resolved);
  EXPECT_EQ(final_findings[0].Detail("resolved_by"), "deep_health");
  EXPECT_EQ(final_findings[0].Detail("resolved_at"), "2026-11-23T10:06:30.000Z");
}

TEST_F(RotationPluginTest, AHeldBackWatermarkHoldsNoMoreThanMaxPendingSignals) {
  RotationOptions o;
  o.max_pending = 40;
  auto p = NewPipeline(o);
  Add(p.get(), "cloudtrail.log", {SecretEvent(0, "RotateSecret", kOrdersArn)});
  const auto orders = OrdersLog([](int s) { return s >= 150 && s % 5 == 0; }, AsyncpgFailure);
  const uint32_t source = p->AddSource("orders.log");
  for (size_t from = 0; from < orders.size(); from += 20) {
    // As a replay does: each batch's signals are handed over as it goes.
    testdata::SubmitLines(p.get(), source, orders, 20, from, from + 20);
    p->Flush();
    p->plugins()[0]->Absorb();
  }
  EXPECT_EQ(p->Stats().plugin_dropped, 0u);
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  // The watermark never moved past 09:00: nothing would be settled.
  (void)analyzer.Run(kStartNs - 3600 * kSecond);
  auto* plugin = dynamic_cast<RotationPlugin*>(p->plugins()[0]);
  ASSERT_NE(plugin, nullptr);
  EXPECT_GT(plugin->counters().applied_early, 0u);
  EXPECT_EQ(plugin->counters().rotations, 1u);
  // Applied in time order all the same: the incident is found.
  std::vector<Finding> found = Of(analyzer.Run(INT64_MAX).findings);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("first_failure"), "2026-11-23T10:02:30.123Z");
}

TEST_F(RotationPluginTest, FailuresThatGoOnStayOpen) {
  auto orders = OrdersLog([](int s) { return s >= 150 && s % 5 == 0; }, AsyncpgFailure);
  std::vector<Finding> found = ReplayAfterRotation(orders);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].resolved);
  EXPECT_EQ(found[0].Detail("last_failure"), "2026-11-23T10:20:00.123Z");
}

TEST_F(RotationPluginTest, SeveralSecretsAreMatchedToTheirServicesByTheMap) {
  // orders' secret rotated at 10:00, billing's at 10:05; orders fails from
  // 10:06, billing from 10:07.
  const std::vector<std::string> trail = {SecretEvent(0, "RotateSecret", kOrdersArn),
                                          SecretEvent(300, "PutSecretValue", kBillingArn)};
  auto orders = OrdersLog([](int s) { return s >= 360 && s <= 600 && s % 5 == 0; }, AsyncpgFailure);
  std::vector<std::string> billing;
  for (int s = 420; s <= 1200; s += 7) billing.push_back(MysqlFailure(s));
  const std::vector<std::pair<std::string, std::vector<std::string>>> files = {
      {"cloudtrail.log", trail}, {"orders.log", orders}, {"billing.log", billing}};
  auto secret_of = [](const std::vector<Finding>& found) {
    std::map<std::string, std::string> out;
    for (const Finding& f : found) out[f.subject] = f.Detail("secret");
    return out;
  };
  // Without a map the latest rotation is blamed for both.
  EXPECT_EQ(secret_of(Replay(files)),
            (std::map<std::string, std::string>{{"billing", "prod/db/billing"},
                                                {"orders", "prod/db/billing"}}));
  RotationOptions o;
  o.secrets = {{kOrdersArn, {"orders"}}, {"prod/db/billing", {"billing"}}};
  EXPECT_EQ(secret_of(Replay(files, o)),
            (std::map<std::string, std::string>{{"billing", "prod/db/billing"},
                                                {"orders", "prod/db/orders"}}));
  // A service mapped to a secret that was not rotated is explained by none.
  o.secrets = {{"prod/db/orders-v2", {"orders"}}};
  EXPECT_EQ(secret_of(Replay(files, o)),
            (std::map<std::string, std::string>{{"billing", "prod/db/billing"}}));
}

TEST(RotationConfigTest, SectionReadsEveryKey) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString(R"(
plugins:
  rotation:
    enabled: true
    window: 20m
    resolve_after: 5m
    secrets:
      prod/db/orders: [orders, orders-worker]
      "arn:aws:secretsmanager:eu-west-1:1:secret:prod/db/billing-7hTr2a": billing
    deep_health_paths: [/healthz/db, /ready/deep]
    shallow_health_paths: /livez
    extra_patterns: ['(?i)vault: permission denied']
    path_fields: [target]
    status_fields: [code]
    lateness: 0
    max_pending: 1000
)");
  ASSERT_TRUE(o.ok()) << o.status();
  const RotationOptions* r = RotationOf(*o);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->window_ns, 1200 * kSecond);
  EXPECT_EQ(r->resolve_after_ns, 300 * kSecond);
  ASSERT_EQ(r->secrets.size(), 2u);
  EXPECT_EQ(r->secrets[0].first, "prod/db/orders");
  EXPECT_EQ(r->secrets[0].second, (std::vector<std::string>{"orders", "orders-worker"}));
  EXPECT_EQ(r->secrets[1].second, (std::vector<std::string>{"billing"}));
  EXPECT_EQ(r->deep_health_paths, (std::vector<std::string>{"/healthz/db", "/ready/deep"}));
  EXPECT_EQ(r->shallow_health_paths, (std::vector<std::string>{"/livez"}));
  EXPECT_EQ(r->extra_patterns.size(), 1u);
  EXPECT_EQ(r->path_fields, (std::vector<std::string>{"target"}));
  EXPECT_EQ(r->status_fields, (std::vector<std::string>{"code"}));
  EXPECT_EQ(r->lateness_ns, 0);
  EXPECT_EQ(r->max_pending, 1000u);
}

TEST(RotationConfigTest, DefaultsAndBadValues) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString("plugins:\n  rotation: {enabled: true}\n");
  ASSERT_TRUE(o.ok()) << o.status();
  const RotationOptions* r = RotationOf(*o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->window_ns, 900 * kSecond);
  EXPECT_EQ(r->resolve_after_ns, 600 * kSecond);
  EXPECT_EQ(r->deep_health_paths, (std::vector<std::string>{"/healthz/db"}));
  EXPECT_TRUE(r->secrets.empty());
  testdata::ExpectMessagesContain<PipelineOptions>({
      {LoadConfigString("plugins:\n  rotation: {extra_patterns: ['(unclosed']}\n"),
       "plugins.rotation.extra_patterns"},
      {LoadConfigString("plugins:\n  rotation: {deep_health_paths: [healthz]}\n"), "start with /"},
      {LoadConfigString("plugins:\n  rotation: {secrets: [a, b]}\n"), "plugins.rotation.secrets"},
      {LoadConfigString("plugins:\n  rotation: {window: 0}\n"), "plugins.rotation.window"},
      {LoadConfigString("plugins:\n  rotation: {windw: 1m}\n"), "unknown key"},
  });
}

}  // namespace
}  // namespace logweave

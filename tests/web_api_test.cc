// The web page's JSON API and pages (connectors/web) through a real HTTP
// client: against `logweave serve --http-address` over the demo data
// (deploy/demo) — a trace's timeline agrees with `logweave timeline --json`
// over gRPC, search pages cover every match once, findings come newest first
// — and in-process, with tokens, for the listener's token rule.
#include "connectors/web/web_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/grpc/server.h"
#include "connectors/http/listener.h"
#include "connectors/web/web_assets.h"
#include "connectors/web/web_pages.h"
#include "httplib.h"
#include "logweave/timestamp.h"
#include "rapidjson/document.h"
#include "tests/testdata/certificates.h"
#include "tests/testdata/demo_serve.h"
#include "tests/testdata/run_command.h"
#include "tests/testdata/serve_process.h"
#include "tests/testdata/shop_server.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A JSON body; a parse error fails the test.
std::unique_ptr<rapidjson::Document> Json(const std::string& body) {
  auto d = std::make_unique<rapidjson::Document>();
  d->Parse(body.c_str());
  EXPECT_FALSE(d->HasParseError()) << body.substr(0, 200);
  return d;
}

int64_t Int64(const rapidjson::Value& v) {
  int64_t n = 0;
  EXPECT_TRUE(v.IsString() && absl::SimpleAtoi(v.GetString(), &n));
  return n;
}

// One `logweave serve` over the demo data for the suite.
class WebApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    serve_ = new testdata::DemoServe;
    serve_->Start(LOGWEAVE_BIN, LOGWEAVE_SOURCE_DIR);
  }
  static void TearDownTestSuite() {
    serve_->Stop();
    delete serve_;
  }
  void SetUp() override { ASSERT_FALSE(serve_->http_address().empty()); }

  static httplib::Response Get(const std::string& path) { return serve_->Get(path); }

  // The trace id of the first open finding of `kind`.
  static std::string TraceOfFinding(const std::string& kind) {
    auto d = Json(Get("/api/findings?kind=" + kind).body);
    for (const auto& f : (*d)["findings"].GetArray()) {
      if (f["trace_id"].GetStringLength() > 0) return f["trace_id"].GetString();
    }
    return "";
  }

  static testdata::DemoServe* serve_;
};

testdata::DemoServe* WebApiTest::serve_ = nullptr;

TEST_F(WebApiTest, TraceHasTheEventsOfTheGrpcTimelineAndItsMissingServiceWithTheCause) {
  const std::string id = TraceOfFinding("missing_service");
  ASSERT_FALSE(id.empty());
  const httplib::Response r = Get("/api/trace/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.get_header_value("Content-Type"), StartsWith("application/json"));
  auto web = Json(r.body);
  // The same query service answers the CLI over gRPC.
  const testdata::CommandResult cli =
      testdata::RunCommand(absl::StrCat(LOGWEAVE_BIN, " timeline ", id, " --json --server ",
                                        serve_->grpc_address(), " </dev/null"),
                           ::testing::TempDir() + "/web_api_timeline.err");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto timeline = Json(cli.out);
  std::vector<std::string> cli_messages;
  for (const auto& e : (*timeline)["events"].GetArray()) {
    cli_messages.push_back(absl::StrCat(e["service"].GetString(), ": ", e["message"].GetString()));
  }
  std::vector<std::string> web_messages;
  for (const auto& e : (*web)["events"].GetArray()) {
    web_messages.push_back(absl::StrCat(e["service"].GetString(), ": ", e["message"].GetString()));
    // Each event carries its line as written and where it came from.
    EXPECT_THAT(e["raw"].GetString(), HasSubstr(id));
    EXPECT_THAT(e["source"].GetString(), HasSubstr("deploy/demo/logs/"));
    EXPECT_GT(Int64(e["line"]), 0);
  }
  ASSERT_FALSE(web_messages.empty());
  EXPECT_EQ(web_messages, cli_messages);
  // Events in event-time order.
  int64_t previous = 0;
  for (const auto& e : (*web)["events"].GetArray()) {
    EXPECT_GE(Int64(e["time_unix_nano"]), previous);
    previous = Int64(e["time_unix_nano"]);
  }
  // The missing service: not among the services, named with its cause.
  ASSERT_GE((*web)["missing_services"].Size(), 1u);
  const auto& missing = (*web)["missing_services"][0];
  const std::string service = missing["service"].GetString();
  for (const auto& s : (*web)["services"].GetArray()) EXPECT_NE(s.GetString(), service);
  EXPECT_THAT(std::string(missing["cause"].GetString()), ::testing::AnyOf("not_reached", "down"));
  bool has_finding = false;
  for (const auto& f : (*web)["findings"].GetArray()) {
    has_finding |= std::string(f["id"].GetString()) == missing["finding_id"].GetString();
  }
  EXPECT_TRUE(has_finding);
}

TEST_F(WebApiTest, TraceShowsItsPlainTextErrorsWithTheirConfidence) {
  const std::string id = TraceOfFinding("unstructured_error");
  ASSERT_FALSE(id.empty());
  auto web = Json(Get("/api/trace/" + id).body);
  ASSERT_GE((*web)["unstructured"].Size(), 1u);
  for (const auto& u : (*web)["unstructured"].GetArray()) {
    EXPECT_EQ(std::string(u["trace_id"].GetString()), id);
    EXPECT_GT(u["confidence"].GetDouble(), 0.0);
    EXPECT_LE(u["confidence"].GetDouble(), 1.0);
  }
}

TEST_F(WebApiTest, UnknownTraceAndBadParametersAnswerJsonErrors) {
  httplib::Response r = Get("/api/trace/no-such-trace");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(std::string((*Json(r.body))["code"].GetString()), "NOT_FOUND");
  r = Get("/api/search?level=loud");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT((*Json(r.body))["error"].GetString(), HasSubstr("level must be one of"));
  r = Get("/api/search?since=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT((*Json(r.body))["error"].GetString(), HasSubstr("since needs an RFC 3339 time"));
  // Checked by the query service itself.
  r = Get("/api/search?since=2026-11-24T00:00:00Z&until=2026-11-23T00:00:00Z");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT((*Json(r.body))["error"].GetString(), HasSubstr("inverted"));
  r = Get("/api/search?page_token=not-ours");
  EXPECT_EQ(r.status, 400);
  r = Get("/api/findings?severity=urgent");
  EXPECT_EQ(r.status, 400);
  r = Get("/api/findings?limit=0");
  EXPECT_EQ(r.status, 400);
}

TEST_F(WebApiTest, SearchPagesCoverEveryMatchOnceNewestFirst) {
  std::set<std::string> seen;
  std::string token;
  uint64_t matched = 0;
  int64_t previous_end = INT64_MAX;
  int pages = 0;
  do {
    httplib::Params params{{"service", "payments"}, {"page_size", "40"}};
    if (!token.empty()) params.emplace("page_token", token);
    const httplib::Response r = Get(httplib::append_query_params("/api/search", params));
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = Json(r.body);
    matched = static_cast<uint64_t>(Int64((*d)["matched"]));
    for (const auto& t : (*d)["traces"].GetArray()) {
      EXPECT_TRUE(seen.insert(t["trace_id"].GetString()).second) << t["trace_id"].GetString();
      EXPECT_LE(Int64(t["end_unix_nano"]), previous_end);
      previous_end = Int64(t["end_unix_nano"]);
      bool payments = false;
      for (const auto& s : t["services"].GetArray()) payments |= s == "payments";
      EXPECT_TRUE(payments);
    }
    token = (*d)["next_page_token"].GetString();
  } while (!token.empty() && ++pages < 100);
  EXPECT_GT(matched, 40u);  // more than one page
  EXPECT_EQ(seen.size(), matched);
}

TEST_F(WebApiTest, SearchFiltersByLevelTextAndFindingKind) {
  auto errors = Json(Get("/api/search?level=error&page_size=1000").body);
  ASSERT_GT((*errors)["traces"].Size(), 0u);
  for (const auto& t : (*errors)["traces"].GetArray()) {
    EXPECT_THAT(std::string(t["max_level"].GetString()),
                ::testing::AnyOf("LEVEL_ERROR", "LEVEL_FATAL"));
  }
  auto all = Json(Get("/api/search?page_size=1").body);
  EXPECT_LT(Int64((*errors)["matched"]), Int64((*all)["matched"]));
  auto missing = Json(Get("/api/search?kind=missing_service&page_size=1000").body);
  ASSERT_GT((*missing)["traces"].Size(), 0u);
  for (const auto& t : (*missing)["traces"].GetArray()) {
    bool kind = false;
    for (const auto& k : t["finding_kinds"].GetArray()) kind |= k == "missing_service";
    EXPECT_TRUE(kind);
  }
  auto text = Json(Get("/api/search?text=email_send_attempt&page_size=1").body);
  EXPECT_GT(Int64((*text)["matched"]), 0);
  auto none = Json(Get("/api/search?text=no%20line%20says%20this").body);
  EXPECT_EQ(Int64((*none)["matched"]), 0);
}

TEST_F(WebApiTest, FindingsAreTheOpenOnesNewestFirstAndFilter) {
  auto all = Json(Get("/api/findings").body);
  const auto& list = (*all)["findings"];
  ASSERT_GT(list.Size(), 5u);
  EXPECT_EQ((*all)["total"].GetUint64(), list.Size());
  std::set<std::string> kinds;
  for (size_t i = 0; i < list.Size(); ++i) {
    kinds.insert(list[i]["kind"].GetString());
    EXPECT_FALSE(list[i]["resolved"].GetBool());
    if (i > 0) {
      EXPECT_LE(Int64(list[i]["time_unix_nano"]), Int64(list[i - 1]["time_unix_nano"]));
    }
  }
  // The demo's rules report too.
  EXPECT_TRUE(kinds.count("canary_rollback") && kinds.count("cost_anomaly") &&
              kinds.count("drift"));
  auto severe = Json(Get("/api/findings?severity=error").body);
  ASSERT_GT((*severe)["findings"].Size(), 0u);
  EXPECT_LT((*severe)["findings"].Size(), list.Size());
  for (const auto& f : (*severe)["findings"].GetArray()) {
    EXPECT_THAT(std::string(f["severity"].GetString()), ::testing::AnyOf("error", "critical"));
  }
  auto drift = Json(Get("/api/findings?kind=drift&limit=1").body);
  EXPECT_EQ((*drift)["findings"].Size(), 1u);
  EXPECT_GE((*drift)["total"].GetUint64(), 1u);
  EXPECT_EQ(std::string((*drift)["findings"][0]["kind"].GetString()), "drift");
}

// The canary's decision carries its checks up to it (details.checks, through
// the gRPC Finding): the rule view draws them.
TEST_F(WebApiTest, CanaryFindingCarriesItsSeriesOfChecksUpToTheDecision) {
  auto found = Json(Get("/api/findings?kind=canary_rollback").body);
  ASSERT_GE((*found)["findings"].Size(), 1u);
  const auto& f = (*found)["findings"][0];
  const auto& d = f["details"];
  const std::vector<std::string> checks = absl::StrSplit(d["checks"].GetString(), "; ");
  ASSERT_GE(checks.size(), 3u) << d["checks"].GetString();  // at least the strikes
  EXPECT_EQ(std::string(d["checks_omitted"].GetString()), "0");
  std::string previous;
  int strikes = 0;
  for (const std::string& check : checks) {
    const std::vector<std::string> c = absl::StrSplit(check, ' ');
    ASSERT_EQ(c.size(), 9u) << check;
    EXPECT_GT(c[0], previous);  // in time order
    previous = c[0];
    strikes = c[1] == "fail" ? strikes + 1 : 0;
    EXPECT_EQ(c[2], absl::StrCat(strikes)) << check;
  }
  // The last check is the deciding one, with the finding's own figures.
  const std::vector<std::string> last = absl::StrSplit(checks.back(), ' ');
  int64_t time_ns = 0;
  ASSERT_TRUE(ParseTimestamp(last[0], &time_ns));
  EXPECT_EQ(time_ns, Int64(f["time_unix_nano"]));
  EXPECT_EQ(last[2], d["strikes"].GetString());
  EXPECT_EQ(last[3], d["error_rate"].GetString());
  EXPECT_EQ(last[5], d["requests"].GetString());
  EXPECT_EQ(last[6], d["baseline_error_rate"].GetString());
  EXPECT_EQ(last[8], d["baseline_requests"].GetString());
}

// The demo's rollback decision runs its action (deploy/demo/kubectl): the
// run is listed with the finding's id, as `logweave actions` lists it.
TEST_F(WebApiTest, ActionsRunForAFindingAreListedByItsId) {
  auto found = Json(Get("/api/findings?kind=canary_rollback").body);
  ASSERT_GE((*found)["findings"].Size(), 1u);
  const std::string id = (*found)["findings"][0]["id"].GetString();
  std::unique_ptr<rapidjson::Document> runs;
  // The dispatcher runs it on its own thread, after the analysis.
  ASSERT_TRUE(testdata::WaitFor(
      [&] {
        runs = Json(Get("/api/actions?finding_id=" + id).body);
        return runs->HasMember("runs") && (*runs)["runs"].Size() > 0;
      },
      absl::Seconds(20)));
  ASSERT_EQ((*runs)["runs"].Size(), 1u);
  const auto& run = (*runs)["runs"][0];
  EXPECT_EQ(std::string(run["action"].GetString()), "rollback");
  EXPECT_EQ(std::string(run["finding_id"].GetString()), id);
  EXPECT_EQ(std::string(run["outcome"].GetString()), "ok");
  EXPECT_THAT(run["command"].GetString(), HasSubstr("rollout undo deployment/gateway"));
  EXPECT_THAT(run["output"].GetString(), HasSubstr(id));
  EXPECT_EQ((*Json(Get("/api/actions?finding_id=can-0000000000000000").body))["runs"].Size(), 0u);
  EXPECT_GE((*Json(Get("/api/actions?action=rollback&limit=5").body))["runs"].Size(), 1u);
  EXPECT_EQ(Get("/api/actions?limit=many").status, 400);
}

TEST_F(WebApiTest, PagesAndAssetsAreServedFromTheBinary) {
  httplib::Response r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.get_header_value("Content-Type"), StartsWith("text/html"));
  EXPECT_THAT(r.body, HasSubstr("/assets/index.js"));
  r = Get("/trace/any-id");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("/assets/trace.js"));
  EXPECT_THAT(Get("/search").body, HasSubstr("/assets/search.js"));
  EXPECT_THAT(Get("/rules").body, HasSubstr("/assets/rules.js"));
  r = Get("/assets/trace.js");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.get_header_value("Content-Type"), StartsWith("text/javascript"));
  EXPECT_EQ(r.body, std::string(FindWebAsset("trace.js")->body));
  EXPECT_EQ(Get("/assets/app.css").get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(Get("/assets/no-such.js").status, 404);
  EXPECT_EQ(Get("/assets/index.html").status, 404);  // pages only by their routes
}

// The colour of `name` in the stylesheet: a custom property ("--fg": its
// value) or a literal the stylesheet uses ("#fff", "#1b1f24"), as {r, g, b};
// a test failure if app.css lacks it.
std::array<double, 3> CssColour(const std::string& css, const std::string& name) {
  std::string hex = name;
  if (name.rfind("--", 0) == 0) {
    const size_t at = css.find(name + ": #");
    EXPECT_NE(at, std::string::npos) << name;
    if (at == std::string::npos) return {0, 0, 0};
    hex = css.substr(at + name.size() + 2, 7);
  } else {
    EXPECT_NE(css.find(name), std::string::npos) << name << " is not in app.css";
  }
  if (hex.size() == 4) hex = {'#', hex[1], hex[1], hex[2], hex[2], hex[3], hex[3]};
  std::array<double, 3> rgb;
  for (int i = 0; i < 3; ++i) {
    rgb[i] = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
  }
  return rgb;
}

// WCAG 2's contrast ratio of two colours.
double Contrast(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  auto luminance = [](const std::array<double, 3>& c) {
    double l[3];
    for (int i = 0; i < 3; ++i) {
      l[i] = c[i] <= 0.03928 ? c[i] / 12.92 : std::pow((c[i] + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  };
  const double x = luminance(a), y = luminance(b);
  return (std::max(x, y) + 0.05) / (std::min(x, y) + 0.05);
}

// Readable contrast: every text colour of app.css against the background it
// is drawn on is at least 4.5:1 (WCAG AA for normal text).
TEST(WebPagesTest, TextColoursKeepAContrastOfAtLeastFourAndAHalf) {
  const std::string css(FindWebAsset("app.css")->body);
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"--fg", "--bg"},          {"--muted", "--bg"},     {"--muted", "--panel"},
      {"--link", "--bg"},        {"--trace", "--panel"},  {"--debug", "--panel"},
      {"--info", "--info-bg"},   {"--warn", "--warn-bg"}, {"--error", "--error-bg"},
      {"--fatal", "--fatal-bg"}, {"--info", "--bg"},      {"--error", "--bg"},
      {"--fatal", "--bg"},       {"--focus", "--bg"},     {"#fff", "#1b1f24"},  // header
      {"#fff", "#3a434d"},  // the current page in the header
      {"#fff", "#0b57d0"},  // primary buttons
      {"#6b737d", "--bg"},  // placeholders
      {"--fg", "--panel"},  // table heads, buttons
  };
  for (const auto& [fg, bg] : pairs) {
    EXPECT_GE(Contrast(CssColour(css, fg), CssColour(css, bg)), 4.5) << fg << " on " << bg;
  }
}

// The API with tokens, in-process: the listener asks for a read token, and
// the query service gets it too; the pages hold no data and are open.
TEST(WebApiTokenTest, ApiNeedsAReadTokenPagesDoNot) {
  constexpr char kToken[] = "web-read-token-0123456789";
  const std::string dir = ::testing::TempDir() + "/web_api_tokens";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/tokens") << kToken << " read\n";
  std::unique_ptr<Runtime> runtime = testdata::IngestFiles(
      {{"gateway.log",
        {R"({"ts":"2026-03-01T10:00:00.000Z","level":"info","service":"gateway","trace_id":"t-1","msg":"POST /checkout"})",
         R"({"ts":"2026-03-01T10:00:00.120Z","level":"error","service":"gateway","trace_id":"t-1","msg":"502 Bad Gateway"})"}}});
  ASSERT_NE(runtime, nullptr);
  ServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  server_options.security.auth_tokens = dir + "/tokens";
  auto server = LogweaveServer::Start(server_options, runtime.get());
  ASSERT_TRUE(server.ok()) << server.status();
  runtime->AnalyzeNow(true);
  auto listener = HttpListener::Create(
      {.address = "127.0.0.1:0", .security = {}, .tokens = (*server)->tokens()});
  ASSERT_TRUE(listener.ok()) << listener.status();
  AddWebApiRoutes(**listener, {.channel = (*server)->InProcessChannel(), .runtime = runtime.get()});
  AddWebPages(**listener);
  (*listener)->Start();
  httplib::Client client("127.0.0.1", (*listener)->port());
  for (const char* path : {"/api/trace/t-1", "/api/search", "/api/findings", "/api/actions"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << path;
    r = client.Get(path, {{"Authorization", "Bearer not-a-token-of-this-server"}});
    EXPECT_EQ(r->status, 401) << path;
    r = client.Get(path, {{"Authorization", absl::StrCat("Bearer ", kToken)}});
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  auto timeline =
      client.Get("/api/trace/t-1", {{"Authorization", absl::StrCat("Bearer ", kToken)}});
  auto d = Json(timeline->body);
  EXPECT_EQ((*d)["events"].Size(), 2u);
  EXPECT_EQ(std::string((*d)["events"][1]["message"].GetString()), "502 Bad Gateway");
  for (const char* page : {"/", "/search", "/trace/t-1", "/assets/common.js"}) {
    auto r = client.Get(page);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << page;
  }
  (*listener)->Stop();
  (*server)->Shutdown(absl::Seconds(1));
  runtime->Stop();
}

// serve with TLS and tokens: the pages and the API on the HTTPS listener
// (the one /metrics uses), the API only with a token; the pages hold no data
// and are open.
TEST(WebApiHttpsTest, PagesAndApiOverHttpsTheApiOnlyWithAToken) {
  constexpr char kToken[] = "web-https-token-0123456789";
  const std::string dir = testdata::TempDir("web_https");
  testdata::Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  std::ofstream(dir + "/tokens") << kToken << " read\n";
  testdata::DemoServe serve;
  ASSERT_TRUE(serve.Start(LOGWEAVE_BIN, LOGWEAVE_SOURCE_DIR,
                          absl::StrCat("--tls-cert ", certs("server.pem"), " --tls-key ",
                                       certs("server.key"), " --auth-tokens ", dir, "/tokens")));
  httplib::SSLClient client("127.0.0.1", serve.http_port());
  client.set_ca_cert_path(certs("ca.pem").c_str());
  client.enable_server_certificate_verification(true);
  const httplib::Headers with_token = {{"Authorization", absl::StrCat("Bearer ", kToken)}};
  for (const char* page : {"/", "/search", "/rules", "/trace/any", "/assets/rules.js"}) {
    auto r = client.Get(page);
    ASSERT_TRUE(r) << page << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << page;
  }
  auto findings = client.Get("/api/findings?kind=missing_service", with_token);
  ASSERT_TRUE(findings);
  ASSERT_EQ(findings->status, 200) << findings->body;
  auto d = Json(findings->body);
  ASSERT_GT((*d)["findings"].Size(), 0u);
  const std::string trace = (*d)["findings"][0]["trace_id"].GetString();
  for (const std::string& path : {"/api/trace/" + trace, std::string("/api/search?level=error"),
                                  std::string("/api/findings"), std::string("/api/actions")}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(client.Get(path, {{"Authorization", "Bearer not-this-servers"}})->status, 401);
    r = client.Get(path, with_token);
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  auto timeline = Json(client.Get("/api/trace/" + trace, with_token)->body);
  EXPECT_GT((*timeline)["events"].Size(), 0u);
  // Plain HTTP to the HTTPS port gets nothing.
  httplib::Client plain("127.0.0.1", serve.http_port());
  auto refused = plain.Get("/api/findings", with_token);
  EXPECT_TRUE(!refused || refused->status != 200);
  serve.Stop();
}

}  // namespace
}  // namespace logweave

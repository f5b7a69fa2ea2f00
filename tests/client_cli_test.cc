// The query commands of the logweave binary (timeline, search, unstructured,
// findings, stats) against an in-process LogweaveServer on a loopback port:
// exit codes, messages, tables and JSON, as a user or a script sees them.
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
#include "testdata/json_lines.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/shop_server.h"

namespace logweave {
namespace {

using testdata::JsonLines;

using testdata::EmailLine;
using testdata::GatewayLine;
using testdata::PlainTime;

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::string Trace(int i) { return absl::StrFormat("%032x", 0xabc000 + i); }

// The traces the log files below hold, and what is wrong with them.
constexpr int kTraces = 200;
constexpr int kNoPayments1 = 17;          // payments never reached: missing_service
constexpr int kNoPayments2 = 123;         // same
constexpr int kEmailTimeout = 40;         // email job timed out: plain-text error + incomplete
constexpr int kDeclined = 99;             // payments logged an ERROR event
constexpr int64_t kSmtpErrorMs = 600000;  // a plain-text error no trace explains

// A small shop's log files: POST /checkout through gateway -> checkout ->
// payments, each with an email job; one line per vector entry.
std::map<std::string, std::vector<std::string>> ShopFiles() {
  std::map<std::string, std::vector<std::string>> files;
  std::vector<std::pair<int64_t, std::string>> email;  // (time, line), sorted below
  for (int i = 0; i < kTraces; ++i) {
    const std::string t = Trace(i);
    const int64_t ms = i * 100;
    files["gateway.log"].push_back(GatewayLine(t, ms, "POST /checkout", "request received"));
    files["checkout.log"].push_back(testdata::PythonLine("checkout", t, ms + 5, "order_created"));
    if (i != kNoPayments1 && i != kNoPayments2) {
      files["payments.log"].push_back(
          testdata::EcsLine("payments", t, ms + 20, "payment_authorized"));
    }
    if (i == kDeclined) {
      files["payments.log"].push_back(
          testdata::EcsLine("payments", t, ms + 25, "card_declined_by_issuer", "ERROR"));
    }
    files["gateway.log"].push_back(GatewayLine(t, ms + 40, "POST /checkout", "request completed"));
    email.emplace_back(ms + 60, EmailLine(t, ms + 60, "email_send_attempt"));
    if (i == kEmailTimeout) {
      email.emplace_back(ms + 5060, PlainTime(ms + 5060) +
                                        " ERROR Connection timeout to email provider "
                                        "smtp.example.net:587 after 5000ms");
    } else {
      email.emplace_back(ms + 360, EmailLine(t, ms + 360, "email_queued"));
    }
  }
  email.emplace_back(kSmtpErrorMs, PlainTime(kSmtpErrorMs) + " ERROR SMTP relay refused");
  std::stable_sort(email.begin(), email.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [ms, line] : email) files["email.log"].push_back(std::move(line));
  return files;
}

using Result = testdata::CommandResult;

// A free loopback port with nothing listening on it.
int ClosedPort() {
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
std::string Bin() {
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
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("client_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
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

  static std::vector<std::string> Strings(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.GetArray()) out.push_back(v.GetString());
    return out;
  }

  static testdata::SuiteServer shop_;
  std::string bin_;
  std::filesystem::path dir_;
};

testdata::SuiteServer ClientCliTest::shop_;

// --- timeline ---

TEST_F(ClientCliTest, TimelineShowsEveryServiceInTimeOrderWithTheTracesFindings) {
  Result r = Run("timeline", Trace(kNoPayments1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("trace ", Trace(kNoPayments1),
                                            ": 5 events, 3 services "
                                            "(gateway, checkout, email)")));
  const size_t received = r.out.find("request received");
  const size_t created = r.out.find("order_created");
  const size_t completed = r.out.find("request completed");
  ASSERT_NE(received, std::string::npos) << r.out;
  EXPECT_LT(received, created);
  EXPECT_LT(created, completed);
  EXPECT_THAT(r.out, HasSubstr("gateway.log:"));
  EXPECT_THAT(r.out, HasSubstr("findings of this trace:"));
  EXPECT_THAT(r.out, HasSubstr("missing_service"));
  EXPECT_THAT(r.out, Not(HasSubstr("payment_authorized")));
}

TEST_F(ClientCliTest, TimelineShowsThePlainTextErrorAttributedToTheTrace) {
  Result r = Run("timeline", Trace(kEmailTimeout));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("incomplete_sequence"));
  EXPECT_THAT(r.out, HasSubstr("attributed to this trace: 1 plain-text error"));
  EXPECT_THAT(r.out, HasSubstr("Connection timeout to email provider"));
}

TEST_F(ClientCliTest, TimelineRawShowsTheLinesAsWritten) {
  Result r = Run("timeline", Trace(3) + " --raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("caller":"gw/handler.go:88")"));
  EXPECT_THAT(r.out, HasSubstr("no findings about this trace"));
}

TEST_F(ClientCliTest, TimelineJsonIsTheReplayObjectWithFindingsAndUnstructured) {
  Result r = Run("timeline", Trace(kEmailTimeout) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  const rapidjson::Document& d = docs[0];
  EXPECT_STREQ(d["kind"].GetString(), "timeline");
  EXPECT_EQ(d["trace_id"].GetString(), Trace(kEmailTimeout));
  EXPECT_THAT(Strings(d["services"]), ElementsAre("gateway", "checkout", "payments", "email"));
  EXPECT_STREQ(d["start"].GetString(), "2026-11-23T10:00:04.000Z");
  EXPECT_DOUBLE_EQ(d["duration_ms"].GetDouble(), 60.0);
  ASSERT_EQ(d["events"].Size(), 5u);
  const auto& first = d["events"][0];
  EXPECT_EQ(first["time_ns"].GetInt64(), testdata::Ns(4000));
  EXPECT_STREQ(first["service"].GetString(), "gateway");
  EXPECT_STREQ(first["level"].GetString(), "INFO");
  EXPECT_STREQ(first["message"].GetString(), "request received");
  EXPECT_TRUE(first["structured"].GetBool());
  EXPECT_STREQ(first["source"].GetString(), "logs/gateway.log");
  EXPECT_EQ(first["line"].GetUint64(), 81u);
  EXPECT_TRUE(first.HasMember("offset"));
  EXPECT_FALSE(first.HasMember("raw"));
  std::set<std::string> kinds;
  for (const auto& f : d["findings"].GetArray()) {
    kinds.insert(f["kind"].GetString());
    EXPECT_STREQ(f["status"].GetString(), "open");
    EXPECT_EQ(f["trace_id"].GetString(), Trace(kEmailTimeout));
  }
  EXPECT_TRUE(kinds.count("incomplete_sequence")) << r.out;
  ASSERT_EQ(d["unstructured"].Size(), 1u);
  const auto& u = d["unstructured"][0];
  EXPECT_STREQ(u["kind"].GetString(), "unstructured_entry");
  EXPECT_STREQ(u["service"].GetString(), "email");
  EXPECT_EQ(u["attribution"]["trace_id"].GetString(), Trace(kEmailTimeout));
  EXPECT_STREQ(u["attribution"]["status"].GetString(), "attributed");
}

TEST_F(ClientCliTest, TimelineOfAnUnknownTraceSaysSoAndExitsOne) {
  Result r = Run("timeline", "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("no events for trace id 0123456789abcdef0123456789abcdef"));
}

TEST_F(ClientCliTest, TimelineWithoutTraceIdIsAUsageError) {
  Result r = Run("timeline");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no TRACE_ID given"));
  r = Run("timeline", "a b");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("exactly one TRACE_ID"));
}

// --- search ---

TEST_F(ClientCliTest, SearchByFindingKindFindsExactlyTheAffectedTraces) {
  Result r = Run("search", "--finding missing_service --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 3u) << r.out;
  std::vector<std::string> ids;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_STREQ(docs[i]["kind"].GetString(), "trace");
    ids.push_back(docs[i]["trace_id"].GetString());
    EXPECT_THAT(Strings(docs[i]["finding_kinds"]), ElementsAre("missing_service"));
    // The server lists them in arrival order (files were read checkout, email, gateway).
    EXPECT_THAT(Strings(docs[i]["services"]), UnorderedElementsAre("gateway", "checkout", "email"));
    EXPECT_EQ(docs[i]["events"].GetUint(), 5u);
    EXPECT_STREQ(docs[i]["route"].GetString(), "POST /checkout");
  }
  // Newest first.
  EXPECT_THAT(ids, ElementsAre(Trace(kNoPayments2), Trace(kNoPayments1)));
  EXPECT_STREQ(docs[2]["kind"].GetString(), "page");
  EXPECT_STREQ(docs[2]["next_page_token"].GetString(), "");
  EXPECT_EQ(docs[2]["matched"].GetUint64(), 2u);
}

TEST_F(ClientCliTest, SearchByServiceLevelAndTextCombinesTheFilters) {
  Result r = Run("search", "--level error --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Trace(kDeclined));
  EXPECT_STREQ(docs[0]["max_level"].GetString(), "ERROR");

  r = Run("search", "--service payments --text card_declined --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Trace(kDeclined));

  // A time range: traces 7..19 (each lasts 360 ms) overlap [10:00:01, 10:00:01.950].
  r = Run("search",
          "--since 2026-11-23T10:00:01Z --until 2026-11-23T10:00:01.950Z --service gateway --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  EXPECT_EQ(docs.back()["matched"].GetUint64(), 13u) << r.out;

  r = Run("search", "--service no-such-service");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no matching traces\n");
}

TEST_F(ClientCliTest, SearchAcceptsEpochSecondsForTimes) {
  Result r = Run("search", absl::StrCat("--since ", testdata::kBaseSeconds + 19, " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_FALSE(docs.empty());
  // Traces 187..199: those whose last event (360 ms after the start) is at 19 s or later.
  EXPECT_EQ(docs.back()["matched"].GetUint64(), 13u) << r.out;
}

TEST_F(ClientCliTest, SearchPagesThroughEveryTraceWithTheToken) {
  Result r = Run("search", "--limit 150 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page1 = JsonLines(r.out);
  ASSERT_EQ(page1.size(), 151u);
  const rapidjson::Value& info = page1.back();
  EXPECT_EQ(info["matched"].GetUint64(), static_cast<uint64_t>(kTraces));
  const std::string token = info["next_page_token"].GetString();
  ASSERT_FALSE(token.empty());

  r = Run("search", "--limit 150 --json --page-token " + token);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page2 = JsonLines(r.out);
  ASSERT_EQ(page2.size(), 51u);
  EXPECT_STREQ(page2.back()["next_page_token"].GetString(), "");
  std::set<std::string> ids;
  for (auto* page : {&page1, &page2}) {
    for (size_t i = 0; i + 1 < page->size(); ++i) ids.insert((*page)[i]["trace_id"].GetString());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTraces));
}

TEST_F(ClientCliTest, SearchTableNamesTheColumnsAndTheNextPage) {
  Result r = Run("search", "--limit 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("TRACE ID"), HasSubstr("START"), HasSubstr("DURATION"),
                           HasSubstr("EVENTS"), HasSubstr("SERVICES"), HasSubstr("FINDINGS")));
  EXPECT_THAT(r.out, HasSubstr(Trace(kTraces - 1)));
  EXPECT_THAT(r.out, HasSubstr("2026-11-23T10:00:19.900Z"));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat("3 of ", kTraces, " matching; next page: --page-token ")));
}

TEST_F(ClientCliTest, SearchRejectsBadFiltersBeforeCalling) {
  Result r = Run("search", "--level loud");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--level must be one of"));
  r = Run("search", "--since yesterday");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--since needs an RFC 3339 time"));
  r = Run("search", "--since 2026-11-23T11:00:00Z --until 2026-11-23T10:00:00Z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give since <= until"));
  r = Run("search", "--limit 5000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--limit must be between 1 and 1000"));
  r = Run("search", "payments");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--service payments"));
  r = Run("search", "--bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --bogus"));
}

TEST_F(ClientCliTest, SearchWithAForeignPageTokenIsAUsageError) {
  Result r = Run("search", "--page-token not-a-token");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("page_token is not one this server issued"));
}

// --- unstructured ---

TEST_F(ClientCliTest, UnstructuredListsPlainTextErrorsWithTheirTraces) {
  Result r = Run("unstructured");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 plain-text errors"));
  EXPECT_THAT(r.out, HasSubstr(Trace(kEmailTimeout) + " ("));
  EXPECT_THAT(r.out, HasSubstr("unattributed"));
  EXPECT_THAT(r.out, HasSubstr("SMTP relay refused"));
  EXPECT_THAT(r.out, HasSubstr("email.log:"));
}

TEST_F(ClientCliTest, UnstructuredGroupsByTemplateAndFiltersByIt) {
  Result r = Run("unstructured", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  const uint64_t id = docs[0]["template_id"].GetUint64();
  ASSERT_NE(id, 0u) << r.out;
  EXPECT_NE(std::string(docs[0]["template"].GetString()), "");

  // The default view: one line per template, with its count and id.
  r = Run("unstructured");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 × "));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("template ", id)));
  // --ungrouped: the table of single errors.
  r = Run("unstructured", "--ungrouped");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FIRST LINE"));

  r = Run("unstructured", absl::StrCat("--template ", id, " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  EXPECT_EQ(docs[0]["template_id"].GetUint64(), id);

  // Search: the traces an error of that template is attributed to.
  r = Run("search", absl::StrCat("--template ", id, " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Trace(kEmailTimeout));
  r = Run("search", "--template 999999 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(JsonLines(r.out).size(), 1u) << r.out;  // the page line only
}

TEST_F(ClientCliTest, UnstructuredJsonAndFilters) {
  Result r = Run("unstructured", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_STREQ(docs[0]["kind"].GetString(), "unstructured_entry");
  EXPECT_EQ(docs[0]["attribution"]["trace_id"].GetString(), Trace(kEmailTimeout));
  EXPECT_GT(docs[0]["attribution"]["confidence"].GetDouble(), 0.5);
  EXPECT_TRUE(docs[0]["attribution"]["candidates"][0]["incomplete"].GetBool());
  EXPECT_STREQ(docs[1]["attribution"]["status"].GetString(), "unattributed");

  r = Run("unstructured", "--unattributed --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  EXPECT_THAT(docs[0]["text"].GetString(), HasSubstr("SMTP relay refused"));

  r = Run("unstructured", "--service checkout");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0 plain-text errors\n");

  r = Run("unstructured", "--until 2026-11-23T10:01:00Z --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(JsonLines(r.out).size(), 1u);

  r = Run("unstructured", "--limit 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 plain-text error\n"));
  EXPECT_THAT(r.out, HasSubstr("more: --page-token "));
}

// --- stats ---

TEST_F(ClientCliTest, StatsJsonHasTheServersCounters) {
  Result r = Run("stats", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  const rapidjson::Document& d = docs[0];
  EXPECT_STREQ(d["kind"].GetString(), "stats");
  EXPECT_EQ(d["server"].GetString(), Server());
  EXPECT_TRUE(d["ready"].GetBool());
  EXPECT_EQ(d["lines"].GetUint64(), shop_.lines);
  EXPECT_EQ(d["traces"].GetUint64(), static_cast<uint64_t>(kTraces));
  EXPECT_EQ(d["unstructured_lines"].GetUint64(), 2u);
  EXPECT_EQ(d["unstructured_errors"].GetUint64(), 2u);
  EXPECT_EQ(d["findings"]["missing_service"].GetUint64(), 2u);
  EXPECT_EQ(d["latest_event_unix_nano"].GetInt64(), testdata::Ns(kSmtpErrorMs));
  EXPECT_STREQ(d["latest_event"].GetString(), "2026-11-23T10:10:00.000Z");
  // The watermark is the slowest file's progress: the files here still count
  // as sending (quiet for less than detectors.source_idle).
  EXPECT_LT(d["watermark_unix_nano"].GetInt64(), testdata::Ns(kSmtpErrorMs));
  EXPECT_GT(d["watermark_unix_nano"].GetInt64(), 0);
  EXPECT_EQ(d["sources"].Size(), 4u);
  // Per source: its lines, and its event-time progress; the watermark is the
  // slowest progress among the sources that hold it back.
  uint64_t source_lines = 0;
  int64_t slowest = INT64_MAX;
  for (const auto& src : d["sources"].GetArray()) {
    source_lines += src["lines"].GetUint64();
    EXPECT_GT(src["progress_unix_nano"].GetInt64(), 0) << src["name"].GetString();
    EXPECT_FALSE(src["ended"].GetBool());
    if (src["holding"].GetBool()) slowest = std::min(slowest, src["progress_unix_nano"].GetInt64());
  }
  EXPECT_EQ(source_lines, shop_.lines);
  EXPECT_EQ(slowest, d["watermark_unix_nano"].GetInt64());
  EXPECT_TRUE(d["lag_seconds"].IsNumber());
}

TEST_F(ClientCliTest, StatsTableIsAligned) {
  Result r = Run("stats");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("logweave at ", Server(), ": ready, up ")));
  EXPECT_THAT(r.out, HasSubstr("latest event"));
  EXPECT_THAT(r.out, HasSubstr("2026-11-23T10:10:00.000Z"));
  EXPECT_THAT(r.out, HasSubstr("    missing_service"));
  EXPECT_THAT(r.out, HasSubstr("logs/payments.log  -> payments"));
  EXPECT_THAT(r.out, HasSubstr(" lines, at 2026-11-23T10:"));
  EXPECT_THAT(r.out, HasSubstr(", holding"));
  // Counters end in the same column.
  std::istringstream in(r.out);
  std::string line;
  std::set<size_t> ends;
  while (std::getline(in, line)) {
    if (line.rfind("  lines ", 0) == 0 || line.rfind("  traces ", 0) == 0 ||
        line.rfind("  batches ", 0) == 0) {
      ends.insert(line.find_last_of("0123456789") + 1);
    }
  }
  EXPECT_EQ(ends.size(), 1u) << r.out;
}

// --- findings ---

TEST_F(ClientCliTest, FindingsWithoutFollowPrintsThoseSoFarAndStops) {
  const absl::Time start = absl::Now();
  Result r = Run("findings", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(8));
  auto docs = JsonLines(r.out);
  std::map<std::string, std::set<std::string>> traces_by_kind;
  for (const auto& d : docs) {
    traces_by_kind[d["kind"].GetString()].insert(d["trace_id"].GetString());
    EXPECT_STREQ(d["status"].GetString(), "open");
    EXPECT_TRUE(d.HasMember("evidence"));
  }
  EXPECT_EQ(traces_by_kind["missing_service"],
            (std::set<std::string>{Trace(kNoPayments1), Trace(kNoPayments2)}));
  EXPECT_EQ(traces_by_kind["incomplete_sequence"], std::set<std::string>{Trace(kEmailTimeout)});
  EXPECT_EQ(traces_by_kind["unstructured_error"],
            (std::set<std::string>{Trace(kEmailTimeout), ""}));
}

TEST_F(ClientCliTest, FindingsFilteredByKindAndTime) {
  Result r = Run("findings", "--kind missing_service");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("missing_service"));
  EXPECT_THAT(r.out, Not(HasSubstr("incomplete_sequence")));
  EXPECT_THAT(r.out, HasSubstr("2 findings; --follow to keep watching"));

  // Only the SMTP error is later than 10:05.
  r = Run("findings", "--since 2026-11-23T10:05:00Z --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  EXPECT_STREQ(docs[0]["kind"].GetString(), "unstructured_error");

  r = Run("findings", "--since 2027-01-01T00:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no findings\n");

  r = Run("findings", "--since soon");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--since needs an RFC 3339 time"));
}

// --- a server that is not there ---

TEST_F(ClientCliTest, ServerDownExitsOneNamingTheAddress) {
  const std::string address = absl::StrCat("127.0.0.1:", ClosedPort());
  for (const std::string& command :
       {"timeline " + Trace(1), std::string("search"), std::string("unstructured"),
        std::string("stats"), std::string("findings")}) {
    Result r = RunWithEnv("", command + " --server " + address);
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_THAT(r.err, HasSubstr("cannot reach logweave at " + address)) << command;
    EXPECT_THAT(r.err, HasSubstr("is `logweave serve` running?")) << command;
    EXPECT_EQ(r.out, "") << command;
  }
}

TEST_F(ClientCliTest, ServerAddressComesFromTheEnvironmentUnlessGiven) {
  Result r = RunWithEnv("LOGWEAVE_SERVER=" + Server(), "stats --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("ready":true)"));
  const std::string down = absl::StrCat("127.0.0.1:", ClosedPort());
  r = RunWithEnv("LOGWEAVE_SERVER=" + Server(), "stats --server " + down);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(down));
  r = RunWithEnv("", "stats --server localhost");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--server must be HOST:PORT"));
}

TEST_F(ClientCliTest, EveryQueryCommandHasHelpAndIsListed) {
  Result usage = RunWithEnv("", "help");
  ASSERT_EQ(usage.exit_code, 0);
  for (const char* command : {"timeline", "search", "unstructured", "findings", "stats"}) {
    EXPECT_THAT(usage.out, HasSubstr(absl::StrCat("  ", command, " "))) << command;
    Result r = RunWithEnv("", absl::StrCat(command, " --help"));
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("usage: logweave ", command))) << command;
    EXPECT_THAT(r.out, HasSubstr("--server HOST:PORT")) << command;
    EXPECT_THAT(r.out, HasSubstr("Exit codes")) << command;
  }
}

// --- findings --follow, against a server of its own (it adds data) ---

using Streaming = testdata::StreamingCommand;

TEST(ClientCliFollowTest, FollowPrintsNewFindingsUntilCtrlCAndReportsAServerThatStops) {
  std::unique_ptr<Runtime> runtime = testdata::IngestFiles(ShopFiles());
  ASSERT_NE(runtime, nullptr);
  Pipeline* pipeline = &runtime->pipeline();
  std::unique_ptr<LogweaveServer> server = testdata::StartReadyServer(runtime.get());
  ASSERT_NE(server, nullptr);
  const std::string err_path = (std::filesystem::path(::testing::TempDir()) /
                                ("client_cli_follow_" + std::to_string(::getpid()) + ".txt"))
                                   .string();
  // timeout: a safety net should the command never end (it forwards SIGINT).
  const std::string command = absl::StrCat(
      "timeout --preserve-status -s INT 60 ", Bin(),
      " findings --follow --json --kind missing_service --server 127.0.0.1:", server->port(), " 2>",
      err_path);
  {
    Streaming follow(command);
    // The findings so far come first...
    ASSERT_TRUE(follow.ReadUntil(Trace(kNoPayments2)));
    // ... then one about a trace that arrives while it follows: payments never saw it.
    const std::string t = Trace(kTraces);
    const int64_t ms = 30000;
    testdata::SubmitFile(*pipeline, "late/gateway.log",
                         {GatewayLine(t, ms, "POST /checkout", "request received"),
                          GatewayLine(t, ms + 40, "POST /checkout", "request completed")});
    testdata::SubmitFile(*pipeline, "late/checkout.log",
                         {testdata::PythonLine("checkout", t, ms + 5, "order_created")});
    pipeline->Flush();
    runtime->AnalyzeNow(true);
    ASSERT_TRUE(follow.ReadUntil(t));
    // Ctrl-C: a clean stop.
    follow.Signal(SIGINT);
    EXPECT_EQ(follow.Close(), 0);
  }
  {
    Streaming follow(command);
    ASSERT_TRUE(follow.ReadUntil(Trace(kNoPayments1)));
    server->Shutdown(absl::Seconds(1));
    EXPECT_EQ(follow.Close(), 1);
    std::stringstream err;
    err << std::ifstream(err_path).rdbuf();
    EXPECT_THAT(err.str(), HasSubstr("closed the stream"));
  }
  std::filesystem::remove(err_path);
}

}  // namespace
}  // namespace logweave

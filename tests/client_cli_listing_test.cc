// The query commands of the logweave binary against a server: unstructured, stats,
// findings (with --follow), a server that is not there, help. Shared setup:
// support/client_cli_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/client_cli_fixture.h"

namespace logweave::client_cli_test {
namespace {

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
  auto docs = RunJson("stats", "--json");
  ASSERT_EQ(docs.size(), 1u);
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

  ExpectUsageError("findings", "--since soon", "--since needs an RFC 3339 time");
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
}  // namespace logweave::client_cli_test

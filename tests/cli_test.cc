// The logweave command as a user runs it: exit codes, messages, JSON output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "testdata/json_lines.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/test_dir.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Result = testdata::CommandResult;

// The binaries under test: built by CMake (paths compiled in), or named by
// the environment variable of the same name.
std::string Bin(const char* var, const char* built) {
  const char* v = std::getenv(var);
  return v != nullptr ? v : built;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = Bin("LOGWEAVE_BIN", LOGWEAVE_BIN);
    dir_ = testdata::MakeTestDir("cli");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Runs `args` through the shell with `bin_` first; captures stdout and stderr.
  Result Run(const std::string& args, const std::string& stdin_text = "") {
    std::string in_path = (dir_ / "stdin.txt").string();
    std::ofstream(in_path) << stdin_text;
    return testdata::RunCommand(bin_ + " " + args + " <" + in_path, (dir_ / "stderr.txt").string());
  }

  // Expects `logweave args` to be refused as a usage error (exit 2) saying `message`.
  void ExpectUsageError(const std::string& args, const std::string& message) {
    Result r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_THAT(r.err, HasSubstr(message)) << args;
  }

  // `logweave replay --json <args>` (stdin: `stdin_text`), expected to exit with `exit_code`:
  // its JSON Lines.
  std::vector<rapidjson::Document> ReplayJson(const std::string& args, int exit_code = 0,
                                              const std::string& stdin_text = "") {
    Result r = Run("replay --json " + args, stdin_text);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    return JsonLines(r.out);
  }

  std::string Write(const std::string& name, const std::vector<std::string>& lines) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path);
    for (const auto& l : lines) out << l << "\n";
    return path;
  }

  // The command's JSON Lines; every one of them says what it is ("kind").
  static std::vector<rapidjson::Document> JsonLines(const std::string& text) {
    std::vector<rapidjson::Document> docs = testdata::JsonLines(text);
    for (const auto& d : docs) EXPECT_TRUE(d.HasMember("kind"));
    return docs;
  }

  std::string bin_;
  std::filesystem::path dir_;
};

TEST_F(CliTest, NoCommandIsAUsageError) { ExpectUsageError("", "usage: logweave COMMAND"); }

TEST_F(CliTest, ReplayWithoutPathsSaysWhatToDo) { ExpectUsageError("replay", "no PATH given"); }

TEST_F(CliTest, UnknownFlagIsNamed) {
  ExpectUsageError("replay --frobnicate x.log", "--frobnicate");
}

TEST_F(CliTest, MaxLineBytesOutsideItsRangeIsAUsageError) {
  ExpectUsageError("replay --max-line-bytes 0 x.log", "--max-line-bytes must be from 1 to 1GiB");
  ExpectUsageError("replay --max-line-bytes 5GiB x.log", "--max-line-bytes must be from 1 to 1GiB");
}

// Started with stdin closed, `replay -` says so instead of reading whatever a library opened as
// fd 0 (gRPC's eventfd: "Resource temporarily unavailable").
TEST_F(CliTest, ReplayOfAClosedStdinSaysItIsClosed) {
  Result r = testdata::RunCommand(bin_ + " replay - <&-", (dir_ / "stderr.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("stdin is closed"));
}

// Stdin redirected from a file may start inside it (a shell read a line first): not a file that
// shrank while it was read.
TEST_F(CliTest, StdinThatStartsInsideAFileIsReadWithoutError) {
  const std::string path =
      Write("two.log", {R"({"trace_id":"a","msg":"first"})", R"({"trace_id":"b","msg":"second"})"});
  Result r = testdata::RunCommand("{ read -r skipped; " + bin_ + " replay --json -; } < " + path,
                                  (dir_ / "stderr.txt").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("lines":1,)"));
}

TEST_F(CliTest, HelpListsTheFlags) {
  Result r = Run("replay --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--timeline TRACE_ID"));
  EXPECT_THAT(r.out, HasSubstr("--json"));
}

TEST_F(CliTest, MissingFileIsNamedAndTheOthersAreStillRead) {
  std::string good =
      Write("gateway.log", {testdata::ZapLine("t1", 0, "a"), testdata::ZapLine("t1", 5, "b")});
  Result r = Run("replay --json " + good + " " + (dir_ / "missing.log").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.log"));
  auto docs = JsonLines(r.out);
  ASSERT_FALSE(docs.empty());
  const auto& summary = docs.back();
  EXPECT_STREQ(summary["kind"].GetString(), "summary");
  EXPECT_EQ(summary["lines"].GetUint64(), 2u);
  EXPECT_EQ(summary["errors"].Size(), 1u);
}

// A trace whose times are centuries apart has a span beyond int64 nanoseconds: shown as it is,
// not wrapped to a negative number.
TEST_F(CliTest, ATraceSpanningCenturiesShowsItsSpan) {
  const std::string path = Write("old.log", {R"({"trace_id":"s","ts":"1900-01-01T00:00:00Z"})",
                                             R"({"trace_id":"s","ts":"2200-01-01T00:00:00Z"})"});
  Result r = Run("replay --timeline s " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1900-01-01T00:00:00.000Z +9467107200.000s"));
  r = Run("replay --json --timeline s " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("duration_ms":9467107200000.0)"));
}

// Log lines may hold terminal controls (colours, or a title or clear-screen sequence someone put
// there): the output for people shows them as escapes, never sends them to the terminal.
TEST_F(CliTest, TerminalControlsInLogLinesAreShownAsEscapes) {
  const std::string path = Write(
      "esc.log", {"{\"trace_id\":\"e1\",\"msg\":\"\\u001b[2Jcleared \\u001b]0;pwned\\u0007\"}",
                  "2026-11-23T10:00:00Z ERROR \x1b[31mred\x1b[0m failure \r\xc2\x9b"
                  "6n"});
  for (const std::string& args :
       {"replay --timeline e1 --raw " + path, "replay --unstructured --findings " + path}) {
    Result r = Run(args);
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << args;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << args;
    EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << args;
  }
  EXPECT_THAT(Run("replay --findings " + path).out, HasSubstr("\\x1b[31mred\\x1b[0m"));
}

TEST_F(CliTest, JsonOutputEndsWithASummaryOfEveryCounter) {
  std::string path =
      Write("checkout.log", {testdata::PythonLine("checkout", "t1", 0, "cart"),
                             testdata::PythonLine("checkout", "t1", 0, "cart"),
                             "Traceback (most recent call last):", "", R"({"msg":"no trace"})",
                             "[1,2,3]", R"({"trace_id":"t2","timestamp":"soon"})"});
  auto docs = ReplayJson(path);
  // The plain-text "Traceback" line is an unstructured error finding; the summary is last.
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_STREQ(docs[0]["kind"].GetString(), "unstructured_error");
  // No timestamp: it takes the time of the line before it, from trace t1 of the same service.
  EXPECT_STREQ(docs[0]["details"]["attribution"].GetString(), "t1");
  const auto& s = docs[1];
  EXPECT_STREQ(s["kind"].GetString(), "summary");
  EXPECT_EQ(s["findings"]["unstructured_error"].GetUint64(), 1u);
  EXPECT_EQ(s["lines"].GetUint64(), 7u);
  EXPECT_EQ(s["json_lines"].GetUint64(), 4u);
  EXPECT_EQ(s["unstructured_lines"].GetUint64(), 2u);
  EXPECT_EQ(s["empty_lines"].GetUint64(), 1u);
  EXPECT_EQ(s["duplicate_lines"].GetUint64(), 1u);
  EXPECT_EQ(s["no_trace_id_lines"].GetUint64(), 1u);
  EXPECT_EQ(s["bad_time_lines"].GetUint64(), 1u);
  EXPECT_EQ(s["traces"].GetUint64(), 2u);
  EXPECT_EQ(s["indexed_events"].GetUint64(), 5u);
  EXPECT_EQ(s["container_lines"].GetUint64(), 0u);
  EXPECT_EQ(s["unreadable_lines"].GetUint64(), 0u);
  ASSERT_TRUE(s.HasMember("analysis_seconds"));
  EXPECT_GE(s["analysis_seconds"].GetDouble(), 0.0);
}

// Without index.max_bytes a replay keeps the index within half of the memory
// the process may use, as serve does (docs/config.md); a config's value,
// 0 included, is kept.
TEST_F(CliTest, ReplayHasAMemoryBudgetUnlessTheConfigSetsOne) {
  const std::string path = Write("gateway.log", {testdata::ZapLine("b1", 0, "request received")});
  auto budget = [&](const std::string& args) -> uint64_t {
    Result r = Run("replay --json --threads 1 " + args + " " + path);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto docs = JsonLines(r.out);
    if (docs.empty() || !docs.back().HasMember("index_max_bytes")) {
      ADD_FAILURE() << r.out;
      return 0;
    }
    return docs.back()["index_max_bytes"].GetUint64();
  };
  EXPECT_GE(budget(""), 64ull << 20);
  std::ofstream(dir_ / "none.yaml") << "index:\n  max_bytes: 0\n";
  EXPECT_EQ(budget("--config " + (dir_ / "none.yaml").string()), 0u);
  std::ofstream(dir_ / "set.yaml") << "index:\n  max_bytes: 128MiB\n";
  EXPECT_EQ(budget("--config " + (dir_ / "set.yaml").string()), 128ull << 20);
}

// Files are complete: a replay judges every trace at their end, even those
// whose last line lies within trace_idle of the newest; stdin keeps the
// streaming rule; --final and --final=false say otherwise.
TEST_F(CliTest, ReplayOfFilesJudgesTheLastTracesWithoutFinal) {
  std::vector<std::string> lines;
  for (int i = 0; i < 3; ++i) {
    lines.push_back(testdata::ZapLine("r" + std::to_string(i), i * 10'000, "request received"));
  }
  const std::string path = Write("gateway.log", lines);
  auto summary = [&](const Result& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto docs = JsonLines(r.out);
    EXPECT_FALSE(docs.empty());
    return std::make_pair(docs.back()["traces_judged"].GetUint64(),
                          std::string(docs.back()["watermark"].GetString()));
  };
  // 20 s between the first and the last trace: all inside the 30 s trace_idle.
  EXPECT_EQ(summary(Run("replay --json " + path)),
            std::make_pair(uint64_t{3}, std::string("final")));
  EXPECT_EQ(summary(Run("replay --json --final " + path)).first, 3u);
  EXPECT_EQ(summary(Run("replay --json --final=false " + path)).first, 0u);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  EXPECT_EQ(summary(Run("replay --json -", text)).first, 0u);
  EXPECT_EQ(summary(Run("replay --json --final -", text)).first, 3u);
}

// --trace-idle takes what every duration setting takes: "5s", or plain seconds.
TEST_F(CliTest, TraceIdleIsADurationOrSeconds) {
  std::string text;
  for (int i = 0; i < 3; ++i) {
    text += testdata::ZapLine("r" + std::to_string(i), i * 10'000, "request received") + "\n";
  }
  for (const char* idle : {"5s", "5", "4.5", "5000ms"}) {
    Result r = Run(std::string("replay --json --trace-idle ") + idle + " -", text);
    ASSERT_EQ(r.exit_code, 0) << idle << ": " << r.err;
    auto docs = JsonLines(r.out);
    ASSERT_FALSE(docs.empty());
    // The last trace is within 5 s of the newest line: still waiting.
    EXPECT_EQ(docs.back()["traces_judged"].GetUint64(), 2u) << idle;
  }
  for (const char* bad : {"0", "-1s", "inf", "nan", "1000000h", "soon", "0.5ns", "2e-10"}) {
    ExpectUsageError(std::string("replay --trace-idle ") + bad + " -",
                     "--trace-idle needs a positive duration like 30s, 500ms or 2m, at most 100 "
                     "years");
  }
  ExpectUsageError("serve --analysis-interval 0s", "--analysis-interval needs a positive duration");
}

TEST_F(CliTest, ProgressSaysTheAnalysisIsRunning) {
  std::string path = Write("gateway.log", {testdata::ZapLine("t1", 0, "a")});
  Result r = Run("replay --progress " + path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("analysing 1 traces"));
  EXPECT_THAT(r.err, HasSubstr("analysed 1 traces in"));
  // --quiet says nothing.
  EXPECT_THAT(Run("replay --quiet " + path).err, Not(HasSubstr("analys")));
}

TEST_F(CliTest, TimelineAsJsonListsEventsInTimeOrder) {
  Write("gateway.log", {testdata::ZapLine("t9", 0, "request received"),
                        testdata::ZapLine("t9", 90, "response sent")});
  Write("ledger.log", {testdata::PinoLine("ledger", "t9", 40, "ledger write", 50)});
  auto docs = ReplayJson("--raw --timeline t9 " + dir_.string());
  ASSERT_EQ(docs.size(), 2u);
  const auto& t = docs[0];
  EXPECT_STREQ(t["kind"].GetString(), "timeline");
  EXPECT_STREQ(t["trace_id"].GetString(), "t9");
  ASSERT_EQ(t["events"].Size(), 3u);
  EXPECT_STREQ(t["events"][0]["message"].GetString(), "request received");
  EXPECT_STREQ(t["events"][1]["service"].GetString(), "ledger");
  EXPECT_STREQ(t["events"][1]["level"].GetString(), "ERROR");
  EXPECT_EQ(t["events"][1]["time_ns"].GetInt64(), testdata::Ns(40));
  EXPECT_STREQ(t["events"][1]["raw"].GetString(),
               testdata::PinoLine("ledger", "t9", 40, "ledger write", 50).c_str());
  EXPECT_STREQ(t["events"][2]["message"].GetString(), "response sent");
  EXPECT_DOUBLE_EQ(t["duration_ms"].GetDouble(), 90.0);
}

// replay reads the raw lines of plain files back from them; --copy-lines
// keeps copies instead: the same timeline either way.
TEST_F(CliTest, RawLinesReadBackFromTheFilesEqualTheCopies) {
  Write("gateway.log", {testdata::ZapLine("t9", 0, "request received"),
                        testdata::ZapLine("t9", 90, "response sent")});
  Write("ledger.log", {testdata::PinoLine("ledger", "t9", 40, "ledger write", 50)});
  auto in_files = ReplayJson("--raw --timeline t9 " + dir_.string());
  auto copied = ReplayJson("--copy-lines --raw --timeline t9 " + dir_.string());
  ASSERT_EQ(in_files.size(), 2u);
  ASSERT_EQ(copied.size(), 2u);
  const auto& events = in_files[0]["events"];
  ASSERT_EQ(events.Size(), 3u);
  for (rapidjson::SizeType i = 0; i < events.Size(); ++i) {
    EXPECT_STREQ(events[i]["raw"].GetString(), copied[0]["events"][i]["raw"].GetString());
    EXPECT_STREQ(events[i]["message"].GetString(), copied[0]["events"][i]["message"].GetString());
  }
  EXPECT_STREQ(events[0]["raw"].GetString(),
               testdata::ZapLine("t9", 0, "request received").c_str());
  EXPECT_EQ(in_files[1]["unreadable_lines"].GetUint64(), 0u);
  EXPECT_EQ(copied[1]["unreadable_lines"].GetUint64(), 0u);
}

// serve reads the lines of the files it replays back from them too (index.lines_in_files): a
// file rewritten under it shows its lines as empty and counted; --copy-lines keeps copies that
// outlive the rewrite.
TEST_F(CliTest, ServeReadsItsReplayedFilesLinesBackAndCopyLinesKeepsCopies) {
  const std::string first = testdata::ZapLine("t9", 0, "request received");
  for (const bool copy_lines : {false, true}) {
    SCOPED_TRACE(copy_lines ? "--copy-lines" : "lines in files");
    const std::string path =
        Write("gateway.log", {first, testdata::ZapLine("t9", 90, "response sent")});
    testdata::StreamingCommand serve(
        absl::StrCat("timeout --preserve-status -s TERM 120 ", bin_, " serve ", dir_.string(),
                     copy_lines ? " --copy-lines" : "", " --address 127.0.0.1:0 2>&1"));
    // The address, then "ready:" once the file is indexed.
    std::string address;
    for (std::string line = serve.ReadLine(); !line.empty(); line = serve.ReadLine()) {
      if (const size_t at = line.find("listening on "); at != std::string::npos) {
        address = line.substr(at + 13, line.find(' ', at + 13) - at - 13);
      }
      if (line.find("ready:") != std::string::npos) break;
    }
    ASSERT_FALSE(address.empty());
    auto timeline = [&] {
      Result r = Run("timeline t9 --raw --json --server " + address);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      return testdata::JsonLines(r.out);
    };
    auto unreadable = [&] {
      auto s = testdata::JsonLines(Run("stats --json --server " + address).out);
      return s.size() == 1 ? s[0]["unreadable_lines"].GetUint64() : ~0ull;
    };
    auto before = timeline();
    ASSERT_EQ(before.size(), 1u);
    ASSERT_EQ(before[0]["events"].Size(), 2u);
    EXPECT_STREQ(before[0]["events"][0]["raw"].GetString(), first.c_str());
    EXPECT_EQ(unreadable(), 0u);

    std::ofstream(path, std::ios::trunc) << "rewritten by a log tool\n";
    auto after = timeline();
    ASSERT_EQ(after.size(), 1u);
    ASSERT_EQ(after[0]["events"].Size(), 2u);
    if (copy_lines) {
      EXPECT_STREQ(after[0]["events"][0]["raw"].GetString(), first.c_str());
      EXPECT_EQ(unreadable(), 0u);
    } else {
      EXPECT_STREQ(after[0]["events"][0]["raw"].GetString(), "");
      EXPECT_GT(unreadable(), 0u);
    }
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Close(), 0);
  }
}

TEST_F(CliTest, TimelineTableNamesServicesAndSources) {
  Write("gateway.log", {testdata::ZapLine("t7", 0, "request received")});
  Write("payments.log", {testdata::EcsLine("payments", "t7", 12, "payment_authorized")});
  Result r = Run("replay --timeline t7 " + dir_.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 events, 2 services (gateway, payments)"));
  EXPECT_THAT(r.out, HasSubstr("payments.log:1"));
  EXPECT_THAT(r.out, HasSubstr("+12.0ms"));
}

TEST_F(CliTest, UnknownTraceExitsOneWithAnErrorObject) {
  std::string path = Write("a.log", {testdata::ZapLine("t1", 0, "a")});
  auto docs = ReplayJson("--timeline nope " + path, 1);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_STREQ(docs[0]["kind"].GetString(), "error");
  EXPECT_STREQ(docs[0]["error"].GetString(), "not_found");
}

TEST_F(CliTest, ReadsStdinAsAServiceNamedStdin) {
  auto docs = ReplayJson("--timeline s1 -", 0,
                         R"({"msg":"from a pipe","trace_id":"s1","ts":1795428000})"
                         "\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_STREQ(docs[0]["events"][0]["service"].GetString(), "stdin");
}

TEST_F(CliTest, InvalidUtf8IsKeptAndTheOutputStaysValidJson) {
  std::string path = Write("a.log", {"{\"msg\":\"caf\xE9\",\"trace_id\":\"u1\"}"});
  auto docs = ReplayJson("--raw --timeline u1 " + path);  // each line must parse
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_STREQ(docs[0]["events"][0]["message"].GetString(), "caf\xEF\xBF\xBD");
  EXPECT_EQ(docs[1]["invalid_utf8_lines"].GetUint64(), 1u);
}

TEST_F(CliTest, LineCutAtMaxLineBytesKeepsItsTraceAndIsCountedTruncated) {
  // A stack dump in the message makes the second line 20 KB long; its trace
  // id, time and level lie in the first 200 bytes.
  const std::string long_line =
      absl::StrCat(R"({"level":"error","ts":1795428000.040,"trace_id":"t7","msg":"charge failed: )",
                   std::string(20000, 'x'), R"("})");
  Write("payments.log", {testdata::ZapLine("t7", 0, "charge started"), long_line});
  auto docs = ReplayJson("--raw --max-line-bytes 200 --timeline t7 " + dir_.string());
  ASSERT_GE(docs.size(), 2u);
  const auto& t = docs[0];
  ASSERT_STREQ(t["kind"].GetString(), "timeline");
  ASSERT_EQ(t["events"].Size(), 2u);
  EXPECT_STREQ(t["events"][1]["level"].GetString(), "ERROR");
  EXPECT_EQ(t["events"][1]["time_ns"].GetInt64(), testdata::Ns(40));
  EXPECT_STREQ(t["events"][1]["raw"].GetString(), long_line.substr(0, 200).c_str());
  const auto& s = docs.back();
  EXPECT_EQ(s["truncated_lines"].GetUint64(), 1u);
  EXPECT_EQ(s["json_lines"].GetUint64(), 2u);
  EXPECT_EQ(s["unstructured_lines"].GetUint64(), 0u);
  EXPECT_EQ(s["no_trace_id_lines"].GetUint64(), 0u);
}

TEST_F(CliTest, BinaryFileIsSkippedWithAWarningAndCountedWhileTheOthersReplay) {
  Write("gateway.log", {testdata::ZapLine("t1", 0, "a"), testdata::ZapLine("t1", 5, "b")});
  // A binary under a log's name: the logweave executable itself.
  const std::string binary = (dir_ / "core.log").string();
  std::filesystem::copy_file(bin_, binary);
  Result r = Run("replay --json " + dir_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(binary));
  EXPECT_THAT(r.err, HasSubstr("looks binary"));
  auto docs = JsonLines(r.out);
  ASSERT_FALSE(docs.empty());
  const auto& s = docs.back();
  EXPECT_EQ(s["binary_files"].GetUint64(), 1u);
  EXPECT_EQ(s["lines"].GetUint64(), 2u);  // none from the binary
  EXPECT_EQ(s["errors"].Size(), 1u);
  Result text = Run("replay --stats " + dir_.string());
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("binary files skipped"));
}

TEST_F(CliTest, BadConfigKeyIsAUsageErrorNamingTheKey) {
  std::string config = (dir_ / "bad.yaml").string();
  std::ofstream(config) << "index:\n  shardz: 4\n";
  std::string path = Write("a.log", {testdata::ZapLine("t1", 0, "a")});
  Result r = Run("replay --config " + config + " " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("index.shardz"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:2"));
}

TEST_F(CliTest, GeneratedLogsGiveOneTracePerGeneratedTrace) {
  std::string loggen = Bin("LOGGEN_BIN", LOGGEN_BIN);
  std::string out = (dir_ / "gen").string();
  std::string cmd =
      loggen + " --out " + out + " --traces 300 --seed 7 2>" + (dir_ / "loggen.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::stringstream said;
  said << std::ifstream(dir_ / "loggen.txt").rdbuf();
  // loggen's summary: "..., 400 traces, ..."
  std::string text = said.str();
  size_t at = text.find(" traces");
  ASSERT_NE(at, std::string::npos) << text;
  size_t start = text.rfind(' ', at - 1) + 1;
  const std::string generated_traces = text.substr(start, at - start);
  auto docs = ReplayJson(out);
  ASSERT_FALSE(docs.empty());
  EXPECT_EQ(docs.back()["traces"].GetUint64(), std::stoull(generated_traces));
  EXPECT_EQ(docs.back()["files"].GetUint64(), 7u);  // the hidden truth file is skipped
  const auto& sum = docs.back();
  EXPECT_GT(sum["unstructured_lines"].GetUint64(), 0u);
  // Every line is accounted for.
  EXPECT_EQ(sum["lines"].GetUint64(), sum["json_lines"].GetUint64() +
                                          sum["unstructured_lines"].GetUint64() +
                                          sum["empty_lines"].GetUint64());
  EXPECT_EQ(sum["indexed_events"].GetUint64(), sum["json_lines"].GetUint64() +
                                                   sum["unstructured_lines"].GetUint64() -
                                                   sum["duplicate_lines"].GetUint64());
}

TEST_F(CliTest, CanaryRuleInTheConfigReportsTheRollbackOfAFailingCanary) {
  std::string loggen = Bin("LOGGEN_BIN", LOGGEN_BIN);
  std::string out = (dir_ / "gen").string();
  // v2 serves 30% of the gateway's requests; a third of them fail from 20 s on.
  std::string cmd = loggen + " --out " + out +
                    " --traces 800 --rate 10 --seed 3 --canary-share 0.3 "
                    "--canary-error-rate 0.34 --canary-fail-after 20 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string config = (dir_ / "canary.yaml").string();
  std::ofstream(config) << "plugins:\n  canary:\n    services: [gateway]\n";
  Result r = Run("replay --final --json --config " + config + " " + out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<const rapidjson::Value*> rollbacks;
  auto docs = JsonLines(r.out);
  for (const auto& d : docs) {
    if (std::string(d["kind"].GetString()) == "canary_rollback") rollbacks.push_back(&d);
  }
  ASSERT_EQ(rollbacks.size(), 1u) << r.out;
  const rapidjson::Value& f = *rollbacks[0];
  EXPECT_EQ(std::string(f["severity"].GetString()), "critical");
  EXPECT_EQ(std::string(f["subject"].GetString()), "gateway@v2");
  EXPECT_EQ(std::string(f["details"]["action"].GetString()), "rollback");
  // Failing from 20 s: checks at 30, 45 and 60 s fail; 60 s decides.
  EXPECT_EQ(std::string(f["time"].GetString()), "2026-11-23T10:01:00.000Z");
  EXPECT_GT(f["evidence"].Size(), 0u);
  // Without the plugin in the config, the same logs give no such finding.
  Result plain = Run("replay --final --json " + out);
  EXPECT_THAT(plain.out, Not(HasSubstr("canary_rollback")));
  // A healthy canary is left alone.
  std::string healthy = (dir_ / "healthy").string();
  cmd = loggen + " --out " + healthy +
        " --traces 800 --rate 10 --seed 3 --canary-share 0.3 --canary-error-rate 0 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result calm = Run("replay --final --json --config " + config + " " + healthy);
  EXPECT_EQ(calm.exit_code, 0) << calm.err;
  EXPECT_THAT(calm.out, Not(HasSubstr("canary_rollback")));
}

TEST_F(CliTest, RotationRuleReportsTheServiceThatCannotAuthenticateAfterARotation) {
  // tests/testdata/rotation: orders' secret rotated at 10:00, its asyncpg
  // errors (plain text) from 10:02:10 while /healthz passes; billing's
  // rotation failed (errorCode) before its MySQL errors; payments' errors are
  // connection refused.
  const std::string dir = std::string(LOGWEAVE_SOURCE_DIR) + "/tests/testdata/rotation/";
  Result r = Run("replay --json --config " + dir + "rotation.yaml " + dir + "cloudtrail.log " +
                 dir + "orders.log " + dir + "billing.log " + dir + "payments.log");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  std::vector<const rapidjson::Value*> found = testdata::OfKind(docs, "rotation_incomplete");
  ASSERT_EQ(found.size(), 1u) << r.out;
  const rapidjson::Value& f = *found[0];
  testdata::ExpectStrings(
      f, {"severity=error", "status=open", "subject=orders", "time=2026-11-23T10:02:10.044Z"});
  const rapidjson::Value& d = f["details"];
  testdata::ExpectStrings(
      d, {"secret=prod/db/orders", "failures=30", "failure_kind=asyncpg", "shallow_health=passed"});
  EXPECT_THAT(std::string(f["summary"].GetString()), HasSubstr("Running, but cannot authenticate"));
  EXPECT_EQ(f["evidence"].Size(), 3u);
  // Without the rule, nothing of the kind.
  Result plain = Run("replay --json " + dir + "cloudtrail.log " + dir + "orders.log");
  EXPECT_THAT(plain.out, Not(HasSubstr("rotation_incomplete")));
}

TEST_F(CliTest, CanaryRuleJudgesACanaryServiceAgainstItsStableService) {
  // tests/testdata/canary: nginx JSON access logs of checkout-canary and
  // checkout-stable (no version field); the canary fails 4% from 20 s on.
  const std::string dir = std::string(LOGWEAVE_SOURCE_DIR) + "/tests/testdata/canary/";
  Result r = Run("replay --json --config " + dir + "canary.yaml " + dir + "checkout-canary.log " +
                 dir + "checkout-stable.log");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  std::vector<const rapidjson::Value*> found = testdata::OfKind(docs, "canary_rollback");
  ASSERT_EQ(found.size(), 1u) << r.out;
  const rapidjson::Value& f = *found[0];
  EXPECT_EQ(std::string(f["subject"].GetString()), "checkout-canary");
  EXPECT_EQ(std::string(f["time"].GetString()), "2026-11-23T10:01:00.000Z");
  const rapidjson::Value& d = f["details"];
  testdata::ExpectStrings(
      d, {"baseline_service=checkout-stable", "baseline_error_rate=0.0000", "baseline_p99_ms=60.0",
          "p99_ms=90.0", "failed_criteria=error_rate_above_baseline"});
}

TEST_F(CliTest, CostRuleInTheConfigReportsTheDayACostJumped) {
  std::string loggen = Bin("LOGGEN_BIN", LOGGEN_BIN);
  std::string config = (dir_ / "cost.yaml").string();
  std::ofstream(config) << "plugins:\n  cost: {}\n";
  auto anomalies = [&](const std::string& flags) {
    std::string out = (dir_ / ("gen" + std::to_string(std::hash<std::string>()(flags)))).string();
    std::string cmd = loggen + " --out " + out + " --traces 50 --seed 5 " + flags + " 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    Result r = Run("replay --final --json --config " + config + " " + out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> found;
    for (const auto& d : JsonLines(r.out)) {
      if (std::string(d["kind"].GetString()) != "cost_anomaly") continue;
      found.push_back(std::string(d["subject"].GetString()) + " " +
                      d["details"]["day"].GetString());
    }
    return found;
  };
  EXPECT_EQ(anomalies("--cost-days 8 --cost-spike ledger"),
            std::vector<std::string>{"ledger 2026-11-23"});
  EXPECT_TRUE(anomalies("--cost-days 8").empty());
  // Seven days of history are needed: with four, nothing is judged.
  EXPECT_TRUE(anomalies("--cost-days 5 --cost-spike ledger").empty());
}

// deploy/logweave.yaml, the example `logweave serve --help` names, loads and
// takes effect: its extra field names put lines of an in-house logger
// (request_trace, app_name) into one trace across two services.
TEST_F(CliTest, TheDeployExampleConfigLoadsAndItsFieldNamesApply) {
  const std::string config = std::string(LOGWEAVE_SOURCE_DIR) + "/deploy/logweave.yaml";
  ASSERT_TRUE(std::filesystem::exists(config)) << config;
  const std::string logs = Write(
      "inhouse.log",
      {R"({"ts":"2026-11-23T10:00:00.000Z","app_name":"cart","request_trace":"req-7f3a","msg":"cart loaded"})",
       R"({"ts":"2026-11-23T10:00:00.120Z","app_name":"pricing","request_trace":"req-7f3a","msg":"priced"})"});
  Result with = Run("replay --json --config " + config + " --timeline req-7f3a " + logs);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  bool found = false;
  for (const auto& d : JsonLines(with.out)) {
    if (std::string(d["kind"].GetString()) != "timeline") continue;
    found = true;
    EXPECT_EQ(std::string(d["trace_id"].GetString()), "req-7f3a");
    ASSERT_TRUE(d["services"].IsArray());
    EXPECT_EQ(d["services"].Size(), 2u);
  }
  EXPECT_TRUE(found) << with.out;
  // Without it those keys mean nothing: no such trace.
  Result without = Run("replay --json --timeline req-7f3a " + logs);
  EXPECT_THAT(without.out + without.err, Not(HasSubstr("\"services\":[\"cart\"")));
}

}  // namespace
}  // namespace logweave

namespace logweave {
namespace {

TEST_F(CliTest, TemplatesGroupsLinesAndListsMembers) {
  std::vector<std::string> lines;
  for (int i = 0; i < 6; ++i) {
    lines.push_back(absl::StrCat("2026-11-23 10:00:0", i, ",100 ERROR db: password authentication ",
                                 "failed for user \"u", i, "\""));
    if (i % 2 == 0)
      lines.push_back(
          absl::StrCat("2026-11-23 10:00:0", i, ",200 INFO http: GET /x 200 ", i, "ms"));
  }
  const std::string path = Write("billing.log", lines);
  Result r = Run("templates --json --members " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<rapidjson::Document> docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  const rapidjson::Document& top = docs[0];
  EXPECT_STREQ(top["kind"].GetString(), "template");
  EXPECT_EQ(top["count"].GetUint64(), 6u);
  EXPECT_STREQ(top["template"].GetString(), "password authentication failed for user \"<*>\"");
  EXPECT_EQ(top["levels"]["ERROR"].GetUint64(), 6u);
  EXPECT_STREQ(top["services"][0].GetString(), "billing");
  EXPECT_STREQ(top["first"].GetString(), "2026-11-23T10:00:00.100Z");
  std::vector<uint64_t> members;
  for (const auto& m : top["members"].GetArray()) {
    EXPECT_EQ(std::string(m["source"].GetString()), path);
    members.push_back(m["line"].GetUint64());
  }
  EXPECT_THAT(members, ::testing::ElementsAre(1, 3, 4, 6, 7, 9));
  // Without --json: one line per template, largest first.
  r = Run("templates " + path);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("6 × password authentication failed for user \"<*>\""));
}

TEST_F(CliTest, TemplatesExitCodes) {
  EXPECT_EQ(Run("templates --help").exit_code, 0);
  EXPECT_EQ(Run("templates").exit_code, 2);
  EXPECT_EQ(Run("templates --members x.log").exit_code, 2);
  Result r = Run("templates " + (dir_ / "missing.log").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.log"));
}

}  // namespace
}  // namespace logweave

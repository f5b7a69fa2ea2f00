// logweave's own logs (issue 21, item 2): the line format, the level filter,
// the global flags and the config's `log:` section, and the real `serve`
// writing JSON lines on a non-terminal stderr that `logweave replay` indexes
// as JSON events with their times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "logweave/log.h"
#include "testdata/run_command.h"
#include "tools/logweave/command_config.h"
#include "tools/logweave/log_settings.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNoon = absl::FromUnixMillis(1795428000123);  // 2026-11-23T10:00:00.123Z

rapidjson::Document Parse(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str());
  EXPECT_FALSE(d.HasParseError()) << line;
  return d;
}

TEST(LogLineTest, JsonHasTheKeysLogweaveParsesAndTheFields) {
  LogOptions options;
  options.format = LogFormat::kJson;
  options.component = "serve";
  const std::string line =
      FormatLogLine(options, kNoon, LogLevel::kWarn, "ready: 12 lines",
                    {{"lines", uint64_t{12}}, {"address", std::string("127.0.0.1:7070")}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  rapidjson::Document d = Parse(line);
  EXPECT_STREQ(d["ts"].GetString(), "2026-11-23T10:00:00.123Z");
  EXPECT_STREQ(d["level"].GetString(), "warn");
  EXPECT_STREQ(d["service"].GetString(), "logweave");
  EXPECT_STREQ(d["component"].GetString(), "serve");
  EXPECT_STREQ(d["msg"].GetString(), "ready: 12 lines");
  EXPECT_EQ(d["lines"].GetUint64(), 12u);
  EXPECT_STREQ(d["address"].GetString(), "127.0.0.1:7070");
}

TEST(LogLineTest, JsonEscapesAndRepairsTheMessage) {
  LogOptions options;
  options.format = LogFormat::kJson;
  const std::string line =
      FormatLogLine(options, kNoon, LogLevel::kError, "bad \"file\"\n\xff name", {});
  rapidjson::Document d = Parse(line);
  EXPECT_THAT(std::string(d["msg"].GetString()), HasSubstr("bad \"file\"\n"));
  EXPECT_FALSE(d.HasMember("component"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(LogLineTest, TextIsTheMessageAfterTheCommandName) {
  LogOptions options;
  options.component = "serve";
  EXPECT_EQ(FormatLogLine(options, kNoon, LogLevel::kInfo, "ready: 1 lines", {{"lines", true}}),
            "logweave serve: ready: 1 lines\n");
  options.component = "";
  EXPECT_EQ(FormatLogLine(options, kNoon, LogLevel::kInfo, "wal: x", {}), "logweave: wal: x\n");
}

TEST(LogTest, DropsLinesBelowTheLevel) {
  char path[] = "/tmp/own_log_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const LogOptions before = GetLogOptions();
  LogOptions options;
  options.format = LogFormat::kJson;
  options.level = LogLevel::kWarn;
  options.fd = fd;
  SetLogOptions(options);
  Log(LogLevel::kInfo, "not this");
  Log(LogLevel::kDebug, "nor this");
  Log(LogLevel::kError, "this");
  SetLogOptions(before);
  ::close(fd);
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  ::unlink(path);
  const std::vector<std::string> lines = absl::StrSplit(content.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << content.str();
  EXPECT_STREQ(Parse(lines[0])["msg"].GetString(), "this");
}

TEST(LogSettingsTest, GlobalFlagsAreTakenFromAnywhereBeforeDoubleDash) {
  std::vector<std::string> args = {"serve", "--log-format", "json", "logs/", "--log-level=warn",
                                   "--",    "--log-level"};
  cli::LogFlags flags;
  ASSERT_TRUE(cli::ExtractLogFlags(&args, &flags).ok());
  EXPECT_EQ(args, (std::vector<std::string>{"serve", "logs/", "--", "--log-level"}));
  EXPECT_EQ(flags.format, LogFormat::kJson);
  EXPECT_EQ(flags.level, LogLevel::kWarn);
}

TEST(LogSettingsTest, BadOrMissingValuesAreUsageErrors) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"serve", "--log-format", "xml"}, {"--log-level=loud"}, {"serve", "--log-level"}}) {
    cli::LogFlags flags;
    const absl::Status s = cli::ExtractLogFlags(&args, &flags);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << args.back();
  }
}

TEST(LogSettingsTest, ConfigSectionIsReadAndFlagsWin) {
  absl::StatusOr<cli::CommandConfig> config =
      cli::LoadCommandConfigString("log:\n  format: text\n  level: debug\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log.format, LogFormat::kText);
  EXPECT_EQ(config->log.level, LogLevel::kDebug);
  const LogOptions before = GetLogOptions();
  cli::LogFlags flags;
  flags.level = LogLevel::kError;
  cli::ApplyLogSettings(flags, config->log, LogFormat::kJson, "serve");
  EXPECT_EQ(GetLogOptions().format, LogFormat::kText);  // config over the default
  EXPECT_EQ(GetLogOptions().level, LogLevel::kError);   // flag over config
  SetLogOptions(before);

  absl::StatusOr<cli::CommandConfig> bad = cli::LoadCommandConfigString("log:\n  format: xml\n");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("log.format"));
  bad = cli::LoadCommandConfigString("log:\n  colour: red\n");
  EXPECT_THAT(bad.status().message(), HasSubstr("log.colour"));
}

std::string Bin() { return LOGWEAVE_BIN; }
const std::string kDemo = std::string(LOGWEAVE_SOURCE_DIR) + "/deploy/demo/logs";

// Runs serve on `args` (paths and flags) until its stderr (a file: not a terminal) shows
// `until`, then SIGTERM; returns that stderr.
std::string ServeOn(const std::string& args, const std::string& err_path, int* exit_code,
                    const std::string& until = "ready: ") {
  ::unlink(err_path.c_str());  // a file of an earlier run would look ready at once
  testdata::StreamingCommand serve(absl::StrCat("sh -c 'echo started; exec ", Bin(), " serve ",
                                                args, " --address 127.0.0.1:0 2>", err_path, "'"));
  serve.ReadLine();  // "started": serve is running
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string err;
  while (absl::Now() < deadline) {
    std::stringstream s;
    s << std::ifstream(err_path).rdbuf();
    err = s.str();
    if (err.find(until) != std::string::npos || err.find("error") != std::string::npos) break;
    usleep(20'000);
  }
  serve.Signal(SIGTERM);
  *exit_code = serve.Close();
  std::stringstream s;
  s << std::ifstream(err_path).rdbuf();
  return s.str();
}

TEST(ServeOwnLogTest, JsonOnANonTerminalAndReplayIndexesItAsJson) {
  const std::string dir = ::testing::TempDir();
  const std::string err_path = dir + "/serve_own.log";
  int exit_code = -1;
  const std::string err = ServeOn(kDemo, err_path, &exit_code);
  EXPECT_EQ(exit_code, 0) << err;
  const std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 4u) << err;  // budget, listening, ready, stopping, stopped
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  bool ready = false;
  for (const std::string& line : lines) {
    rapidjson::Document d = Parse(line);
    ASSERT_TRUE(d.IsObject()) << line;
    EXPECT_TRUE(std::regex_match(std::string(d["ts"].GetString()), rfc3339)) << line;
    EXPECT_STREQ(d["service"].GetString(), "logweave");
    if (std::string(d["msg"].GetString()).rfind("ready: ", 0) == 0) {
      ready = true;
      EXPECT_EQ(d["lines"].GetUint64(), 5056u) << line;  // the demo's lines
    }
  }
  EXPECT_TRUE(ready) << err;

  // logweave reads its own log: every line JSON, every time understood.
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat(Bin(), " replay ", err_path, " --json"), dir + "/r.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string summary = r.out.substr(r.out.rfind("{\"kind\":\"summary\""));
  rapidjson::Document s = Parse(summary);
  EXPECT_EQ(s["lines"].GetUint64(), lines.size());
  EXPECT_EQ(s["json_lines"].GetUint64(), lines.size());
  EXPECT_EQ(s["bad_time_lines"].GetUint64(), 0u);
  EXPECT_EQ(s["no_time_lines"].GetUint64(), 0u);
}

TEST(ServeOwnLogTest, TextAndLevelFlagsAndTheConfigKeys) {
  const std::string dir = ::testing::TempDir();
  int exit_code = -1;
  // A small file: these runs are about the flags, not the data.
  const std::string logs = dir + "/three.log";
  std::ofstream(logs) << R"({"ts":"2026-11-23T10:00:00Z","level":"info","msg":"a","trace_id":"t1"})"
                      << "\n"
                      << R"({"ts":"2026-11-23T10:00:01Z","level":"info","msg":"b","trace_id":"t1"})"
                      << "\n"
                      << R"({"ts":"2026-11-23T10:00:02Z","level":"warn","msg":"c","trace_id":"t2"})"
                      << "\n";
  std::string err = ServeOn(logs + " --log-format text", dir + "/serve_text.log", &exit_code);
  EXPECT_EQ(exit_code, 0);
  EXPECT_THAT(err, HasSubstr("logweave serve: ready: 3 lines, 2 traces"));
  EXPECT_THAT(err, Not(HasSubstr("{\"ts\"")));

  // warn: the unreadable file's warning only, none of the info lines.
  err = ServeOn(logs + " /nonexistent/missing.log --log-level warn", dir + "/serve_warn.log",
                &exit_code, "missing.log");
  EXPECT_EQ(exit_code, 0);
  const std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_STREQ(Parse(lines[0])["level"].GetString(), "warn");

  const std::string config = dir + "/log_text.yaml";
  std::ofstream(config) << "log:\n  format: text\n";
  err = ServeOn(logs + " --config " + config, dir + "/serve_config.log", &exit_code);
  EXPECT_EQ(exit_code, 0);
  EXPECT_THAT(err, HasSubstr("logweave serve: ready: "));
}

}  // namespace
}  // namespace logweave

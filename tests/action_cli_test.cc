// Actions as users meet them: `logweave replay --json` with the demo's
// config runs the stand-in kubectl and prints the run; errors at start; a
// restarted `logweave serve` with --state-dir does not act again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "testdata/actions.h"
#include "testdata/json_lines.h"
#include "testdata/run_command.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

const std::string kSource = LOGWEAVE_SOURCE_DIR;
const std::string kDemoConfig = kSource + "/deploy/demo/logweave.yaml";
const std::string kDemoLogs = kSource + "/deploy/demo/logs";

class ActionCliTest : public ::testing::Test {
 protected:
  testdata::CommandResult Run(const std::string& args) {
    return testdata::RunCommand(absl::StrCat(LOGWEAVE_BIN, " ", args, " </dev/null"),
                                dir_ / "stderr.txt");
  }
  // `logweave stats --json` of the server at `address`, parsed (null on failure).
  std::unique_ptr<rapidjson::Document> Stats(const std::string& address) {
    testdata::CommandResult r = Run("stats --json --server " + address);
    if (r.exit_code != 0) return nullptr;
    auto doc = std::make_unique<rapidjson::Document>();
    doc->Parse(r.out.c_str());
    return doc->HasParseError() ? nullptr : std::move(doc);
  }
  testdata::TempDir dir_;
};

TEST_F(ActionCliTest, ReplayJsonRecordsTheDemosRollbackRun) {
  testdata::CommandResult r =
      Run(absl::StrCat("replay ", kDemoLogs, " --final --quiet --json --config ", kDemoConfig));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int actions = 0;
  for (const rapidjson::Document& d : testdata::JsonLines(r.out)) {
    if (std::string(d["kind"].GetString()) != "action") continue;
    ++actions;
    testdata::ExpectStrings(d, {"action=rollback", "finding_kind=canary_rollback", "outcome=ok"});
    EXPECT_EQ(d["exit_code"].GetInt(), 0);
    EXPECT_THAT(d["output"].GetString(),
                HasSubstr("would run: kubectl rollout undo deployment/gateway"));
    EXPECT_THAT(d["finding_id"].GetString(), HasSubstr("can-"));
  }
  EXPECT_EQ(actions, 1);
}

TEST_F(ActionCliTest, ProgramNotFoundIsAUsageErrorAtStart) {
  const std::string config = dir_ / "config.yaml";
  std::ofstream(config) << "actions:\n  - name: rollback\n    on: [canary_rollback]\n"
                           "    exec: [kubectl-not-installed-here, rollout, undo]\n";
  testdata::CommandResult r = Run(absl::StrCat("replay ", kDemoLogs, " --config ", config));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("actions[0].exec[0]"));
  EXPECT_THAT(r.err, HasSubstr("kubectl-not-installed-here"));
}

// Starts serve on the demo with its config; returns the address it listens on.
std::string StartServe(testdata::StreamingCommand& serve) {
  std::string line;
  for (line = serve.ReadLine(); !line.empty(); line = serve.ReadLine()) {
    const size_t at = line.find("listening on ");
    if (at != std::string::npos) {
      std::string address = line.substr(at + 13);
      return address.substr(0, address.find(' '));
    }
  }
  return "";
}

TEST_F(ActionCliTest, ServeActsOnceAcrossARestartWithAStateDirectory) {
  const std::string command =
      absl::StrCat("timeout --preserve-status -s TERM 120 ", LOGWEAVE_BIN, " serve ", kDemoLogs,
                   " --final --config ", kDemoConfig, " --address 127.0.0.1:0 --state-dir ",
                   dir_ / "state", " 2>&1");
  {
    testdata::StreamingCommand serve(command);
    const std::string address = StartServe(serve);
    ASSERT_FALSE(address.empty());
    ASSERT_TRUE(testdata::Eventually([&] {
      auto s = Stats(address);
      return s != nullptr && (*s)["actions"].HasMember("ok") &&
             (*s)["actions"]["ok"].GetUint64() == 1;
    }));
    testdata::CommandResult runs = Run("actions --json --server " + address);
    EXPECT_THAT(runs.out, HasSubstr("\"outcome\":\"ok\""));
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Close(), 0);
  }
  {
    testdata::StreamingCommand serve(command);
    const std::string address = StartServe(serve);
    ASSERT_FALSE(address.empty());
    // The same decision comes again from the replay: it is not acted on.
    ASSERT_TRUE(testdata::Eventually([&] {
      auto s = Stats(address);
      return s != nullptr && (*s)["actions_repeats"].GetUint64() == 1;
    }));
    auto s = Stats(address);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ((*s)["actions"].MemberCount(), 0u);
    testdata::CommandResult runs = Run("actions --server " + address);
    EXPECT_THAT(runs.out, HasSubstr("0 action runs"));
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Close(), 0);
  }
  std::ifstream acted(dir_ / "state/actions_acted.tsv");
  int lines = 0;
  for (std::string line; std::getline(acted, line);) ++lines;
  EXPECT_EQ(lines, 1);
}

}  // namespace
}  // namespace logweave

// exec actions run real processes: deploy/demo's stand-in kubectl, and
// scripts written here that exit badly, outlive their timeout (with a child)
// or print too much.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "connectors/actions/exec/exec_action.h"
#include "testdata/actions.h"

namespace logweave {
namespace {

using actions::ActionOutcome;
using actions::ActionRun;
using ::testing::HasSubstr;

const std::string kKubectl = std::string(LOGWEAVE_SOURCE_DIR) + "/deploy/demo/kubectl";

using testdata::RunOnce;

TEST(ExecActionTest, RunsTheStandInKubectlWithTheFindingOnStdin) {
  const Finding f = testdata::CanaryRollback("gateway", "10:00:15");
  ActionRun run = RunOnce(absl::StrCat(R"(
actions:
  - name: rollback
    on: [canary_rollback]
    exec: [")",
                                       kKubectl, R"(", rollout, undo, "deployment/{service}"]
    dry_run: false
)"),
                          f);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk) << run.result.error;
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_EQ(run.action, "rollback");
  EXPECT_EQ(run.finding_id, f.id);
  EXPECT_THAT(run.command, HasSubstr("rollout undo deployment/gateway"));
  EXPECT_THAT(run.result.output, HasSubstr("would run: kubectl rollout undo deployment/gateway"));
  // The id comes from the JSON it read on stdin.
  EXPECT_THAT(run.result.output, HasSubstr(absl::StrCat("rolled back (finding ", f.id, ")")));
}

TEST(ExecActionTest, ArgumentsAreNeverReadByAShell) {
  testdata::TempDir dir;
  const std::string args = dir.Script("args.sh", "for a in \"$@\"; do echo \"[$a]\"; done");
  Finding f = testdata::CanaryRollback("gateway", "t");
  f.details.push_back({"note", "$(touch " + (dir / "pwned") + "); x"});
  ActionRun run = RunOnce(absl::StrCat("actions:\n  - {name: a, on: [canary_rollback], dry_run: "
                                       "false, exec: [\"",
                                       args, "\", \"{details.note}\", \"two words\"]}\n"),
                          f);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk);
  EXPECT_EQ(run.result.output, absl::StrCat("[$(touch ", dir / "pwned", "); x]\n[two words]\n"));
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
}

TEST(ExecActionTest, NonZeroExitIsFailedWithItsCodeAndOutput) {
  testdata::TempDir dir;
  const std::string fail =
      dir.Script("fail.sh", "echo 'error: deployments \"x\" not found' >&2; exit 3");
  ActionRun run =
      RunOnce(absl::StrCat("actions:\n  - {name: a, on: [drift], dry_run: false, exec: [\"", fail,
                           "\"]}\n"),
              testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kFailed);
  EXPECT_EQ(run.result.exit_code, 3);
  EXPECT_THAT(run.result.output, HasSubstr("not found"));
  EXPECT_THAT(run.result.error, HasSubstr("status 3"));
}

// Whether process `pid` is gone (or a zombie no one reaped yet: it no longer runs).
bool Gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (text.empty()) return true;
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

TEST(ExecActionTest, TimeoutKillsTheWholeProcessGroup) {
  testdata::TempDir dir;
  // It starts a child that holds its output open, then waits for it.
  const std::string hang = dir.Script(
      "hang.sh",
      absl::StrCat("sleep 300 &\necho $! > '", dir / "child.pid", "'\necho started\nwait\n"));
  ActionRun run = RunOnce(absl::StrCat("actions:\n  - {name: a, on: [drift], dry_run: false, "
                                       "timeout: 500ms, exec: [\"",
                                       hang, "\"]}\n"),
                          testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kTimeout);
  EXPECT_EQ(run.result.exit_code, -1);
  EXPECT_THAT(run.result.output, HasSubstr("started"));
  pid_t child = 0;
  std::ifstream(dir / "child.pid") >> child;
  ASSERT_GT(child, 0);
  EXPECT_TRUE(testdata::Eventually([&] { return Gone(child); }))
      << "the script's child (sleep) survived the timeout";
  if (!Gone(child)) kill(child, SIGKILL);
}

TEST(ExecActionTest, OutputIsBounded) {
  testdata::TempDir dir;
  const std::string chatty =
      dir.Script("chatty.sh", "for i in $(seq 1 20000); do echo \"line $i of chatter\"; done");
  ActionRun run = RunOnce(absl::StrCat("actions:\n  - {name: a, on: [drift], dry_run: false, "
                                       "exec: [\"",
                                       chatty, "\"]}\n"),
                          testdata::Drift("sg-web"));
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk);
  EXPECT_EQ(run.result.output.size(), actions::ExecAction::kMaxOutputBytes);
  EXPECT_TRUE(run.result.output_truncated);
}

TEST(ExecActionTest, AProgramThatIgnoresItsInputDoesNotHurt) {
  // `true` exits without reading: the finding's JSON meets a closed pipe.
  Finding f = testdata::Drift("sg-web");
  f.summary.assign(1 << 20, 'x');  // more than a pipe holds
  ActionRun run =
      RunOnce("actions:\n  - {name: a, on: [drift], dry_run: false, exec: [true]}\n", f);
  EXPECT_EQ(run.result.outcome, ActionOutcome::kOk);
  EXPECT_EQ(run.result.exit_code, 0);
}

}  // namespace
}  // namespace logweave

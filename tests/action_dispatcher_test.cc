// The dispatcher: which findings act, dry runs by default, acting once per
// decision (resolved updates, repeats, restarts with a state directory),
// cooldowns, a bounded queue, following the runtime's findings hub.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "testdata/actions.h"
#include "testdata/hook_server.h"

namespace logweave {
namespace {

using actions::ActionRun;

// An action that appends the finding's id to `log` each time it runs.
std::string Recorder(const testdata::TempDir& dir, const std::string& extra = "") {
  const std::string script =
      dir.Script("record.sh", absl::StrCat("echo \"$1\" >> '", dir / "ran.log", "'"));
  return testdata::OneActionYaml("record", "canary_rollback",
                                 absl::StrCat("    exec: [\"", script, "\", \"{id}\"]\n", extra));
}

std::vector<std::string> Ran(const testdata::TempDir& dir) {
  std::vector<std::string> ids;
  std::ifstream in(dir / "ran.log");
  for (std::string line; std::getline(in, line);) ids.push_back(line);
  return ids;
}

std::vector<std::string> Outcomes(const std::vector<ActionRun>& runs) {
  std::vector<std::string> out;
  for (const ActionRun& r : runs) out.push_back(actions::ActionOutcomeName(r.result.outcome));
  return out;
}

TEST(ActionDispatcherTest, DryRunByDefaultRecordsWhatWouldRunAndRunsNothing) {
  testdata::TempDir dir;
  const Finding f = testdata::CanaryRollback("gateway", "t1");
  actions::DispatcherStats stats;
  const ActionRun run = testdata::RunOnce(Recorder(dir), f, &stats);
  EXPECT_EQ(run.result.outcome, actions::ActionOutcome::kDryRun);
  EXPECT_THAT(run.command, ::testing::HasSubstr(f.id));
  EXPECT_TRUE(Ran(dir).empty());
  EXPECT_EQ(stats.outcomes["dry_run"], 1u);
}

TEST(ActionDispatcherTest, ADecisionActsOnce) {
  testdata::TempDir dir;
  auto d = testdata::Dispatcher(Recorder(dir, "    dry_run: false\n"));
  ASSERT_NE(d, nullptr);
  Finding f = testdata::CanaryRollback("gateway", "t1");
  d->Offer(f);
  d->Offer(f);  // reported again (the next analysis, a restarted stream)
  Finding resolved = f;
  resolved.resolved = true;
  d->Offer(resolved);  // its retraction acts on nothing
  d->Drain();
  EXPECT_EQ(Ran(dir), std::vector<std::string>{f.id});
  EXPECT_EQ(d->Stats().repeats, 1u);
  EXPECT_EQ(Outcomes(d->Runs()), std::vector<std::string>{"ok"});
}

TEST(ActionDispatcherTest, OnlyMatchingFindingsAct) {
  testdata::TempDir dir;
  auto d = testdata::Dispatcher(
      Recorder(dir, "    dry_run: false\n    services: [gateway]\n    min_severity: critical\n"));
  ASSERT_NE(d, nullptr);
  Finding other_service = testdata::CanaryRollback("checkout", "t1");
  Finding milder = testdata::CanaryRollback("gateway", "t2");
  milder.severity = Severity::kError;
  Finding match = testdata::CanaryRollback("gateway", "t3");
  d->Offer(testdata::Drift("sg-web"));  // another kind
  d->Offer(other_service);
  d->Offer(milder);
  d->Offer(match);
  d->Drain();
  EXPECT_EQ(Ran(dir), std::vector<std::string>{match.id});
}

TEST(ActionDispatcherTest, CooldownHoldsTheSameSubjectBack) {
  testdata::TempDir dir;
  absl::Time now = absl::FromUnixSeconds(1795428000);
  actions::DispatcherOptions options;
  options.now = [&now] { return now; };  // read on the worker only while Drain waits
  auto d = testdata::Dispatcher(Recorder(dir, "    dry_run: false\n    cooldown: 10m\n"), options);
  ASSERT_NE(d, nullptr);
  const Finding first = testdata::CanaryRollback("gateway", "10:00");
  const Finding again = testdata::CanaryRollback("gateway", "10:03");       // a new decision
  const Finding elsewhere = testdata::CanaryRollback("checkout", "10:03");  // another subject
  d->Offer(first);
  d->Drain();
  now += absl::Minutes(3);
  d->Offer(again);
  d->Offer(elsewhere);
  d->Drain();
  now += absl::Minutes(10);
  const Finding later = testdata::CanaryRollback("gateway", "10:13");
  d->Offer(later);
  d->Drain();
  EXPECT_EQ(Outcomes(d->Runs()), (std::vector<std::string>{"ok", "cooldown", "ok", "ok"}));
  EXPECT_EQ(Ran(dir), (std::vector<std::string>{first.id, elsewhere.id, later.id}));
}

TEST(ActionDispatcherTest, ARestartWithAStateDirectoryDoesNotActAgain) {
  testdata::TempDir dir;
  actions::DispatcherOptions options;
  options.state_dir = dir / "state";
  const std::string yaml = Recorder(dir, "    dry_run: false\n");
  const Finding f = testdata::CanaryRollback("gateway", "t1");
  {
    auto d = testdata::Dispatcher(yaml, options);
    ASSERT_NE(d, nullptr);
    d->Offer(f);
    d->Drain();
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "state/actions_acted.tsv"));
  // The restarted serve reports the same decision again, and a new one.
  auto d = testdata::Dispatcher(yaml, options);
  ASSERT_NE(d, nullptr);
  const Finding next = testdata::CanaryRollback("gateway", "t2");
  d->Offer(f);
  d->Offer(next);
  d->Drain();
  EXPECT_EQ(Ran(dir), (std::vector<std::string>{f.id, next.id}));
  EXPECT_EQ(d->Stats().repeats, 1u);

  // Without the state directory, a restart would act again.
  auto forgetful = testdata::Dispatcher(yaml);
  ASSERT_NE(forgetful, nullptr);
  forgetful->Offer(f);
  forgetful->Drain();
  EXPECT_EQ(Ran(dir).size(), 3u);
}

TEST(ActionDispatcherTest, AFullQueueDropsAndCounts) {
  testdata::HookServer server;
  server.Hold();  // the first run waits for its answer
  actions::DispatcherOptions options;
  options.queue_capacity = 1;
  auto d = testdata::Dispatcher(
      absl::StrCat("actions:\n  - {name: page, on: [drift], dry_run: false, webhook: \"",
                   server.url("/x"), "\"}\n"),
      options);
  ASSERT_NE(d, nullptr);
  d->Offer(testdata::Drift("sg-1"));
  ASSERT_TRUE(testdata::Eventually([&] { return server.requests().size() == 1; }));
  d->Offer(testdata::Drift("sg-2"));  // waits in the queue
  d->Offer(testdata::Drift("sg-3"));  // no room: dropped, never blocks
  EXPECT_EQ(d->Stats().dropped, 1u);
  EXPECT_EQ(d->Stats().queued, 1u);
  server.Release();
  d->Drain();
  EXPECT_EQ(Outcomes(d->Runs()), (std::vector<std::string>{"ok", "ok"}));
  // A dropped finding was not acted on: offered again, it runs.
  d->Offer(testdata::Drift("sg-3"));
  d->Drain();
  EXPECT_EQ(d->Runs().size(), 3u);
}

TEST(ActionDispatcherTest, FollowsTheFindingsHub) {
  testdata::TempDir dir;
  auto d = testdata::Dispatcher(Recorder(dir, "    dry_run: false\n"));
  ASSERT_NE(d, nullptr);
  FindingsHub hub;
  const Finding before = testdata::CanaryRollback("gateway", "t1");
  hub.Publish({before});  // published before it followed: still acted on
  d->Follow(&hub);
  const Finding after = testdata::CanaryRollback("checkout", "t2");
  hub.Publish({testdata::Drift("sg-web"), after});
  ASSERT_TRUE(testdata::Eventually([&] { return d->Runs().size() == 2; }));
  hub.Close();
  d->Stop();
  EXPECT_EQ(Ran(dir), (std::vector<std::string>{before.id, after.id}));
}

}  // namespace
}  // namespace logweave

// Tests for FollowSource (connectors/follow): checkpoints across restarts, what a corrupt or
// foreign checkpoint does, one follower per state directory. Shared setup:
// support/follow_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/follow_fixture.h"

namespace logweave::follow_source_test {
namespace {

TEST_F(FollowSourceTest, RestartResumesAtTheCheckpointWithoutRereadingOrSkipping) {
  const std::string app = Path("ledger.log");
  const std::string unfinished = Line(3);
  Append(app, Lines(0, 3) + unfinished.substr(0, 25));
  EXPECT_GE(FollowOnceAndCheckpoint().checkpoint_writes, 1u);
  FileCheckpoint cp = CheckpointOf(app);
  EXPECT_EQ(cp.offset, Lines(0, 3).size());
  EXPECT_EQ(cp.lines, 3u);
  struct stat st;
  ASSERT_EQ(::stat(app.c_str(), &st), 0);
  EXPECT_EQ(cp.inode, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(cp.dev, static_cast<uint64_t>(st.st_dev));

  Append(app, unfinished.substr(25) + "\n" + Lines(4, 6));
  auto second = Source(Options());
  ASSERT_TRUE(second->PollOnce().ok());
  std::vector<TimelineEvent> events = Arrived();
  ASSERT_THAT(events, SizeIs(6));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(events[i].message, "posted entry " + std::to_string(i));
    EXPECT_EQ(events[i].line_no, static_cast<uint64_t>(i + 1));  // numbering goes on
  }
  EXPECT_EQ(pipeline_->Stats().lines, 6u);
  EXPECT_EQ(pipeline_->Stats().duplicate_lines, 0u);
  EXPECT_EQ(second->Stats().resumed_files, 1u);
  EXPECT_EQ(second->Stats().restarted_files, 0u);
}

TEST_F(FollowSourceTest, RestartWithTheFileReplacedStartsOverAndSaysSo) {
  const std::string app = WriteLedger(3);
  FollowOnceAndCheckpoint();
  // Another file (another inode) takes the path while no follower runs.
  Append(Path("ledger.tmp"), Lines(3, 5));
  fs::rename(Path("ledger.tmp"), app);

  auto second = Restart(
      {app + " is another file than its checkpoint names", "reading it from the beginning"}, 5);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->Stats().restarted_files, 1u);
}

TEST_F(FollowSourceTest, RestartWithTheSameInodeRewrittenIsNoticedByTheFingerprint) {
  const std::string app = WriteLedger(3);
  FollowOnceAndCheckpoint();
  fs::resize_file(app, 0);  // same inode, new content longer than the old offset
  Append(app, Lines(3, 8));

  auto second = Restart({"does not match"}, 8);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->Stats().restarted_files, 1u);
  EXPECT_EQ(second->Stats().resumed_files, 0u);
}

TEST_F(FollowSourceTest, RestartDrainsAFileRotatedWhileNoFollowerRan) {
  const std::string app = WriteLedger(2);
  FollowOnceAndCheckpoint();
  Append(app, Lines(2, 4));
  fs::rename(app, Path("ledger.log.1"));  // outside *.log
  Append(app, Lines(4, 6));

  auto second = Restart({"rotated to"}, 6);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(pipeline_->Stats().lines, 6u);
}

TEST_F(FollowSourceTest, CheckpointNeverGetsAheadOfIndexedLines) {
  pipeline_ = MakePipeline(1);
  // Stall the only worker inside another batch's on_indexed: nothing else gets indexed.
  absl::Notification stalled, release;
  RawBatch blocker;
  blocker.source_id = pipeline_->AddSource("gateway.log");
  blocker.AddLine(testdata::PythonLine("gateway", "other-trace", 0, "request received"), 0, 1);
  pipeline_->Submit(std::move(blocker), [&] {
    stalled.Notify();
    release.WaitForNotification();
  });
  stalled.WaitForNotification();

  const std::string app = WriteLedger(3);
  auto source = Polled();  // submitted, not indexed
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Stats().lines, 3u);
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, 0u);
  EXPECT_EQ(CheckpointOf(app).lines, 0u);

  release.Notify();
  pipeline_->Flush();
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, Lines(0, 3).size());
  EXPECT_EQ(CheckpointOf(app).lines, 3u);
}

TEST_F(FollowSourceTest, CorruptCheckpointIsMovedAsideAndEveryFileStartsOver) {
  const std::string app = WriteLedger(3);
  fs::create_directories(Path("state"));
  const std::string garbage = "{\"version\":1,\"files\":[{\"path\":\"/var/log/led\x01";
  Append(CheckpointPath(), garbage);

  FollowOptions options = Options();
  options.start_at = "end";  // overridden: the policy prefers duplicates over loss
  testing::internal::CaptureStderr();
  auto source = Source(options);
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_NE(source, nullptr);
  EXPECT_THAT(err, HasSubstr("checkpoint file " + CheckpointPath() + " is corrupt"));
  EXPECT_THAT(err, HasSubstr("moved it to " + CheckpointPath() + ".corrupt-"));
  EXPECT_THAT(err, HasSubstr("reading every file from the beginning"));
  EXPECT_EQ(source->Stats().corrupt_checkpoints, 1u);

  EXPECT_FALSE(fs::exists(CheckpointPath()));
  std::vector<std::string> aside;
  for (const auto& entry : fs::directory_iterator(Path("state"))) {
    if (entry.path().filename().string().starts_with("checkpoints.json.corrupt-")) {
      aside.push_back(entry.path().string());
    }
  }
  ASSERT_THAT(aside, SizeIs(1));
  EXPECT_EQ(ReadAll(aside[0]), garbage);  // kept as evidence

  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 3)));
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, Lines(0, 3).size());
}

TEST_F(FollowSourceTest, ReadCheckpointFileSaysWhatIsWrong) {
  fs::create_directories(Path("state"));
  EXPECT_EQ(ReadCheckpointFile(CheckpointPath()).status().code(), absl::StatusCode::kNotFound);

  Append(CheckpointPath(), "{\"version\":1,\"files\":[{\"path\":\"a.log\",\"dev\":1}]}");
  auto bad = ReadCheckpointFile(CheckpointPath());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("files[0].fingerprint"));

  fs::remove(CheckpointPath());
  Append(CheckpointPath(), "");
  EXPECT_EQ(ReadCheckpointFile(CheckpointPath()).status().code(), absl::StatusCode::kDataLoss);

  fs::remove(CheckpointPath());
  Append(CheckpointPath(), "{\"version\":1,\"files\":[]}");
  auto empty = ReadCheckpointFile(CheckpointPath());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(*empty, IsEmpty());
}

TEST_F(FollowSourceTest, SecondFollowerOnTheSameStateDirIsRefused) {
  auto first = Source(Options());
  ASSERT_NE(first, nullptr);
  auto second = FollowSource::Create(Options(), pipeline_.get());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("in use by another follower"));
  first.reset();
  EXPECT_TRUE(FollowSource::Create(Options(), pipeline_.get()).ok());
}

TEST_F(FollowSourceTest, RunWithStopSetDrainsFlushesAndCheckpoints) {
  const std::string app = WriteLedger(4);
  FollowOptions options = Options();
  options.checkpoint_interval = absl::Hours(1);  // only Run's final checkpoint counts
  auto source = Source(options);
  std::atomic<bool> stop{true};
  ASSERT_TRUE(source->Run(stop).ok());
  // Run returned after the pipeline indexed everything.
  EXPECT_EQ(pipeline_->Stats().lines, 4u);
  EXPECT_EQ(CheckpointOf(app).offset, Lines(0, 4).size());
  EXPECT_EQ(CheckpointOf(app).lines, 4u);
}

TEST_F(FollowSourceTest, WithoutStateDirNothingIsWritten) {
  const std::string app = WriteLedger(2);
  FollowOptions options = Options();
  options.state_dir.clear();
  auto source = Source(options);
  ASSERT_TRUE(source->PollOnce().ok());
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 2)));
  EXPECT_FALSE(fs::exists(Path("state")));
  EXPECT_EQ(source->Stats().checkpoint_writes, 0u);
}

}  // namespace
}  // namespace logweave::follow_source_test

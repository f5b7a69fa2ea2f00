// Tests for FollowSource (connectors/follow): options, appended and partial lines, rotation
// by rename and by copy-truncate, new files. Shared setup: support/follow_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/follow_fixture.h"

namespace logweave::follow_source_test {
namespace {

TEST(FollowOptionsTest, DefaultsWithAPathAreValid) {
  FollowOptions o;
  o.paths = {"/var/log/app/*.log"};
  EXPECT_TRUE(o.Validate().ok()) << o.Validate();
  EXPECT_EQ(o.poll_interval, absl::Milliseconds(250));
  EXPECT_EQ(o.start_at, "beginning");
  EXPECT_EQ(o.fingerprint_bytes, 256u);
}

TEST(FollowOptionsTest, RejectsBadValuesNamingTheField) {
  FollowOptions o;
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);  // no paths
  o.paths = {"app.log"};
  o.start_at = "middle";
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("start_at"));
  o.start_at = "end";
  o.poll_interval = absl::ZeroDuration();
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("poll_interval"));
  o.poll_interval = absl::Seconds(1);
  o.fingerprint_bytes = 0;
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("fingerprint_bytes"));
  o.fingerprint_bytes = 64;
  o.paths = {"app.log", ""};
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("paths[1]"));
}

TEST_F(FollowSourceTest, AppendedLinesAppearAfterPoll) {
  const std::string app = WriteLedger(3);
  auto source = Polled();
  ASSERT_NE(source, nullptr);
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 3)));

  Append(app, Lines(3, 5));
  ASSERT_TRUE(source->PollOnce().ok());
  std::vector<TimelineEvent> events = Arrived();
  ASSERT_THAT(events, SizeIs(5));
  uint64_t offset = 0;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(events[i].message, "posted entry " + std::to_string(i));
    EXPECT_EQ(events[i].line_no, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(events[i].source_offset, offset);
    EXPECT_EQ(events[i].source, app);
    offset += Line(i).size() + 1;
  }
  FollowStats stats = source->Stats();
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.lines, 5u);
  EXPECT_EQ(stats.bytes, offset);
  EXPECT_EQ(pipeline_->Stats().lines, 5u);

  // Nothing new: nothing read.
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_EQ(source->Stats().lines, 5u);
}

TEST_F(FollowSourceTest, PartialLineIsHeldUntilItsNewline) {
  const std::string app = Path("ledger.log");
  const std::string second = Line(1);
  Append(app, Line(0) + "\n" + second.substr(0, 40));
  auto source = Polled();
  ASSERT_NE(source, nullptr);
  EXPECT_THAT(ArrivedMessages(), ElementsAre("posted entry 0"));

  Append(app, second.substr(40));  // complete, but no newline yet
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAre("posted entry 0"));
  EXPECT_EQ(pipeline_->Stats().lines, 1u);

  Append(app, "\n");
  ASSERT_TRUE(source->PollOnce().ok());
  pipeline_->Flush();
  auto t = pipeline_->index().GetTimeline(kTrace, {.with_raw = true});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_THAT(t->events, SizeIs(2));
  EXPECT_EQ(t->events[1].raw, second);  // one line, not two fragments
  EXPECT_EQ(t->events[1].line_no, 2u);
  EXPECT_EQ(t->events[1].source_offset, Line(0).size() + 1);
  EXPECT_EQ(pipeline_->Stats().lines, 2u);

  // The checkpoint never covers a held line.
  Append(app, "{\"half\":");
  ASSERT_TRUE(source->PollOnce().ok());
  pipeline_->Flush();
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, Line(0).size() + second.size() + 2);
  EXPECT_EQ(CheckpointOf(app).lines, 2u);
}

TEST_F(FollowSourceTest, OverlongPartialLineIsNotBufferedAndEndsUpTruncated) {
  const std::string app = Path("ledger.log");
  FollowOptions options = Options();
  options.batching.max_line_bytes = 512;
  Append(app, Line(0) + "\n" + std::string(2000, 'x'));
  auto source = Source(options);
  ASSERT_TRUE(source->PollOnce().ok());
  // The line before the long one is not held back by it.
  EXPECT_THAT(ArrivedMessages(), ElementsAre("posted entry 0"));

  Append(app, std::string(3000, 'y'));
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_EQ(pipeline_->Stats().lines, 1u);

  Append(app, "\n" + Lines(1, 2));
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAre("posted entry 0", "posted entry 1"));
  IngestStats stats = pipeline_->Stats();
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_EQ(stats.truncated_lines, 1u);
  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, fs::file_size(app));
  EXPECT_EQ(CheckpointOf(app).lines, 3u);
}

TEST_F(FollowSourceTest, RenameRotationReadsOldFileToItsEndThenTheNewFile) {
  const std::string app = WriteLedger(3);
  auto source = Polled();
  ASSERT_NE(source, nullptr);

  Append(app, Lines(3, 5));  // written before the rotation, not read yet
  fs::rename(app, Path("ledger.log.1"));
  Append(app, Lines(5, 8));
  ASSERT_TRUE(source->PollOnce().ok());

  std::vector<TimelineEvent> events = Arrived();
  std::vector<std::string> messages;
  for (const auto& e : events) messages.push_back(e.message);
  EXPECT_THAT(messages, ElementsAreArray(Messages(0, 8)));
  // The new file starts over at line 1, offset 0; both belong to the path's source.
  ASSERT_THAT(events, SizeIs(8));
  EXPECT_EQ(events[5].line_no, 1u);
  EXPECT_EQ(events[5].source_offset, 0u);
  EXPECT_EQ(events[5].source, app);
  EXPECT_EQ(events[4].source, app);
  FollowStats stats = source->Stats();
  EXPECT_EQ(stats.rotations, 1u);
  EXPECT_EQ(stats.truncations, 0u);
  EXPECT_EQ(stats.files, 1u);  // the rotated file is closed (rotate_wait 0)
  EXPECT_EQ(pipeline_->Stats().lines, 8u);

  // Only the new file stays in the checkpoint once the old one's lines are indexed.
  ASSERT_TRUE(source->PollOnce().ok());
  auto loaded = ReadCheckpointFile(CheckpointPath());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_EQ((*loaded)[0].offset, Lines(5, 8).size());
}

TEST_F(FollowSourceTest, FileRenamedToAnotherMatchingNameIsNotReadTwice) {
  const std::string app = Path("ledger.log");
  FollowOptions options = Options();
  options.paths = {Path("ledger.log*")};
  Append(app, Lines(0, 3));
  auto source = Source(options);
  ASSERT_TRUE(source->PollOnce().ok());

  Append(app, Lines(3, 5));
  fs::rename(app, Path("ledger.log.1"));
  Append(app, Lines(5, 8));
  ASSERT_TRUE(source->PollOnce().ok());
  ASSERT_TRUE(source->PollOnce().ok());

  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 8)));
  EXPECT_EQ(pipeline_->Stats().lines, 8u);
  EXPECT_EQ(source->Stats().files, 2u);
  EXPECT_EQ(source->Stats().rotations, 1u);
}

TEST_F(FollowSourceTest, RotateWaitKeepsReadingWhatTheWriterAddsToTheOldFile) {
  const std::string app = Path("ledger.log");
  FollowOptions options = Options();
  options.rotate_wait = absl::Hours(1);
  std::ofstream writer(app, std::ios::binary);  // a writer that has not reopened yet
  writer << Lines(0, 2) << std::flush;
  auto source = Source(options);
  ASSERT_TRUE(source->PollOnce().ok());

  fs::rename(app, Path("ledger.log.1"));
  ASSERT_TRUE(source->PollOnce().ok());
  writer << Lines(2, 4) << std::flush;  // still into the renamed file
  ASSERT_TRUE(source->PollOnce().ok());
  Append(app, Lines(4, 6));
  ASSERT_TRUE(source->PollOnce().ok());

  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 6)));
  EXPECT_EQ(source->Stats().files, 2u);
  EXPECT_EQ(source->Stats().rotations, 1u);
}

TEST_F(FollowSourceTest, CopyTruncateRestartsAtZeroAndCountsTheTruncation) {
  const std::string app = WriteLedger(5);
  auto source = Polled();
  ASSERT_NE(source, nullptr);

  fs::copy_file(app, Path("ledger.log.1"));
  fs::resize_file(app, 0);
  Append(app, Lines(5, 7));  // shorter than what was read before
  std::string err = PollCapturingStderr(*source);
  EXPECT_THAT(err, HasSubstr(app));
  EXPECT_THAT(err, HasSubstr("truncated"));

  std::vector<TimelineEvent> events = Arrived();
  ASSERT_THAT(events, SizeIs(7));
  for (int i = 0; i < 7; ++i) EXPECT_EQ(events[i].message, "posted entry " + std::to_string(i));
  EXPECT_EQ(events[5].line_no, 1u);
  EXPECT_EQ(events[5].source_offset, 0u);
  EXPECT_EQ(events[6].line_no, 2u);
  EXPECT_EQ(source->Stats().truncations, 1u);
  EXPECT_EQ(source->Stats().rotations, 0u);

  ASSERT_TRUE(source->Checkpoint().ok());
  EXPECT_EQ(CheckpointOf(app).offset, Lines(5, 7).size());
  EXPECT_EQ(CheckpointOf(app).lines, 2u);
}

TEST_F(FollowSourceTest, TruncateAndRewriteLongerIsNoticedByTheFingerprint) {
  const std::string app = WriteLedger(2);
  auto source = Polled();
  ASSERT_NE(source, nullptr);

  // Between two polls: truncated and written past the old offset.
  fs::resize_file(app, 0);
  Append(app, Lines(2, 6));
  ASSERT_GT(fs::file_size(app), Lines(0, 2).size());
  EXPECT_THAT(PollCapturingStderr(*source), HasSubstr("rewritten"));

  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 6)));
  EXPECT_EQ(source->Stats().truncations, 1u);
}

TEST_F(FollowSourceTest, NewFileMatchingTheGlobIsPickedUp) {
  Append(Path("ledger.log"), Line(0) + "\n");
  auto source = Polled();
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Stats().files, 1u);

  Append(Path("payments.log"), Line(1) + "\n");
  Append(Path("payments.txt"), Line(2) + "\n");  // does not match *.log
  fs::create_directory(Path("archive.log"));     // matches, but is no file
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAre("posted entry 0", "posted entry 1"));
  EXPECT_EQ(source->Stats().files, 2u);
  EXPECT_EQ(source->Stats().files_opened, 2u);
}

TEST_F(FollowSourceTest, StartAtEndSkipsWhatWasThereButReadsNewFilesWhole) {
  const std::string app = Path("ledger.log");
  const std::string unfinished = Line(3);
  Append(app, Lines(0, 3) + unfinished.substr(0, 30));
  FollowOptions options = Options();
  options.start_at = "end";
  auto source = Source(options);
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_EQ(source->Stats().lines, 0u);

  // The line that was being written at the start is new: it is read whole.
  Append(app, unfinished.substr(30) + "\n" + Lines(4, 5));
  Append(Path("payments.log"), Lines(5, 6));  // appeared later: read from its beginning
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(3, 6)));
}

}  // namespace
}  // namespace logweave::follow_source_test

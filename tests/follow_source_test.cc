// FollowSource: appends, partial lines, rotation by rename and by
// copytruncate, new files, checkpoints that only cover indexed lines,
// restarts and corrupt checkpoint files. Every step is a PollOnce(); nothing
// waits on the clock.
#include "connectors/follow/follow_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "logweave/pipeline.h"
#include "testdata/lines.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kTrace[] = "pay-7f3a9c";

// Line i of the followed service: one trace, one millisecond apart.
std::string Line(int i) {
  return testdata::PythonLine("ledger", kTrace, i, "posted entry " + std::to_string(i));
}

// Lines [from, to), each with its '\n'.
std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += Line(i) + "\n";
  return out;
}

// The messages Lines(from, to) produce, in order.
std::vector<std::string> Messages(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("posted entry " + std::to_string(i));
  return out;
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class FollowSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/follow_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    pipeline_ = MakePipeline(2);
  }
  void TearDown() override {
    pipeline_.reset();
    fs::remove_all(dir_);
  }

  static std::unique_ptr<Pipeline> MakePipeline(uint32_t threads) {
    PipelineOptions options;
    options.threads = threads;
    options.index.shards = 4;
    auto p = Pipeline::Create(options);
    EXPECT_TRUE(p.ok()) << p.status();
    return std::move(*p);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string CheckpointPath() const { return Path("state/") + kFollowCheckpointFile; }

  // Follows dir/*.log with checkpoints in dir/state; rotated files are closed
  // at once and every poll writes the checkpoint, so tests need no clock.
  FollowOptions Options() const {
    FollowOptions o;
    o.paths = {Path("*.log")};
    o.state_dir = Path("state");
    o.rotate_wait = absl::ZeroDuration();
    o.checkpoint_interval = absl::ZeroDuration();
    return o;
  }

  std::unique_ptr<FollowSource> Source(const FollowOptions& options) {
    auto s = FollowSource::Create(options, pipeline_.get());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // The events of kTrace in the order they were submitted.
  std::vector<TimelineEvent> Arrived() {
    pipeline_->Flush();
    auto t = pipeline_->index().GetTimeline(kTrace);
    if (!t.ok()) return {};
    std::vector<TimelineEvent> events = t->events;
    std::sort(events.begin(), events.end(),
              [](const TimelineEvent& a, const TimelineEvent& b) { return a.seq < b.seq; });
    return events;
  }
  std::vector<std::string> ArrivedMessages() {
    std::vector<std::string> out;
    for (const TimelineEvent& e : Arrived()) out.push_back(e.message);
    return out;
  }

  // The checkpoint entry of `path` (fails the test if there is none).
  FileCheckpoint CheckpointOf(const std::string& path) {
    auto loaded = ReadCheckpointFile(CheckpointPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    if (loaded.ok()) {
      for (const FileCheckpoint& cp : *loaded) {
        if (cp.path == path) return cp;
      }
    }
    ADD_FAILURE() << "no checkpoint for " << path;
    return {};
  }

  std::string dir_;
  std::unique_ptr<Pipeline> pipeline_;
};

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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());
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
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());

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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 5));
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());

  fs::copy_file(app, Path("ledger.log.1"));
  fs::resize_file(app, 0);
  Append(app, Lines(5, 7));  // shorter than what was read before
  testing::internal::CaptureStderr();
  ASSERT_TRUE(source->PollOnce().ok());
  std::string err = testing::internal::GetCapturedStderr();
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 2));
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());

  // Between two polls: truncated and written past the old offset.
  fs::resize_file(app, 0);
  Append(app, Lines(2, 6));
  ASSERT_GT(fs::file_size(app), Lines(0, 2).size());
  testing::internal::CaptureStderr();
  ASSERT_TRUE(source->PollOnce().ok());
  EXPECT_THAT(testing::internal::GetCapturedStderr(), HasSubstr("rewritten"));

  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 6)));
  EXPECT_EQ(source->Stats().truncations, 1u);
}

TEST_F(FollowSourceTest, NewFileMatchingTheGlobIsPickedUp) {
  Append(Path("ledger.log"), Line(0) + "\n");
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());
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

TEST_F(FollowSourceTest, RestartResumesAtTheCheckpointWithoutRereadingOrSkipping) {
  const std::string app = Path("ledger.log");
  const std::string unfinished = Line(3);
  Append(app, Lines(0, 3) + unfinished.substr(0, 25));
  {
    auto first = Source(Options());
    ASSERT_TRUE(first->PollOnce().ok());
    pipeline_->Flush();
    ASSERT_TRUE(first->Checkpoint().ok());
    EXPECT_GE(first->Stats().checkpoint_writes, 1u);
  }
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
  {
    auto first = Source(Options());
    ASSERT_TRUE(first->PollOnce().ok());
    pipeline_->Flush();
    ASSERT_TRUE(first->Checkpoint().ok());
  }
  // Another file (another inode) takes the path while no follower runs.
  Append(Path("ledger.tmp"), Lines(3, 5));
  fs::rename(Path("ledger.tmp"), app);

  testing::internal::CaptureStderr();
  auto second = Source(Options());
  ASSERT_TRUE(second->PollOnce().ok());
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr(app + " is another file than its checkpoint names"));
  EXPECT_THAT(err, HasSubstr("reading it from the beginning"));
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 5)));
  EXPECT_EQ(second->Stats().restarted_files, 1u);
}

TEST_F(FollowSourceTest, RestartWithTheSameInodeRewrittenIsNoticedByTheFingerprint) {
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
  {
    auto first = Source(Options());
    ASSERT_TRUE(first->PollOnce().ok());
    pipeline_->Flush();
    ASSERT_TRUE(first->Checkpoint().ok());
  }
  fs::resize_file(app, 0);  // same inode, new content longer than the old offset
  Append(app, Lines(3, 8));

  testing::internal::CaptureStderr();
  auto second = Source(Options());
  ASSERT_TRUE(second->PollOnce().ok());
  EXPECT_THAT(testing::internal::GetCapturedStderr(), HasSubstr("does not match"));
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 8)));
  EXPECT_EQ(second->Stats().restarted_files, 1u);
  EXPECT_EQ(second->Stats().resumed_files, 0u);
}

TEST_F(FollowSourceTest, RestartDrainsAFileRotatedWhileNoFollowerRan) {
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 2));
  {
    auto first = Source(Options());
    ASSERT_TRUE(first->PollOnce().ok());
    pipeline_->Flush();
    ASSERT_TRUE(first->Checkpoint().ok());
  }
  Append(app, Lines(2, 4));
  fs::rename(app, Path("ledger.log.1"));  // outside *.log
  Append(app, Lines(4, 6));

  testing::internal::CaptureStderr();
  auto second = Source(Options());
  ASSERT_TRUE(second->PollOnce().ok());
  EXPECT_THAT(testing::internal::GetCapturedStderr(), HasSubstr("rotated to"));
  EXPECT_THAT(ArrivedMessages(), ElementsAreArray(Messages(0, 6)));
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

  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
  auto source = Source(Options());
  ASSERT_TRUE(source->PollOnce().ok());  // submitted, not indexed
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 3));
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 4));
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
  const std::string app = Path("ledger.log");
  Append(app, Lines(0, 2));
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
}  // namespace logweave

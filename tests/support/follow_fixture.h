// What the FollowSource tests share (follow_source_test, follow_checkpoint_test): the lines
// of a followed service and a fixture with a temporary directory and a pipeline.
// Thread-compatible: one fixture per test.
#ifndef LOGWEAVE_TESTS_SUPPORT_FOLLOW_FIXTURE_H_
#define LOGWEAVE_TESTS_SUPPORT_FOLLOW_FIXTURE_H_

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
#include "connectors/follow/follow_source.h"
#include "logweave/pipeline.h"
#include "testdata/lines.h"

namespace logweave::follow_source_test {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

inline constexpr char kTrace[] = "pay-7f3a9c";

// Line i of the followed service: one trace, one millisecond apart.
inline std::string Line(int i) {
  return testdata::PythonLine("ledger", kTrace, i, "posted entry " + std::to_string(i));
}

// Lines [from, to), each with its '\n'.
inline std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += Line(i) + "\n";
  return out;
}

// The messages Lines(from, to) produce, in order.
inline std::vector<std::string> Messages(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("posted entry " + std::to_string(i));
  return out;
}

inline void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadAll(const std::string& path) {
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

  // Writes lines [0, `lines`) to dir/ledger.log (appending); its path.
  std::string WriteLedger(int lines) const {
    const std::string path = Path("ledger.log");
    Append(path, Lines(0, lines));
    return path;
  }

  // A follower over Options() that has polled once; null (and a failure) if it could not be
  // created or polled.
  std::unique_ptr<FollowSource> Polled() {
    auto source = Source(Options());
    const bool polled = source != nullptr && source->PollOnce().ok();
    EXPECT_TRUE(polled);
    return polled ? std::move(source) : nullptr;
  }

  // A follower over Options() that polls once, waits until what it read is
  // indexed, writes its checkpoint and stops: the run before a restart. Its stats.
  FollowStats FollowOnceAndCheckpoint() {
    auto first = Source(Options());
    if (first == nullptr) return {};
    EXPECT_TRUE(first->PollOnce().ok());
    pipeline_->Flush();
    EXPECT_TRUE(first->Checkpoint().ok());
    return first->Stats();
  }

  // A follower over Options() after a restart, created and polled once with stderr captured:
  // expects what it printed to hold each of `says`, and lines [0, `lines`) to have arrived in
  // order. Null (and a failure) if it could not be created or polled.
  std::unique_ptr<FollowSource> Restart(const std::vector<std::string>& says, int lines) {
    ::testing::internal::CaptureStderr();
    auto source = Source(Options());
    const bool polled = source != nullptr && source->PollOnce().ok();
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(polled) << err;
    if (!polled) return nullptr;
    for (const std::string& s : says) EXPECT_THAT(err, ::testing::HasSubstr(s));
    EXPECT_THAT(ArrivedMessages(), ::testing::ElementsAreArray(Messages(0, lines)));
    return source;
  }

  // Polls `source` once with stderr captured; what it printed. The poll must succeed.
  static std::string PollCapturingStderr(FollowSource& source) {
    ::testing::internal::CaptureStderr();
    const bool polled = source.PollOnce().ok();
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(polled) << err;
    return err;
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

}  // namespace logweave::follow_source_test

#endif  // LOGWEAVE_TESTS_SUPPORT_FOLLOW_FIXTURE_H_

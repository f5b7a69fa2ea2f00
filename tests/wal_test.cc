// The write-ahead log (connectors/wal): its records, torn tails, retention,
// and restarts through the Runtime that keep the index, for followed files
// and for Kafka (librdkafka's mock cluster).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "connectors/file/replay_source.h"
#include "connectors/follow/follow_source.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/wal/wal_format.h"
#include "connectors/wal/wal_replay_source.h"
#include "connectors/wal/wal_restore.h"
#include "connectors/wal/wal_writer.h"
#include "logweave/journal.h"
#include "logweave/runtime.h"
#include "testdata/lines.h"
#include "testdata/wait_for.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;

constexpr int kTraces = 40;
const char* const kServices[] = {"gateway", "checkout", "ledger", "notifier"};

// Line i: trace i % kTraces, a unique message, time i ms.
std::string Line(int i) {
  return testdata::PythonLine(kServices[i % 4], absl::StrFormat("trace-%04d", i % kTraces), i,
                              absl::StrFormat("step %d", i));
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(30)) {
  return testdata::PollUntil(condition, timeout, absl::Milliseconds(10));
}

std::string TempDir() {
  std::string tmpl = ::testing::TempDir() + "/wal_test_XXXXXX";
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

void AppendLines(const std::string& path, int first, int count) {
  std::ofstream out(path, std::ios::app);
  for (int i = first; i < first + count; ++i) out << Line(i) << "\n";
}

RawBatch Batch(int first, int count, uint64_t offset = 0) {
  RawBatch b;
  for (int i = first; i < first + count; ++i) {
    std::string line = Line(i);
    b.AddLine(line, offset, static_cast<uint64_t>(i + 1), i == first ? kLineHadBOM : 0);
    offset += line.size() + 1;
  }
  return b;
}

std::unique_ptr<Runtime> MakeRuntime() {
  RuntimeOptions options;
  options.pipeline.threads = 2;
  auto runtime = Runtime::Create(options);
  EXPECT_TRUE(runtime.ok()) << runtime.status();
  return std::move(*runtime);
}

// Every trace of lines [0, total) has all its events in the index, once.
void ExpectAllTimelines(const Pipeline& pipeline, int total) {
  int mismatches = 0;
  for (int t = 0; t < kTraces; ++t) {
    const std::string trace = absl::StrFormat("trace-%04d", t);
    const size_t expected = total / kTraces + (t < total % kTraces ? 1 : 0);
    auto timeline = pipeline.index().GetTimeline(trace);
    if ((!timeline.ok() || timeline->events.size() != expected) && ++mismatches <= 5) {
      ADD_FAILURE() << trace << ": expected " << expected << " events, got "
                    << (timeline.ok() ? std::to_string(timeline->events.size())
                                      : std::string(timeline.status().message()));
    }
  }
}

// --- The pipeline's journal ---

// Records which batches (by their first line) were appended.
class RecordingJournal final : public BatchJournal {
 public:
  void Append(const RawBatch& batch, std::string_view name, std::string_view service) override {
    absl::MutexLock lock(&mu_);
    appended_.emplace_back(batch.Line(0));
    names_.push_back(std::string(name) + "|" + std::string(service));
  }
  absl::Status Sync() override {
    absl::MutexLock lock(&mu_);
    ++syncs_;
    return sync_status_;
  }
  bool Has(std::string_view first_line) const {
    absl::MutexLock lock(&mu_);
    return std::find(appended_.begin(), appended_.end(), first_line) != appended_.end();
  }
  mutable absl::Mutex mu_;
  std::vector<std::string> appended_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status sync_status_ ABSL_GUARDED_BY(mu_);
};

TEST(PipelineJournalTest, EveryBatchIsJournaledBeforeItsOnIndexedRunsExceptReplayedOnes) {
  auto runtime = MakeRuntime();
  Pipeline& pipeline = runtime->pipeline();
  auto owned = std::make_unique<RecordingJournal>();
  RecordingJournal* journal = owned.get();
  pipeline.SetJournal(std::move(owned));
  const uint32_t live = pipeline.AddSource("logs/app.log");
  const uint32_t replayed = pipeline.AddSource("logs/old.log", "", /*journaled=*/false);
  std::atomic<int> acknowledged{0}, missing{0};
  for (int b = 0; b < 50; ++b) {
    RawBatch batch = Batch(b * 10, 10);
    batch.source_id = b % 2 == 0 ? live : replayed;
    const std::string first(batch.Line(0));
    const bool journaled = b % 2 == 0;
    pipeline.Submit(std::move(batch), [&, first, journaled] {
      if (journaled && !journal->Has(first)) ++missing;
      ++acknowledged;
    });
  }
  pipeline.Flush();
  EXPECT_EQ(acknowledged.load(), 50);
  EXPECT_EQ(missing.load(), 0);
  absl::MutexLock lock(&journal->mu_);
  EXPECT_EQ(journal->appended_.size(), 25u);
  EXPECT_EQ(journal->names_.front(), "logs/app.log|app");
}

TEST(PipelineJournalTest, SyncJournalReportsTheJournalsError) {
  auto runtime = MakeRuntime();
  EXPECT_TRUE(runtime->pipeline().SyncJournal().ok());  // none: nothing to sync
  auto owned = std::make_unique<RecordingJournal>();
  RecordingJournal* journal = owned.get();
  runtime->pipeline().SetJournal(std::move(owned));
  EXPECT_TRUE(runtime->pipeline().SyncJournal().ok());
  {
    absl::MutexLock lock(&journal->mu_);
    journal->sync_status_ = absl::ResourceExhaustedError("wal: disk full");
  }
  EXPECT_EQ(runtime->pipeline().SyncJournal().code(), absl::StatusCode::kResourceExhausted);
}

TEST(PipelineJournalTest, ALiveSourceTakesOverTheRestoredOneOfItsName) {
  auto runtime = MakeRuntime();
  Pipeline& pipeline = runtime->pipeline();
  const uint32_t restored = pipeline.AddRestoredSource("kafka:logs/0", "logs");
  const uint32_t other = pipeline.AddSource("kafka:logs/0", "other-service");
  EXPECT_NE(other, restored);  // another default service: another source
  EXPECT_EQ(pipeline.AddSource("kafka:logs/0", "logs"), restored);
  EXPECT_NE(pipeline.AddSource("kafka:logs/0", "logs"), restored);  // taken over once
}

// --- Records and segments ---

TEST(WalFormatTest, ARecordKeepsSourceLinesPositionsAndFlags) {
  RawBatch batch = Batch(0, 50, 1000);
  const std::string record = wal::EncodeRecord(batch, "logs/app.log", "app", 1234, 1);
  wal::LoggedBatch out;
  size_t size = 0;
  ASSERT_TRUE(wal::DecodeRecord(record + "trailing", &out, &size).ok());
  EXPECT_EQ(size, record.size());
  EXPECT_EQ(out.source_name, "logs/app.log");
  EXPECT_EQ(out.default_service, "app");
  EXPECT_EQ(out.append_unix_ms, 1234);
  ASSERT_EQ(out.batch.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(out.batch.Line(i), batch.Line(i));
    EXPECT_EQ(out.batch.lines[i].source_offset, batch.lines[i].source_offset);
    EXPECT_EQ(out.batch.lines[i].line_no, batch.lines[i].line_no);
    EXPECT_EQ(out.batch.lines[i].flags, batch.lines[i].flags);
  }
  EXPECT_EQ(out.batch.data, batch.data);  // NUL after each line, as AddLine keeps it
}

TEST(WalFormatTest, TornAndCorruptRecordsAreDataLoss) {
  const std::string record = wal::EncodeRecord(Batch(0, 20), "a", "a", 0, 1);
  wal::LoggedBatch out;
  size_t size = 0;
  for (size_t cut : {size_t{0}, size_t{10}, size_t{24}, record.size() - 1}) {
    EXPECT_EQ(wal::DecodeRecord(record.substr(0, cut), &out, &size).code(),
              absl::StatusCode::kDataLoss)
        << cut;
  }
  std::string flipped = record;
  flipped[record.size() / 2] ^= 0x40;
  EXPECT_THAT(wal::DecodeRecord(flipped, &out, &size),
              testing::Property(&absl::Status::message, testing::HasSubstr("checksum")));
}

// Writes `batches` batches of 100 lines through a WalWriter in `dir`.
WalWriterStats WriteBatches(const WalOptions& options, int batches, int first = 0) {
  auto writer = WalWriter::Open(options);
  EXPECT_TRUE(writer.ok()) << writer.status();
  for (int b = 0; b < batches; ++b) {
    (*writer)->Append(Batch(first + b * 100, 100), "app.log", "app");
  }
  EXPECT_TRUE((*writer)->Sync().ok());
  return (*writer)->Stats();
}

TEST(WalWriterTest, AnotherProcessCannotOpenALockedDirectory) {
  WalOptions options;
  options.dir = TempDir() + "/wal";
  auto first = WalWriter::Open(options);
  ASSERT_TRUE(first.ok()) << first.status();
  // flock locks belong to the open file description: a second open conflicts
  // as another process's would.
  EXPECT_EQ(WalWriter::Open(options).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(WalWriterTest, RetentionDeletesTheOldestSegmentsBeyondMaxBytes) {
  WalOptions options;
  options.dir = TempDir() + "/wal";
  options.segment_bytes = 64 << 10;
  options.max_bytes = 256 << 10;
  WalWriterStats s = WriteBatches(options, 400);
  EXPECT_GT(s.segments_deleted, 0u);
  EXPECT_LE(s.disk_bytes, options.max_bytes + options.segment_bytes + (64 << 10));
  auto listed = wal::ListSegments(options.dir);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), s.segments);
  // What is left replays: the newest lines, whole batches.
  auto runtime = MakeRuntime();
  WalReplaySource replay(options.dir, &runtime->pipeline());
  ASSERT_TRUE(runtime->ReadToEnd(replay).ok());
  EXPECT_GT(replay.Stats().lines, 0u);
  EXPECT_LT(replay.Stats().lines, 40000u);
  EXPECT_EQ(replay.Stats().lines % 100, 0u);
  EXPECT_EQ(replay.Stats().torn_records, 0u);
}

// --- Torn tails ---

class WalTornTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = TempDir() + "/wal";
    WriteBatches(options_, 5);
    auto listed = wal::ListSegments(options_.dir);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    segment_ = wal::SegmentPath(options_.dir, listed->front());
    good_size_ = fs::file_size(segment_);
  }
  WalReplayStats Replay(uint64_t* indexed) {
    auto runtime = MakeRuntime();
    WalReplaySource replay(options_.dir, &runtime->pipeline());
    EXPECT_TRUE(runtime->ReadToEnd(replay).ok());
    *indexed = runtime->pipeline().Stats().indexed_events;
    return replay.Stats();
  }
  WalOptions options_;
  std::string segment_;
  uint64_t good_size_ = 0;
};

TEST_F(WalTornTailTest, AHalfWrittenRecordIsCutOffAndCounted) {
  // A process killed in mid-write: the next record's first 300 bytes.
  const std::string next = wal::EncodeRecord(Batch(500, 100), "app.log", "app", 0, 1);
  std::ofstream(segment_, std::ios::app) << next.substr(0, 300);
  uint64_t indexed = 0;
  WalReplayStats s = Replay(&indexed);
  EXPECT_EQ(s.lines, 500u);
  EXPECT_EQ(indexed, 500u);
  EXPECT_EQ(s.torn_records, 1u);
  EXPECT_EQ(s.truncated_bytes, 300u);
  EXPECT_EQ(fs::file_size(segment_), good_size_);
  // Cut for good: the next start finds nothing torn.
  s = Replay(&indexed);
  EXPECT_EQ(s.torn_records, 0u);
  EXPECT_EQ(s.lines, 500u);
}

TEST_F(WalTornTailTest, ACorruptRecordEndsItsSegmentButNotTheNext) {
  {
    std::fstream f(segment_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(good_size_ - 40));
    f.put('\x7f');
  }
  WriteBatches(options_, 2, 1000);  // a later run's segment
  uint64_t indexed = 0;
  WalReplayStats s = Replay(&indexed);
  EXPECT_EQ(s.segments, 2u);
  EXPECT_EQ(s.torn_records, 1u);
  EXPECT_EQ(s.lines, 400u + 200u);  // the 5th batch of the first segment is lost
  EXPECT_EQ(indexed, 600u);
}

TEST_F(WalTornTailTest, ASegmentWithABadHeaderIsRemoved) {
  const std::string junk = wal::SegmentPath(options_.dir, 99);
  std::ofstream(junk) << "garbage";
  uint64_t indexed = 0;
  WalReplayStats s = Replay(&indexed);
  EXPECT_EQ(s.torn_records, 1u);
  EXPECT_EQ(s.lines, 500u);
  EXPECT_FALSE(fs::exists(junk));
}

// --- Through the runtime ---

TEST(WalRuntimeTest, ReplayedFilesAreNotJournaled) {
  const std::string dir = TempDir();
  AppendLines(dir + "/app.log", 0, 300);
  auto runtime = MakeRuntime();
  WalOptions options;
  options.dir = dir + "/state/wal";
  auto restored = RestoreAndJournal(options, runtime.get());
  ASSERT_TRUE(restored.ok()) << restored.status();
  ReplaySource files({dir + "/app.log"}, {}, &runtime->pipeline());
  ASSERT_TRUE(runtime->ReadToEnd(files).ok());
  EXPECT_EQ(runtime->pipeline().Stats().indexed_events, 300u);
  EXPECT_EQ(restored->writer->Stats().records, 0u);
}

// A log of lines [0, `lines`) (AppendLines) in a directory of the test's own, and a state
// directory beside it.
struct WrittenLog {
  explicit WrittenLog(int lines) { AppendLines(log, 0, lines); }
  const std::string dir = TempDir();
  const std::string log = dir + "/app.log";
  const std::string state = dir + "/state";
};

// A Runtime following `paths` with checkpoints and the log in `state`.
struct FollowRun {
  FollowRun(const std::string& state, const std::vector<std::string>& paths) {
    runtime = MakeRuntime();
    WalOptions options;
    options.dir = state + "/wal";
    auto r = RestoreAndJournal(options, runtime.get());
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) restored = *r;
    FollowOptions fo;
    fo.paths = paths;
    fo.state_dir = state;
    fo.poll_interval = absl::Milliseconds(20);
    fo.rotate_wait = absl::Milliseconds(200);
    auto follow = FollowSource::Create(fo, &runtime->pipeline());
    EXPECT_TRUE(follow.ok()) << follow.status();
    if (follow.ok()) runtime->Start(std::move(*follow));
  }
  uint64_t Indexed() const { return runtime->pipeline().Stats().indexed_events; }
  // Waits until `events` events are indexed; whether they were in time.
  bool AwaitIndexed(uint64_t events) const {
    return WaitFor([&] { return Indexed() == events; });
  }
  std::unique_ptr<Runtime> runtime;
  WalRestore restored;
};

TEST(WalRuntimeTest, AFollowRestartKeepsWhatWasIndexedAndReadsNothingTwice) {
  const WrittenLog w(2000);
  {
    FollowRun run(w.state, {w.log});
    ASSERT_TRUE(run.AwaitIndexed(2000));
    run.runtime->Stop();  // drains, checkpoints, syncs the log
  }
  {
    FollowRun run(w.state, {w.log});
    EXPECT_EQ(run.restored.replay.lines, 2000u);
    EXPECT_EQ(run.restored.replay.torn_records, 0u);
    // Before anything new arrives: the index of the last run, counted once.
    IngestStats s = run.runtime->pipeline().Stats();
    EXPECT_EQ(s.lines, 2000u);
    EXPECT_EQ(s.indexed_events, 2000u);
    EXPECT_EQ(s.traces, uint64_t{kTraces});
    ExpectAllTimelines(run.runtime->pipeline(), 2000);
    auto timeline = run.runtime->pipeline().index().GetTimeline("trace-0007");
    ASSERT_TRUE(timeline.ok());
    EXPECT_EQ(timeline->events.front().source, w.log);  // the same source name
    EXPECT_EQ(timeline->events.front().line_no, 8u);
    // The follower resumes at its checkpoint: new lines only, on the same source.
    AppendLines(w.log, 2000, 1000);
    ASSERT_TRUE(run.AwaitIndexed(3000));
    run.runtime->Stop();
    s = run.runtime->pipeline().Stats();
    EXPECT_EQ(s.lines, 3000u);
    EXPECT_EQ(s.duplicate_lines, 0u);
    ExpectAllTimelines(run.runtime->pipeline(), 3000);
    std::vector<SourceStatus> sources = run.runtime->pipeline().SourceStatuses();
    ASSERT_EQ(sources.size(), 1u);  // taken over, not listed twice
    EXPECT_EQ(sources[0].lines, 3000u);
  }
}

TEST(WalRuntimeTest, ACheckpointNeverCoversLinesTheLogLacks) {
  // Whatever the moment of a stop without drain (the process dies): every
  // line before the checkpoint's offset is in the log. Checked here by
  // reading both after a run whose runtime is abandoned without Stop.
  const WrittenLog w(5000);
  {
    FollowRun run(w.state, {w.log});
    ASSERT_TRUE(run.AwaitIndexed(5000));
    ASSERT_TRUE(WaitFor([&] { return fs::exists(w.state + "/checkpoints.json"); }));
    auto checkpoints = ReadCheckpointFile(w.state + "/checkpoints.json");
    ASSERT_TRUE(checkpoints.ok()) << checkpoints.status();
    ASSERT_EQ(checkpoints->size(), 1u);
    const uint64_t covered = (*checkpoints)[0].lines;
    // The log holds at least the lines the checkpoint covers (its first
    // `covered` lines, as a crash right now would leave it).
    uint64_t logged = 0;
    auto segments = wal::ListSegments(w.state + "/wal");
    ASSERT_TRUE(segments.ok());
    for (uint64_t n : *segments) {
      std::ifstream in(wal::SegmentPath(w.state + "/wal", n), std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string_view rest = std::string_view(data).substr(8);
      wal::LoggedBatch b;
      size_t size = 0;
      while (!rest.empty() && wal::DecodeRecord(rest, &b, &size).ok()) {
        logged += b.batch.size();
        rest.remove_prefix(size);
      }
    }
    EXPECT_GE(logged, covered);
    run.runtime->Stop();
  }
}

// --- Kafka ---

TEST(WalKafkaTest, ARestartKeepsWhatWasConsumedAndCommitsSkipNothing) {
  auto kafka = EmbeddedKafka::Create();
  ASSERT_TRUE(kafka.ok()) << kafka.status();
  ASSERT_TRUE((*kafka)->CreateTopic("app-logs", 2).ok());
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) lines.push_back(Line(i));
  ASSERT_TRUE((*kafka)->ProduceLines("app-logs", lines).ok());
  KafkaSourceOptions ko;
  ko.brokers = (*kafka)->bootstrap();
  ko.group_id = "wal-restart";
  ko.topics = {"app-logs"};
  ko.start = "committed";  // the default: at the group's commits, the earliest without
  ko.batch_timeout = absl::Milliseconds(20);
  ko.commit_interval = absl::Milliseconds(100);
  ko.properties = {{"session.timeout.ms", "6000"},
                   {"heartbeat.interval.ms", "500"},
                   {"fetch.wait.max.ms", "50"}};
  const std::string state = TempDir();
  auto run = [&](int expect_restored, int expect_total) {
    auto runtime = MakeRuntime();
    WalOptions options;
    options.dir = state + "/wal";
    auto restored = RestoreAndJournal(options, runtime.get());
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->replay.lines, uint64_t(expect_restored));
    // What the last run consumed is queryable before the consumer runs.
    EXPECT_EQ(runtime->pipeline().Stats().indexed_events, uint64_t(expect_restored));
    if (expect_restored > 0) ExpectAllTimelines(runtime->pipeline(), expect_restored);
    auto consumer = KafkaSource::Create(ko, &runtime->pipeline());
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    runtime->Start(std::move(*consumer));
    ASSERT_TRUE(WaitFor(
        [&] { return runtime->pipeline().Stats().indexed_events >= uint64_t(expect_total); }));
    runtime->Stop();  // commits what is indexed
    IngestStats s = runtime->pipeline().Stats();
    EXPECT_EQ(s.indexed_events, uint64_t(expect_total));
    EXPECT_EQ(s.lines, uint64_t(expect_total));  // committed offsets are not read again
    ExpectAllTimelines(runtime->pipeline(), expect_total);
  };
  run(0, 2000);
  lines.clear();
  for (int i = 2000; i < 3000; ++i) lines.push_back(Line(i));
  ASSERT_TRUE((*kafka)->ProduceLines("app-logs", lines).ok());
  run(2000, 3000);
}

}  // namespace
}  // namespace logweave

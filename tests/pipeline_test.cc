// The pipeline end to end: batches from many threads and files into the
// sharded index, timelines checked event by event.
#include "logweave/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "connectors/file/file_source.h"
#include "testdata/lines.h"
#include "testdata/submit_lines.h"
#include "testdata/test_dir.h"

namespace logweave {
namespace {

using testdata::Ns;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::unique_ptr<Pipeline> MakePipeline(uint32_t threads = 2, uint32_t shards = 8) {
  PipelineOptions options;
  options.threads = threads;
  options.index.shards = shards;
  auto p = Pipeline::Create(options);
  EXPECT_TRUE(p.ok()) << p.status();
  return std::move(*p);
}

RawBatch Batch(uint32_t source, const std::vector<std::string>& lines, uint64_t first_line = 1) {
  RawBatch b;
  b.source_id = source;
  uint64_t offset = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    b.AddLine(lines[i], offset, first_line + i);
    offset += lines[i].size() + 1;
  }
  return b;
}

std::vector<std::string> Messages(const Timeline& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events) out.push_back(e.message);
  return out;
}

// The watermark follows the slowest source still sending, so that a source
// that lags holds judgements back; one that ended or went quiet does not.
TEST(PipelineTest, WatermarkIsTheSlowestSourceStillSending) {
  auto p = MakePipeline();
  const uint32_t fast = p->AddSource("gateway.log");
  const uint32_t slow = p->AddSource("payments.log");
  EXPECT_EQ(p->Watermark(), 0);  // no line yet
  std::vector<std::string> gateway, payments;
  for (int s = 0; s <= 100; ++s) gateway.push_back(testdata::ZapLine("g", s * 1000, "tick"));
  for (int s = 0; s <= 10; ++s) payments.push_back(testdata::ZapLine("p", s * 1000, "tick"));
  testdata::SubmitLines(p.get(), fast, gateway, 7);
  testdata::SubmitLines(p.get(), slow, payments, 3);
  p->Flush();
  const absl::Time now = absl::Now();
  EXPECT_EQ(p->Watermark(now), Ns(10'000));
  EXPECT_EQ(p->Stats().watermark_ns, Ns(10'000));
  EXPECT_EQ(p->Stats().max_time_ns, Ns(100'000));
  // Quiet for longer than detectors.source_idle (60 s): nothing holds back.
  EXPECT_EQ(p->Watermark(now + absl::Seconds(61)), Ns(100'000));
  // The slow source catches up part of the way.
  std::vector<std::string> more;
  for (int s = 11; s <= 50; ++s) more.push_back(testdata::ZapLine("p", s * 1000, "tick"));
  testdata::SubmitLines(p.get(), slow, more, 5);
  p->Flush();
  EXPECT_EQ(p->Watermark(), Ns(50'000));
  // It ended: the fast one alone sets the watermark.
  p->EndSource(slow);
  EXPECT_EQ(p->Watermark(), Ns(100'000));
}

TEST(PipelineTest, SameTraceFromManyThreadsLandsInOneOrderedTimeline) {
  auto p = MakePipeline(2, 16);
  uint32_t src = p->AddSource("checkout.log");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i += 50) {
        std::vector<std::string> lines;
        for (int j = i; j < i + 50; ++j) {
          int ms = j * kThreads + t;  // interleaved times across threads
          lines.push_back(
              testdata::PythonLine("checkout", "trace-shared", ms, "step " + std::to_string(ms)));
          lines.push_back(
              testdata::PythonLine("checkout", "trace-" + std::to_string(j % 7), ms, "other"));
        }
        p->Submit(Batch(src, lines));
      }
    });
  }
  for (auto& t : threads) t.join();
  p->Flush();

  auto timeline = p->index().GetTimeline("trace-shared");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_EQ(timeline->events.size(), kThreads * kPerThread);
  for (size_t i = 0; i < timeline->events.size(); ++i) {
    EXPECT_EQ(timeline->events[i].time_ns, Ns(static_cast<int64_t>(i))) << i;
    EXPECT_EQ(timeline->events[i].message, "step " + std::to_string(i));
  }
  IngestStats s = p->Stats();
  EXPECT_EQ(s.lines, 2u * kThreads * kPerThread);
  EXPECT_EQ(s.traces, 8u);
  EXPECT_EQ(s.indexed_events, s.lines);
}

TEST(PipelineTest, TimelineMergesServicesByEventTimeAndTiesKeepArrivalOrder) {
  auto p = MakePipeline();
  uint32_t gw = p->AddSource("logs/gateway.log");
  uint32_t pay = p->AddSource("logs/payments.log");
  p->Submit(Batch(gw, {testdata::ZapLine("t1", 0, "request received"),
                       testdata::ZapLine("t1", 300, "response sent")}));
  p->Submit(Batch(pay, {testdata::EcsLine("payments", "t1", 100, "authorize"),
                        testdata::EcsLine("payments", "t1", 100, "authorized same ms"),
                        testdata::PinoLine("ledger", "t1", 200, "ledger write", 50)}));
  p->Flush();
  auto t = p->index().GetTimeline("t1", {.with_raw = true});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(Messages(*t), ElementsAre("request received", "authorize", "authorized same ms",
                                        "ledger write", "response sent"));
  EXPECT_THAT(t->services, ElementsAre("gateway", "payments", "ledger"));
  EXPECT_EQ(t->events[0].service, "gateway");  // from the file name
  EXPECT_EQ(t->events[0].source, "logs/gateway.log");
  EXPECT_EQ(t->events[3].level, Level::kError);
  EXPECT_EQ(t->events[4].line_no, 2u);
  EXPECT_EQ(t->events[1].raw, testdata::EcsLine("payments", "t1", 100, "authorize"));
  EXPECT_EQ(t->start_ns, Ns(0));
  EXPECT_EQ(t->end_ns, Ns(300));
}

TEST(PipelineTest, LineWithoutTimeKeepsItsFileOrder) {
  auto p = MakePipeline();
  uint32_t src = p->AddSource("email.log");
  p->Submit(
      Batch(src, {
                     R"({"timestamp":"2026-11-23T10:00:01Z","event":"first","trace_id":"t"})",
                     R"({"timestamp":"yesterday","event":"no usable time","trace_id":"t"})",
                     R"({"event":"no time at all","trace_id":"t"})",
                     R"({"timestamp":"2026-11-23T10:00:00Z","event":"earliest","trace_id":"t"})",
                 }));
  p->Flush();
  auto t = p->index().GetTimeline("t");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(Messages(*t), ElementsAre("earliest", "first", "no usable time", "no time at all"));
  EXPECT_FALSE(t->events[2].has_time);
  EXPECT_EQ(t->events[2].time_ns, Ns(1000));  // inherits the line before it
  IngestStats s = p->Stats();
  EXPECT_EQ(s.bad_time_lines, 1u);
  EXPECT_EQ(s.no_time_lines, 1u);
}

TEST(PipelineTest, ExactDuplicateJsonLinesAreKeptOnceAndCounted) {
  auto p = MakePipeline();
  uint32_t a = p->AddSource("ledger.log");
  uint32_t b = p->AddSource("ledger-retry.log");
  std::string line = testdata::PinoLine("ledger", "dup", 5, "write");
  p->Submit(Batch(a, {line, testdata::PinoLine("ledger", "dup", 6, "commit")}));
  p->Submit(Batch(b, {line, line}));  // a shipper's retry, twice
  p->Flush();
  auto t = p->index().GetTimeline("dup");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(Messages(*t), ElementsAre("write", "commit"));
  EXPECT_EQ(p->Stats().duplicate_lines, 2u);
}

TEST(PipelineTest, RepeatedPlainTextLinesAreNotDeduplicated) {
  auto p = MakePipeline();
  uint32_t src = p->AddSource("payments.log");
  p->Submit(Batch(
      src, {"\tat com.example.Pay.run(Pay.java:10)", "\tat com.example.Pay.run(Pay.java:10)", ""}));
  p->Flush();
  IngestStats s = p->Stats();
  EXPECT_EQ(s.duplicate_lines, 0u);
  EXPECT_EQ(s.unstructured_lines, 2u);
  EXPECT_EQ(s.empty_lines, 1u);
  EXPECT_EQ(s.indexed_events, 2u);
}

// Found by the pipeline fuzzer: a secret's replacement can be longer than the
// secret, and the bytes counted are those read, not those kept.
TEST(PipelineTest, BytesCountedAreTheLinesAsReadWhateverRedactionReplaced) {
  auto p = MakePipeline();
  uint32_t src = p->AddSource("auth.log");
  const std::vector<std::string> lines = {
      "login user=bob password=hunter2&next=/",  // the replacement is longer than the secret
      testdata::PinoLine("auth", "t1", 5, "token AKIAIOSFODNN7EXAMPLE used"),
      "plain line without a secret"};
  uint64_t read = 0;
  for (const std::string& line : lines) read += line.size();
  p->Submit(Batch(src, lines));
  p->Flush();
  const IngestStats s = p->Stats();
  ASSERT_EQ(s.lines, 3u);
  uint64_t redacted = 0;
  for (const auto& [rule, count] : s.redactions) redacted += count;
  EXPECT_EQ(redacted, 2u);  // both secrets were replaced
  EXPECT_EQ(s.bytes, read);
}

TEST(PipelineTest, UnknownAndEmptyTraceIdsAreDistinctErrors) {
  auto p = MakePipeline();
  EXPECT_EQ(p->index().GetTimeline("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p->index().GetTimeline("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PipelineTest, TinyQueueBudgetBlocksSourcesButLosesNothing) {
  PipelineOptions options;
  options.threads = 2;
  options.queue_bytes = 1 << 20;  // the minimum
  auto p = std::move(*Pipeline::Create(options));
  uint32_t src = p->AddSource("gateway.log");
  constexpr int kBatches = 200;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
      lines.push_back(
          testdata::ZapLine("t" + std::to_string(i), b * 100 + i, std::string(100, 'x')));
    }
    p->Submit(Batch(src, lines, b * 100 + 1));
  }
  p->Flush();
  IngestStats s = p->Stats();
  EXPECT_EQ(s.lines, kBatches * 100u);
  EXPECT_EQ(s.indexed_events, kBatches * 100u);
  EXPECT_EQ(s.queued_bytes, 0u);
  EXPECT_EQ(p->index().GetTimeline("t42")->events.size(), static_cast<size_t>(kBatches));
}

TEST(PipelineTest, InvalidOptionsAreRejected) {
  PipelineOptions options;
  options.queue_bytes = 10;
  EXPECT_EQ(Pipeline::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options = PipelineOptions();
  options.batching.max_line_bytes = 0;
  EXPECT_EQ(Pipeline::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

class MultiFileReplayTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testdata::MakeTestDir("multi_file"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::vector<std::string>& lines,
                    const std::string& eol = "\n") {
    std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    for (const auto& l : lines) out << l << eol;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(MultiFileReplayTest, TimelinesAcrossFilesMatchEventByEvent) {
  Write("gateway.log", {testdata::ZapLine("a1", 0, "request received"),
                        testdata::ZapLine("b2", 5, "request received"),
                        testdata::ZapLine("a1", 90, "response sent"),
                        testdata::ZapLine("b2", 95, "response sent")});
  Write("checkout.log",
        {testdata::PythonLine("checkout", "a1", 10, "cart_loaded"),
         testdata::PythonLine("checkout", "b2", 12, "cart_loaded"),
         "2026-11-23T10:00:00.050Z ERROR Connection timeout to inventory",
         testdata::PythonLine("checkout", "a1", 60, "order_created")},
        "\r\n");
  Write("ledger.log", {testdata::PinoLine("ledger", "a1", 70, "ledger write"),
                       testdata::PinoLine("ledger", "b2", 20, "ledger write")});
  auto p = MakePipeline();
  ExpandedPaths paths = ExpandReplayPaths({dir_.string()});
  ASSERT_TRUE(paths.errors.empty());
  ASSERT_EQ(paths.files.size(), 3u);
  for (const auto& f : paths.files) {
    uint32_t src = p->AddSource(f);
    ASSERT_TRUE(ReadSource(f, {}, src, [&](RawBatch&& b) { p->Submit(std::move(b)); }).ok());
  }
  p->Flush();

  auto a1 = p->index().GetTimeline("a1");
  ASSERT_TRUE(a1.ok());
  std::vector<std::pair<std::string, std::string>> got;
  std::vector<int64_t> times;
  for (const auto& e : a1->events) {
    got.emplace_back(e.service, e.message);
    times.push_back(e.time_ns);
  }
  EXPECT_THAT(got, ElementsAre(std::pair<std::string, std::string>{"gateway", "request received"},
                               std::pair<std::string, std::string>{"checkout", "cart_loaded"},
                               std::pair<std::string, std::string>{"checkout", "order_created"},
                               std::pair<std::string, std::string>{"ledger", "ledger write"},
                               std::pair<std::string, std::string>{"gateway", "response sent"}));
  EXPECT_THAT(times, ElementsAreArray({Ns(0), Ns(10), Ns(60), Ns(70), Ns(90)}));
  auto b2 = p->index().GetTimeline("b2");
  ASSERT_TRUE(b2.ok());
  EXPECT_THAT(Messages(*b2),
              ElementsAre("request received", "cart_loaded", "ledger write", "response sent"));
  IngestStats s = p->Stats();
  EXPECT_EQ(s.lines, 10u);
  EXPECT_EQ(s.unstructured_lines, 1u);
  EXPECT_EQ(s.crlf_lines, 4u);
  EXPECT_EQ(s.traces, 2u);
}

// The nice values of this process's threads, from /proc/self/task/*/stat.
std::vector<int> ThreadNiceValues() {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command (which may hold spaces) start after the last ')'.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && rest >> field; ++i) {
      if (i == 19) out.push_back(std::stoi(field));
    }
  }
  return out;
}

TEST(PipelineTest, WorkerThreadsRunAtTheGivenNiceValue) {
  const std::vector<int> initial = ThreadNiceValues();
  const int before = static_cast<int>(std::count(initial.begin(), initial.end(), 9));
  PipelineOptions options;
  options.threads = 3;
  options.worker_nice = 9;
  auto p = Pipeline::Create(options);
  ASSERT_TRUE(p.ok()) << p.status();
  // Workers lower their priority as they start: wait for all three (bounded).
  int at_nine = 0;
  for (int i = 0; i < 500 && at_nine < before + 3; ++i) {
    std::vector<int> nice = ThreadNiceValues();
    at_nine = static_cast<int>(std::count(nice.begin(), nice.end(), 9));
    if (at_nine < before + 3) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(at_nine, before + 3);
  options.worker_nice = 20;
  EXPECT_EQ(Pipeline::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PipelineTest, IndexBudgetMustLeaveEveryShardItsMinimum) {
  PipelineOptions options;
  options.threads = 2;
  options.index.shards = 16;
  options.index.max_bytes = 64ull << 20;  // 4 MiB a shard
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Create(options);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("index.shards"), std::string_view::npos) << p.status();
  options.index.shards = 8;  // 8 MiB of batches and 7 MiB a shard
  EXPECT_TRUE(Pipeline::Create(options).ok());
}

}  // namespace
}  // namespace logweave

namespace logweave {
namespace {

TEST(PipelineCheckpointTest, OnIndexedRunsOnceAfterEveryLineOfTheBatchIsSearchable) {
  auto p = MakePipeline(2, 8);
  uint32_t src = p->AddSource("ledger.log");
  std::atomic<int> calls{0};
  std::atomic<int> found{0};
  for (int b = 0; b < 50; ++b) {
    std::vector<std::string> lines;
    for (int i = 0; i < 20; ++i) {
      lines.push_back(testdata::PinoLine(
          "ledger", "b" + std::to_string(b) + "-" + std::to_string(i), b * 20 + i, "write"));
    }
    const std::string last = "b" + std::to_string(b) + "-19";
    p->Submit(Batch(src, lines), [&, last] {
      ++calls;
      if (p->index().GetTimeline(last).ok()) ++found;
    });
  }
  p->Submit(Batch(src, {""}), [&] { ++calls; });  // an all-empty batch still reports
  p->Submit(RawBatch(), [&] { ++calls; });        // so does an empty one
  p->Flush();
  EXPECT_EQ(calls.load(), 52);
  EXPECT_EQ(found.load(), 50);
}

}  // namespace
}  // namespace logweave

// Recovery from Kafka (kafka.rebuild_window, issue 23): instance A (a real
// `logweave serve` process) consumes and commits, then is killed; instance B
// joins the same group, takes the partitions, and with rebuild_window reads
// them again from the offset of (now - window), so that it answers the
// timelines of traces A had consumed (the committed offsets alone would
// start B after all of them).
//
// librdkafka 2.0.2's mock cluster answers every ListOffsets by timestamp with
// offset -1 (rdkafka_mock_handlers.c: "FIXME: by timestamp"), so B's
// offsets_for_times answer comes from KafkaSourceOptions::offset_for_time_for_test:
// the offsets where the lines inside the window begin, noted when they were
// produced. Everything after that answer (the committed offsets, the seek
// below them, the counters, skipping what the source indexed itself) is the
// real path.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "logweave/pipeline.h"
#include "testdata/lines.h"
#include "testdata/serve_process.h"

namespace logweave {
namespace {

constexpr char kTopic[] = "app-logs";
constexpr char kGroup[] = "rebuild";
constexpr int kPartitions = 3;
constexpr int kOldTraces = 30;  // produced before the window: not rebuilt
constexpr int kNewTraces = 30;  // inside the window
constexpr int kStepsPerTrace = 4;
const char* const kServices[] = {"gateway", "checkout", "ledger", "notifier"};

// The lines of traces [first, first + count), each trace's lines consecutive.
std::vector<std::string> TraceLines(const std::string& prefix, int first, int count) {
  std::vector<std::string> lines;
  for (int t = first; t < first + count; ++t) {
    for (int step = 0; step < kStepsPerTrace; ++step) {
      lines.push_back(testdata::PythonLine(kServices[step], absl::StrFormat("%s-%03d", prefix, t),
                                           t * 100 + step, absl::StrFormat("step %d", step)));
    }
  }
  return lines;
}

// Each trace's lines in one message, keyed by trace id (the documented setup).
absl::Status ProduceTraces(EmbeddedKafka& kafka, const std::string& prefix, int count) {
  const std::vector<std::string> lines = TraceLines(prefix, 0, count);
  for (int t = 0; t < count; ++t) {
    std::string value;
    for (int step = 0; step < kStepsPerTrace; ++step) {
      absl::StrAppend(&value, lines[t * kStepsPerTrace + step], "\n");
    }
    if (absl::Status s = kafka.Produce(kTopic, absl::StrFormat("%s-%03d", prefix, t), value, t % 3);
        !s.ok()) {
      return s;
    }
  }
  return kafka.Flush();
}

// A consumer handle of `group` that never joins it: reads the group's
// committed offsets and the partitions' end offsets.
class GroupReader {
 public:
  GroupReader(const std::string& brokers, const std::string& group) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[256];
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    EXPECT_NE(rk_, nullptr) << err;
  }
  ~GroupReader() { rd_kafka_destroy(rk_); }

  // Committed offset per partition (-1: none).
  std::vector<int64_t> Committed() {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(kPartitions);
    for (int p = 0; p < kPartitions; ++p) rd_kafka_topic_partition_list_add(list, kTopic, p);
    std::vector<int64_t> out(kPartitions, -1);
    if (rd_kafka_committed(rk_, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
    return out;
  }
  int64_t End(int partition) {
    int64_t low = -1, high = -1;
    rd_kafka_query_watermark_offsets(rk_, kTopic, partition, &low, &high, 5000);
    return high;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
};

// A KafkaSource of the group on its own thread, with its pipeline.
class Instance {
 public:
  Instance(const std::string& brokers, const std::map<int32_t, int64_t>& window_start) {
    PipelineOptions p;
    p.threads = 2;
    pipeline_ = std::move(*Pipeline::Create(p));
    KafkaSourceOptions o;
    o.brokers = brokers;
    o.group_id = kGroup;
    o.topics = {kTopic};
    o.batch_timeout = absl::Milliseconds(20);
    o.commit_interval = absl::Milliseconds(100);
    o.properties = {{"session.timeout.ms", "3500"},
                    {"heartbeat.interval.ms", "300"},
                    {"fetch.wait.max.ms", "50"}};
    o.rebuild_window = absl::Hours(1);
    o.offset_for_time_for_test = [this, window_start](const std::string& topic, int32_t partition,
                                                      int64_t timestamp_ms) {
      asked_ms_ = timestamp_ms;
      EXPECT_EQ(topic, kTopic);
      auto it = window_start.find(partition);
      return it == window_start.end() ? int64_t{-1} : it->second;
    };
    auto source = KafkaSource::Create(o, pipeline_.get());
    EXPECT_TRUE(source.ok()) << source.status();
    source_ = std::move(*source);
    thread_ = std::thread([this] { status_ = source_->Run(stop_); });
  }
  ~Instance() {
    stop_ = true;
    thread_.join();
  }
  Pipeline& pipeline() { return *pipeline_; }
  KafkaSourceStats Stats() const { return source_->Stats(); }
  int64_t asked_ms() const { return asked_ms_; }

 private:
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<KafkaSource> source_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> asked_ms_{0};
  absl::Status status_;
  std::thread thread_;
};

TEST(KafkaRebuildTest, TheInstanceThatTakesAKilledInstancesPartitionsAnswersForTheWindow) {
  auto created = EmbeddedKafka::Create();
  ASSERT_TRUE(created.ok()) << created.status();
  EmbeddedKafka& kafka = **created;
  ASSERT_TRUE(kafka.CreateTopic(kTopic, kPartitions).ok());
  GroupReader group(kafka.bootstrap(), kGroup);
  // Lines older than the window, then the window's: where each partition's
  // window begins is what a broker's offsets_for_times would answer.
  ASSERT_TRUE(ProduceTraces(kafka, "old", kOldTraces).ok());
  std::map<int32_t, int64_t> window_start;
  for (int p = 0; p < kPartitions; ++p) window_start[p] = group.End(p);
  ASSERT_TRUE(ProduceTraces(kafka, "new", kNewTraces).ok());
  const uint64_t total_lines = (kOldTraces + kNewTraces) * kStepsPerTrace;

  // Instance A: a serve process in the group, killed once it has committed everything.
  const std::string dir = testdata::TempDir("kafka_rebuild");
  const std::string config = dir + "/a.yaml";
  std::ofstream(config) << "kafka:\n  brokers: \"" << kafka.bootstrap() << "\"\n  topics: ["
                        << kTopic << "]\n  group_id: " << kGroup
                        << "\n  properties:\n    session.timeout.ms: \"3500\"\n"
                           "    heartbeat.interval.ms: \"300\"\n    fetch.wait.max.ms: \"50\"\n";
  testdata::Serve a({"--config", config}, dir + "/a.err");
  ASSERT_TRUE(a.WaitReady());
  if (!testdata::WaitFor([&] { return a.Stat("lines") == total_lines; }, absl::Seconds(15))) {
    a.Signal(SIGTERM);
    a.Wait();
    FAIL() << a.err();
  }
  std::vector<int64_t> ends;
  for (int p = 0; p < kPartitions; ++p) ends.push_back(group.End(p));
  ASSERT_TRUE(testdata::WaitFor([&] { return group.Committed() == ends; }));
  const int a_events = a.TimelineEvents("new-007");
  ASSERT_EQ(a_events, kStepsPerTrace);
  a.Signal(SIGKILL);
  a.Wait();

  // Instance B takes the partitions. The committed offsets are at the end:
  // without the rebuild it would index nothing.
  const absl::Time b_started = absl::Now();
  Instance b(kafka.bootstrap(), window_start);
  ASSERT_TRUE(
      testdata::WaitFor([&] { return b.Stats().indexed_messages == uint64_t{kNewTraces}; }));
  EXPECT_EQ(b.pipeline().Stats().indexed_events, uint64_t{kNewTraces} * kStepsPerTrace);
  // It asked for the offset of (now - 1h).
  EXPECT_NEAR(static_cast<double>(b.asked_ms()),
              static_cast<double>(absl::ToUnixMillis(b_started - absl::Hours(1))), 60'000);
  for (int t = 0; t < kNewTraces; ++t) {
    auto timeline = b.pipeline().index().GetTimeline(absl::StrFormat("new-%03d", t));
    ASSERT_TRUE(timeline.ok()) << t << ": " << timeline.status();
    EXPECT_EQ(timeline->events.size(), size_t{kStepsPerTrace});
  }
  EXPECT_FALSE(b.pipeline().index().GetTimeline("old-007").ok());  // before the window
  KafkaSourceStats stats = b.Stats();
  EXPECT_EQ(stats.rebuilds, uint64_t{kPartitions});
  EXPECT_EQ(stats.rebuild_messages, uint64_t{kNewTraces});
  EXPECT_EQ(stats.rebuild_skipped, 0u);
  EXPECT_EQ(b.pipeline().Stats().duplicate_lines, 0u);
  // It commits nothing below what the group had committed.
  ASSERT_TRUE(testdata::WaitFor([&] { return group.Committed() == ends; }));

  // Instance C joins: the partitions are shared anew. B does not read again
  // what it indexed itself (its window is skipped, counted); C reads the
  // window of the partitions B gave up.
  Instance c(kafka.bootstrap(), window_start);
  const uint64_t per_partition = kNewTraces / kPartitions;
  ASSERT_TRUE(testdata::WaitFor([&] {
    const KafkaSourceStats cs = c.Stats();
    return !cs.partitions.empty() &&
           cs.partitions.size() + b.Stats().partitions.size() == size_t{kPartitions} &&
           cs.indexed_messages >= per_partition * cs.partitions.size();
  }));
  // A slow rebalance may take more than one round (each assignment counts):
  // what matters is that B read nothing again and C read only its window.
  const KafkaSourceStats bs = b.Stats();
  const KafkaSourceStats cs = c.Stats();
  EXPECT_EQ(bs.rebuilds, uint64_t{kPartitions});
  EXPECT_EQ(bs.rebuild_messages, uint64_t{kNewTraces});
  EXPECT_GE(bs.rebuild_skipped, per_partition * bs.partitions.size());
  EXPECT_EQ(bs.rebuild_skipped % per_partition, 0u);
  EXPECT_EQ(bs.indexed_messages, uint64_t{kNewTraces});
  EXPECT_EQ(b.pipeline().Stats().duplicate_lines, 0u);
  EXPECT_GE(cs.rebuilds, cs.partitions.size());
  EXPECT_GE(cs.rebuild_messages, per_partition * cs.partitions.size());
  EXPECT_EQ(cs.rebuild_messages % per_partition, 0u);
  EXPECT_EQ(c.pipeline().Stats().duplicate_lines, 0u);
  for (int t = 0; t < kNewTraces; ++t) {
    const bool in_c =
        std::any_of(cs.partitions.begin(), cs.partitions.end(),
                    [&](const KafkaPartitionStats& p) { return p.partition == t % 3; });
    if (in_c) {
      EXPECT_TRUE(c.pipeline().index().GetTimeline(absl::StrFormat("new-%03d", t)).ok()) << t;
    }
    EXPECT_TRUE(b.pipeline().index().GetTimeline(absl::StrFormat("new-%03d", t)).ok()) << t;
  }
}

}  // namespace
}  // namespace logweave

// What the KafkaSource tests share (kafka_source_test, kafka_rebalance_test): the lines of
// the test stream, a pipeline and a running source, and a fixture over an embedded (mock) Kafka
// cluster. Thread-compatible: one fixture per test; RunningSource runs the source on its thread.
#ifndef LOGWEAVE_TESTS_SUPPORT_KAFKA_FIXTURE_H_
#define LOGWEAVE_TESTS_SUPPORT_KAFKA_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "testdata/lines.h"
#include "testdata/wait_for.h"

namespace logweave::kafka_source_test {

inline constexpr char kTopic[] = "app-logs";
inline constexpr int kPartitions = 3;
inline constexpr int kTraces = 300;
inline const char* const kServices[] = {"gateway", "checkout", "ledger", "notifier"};

// Line i of the test stream: trace i % kTraces, a unique message, time i ms.
inline std::string Line(int i) {
  return testdata::PythonLine(kServices[i % 4], absl::StrFormat("trace-%04d", i % kTraces), i,
                              absl::StrFormat("step %d", i));
}

inline std::vector<std::string> Lines(int first, int count) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i) lines.push_back(Line(i));
  return lines;
}

// Polls `condition` every 10 ms until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& condition,
                    absl::Duration timeout = absl::Seconds(20)) {
  return testdata::PollUntil(condition, timeout, absl::Milliseconds(10));
}

inline std::unique_ptr<Pipeline> MakePipeline(uint64_t queue_bytes = 64ull << 20,
                                              uint32_t threads = 2) {
  PipelineOptions options;
  options.threads = threads;
  options.queue_bytes = queue_bytes;
  auto pipeline = Pipeline::Create(options);
  EXPECT_TRUE(pipeline.ok()) << pipeline.status();
  return std::move(*pipeline);
}

// A KafkaSource running on its own thread.
class RunningSource {
 public:
  RunningSource(const KafkaSourceOptions& options, Pipeline* pipeline) {
    auto source = KafkaSource::Create(options, pipeline);
    EXPECT_TRUE(source.ok()) << source.status();
    if (!source.ok()) return;
    source_ = std::move(*source);
    thread_ = std::thread([this] { status_ = source_->Run(stop_); });
  }
  ~RunningSource() { Stop().IgnoreError(); }

  // Stops the source (it drains and commits) and returns what Run returned.
  absl::Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  KafkaSourceStats Stats() const { return source_->Stats(); }
  bool ok() const { return source_ != nullptr; }

 private:
  std::unique_ptr<KafkaSource> source_;
  std::atomic<bool> stop_{false};
  absl::Status status_;
  std::thread thread_;
};

class KafkaSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kafka = EmbeddedKafka::Create();
    ASSERT_TRUE(kafka.ok()) << kafka.status();
    kafka_ = std::move(*kafka);
    ASSERT_TRUE(kafka_->CreateTopic(kTopic, kPartitions).ok());
  }

  KafkaSourceOptions Options(const std::string& group) const {
    KafkaSourceOptions o;
    o.brokers = kafka_->bootstrap();
    o.group_id = group;
    o.topics = {kTopic};
    o.batch_timeout = absl::Milliseconds(20);
    o.commit_interval = absl::Milliseconds(100);
    o.lag_interval = absl::Milliseconds(200);
    o.properties = {
        {"session.timeout.ms", "6000"},
        {"heartbeat.interval.ms", "500"},
        {"reconnect.backoff.max.ms", "500"},
        {"fetch.wait.max.ms", "50"},
    };
    return o;
  }

  // Every trace of lines [0, total) has all its events in the index, once.
  static void ExpectAllTimelines(const Pipeline& pipeline, int total) {
    int mismatches = 0;
    for (int t = 0; t < kTraces; ++t) {
      const std::string trace = absl::StrFormat("trace-%04d", t);
      const size_t expected = total / kTraces + (t < total % kTraces ? 1 : 0);
      auto timeline = pipeline.index().GetTimeline(trace);
      if (!timeline.ok() || timeline->events.size() != expected) {
        if (++mismatches <= 5) {
          ADD_FAILURE() << trace << ": expected " << expected << " events, got "
                        << (timeline.ok() ? std::to_string(timeline->events.size())
                                          : std::string(timeline.status().message()));
        }
      }
    }
    EXPECT_EQ(mismatches, 0);
  }

  void RebalanceToASecondConsumer(const std::string& strategy);

  std::unique_ptr<EmbeddedKafka> kafka_;
};

inline uint64_t Indexed(const Pipeline& p) { return p.Stats().indexed_events; }

}  // namespace logweave::kafka_source_test

#endif  // LOGWEAVE_TESTS_SUPPORT_KAFKA_FIXTURE_H_

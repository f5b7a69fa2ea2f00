// Tests for KafkaSource (connectors/kafka) against librdkafka's mock cluster: options,
// indexing every message once, resuming at committed offsets, broker errors and outages.
// Shared setup: support/kafka_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/kafka_fixture.h"

namespace logweave::kafka_source_test {
namespace {

TEST(KafkaSourceOptionsTest, RejectsBadOptionsWithTheFieldNamed) {
  KafkaSourceOptions good;
  good.brokers = "127.0.0.1:9";
  good.topics = {"logs"};
  EXPECT_TRUE(good.Validate().ok()) << good.Validate();

  auto expect_invalid = [&](const std::function<void(KafkaSourceOptions&)>& change,
                            const std::string& mentions) {
    KafkaSourceOptions o = good;
    change(o);
    absl::Status s = o.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << mentions;
    EXPECT_TRUE(absl::StrContains(s.message(), mentions)) << s;
  };
  expect_invalid([](auto& o) { o.brokers.clear(); }, "brokers");
  expect_invalid([](auto& o) { o.group_id.clear(); }, "group_id");
  expect_invalid([](auto& o) { o.topics.clear(); }, "topics");
  expect_invalid([](auto& o) { o.topics = {"a", ""}; }, "topics[1]");
  expect_invalid([](auto& o) { o.start = "beginning"; }, "start");
  expect_invalid([](auto& o) { o.service_from = "header"; }, "service_from");
  expect_invalid([](auto& o) { o.max_batch_messages = 0; }, "max_batch_messages");
  expect_invalid([](auto& o) { o.batch_timeout = absl::ZeroDuration(); }, "batch_timeout");
  expect_invalid([](auto& o) { o.commit_interval = -absl::Seconds(1); }, "commit_interval");
  expect_invalid([](auto& o) { o.rebuild_window = -absl::Hours(1); }, "rebuild_window");
  expect_invalid([](auto& o) { o.properties["enable.auto.commit"] = "true"; },
                 "enable.auto.commit");
  expect_invalid([](auto& o) { o.properties["group.id"] = "x"; }, "group_id");
}

TEST(KafkaSourceOptionsTest, CreateNamesThePropertyLibrdkafkaRejects) {
  auto pipeline = MakePipeline();
  KafkaSourceOptions o;
  o.brokers = "127.0.0.1:9";
  o.topics = {"logs"};
  o.properties["no.such.property"] = "1";
  auto source = KafkaSource::Create(o, pipeline.get());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(source.status().message(), "no.such.property")) << source.status();

  o.properties = {{"session.timeout.ms", "soon"}};
  source = KafkaSource::Create(o, pipeline.get());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(source.status().message(), "session.timeout.ms"))
      << source.status();
}

TEST_F(KafkaSourceTest, IndexesEveryMessageExactlyOnceAndCommitsToTheEnd) {
  constexpr int kTotal = 3000;
  ASSERT_TRUE(kafka_->ProduceLines(kTopic, Lines(0, kTotal)).ok());
  auto pipeline = MakePipeline();
  RunningSource source(Options("exactly-once"), pipeline.get());
  ASSERT_TRUE(source.ok());

  ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= kTotal; }))
      << Indexed(*pipeline) << " of " << kTotal << " indexed";
  // Every partition committed up to its end, and no lag left.
  ASSERT_TRUE(WaitFor([&] {
    KafkaSourceStats s = source.Stats();
    if (s.partitions.size() != kPartitions) return false;
    for (const auto& p : s.partitions) {
      if (p.high_watermark != kTotal / kPartitions || p.committed != p.high_watermark ||
          p.lag != 0 || p.unindexed != 0) {
        return false;
      }
    }
    return true;
  })) << "partitions never fully committed";

  KafkaSourceStats s = source.Stats();
  EXPECT_EQ(s.messages, kTotal);
  EXPECT_EQ(s.indexed_messages, kTotal);
  EXPECT_GT(s.bytes, 0u);
  EXPECT_GE(s.batches, static_cast<uint64_t>(kPartitions));
  EXPECT_GE(s.commits, 1u);
  EXPECT_GE(s.rebalances, 1u);
  EXPECT_EQ(s.pauses, 0u);
  EXPECT_TRUE(source.Stop().ok());

  IngestStats ingest = pipeline->Stats();
  EXPECT_EQ(ingest.lines, kTotal);
  EXPECT_EQ(ingest.duplicate_lines, 0u);
  EXPECT_EQ(ingest.indexed_events, kTotal);
  ExpectAllTimelines(*pipeline, kTotal);

  // A sample trace: its events in time order, each naming its partition and
  // carrying the message offset as line number and source offset.
  auto timeline = pipeline->index().GetTimeline("trace-0007");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_EQ(timeline->events.size(), kTotal / kTraces);
  for (size_t k = 0; k < timeline->events.size(); ++k) {
    const TimelineEvent& e = timeline->events[k];
    const int i = 7 + static_cast<int>(k) * kTraces;
    EXPECT_EQ(e.message, absl::StrFormat("step %d", i));
    EXPECT_EQ(e.time_ns, testdata::Ns(i));
    // ProduceLines goes round-robin: line i is offset i / 3 of partition i % 3.
    EXPECT_EQ(e.source, absl::StrFormat("kafka:%s/%d", kTopic, i % kPartitions));
    EXPECT_EQ(e.line_no, static_cast<uint64_t>(i / kPartitions));
    EXPECT_EQ(e.source_offset, e.line_no);
  }
}

TEST_F(KafkaSourceTest, RestartInTheSameGroupResumesAtTheCommittedOffsets) {
  constexpr int kTotal = 3000;
  auto pipeline = MakePipeline();
  ASSERT_TRUE(kafka_->ProduceLines(kTopic, Lines(0, kTotal / 2)).ok());
  {
    RunningSource first(Options("restart"), pipeline.get());
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= kTotal / 2; }));
    EXPECT_TRUE(first.Stop().ok());  // drains, commits synchronously, leaves the group
  }
  // More lines while no consumer runs; a new consumer picks up where the first stopped.
  ASSERT_TRUE(kafka_->ProduceLines(kTopic, Lines(kTotal / 2, kTotal / 2)).ok());
  RunningSource second(Options("restart"), pipeline.get());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= kTotal; }))
      << Indexed(*pipeline) << " of " << kTotal << " indexed";
  EXPECT_TRUE(second.Stop().ok());
  EXPECT_EQ(second.Stats().messages, kTotal / 2);  // nothing read twice after a clean stop

  IngestStats ingest = pipeline->Stats();
  EXPECT_EQ(ingest.lines, kTotal);
  EXPECT_EQ(ingest.duplicate_lines, 0u);
  ExpectAllTimelines(*pipeline, kTotal);
}

TEST_F(KafkaSourceTest, RecoversFromBrokerErrorsAndABrokerOutage) {
  constexpr int kTotal = 3000;
  auto pipeline = MakePipeline();
  ASSERT_TRUE(kafka_->ProduceLines(kTopic, Lines(0, 1000)).ok());
  RunningSource source(Options("faults"), pipeline.get());
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= 1000; }));

  // Failing fetches and commits: retried, nothing lost.
  kafka_->PushRequestErrors(EmbeddedKafka::kApiFetch, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                       RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                       RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});
  kafka_->PushRequestErrors(
      EmbeddedKafka::kApiOffsetCommit,
      {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
       RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  ASSERT_TRUE(kafka_->ProduceLines(kTopic, Lines(1000, 1000)).ok());
  ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= 2000; }))
      << Indexed(*pipeline) << " of 2000 indexed";

  // The only broker goes away for a while; lines produced meanwhile wait in
  // the producer and arrive once it is back.
  const uint64_t errors_before = source.Stats().errors;
  ASSERT_TRUE(kafka_->SetBrokerDown(1).ok());
  for (const std::string& line : Lines(2000, 1000)) {
    ASSERT_TRUE(kafka_->Produce(kTopic, "", line, -1).ok());
  }
  EXPECT_TRUE(WaitFor([&] { return source.Stats().errors > errors_before; }, absl::Seconds(5)))
      << "the consumer never noticed the outage";
  // What serve's /readyz tells: every broker down, until one answers again.
  EXPECT_TRUE(WaitFor([&] { return source.Stats().brokers_down; }, absl::Seconds(10)))
      << source.Stats().last_error;
  ASSERT_TRUE(kafka_->SetBrokerUp(1).ok());
  ASSERT_TRUE(kafka_->Flush().ok());

  ASSERT_TRUE(WaitFor([&] { return Indexed(*pipeline) >= kTotal; }, absl::Seconds(30)))
      << Indexed(*pipeline) << " of " << kTotal
      << " indexed; last error: " << source.Stats().last_error;
  EXPECT_FALSE(source.Stats().brokers_down);
  EXPECT_TRUE(source.Stop().ok());
  IngestStats ingest = pipeline->Stats();
  EXPECT_EQ(ingest.indexed_events, kTotal);
  EXPECT_EQ(ingest.lines, kTotal + ingest.duplicate_lines);  // redeliveries are duplicates
  RecordProperty("redelivered", static_cast<int>(ingest.duplicate_lines));
  RecordProperty("commit_failures", static_cast<int>(source.Stats().commit_failures));
  ExpectAllTimelines(*pipeline, kTotal);
}

}  // namespace
}  // namespace logweave::kafka_source_test

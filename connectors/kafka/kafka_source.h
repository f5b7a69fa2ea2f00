// A Kafka consumer-group source with at-least-once delivery into the pipeline.
//
// The source joins a consumer group, turns what it consumes into one RawBatch
// per topic-partition (or per topic-partition-key, see service_from) and
// commits an offset only once every message below it is in the index: a crash
// or a rebalance redelivers at most the uncommitted tail (the index counts the
// repeats as duplicates), and never loses a message.
//
//   KafkaSourceOptions options;
//   options.brokers = "kafka-1:9092,kafka-2:9092";
//   options.topics = {"app-logs", "^svc-.*"};  // '^' = regex subscription
//   options.properties["security.protocol"] = "SASL_SSL";
//   absl::StatusOr<std::unique_ptr<KafkaSource>> source = KafkaSource::Create(options, pipeline);
//   std::atomic<bool> stop{false};
//   std::thread consumer([&] { absl::Status s = (*source)->Run(stop); });
//   ...
//   stop = true;  // Run drains, commits and leaves the group
//   consumer.join();
//
// Delivery contract:
//  - Every consumed message becomes one or more lines (split at '\n'; a CR
//    before it is removed) with source_offset = line_no = the message offset.
//    Messages with a null value (tombstones) carry no log line: they are
//    counted and skipped.
//  - Commits are explicit (enable.auto.commit is off): the committed offset of
//    a partition is the first offset not yet known to be indexed. Commits are
//    sent asynchronously at most every commit_interval, and synchronously when
//    partitions are revoked and when the source stops.
//  - When the pipeline has no room (Pipeline::HasRoom), every assigned
//    partition is paused until there is room again; nothing is dropped.
//  - Rebalances: the protocol is the one librdkafka negotiates from
//    partition.assignment.strategy (default eager "range,roundrobin";
//    "cooperative-sticky" works too). On revoke the source waits until every
//    submitted batch of the revoked partitions is indexed, commits them
//    synchronously, then gives them up; messages of those partitions that were
//    consumed but not yet submitted are left for the next owner.
#ifndef LOGWEAVE_CONNECTORS_KAFKA_KAFKA_SOURCE_H_
#define LOGWEAVE_CONNECTORS_KAFKA_KAFKA_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"

namespace logweave {

struct KafkaSourceOptions {
  // bootstrap.servers: comma-separated host:port list. Required.
  std::string brokers;
  // The consumer group (group.id). Instances with the same group share the
  // partitions. Default "logweave". Must not be empty.
  std::string group_id = "logweave";
  // Topics to subscribe to; a name starting with '^' is a regular expression
  // matched against all topic names (librdkafka syntax). At least one.
  std::vector<std::string> topics;
  // Where a partition starts:
  //   "committed" (default): at the group's committed offset; where the group
  //       has none, at the earliest offset (auto.offset.reset=earliest).
  //   "earliest" / "latest": the first time this source is assigned a
  //       partition it starts at the beginning / the end of the partition,
  //       whatever was committed; later assignments of the same partition
  //       (after a rebalance) resume at the committed offset.
  std::string start = "committed";
  // Passed to librdkafka as they are (security.protocol, sasl.*, ssl.*,
  // client.id, fetch.*, partition.assignment.strategy, ...); applied after the
  // source's own defaults (queued.min.messages 1000000, fetch.error.backoff.ms
  // 50: keep fetching while lines are indexed), so they override them. The properties the source
  // manages itself are rejected: bootstrap.servers (use brokers), group.id
  // (use group_id), enable.auto.commit and enable.auto.offset.store.
  std::map<std::string, std::string> properties;
  // Where lines without a service field get their service:
  //   "topic" (default): the topic name.
  //   "key": the message key (each topic-partition-key is its own pipeline
  //       source); messages without a key fall back to the topic.
  std::string service_from = "topic";
  // With service_from "key": at most this many distinct keys become services
  // (and pipeline sources); messages with further keys fall back to the topic
  // and are counted (KafkaSourceStats::key_overflow). Default 1000. >= 1.
  uint32_t max_key_services = 1000;
  // A consume round ends after this many messages ... Default 4096. In [1, 1000000].
  uint32_t max_batch_messages = 4096;
  // ... or this many payload bytes ... Default 4 MiB. >= 1.
  uint64_t max_batch_bytes = 4ull << 20;
  // ... or after this long; then its batches are submitted. Default 100 ms. > 0.
  absl::Duration batch_timeout = absl::Milliseconds(100);
  // Indexed offsets are committed (asynchronously) at most this often. Default 1 s. > 0.
  absl::Duration commit_interval = absl::Seconds(1);
  // High watermarks and consumer lag are refreshed this often. Default 5 s. > 0.
  absl::Duration lag_interval = absl::Seconds(5);
  // Recovery from Kafka (kafka.rebuild_window): on every partition
  // assignment (start and rebalance), each assigned partition starts at the
  // offset of (now - rebuild_window) (offsets_for_times) when that is before
  // where it would start otherwise, so that the index holds the window again
  // after another instance's partitions move here. Offsets this source
  // already indexed are not read again; re-read lines the index still holds
  // are counted as duplicates. Zero (default): off. >= 0.
  absl::Duration rebuild_window = absl::ZeroDuration();
  // Test hook: replaces the broker's answer to offsets_for_times (the offset
  // of the first message at or after `timestamp_ms`, -1 for none). librdkafka
  // 2.0.2's mock cluster answers every timestamp with -1.
  std::function<int64_t(const std::string& topic, int32_t partition, int64_t timestamp_ms)>
      offset_for_time_for_test;

  // INVALID_ARGUMENT naming the field, what is wrong and what to do.
  absl::Status Validate() const;
};

// One assigned partition.
struct KafkaPartitionStats {
  std::string topic;
  int32_t partition = 0;
  int64_t position = -1;        // next offset this source will read; -1 unknown
  int64_t committed = -1;       // last offset the broker acknowledged for the group; -1 none yet
  int64_t high_watermark = -1;  // the partition's end offset at the last refresh; -1 unknown
  int64_t lag = -1;             // high_watermark - position (messages not yet read); -1 unknown
  uint64_t unindexed = 0;       // messages consumed and not yet indexed
};

// A snapshot of the source's counters. Plain values; copied freely.
struct KafkaSourceStats {
  uint64_t messages = 0;          // messages consumed (tombstones included)
  uint64_t bytes = 0;             // payload bytes of those messages
  uint64_t indexed_messages = 0;  // messages whose lines are all in the index
  uint64_t tombstones = 0;        // messages with a null value (no line)
  uint64_t batches = 0;           // RawBatches submitted to the pipeline
  uint64_t commits = 0;           // offset commits the broker acknowledged
  uint64_t commit_failures = 0;   // offset commits that failed (retried later)
  uint64_t rebalances = 0;        // partition assignments received from the group
  uint64_t revocations = 0;       // partition revocations (or losses) handled
  uint64_t pauses = 0;            // times the partitions were paused for lack of room
  uint64_t errors = 0;            // consumer errors reported by librdkafka (recovered or not)
  uint64_t key_overflow = 0;      // messages whose key was over max_key_services
  // Lines read from a partition that was revoked before they were handed to
  // the pipeline: dropped here, the partition's next owner reads them again
  // from the last commit (so consumed messages = indexed lines + these).
  uint64_t revoked_lines = 0;
  uint64_t rebuilds = 0;          // partition assignments started before the committed offset
  uint64_t rebuild_messages = 0;  // messages read again for a rebuild (below the committed offset)
  uint64_t rebuild_skipped = 0;   // messages of a rebuild window this source had already indexed
  bool paused = false;            // paused right now
  bool brokers_down = false;      // every broker was reported down; none has answered since
  std::string last_error;         // the latest consumer error, "" if none
  std::vector<KafkaPartitionStats> partitions;  // assigned now, by topic then partition
};

namespace internal {
class KafkaSourceImpl;
}  // namespace internal

// The librdkafka properties the source sets for throughput beyond
// librdkafka's defaults (before the user's `properties`, which override
// them): prefetching limits that a log consumer drains faster than
// librdkafka's defaults assume. A bare consumer compared with the source (a
// benchmark) sets them too.
std::vector<std::pair<std::string, std::string>> KafkaPrefetchProperties();

// Thread-safety: Run() is called once, on one thread (it owns the consumer);
// Stats() may be called from any thread at any time. The source must be
// destroyed after Run() has returned; `pipeline` must outlive it.
class KafkaSource final : public Source {
 public:
  // Validates the options, creates the consumer and subscribes to the topics
  // (joining the group happens in the background and completes in Run()).
  // INVALID_ARGUMENT for bad options or a property librdkafka rejects (the
  // property is named); other codes for librdkafka failures, with context.
  static absl::StatusOr<std::unique_ptr<KafkaSource>> Create(const KafkaSourceOptions& options,
                                                             Pipeline* pipeline);
  ~KafkaSource() override;
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  // A copy of the counters, the assigned partitions and their lag. Any thread.
  KafkaSourceStats Stats() const;

  // Consumes until `stop` is true (checked at least every batch_timeout), then
  // submits what it holds, waits until all of it is indexed, commits
  // synchronously and closes the consumer (leaving the group). Blocks.
  // Transient broker errors are retried by librdkafka and counted; returns OK
  // after a stop, or the error once the consumer hits a fatal one (after the
  // same drain). FAILED_PRECONDITION when called a second time.
  // While paused (Source::Pause) every assigned partition is paused as when
  // the pipeline has no room.
  absl::Status Run(const std::atomic<bool>& stop) override;

  std::string name() const override;

 private:
  explicit KafkaSource(std::unique_ptr<internal::KafkaSourceImpl> impl);
  std::unique_ptr<internal::KafkaSourceImpl> impl_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_KAFKA_KAFKA_SOURCE_H_

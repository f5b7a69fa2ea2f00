// The implementation behind KafkaSource: the state of one consumer and the
// declarations of its parts, each in its own file:
//   kafka_source.cc     creating the consumer, the consume loop (Run), pausing
//   kafka_batching.cc   polling messages into RawBatches and submitting them
//   kafka_rebalance.cc  librdkafka callbacks, rebalances, revocations, commits
//   kafka_stats.cc      the stats snapshot and the watermark refresh
// Not API: included only by the files above.
#ifndef LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_SOURCE_IMPL_H_
#define LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_SOURCE_IMPL_H_

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/kafka/kafka_source.h"
#include "logweave/pipeline.h"

namespace logweave::internal {

using TopicPartition = std::pair<std::string, int32_t>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// The messages of one partition consumed in one round, handed to the
// pipeline as one batch per pipeline source. Everything up to last_offset is
// indexed once `remaining` reaches 0 (unless abandoned).
struct Round {
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  uint64_t messages = 0;
  uint32_t remaining = 0;  // batches not yet indexed
  bool abandoned = false;  // some batches were dropped unsubmitted (partition revoked)
};

// An assigned partition. Guarded by KafkaSourceImpl::mu_.
struct PartitionState {
  std::deque<std::shared_ptr<Round>> rounds;  // consume order; the done prefix is popped
  int64_t committable = -1;                   // every offset below is indexed
  int64_t commit_sent = -1;                   // the latest offset sent in a commit
  int64_t committed = -1;                     // the latest offset the broker acknowledged
  int64_t position = -1;                      // last consumed offset + 1
  int64_t low_watermark = -1;
  int64_t high_watermark = -1;
  int64_t indexed_from =
      -1;  // first offset indexed since the assignment (with committable: a range)
  int64_t rebuild_end = -1;  // a rebuild re-reads the offsets below this one
};

// Offsets [from, to) of a partition that this source has indexed (the
// latest contiguous range), kept across revocations: a rebuild does not read
// them again.
struct IndexedRange {
  int64_t from = -1;
  int64_t to = -1;
};

// A batch built and not yet submitted (the pipeline had no room).
struct HeldBatch {
  TopicPartition tp;
  RawBatch batch;
  std::shared_ptr<Round> round;
};

// The round being consumed, per partition.
struct PendingRound {
  std::shared_ptr<Round> round;
  std::map<uint32_t, RawBatch> batches;  // by pipeline source id
};

// Owns the rd_kafka consumer. Run-thread state (current_, held_, sources,
// paused_ decisions) is touched only by the thread in Run() and by librdkafka
// callbacks, which that thread serves inside consumer_poll / close. Worker
// threads of the pipeline only call OnBatchIndexed. Stats() may come from any
// thread.
class KafkaSourceImpl {
 public:
  KafkaSourceImpl(const KafkaSourceOptions& options, Pipeline* pipeline)
      : options_(options),
        pipeline_(pipeline),
        service_from_key_(options.service_from == "key"),
        max_line_bytes_(pipeline->options().batching.max_line_bytes) {}

  ~KafkaSourceImpl();

  absl::Status Init();

  std::string name() const;

  // `held_back`: the runtime asked the source to pause (Source::Pause).
  absl::Status Run(const std::atomic<bool>& stop, const std::function<bool()>& held_back);

  KafkaSourceStats Stats() const;

 private:
  // ---- librdkafka callbacks (served on the Run thread) ----

  static void RebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque);

  static void ErrorCallback(rd_kafka_t*, int err, const char* reason, void* opaque);
  // librdkafka's statistics (statistics.interval.ms, 1 s unless set): the brokers' states.
  static int StatsCallback(rd_kafka_t*, char* json, size_t json_len, void* opaque);

  static void CommitCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* offsets, void* opaque);

  void OnError(rd_kafka_resp_err_t err, const char* reason);
  // Sets brokers_down_ from the brokers' states when they tell (see AllBrokersDownInStats).
  void OnStats(std::string json);

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  void OnCommitted(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets);

  // ---- consuming ----

  // Polls messages into current_ for up to `timeout`, max_batch_messages or
  // max_batch_bytes, whichever comes first.
  void Gather(absl::Duration timeout, const std::atomic<bool>& stop);

  void OnMessageError(const rd_kafka_message_t* message);

  void AddMessage(const rd_kafka_message_t& message);

  // Splits a message value into lines: at '\n' (a CR before it is removed), a
  // leading UTF-8 BOM removed, a final '\n' ending the last line, lines longer
  // than max_line_bytes truncated. Each line is at the message offset.
  void AppendLines(RawBatch* batch, std::string_view value, uint64_t offset);

  // The pipeline source of a topic-partition (or topic-partition-key).
  uint32_t SourceFor(const TopicPartition& tp, std::string_view key);

  // Registers the rounds of current_ with their partitions and moves their
  // batches to held_.
  void FinishRound();

  // Submits held batches while the pipeline has room. True when nothing is
  // held and there is room for more.
  bool SubmitHeld();

  void SubmitFront();

  // On a pipeline worker thread.
  void OnBatchIndexed(Round& round);

  // Pauses every assigned partition when there is no room; resumes them once
  // the in-flight bytes are down to half the budget (so that a source does not
  // flap between pause and resume: a pause drops the prefetched messages,
  // which are fetched again after the resume).
  void UpdatePause(bool room, bool held_back);

  // librdkafka 2.0.2 acts on a resume only when the broker thread next wakes
  // up (up to 1 s later). A seek to the position the resume restarts from
  // anyway (the offset after the last message handed to us) wakes it at
  // once; partitions with no position yet are left to the resume.
  void KickFetcher(rd_kafka_topic_partition_list_t* partitions);

  // start = earliest / latest: the first assignment of a partition starts at
  // its beginning / end.
  void ApplyStart(rd_kafka_topic_partition_list_t* partitions);

  // rebuild_window: moves the start of each partition of `partitions` back to
  // the offset of (now - rebuild_window) when that is before where it would
  // start (its committed offset, or ApplyStart's), past what this source has
  // indexed already. Blocks on broker queries (at most a few seconds); a
  // failed query leaves the start as it was, with the error recorded.
  void ApplyRebuild(rd_kafka_topic_partition_list_t* partitions);

  // Gives up `partitions`: drops what was consumed and not submitted, waits
  // until what was submitted is indexed and commits it (unless the
  // assignment is already lost, when a commit would be refused).
  void Revoke(const rd_kafka_topic_partition_list_t* partitions, bool lost);

  static int32_t PartitionOf(const std::string& text);

  // Waits until every submitted batch of `scope` (nullptr: all partitions)
  // is indexed, or `timeout`.
  void WaitIndexed(const std::set<TopicPartition>* scope, absl::Duration timeout);

  // Commits, for each partition of `scope` (nullptr: all), the offset below
  // which everything is indexed, if it moved since the last commit.
  void Commit(const std::set<TopicPartition>* scope, bool sync);

  // Refreshes the watermarks of the assigned partitions: from librdkafka's
  // cache (updated by fetches) while fetching, from the broker when paused or
  // not yet known.
  void RefreshWatermarks();

  absl::Status FatalStatus();

  void RecordError(std::string message);

  const KafkaSourceOptions options_;
  Pipeline* const pipeline_;
  const bool service_from_key_;
  const uint32_t max_line_bytes_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* commit_q_ = nullptr;  // async commit results, served by Run

  // Run thread (and the callbacks it serves) only.
  bool ran_ = false;
  bool closed_ = false;
  bool paused_ = false;
  uint64_t commit_callbacks_ = 0;
  std::map<TopicPartition, PendingRound> current_;
  // Where the last message went (entries of current_; reset with it).
  struct LastPartition {
    const rd_kafka_topic_t* rkt = nullptr;
    int32_t partition = -1;
    const TopicPartition* tp = nullptr;
    PendingRound* pending = nullptr;
    RawBatch* batch = nullptr;  // its batch, with service_from topic
  };
  LastPartition last_;
  std::deque<HeldBatch> held_;
  absl::flat_hash_map<std::string, uint32_t> source_ids_;
  absl::flat_hash_set<std::string> key_services_;
  std::set<TopicPartition> started_;
  std::map<TopicPartition, IndexedRange> indexed_ranges_;  // of revoked partitions

  std::atomic<bool> fatal_{false};
  // Every broker is down: librdkafka said so (_ALL_BROKERS_DOWN) or its statistics show it, and
  // neither a message, a watermark query nor later statistics have shown one up since.
  std::atomic<bool> brokers_down_{false};
  std::atomic<bool> paused_now_{false};
  // Counters for Stats() (relaxed).
  std::atomic<uint64_t> messages_{0}, bytes_{0}, tombstones_{0}, batches_{0}, rebalances_{0},
      revocations_{0}, pauses_{0}, errors_{0}, key_overflow_{0}, revoked_lines_{0}, rebuilds_{0},
      rebuild_skipped_{0};

  mutable absl::Mutex mu_;
  std::map<TopicPartition, PartitionState> partitions_ ABSL_GUARDED_BY(mu_);
  uint64_t indexed_messages_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t commits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t commit_failures_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rebuild_messages_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_SOURCE_IMPL_H_

// An in-process Kafka cluster (librdkafka's mock cluster) with a producer,
// for tests and for `logweave serve --demo-kafka`. Not a real broker: it
// keeps everything in memory, speaks enough of the protocol for producers and
// consumer groups, and can inject faults.
//
//   absl::StatusOr<std::unique_ptr<EmbeddedKafka>> kafka = EmbeddedKafka::Create();
//   (*kafka)->CreateTopic("app-logs", 3);
//   (*kafka)->ProduceLines("app-logs", lines);      // delivered when it returns
//   options.brokers = (*kafka)->bootstrap();        // "127.0.0.1:port,..."
//
// Known limits of librdkafka 2.0.2's mock: the first join of a consumer group
// takes 3 s (a fixed group.initial.rebalance.delay), a later rebalance waits up
// to session.timeout.ms - 1 s for members to rejoin, and offset commits are
// refused (REBALANCE_IN_PROGRESS) while a rebalance is in progress.
#ifndef LOGWEAVE_CONNECTORS_KAFKA_EMBEDDED_KAFKA_H_
#define LOGWEAVE_CONNECTORS_KAFKA_EMBEDDED_KAFKA_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace logweave {

namespace internal {
struct EmbeddedKafkaHandles;
}  // namespace internal

// Thread-compatible: one thread at a time produces and injects faults
// (consumers may connect to it from any thread).
class EmbeddedKafka {
 public:
  // Starts a mock cluster of `brokers` brokers (ids 1..brokers) on loopback
  // ports chosen by the system, and a producer connected to it.
  // INVALID_ARGUMENT for brokers < 1; INTERNAL if librdkafka fails.
  static absl::StatusOr<std::unique_ptr<EmbeddedKafka>> Create(int brokers = 1);
  // Stops the producer (undelivered messages are dropped) and the cluster.
  // Consumers still connected see the brokers go away.
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // The bootstrap.servers string of the cluster.
  const std::string& bootstrap() const { return bootstrap_; }

  // Creates a topic. INVALID_ARGUMENT for an empty name or partitions < 1;
  // other codes as librdkafka reports them.
  absl::Status CreateTopic(const std::string& name, int partitions, int replication_factor = 1);

  // Queues one message (copied). `key` empty: no key. `partition` -1: chosen by
  // the partitioner (by key hash; keyless messages stick to one partition for
  // a while). Waits while the producer queue is full. Returns an error only if
  // the message could not be queued; delivery errors are reported by Flush().
  absl::Status Produce(const std::string& topic, std::string_view key, std::string_view value,
                       int32_t partition = -1);

  // Produces each line as one keyless message, round-robin over the topic's
  // partitions when the topic was created with CreateTopic (the partitioner
  // otherwise), then Flush()es.
  absl::Status ProduceLines(const std::string& topic, const std::vector<std::string>& lines);

  // Waits until every queued message is delivered. DEADLINE_EXCEEDED naming
  // the count still undelivered; otherwise the first delivery error since the
  // last Flush(), if any.
  absl::Status Flush(absl::Duration timeout = absl::Seconds(30));

  // Fault injection (tests). Broker ids are 1..brokers.
  absl::Status SetBrokerDown(int32_t broker_id);
  absl::Status SetBrokerUp(int32_t broker_id);
  // The next requests with `api_key` (Kafka protocol ApiKey: Fetch = 1,
  // OffsetCommit = 8, ...) fail, in order, with these rd_kafka_resp_err_t codes.
  void PushRequestErrors(int16_t api_key, const std::vector<int>& errors);
  // Round-trip delay added to every response of a broker.
  absl::Status SetBrokerRtt(int32_t broker_id, absl::Duration rtt);

  static constexpr int16_t kApiFetch = 1;
  static constexpr int16_t kApiOffsetCommit = 8;
  static constexpr int16_t kApiHeartbeat = 12;

 private:
  EmbeddedKafka();

  std::unique_ptr<internal::EmbeddedKafkaHandles> handles_;
  std::string bootstrap_;
  std::map<std::string, int> partitions_;    // topics made by CreateTopic
  std::map<std::string, uint64_t> next_rr_;  // round-robin position per topic
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_KAFKA_EMBEDDED_KAFKA_H_

#include "connectors/kafka/embedded_kafka.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "connectors/kafka/internal/kafka_error.h"

namespace logweave {

namespace internal {

// The librdkafka objects: `host` only hosts the mock cluster (the mock runs
// inside a client handle); `producer` talks to it like any client.
struct EmbeddedKafkaHandles {
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  rd_kafka_t* producer = nullptr;
  // Delivery results since the last Flush (producer's dr callback, served
  // on the thread that polls or flushes).
  uint64_t failed = 0;
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string first_error_topic;

  ~EmbeddedKafkaHandles() {
    if (producer != nullptr) {
      rd_kafka_flush(producer, 1000);
      rd_kafka_destroy(producer);
    }
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (host != nullptr) rd_kafka_destroy(host);
  }

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<EmbeddedKafkaHandles*>(opaque);
    if (self->failed++ == 0) {
      self->first_error = message->err;
      self->first_error_topic = rd_kafka_topic_name(message->rkt);
    }
  }
};

namespace {

absl::Status SetConf(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka: embedded cluster: ", name, ": ", errstr));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace internal

EmbeddedKafka::EmbeddedKafka() : handles_(std::make_unique<internal::EmbeddedKafkaHandles>()) {}
EmbeddedKafka::~EmbeddedKafka() = default;

absl::StatusOr<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Create(int brokers) {
  if (brokers < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka: embedded cluster needs at least 1 broker (got ", brokers, ")"));
  }
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka());
  internal::EmbeddedKafkaHandles& h = *kafka->handles_;
  char errstr[512];

  rd_kafka_conf_t* host_conf = rd_kafka_conf_new();
  // The host handle never connects anywhere: silence its "no bootstrap.servers" notice.
  for (const auto& [name, value] : std::vector<std::pair<const char*, std::string>>{
           {"client.id", "logweave-embedded-kafka"}, {"log_level", "4"}}) {
    if (absl::Status s = internal::SetConf(host_conf, name, value); !s.ok()) {
      rd_kafka_conf_destroy(host_conf);
      return s;
    }
  }
  h.host = rd_kafka_new(RD_KAFKA_PRODUCER, host_conf, errstr, sizeof(errstr));
  if (h.host == nullptr) {
    rd_kafka_conf_destroy(host_conf);
    return absl::InternalError(absl::StrCat("kafka: embedded cluster: ", errstr));
  }
  h.cluster = rd_kafka_mock_cluster_new(h.host, brokers);
  if (h.cluster == nullptr) {
    return absl::InternalError("kafka: embedded cluster: rd_kafka_mock_cluster_new failed");
  }
  kafka->bootstrap_ = rd_kafka_mock_cluster_bootstraps(h.cluster);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : std::vector<std::pair<const char*, std::string>>{
           {"bootstrap.servers", kafka->bootstrap_},
           {"client.id", "logweave-embedded-producer"},
           {"linger.ms", "5"},
           {"acks", "all"},
           {"enable.idempotence", "false"},
       }) {
    if (absl::Status s = internal::SetConf(conf, name, value); !s.ok()) {
      rd_kafka_conf_destroy(conf);
      return s;
    }
  }
  rd_kafka_conf_set_opaque(conf, &h);
  rd_kafka_conf_set_dr_msg_cb(conf, &internal::EmbeddedKafkaHandles::OnDelivery);
  h.producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (h.producer == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("kafka: embedded producer: ", errstr));
  }
  return kafka;
}

absl::Status EmbeddedKafka::CreateTopic(const std::string& name, int partitions,
                                        int replication_factor) {
  if (name.empty() || partitions < 1 || replication_factor < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka: embedded cluster: a topic needs a name, partitions >= 1 and "
                     "replication_factor >= 1 (got \"",
                     name, "\", ", partitions, ", ", replication_factor, ")"));
  }
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(handles_->cluster, name.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::KafkaError(err, absl::StrCat("creating topic \"", name, "\""));
  }
  partitions_[name] = partitions;
  return absl::OkStatus();
}

absl::Status EmbeddedKafka::Produce(const std::string& topic, std::string_view key,
                                    std::string_view value, int32_t partition) {
  while (true) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        handles_->producer, RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(handles_->producer, 50);  // serve deliveries, make room
      continue;
    }
    rd_kafka_poll(handles_->producer, 0);
    return internal::KafkaError(err, absl::StrCat("producing to \"", topic, "\""));
  }
}

absl::Status EmbeddedKafka::ProduceLines(const std::string& topic,
                                         const std::vector<std::string>& lines) {
  auto it = partitions_.find(topic);
  for (const std::string& line : lines) {
    int32_t partition = -1;
    if (it != partitions_.end()) partition = static_cast<int32_t>(next_rr_[topic]++ % it->second);
    if (absl::Status s = Produce(topic, "", line, partition); !s.ok()) return s;
  }
  return Flush();
}

absl::Status EmbeddedKafka::Flush(absl::Duration timeout) {
  rd_kafka_resp_err_t err =
      rd_kafka_flush(handles_->producer, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat("kafka: embedded producer: ", rd_kafka_outq_len(handles_->producer),
                     " messages still undelivered after ", absl::FormatDuration(timeout)));
  }
  absl::Status status;
  if (handles_->failed > 0) {
    status =
        internal::KafkaError(handles_->first_error,
                             absl::StrCat(handles_->failed, " messages not delivered (first to \"",
                                          handles_->first_error_topic, "\")"));
  }
  handles_->failed = 0;
  handles_->first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  return status;
}

absl::Status EmbeddedKafka::SetBrokerDown(int32_t broker_id) {
  return internal::KafkaError(rd_kafka_mock_broker_set_down(handles_->cluster, broker_id),
                              absl::StrCat("setting broker ", broker_id, " down"));
}

absl::Status EmbeddedKafka::SetBrokerUp(int32_t broker_id) {
  return internal::KafkaError(rd_kafka_mock_broker_set_up(handles_->cluster, broker_id),
                              absl::StrCat("setting broker ", broker_id, " up"));
}

void EmbeddedKafka::PushRequestErrors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int e : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(handles_->cluster, api_key, codes.size(), codes.data());
}

absl::Status EmbeddedKafka::SetBrokerRtt(int32_t broker_id, absl::Duration rtt) {
  return internal::KafkaError(
      rd_kafka_mock_broker_set_rtt(handles_->cluster, broker_id,
                                   static_cast<int>(absl::ToInt64Milliseconds(rtt))),
      absl::StrCat("setting the rtt of broker ", broker_id));
}

}  // namespace logweave

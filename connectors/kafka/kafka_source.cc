#include "connectors/kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "connectors/kafka/internal/kafka_error.h"
#include "connectors/kafka/internal/kafka_source_impl.h"
#include "logweave/log.h"

namespace logweave {

std::vector<std::pair<std::string, std::string>> KafkaPrefetchProperties() {
  return {
      // librdkafka stops fetching while its local queue (one for all
      // partitions) holds queued.min.messages (default 100000), and then
      // waits fetch.error.backoff.ms (default 500 ms) before it looks again;
      // a log consumer drains 100k lines in a fraction of that and then
      // idled. Memory stays bounded by queued.max.messages.kbytes.
      {"queued.min.messages", "1000000"},
      {"fetch.error.backoff.ms", "50"},
  };
}

namespace {

// Properties the source sets itself; a user value would break its contract.
constexpr const char* kManagedProperties[][2] = {
    {"bootstrap.servers", "set brokers instead"},
    {"metadata.broker.list", "set brokers instead"},
    {"group.id", "set group_id instead"},
    {"enable.auto.commit", "the source commits what is indexed itself"},
    {"enable.auto.offset.store", "the source commits what is indexed itself"},
};

// librdkafka's own log lines (broker connections, ...) go through logweave's
// log, so that stderr stays one format. Called on librdkafka's threads.
void LibrdkafkaLog(const rd_kafka_t*, int syslog_level, const char* facility, const char* text) {
  const LogLevel level = syslog_level <= 3   ? LogLevel::kError
                         : syslog_level == 4 ? LogLevel::kWarn
                         : syslog_level <= 6 ? LogLevel::kInfo
                                             : LogLevel::kDebug;
  Log(level, absl::StrCat("kafka: ", text), {{"kafka_facility", std::string(facility)}});
}

}  // namespace

absl::Status KafkaSourceOptions::Validate() const {
  auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat("kafka: ", parts...));
  };
  if (brokers.empty()) {
    return invalid("brokers must list at least one host:port (bootstrap.servers), e.g. ",
                   "\"kafka-1:9092,kafka-2:9092\"");
  }
  if (group_id.empty()) {
    return invalid("group_id must not be empty; the default is \"logweave\"");
  }
  if (topics.empty()) {
    return invalid("topics must name at least one topic (or a regex starting with '^')");
  }
  for (size_t i = 0; i < topics.size(); ++i) {
    if (topics[i].empty() || topics[i] == "^") {
      return invalid("topics[", i, "] is empty (got \"", topics[i],
                     "\"); give a topic name or a regex like \"^app-.*\"");
    }
  }
  if (start != "committed" && start != "earliest" && start != "latest") {
    return invalid("start must be \"committed\", \"earliest\" or \"latest\" (got \"", start, "\")");
  }
  if (service_from != "topic" && service_from != "key") {
    return invalid("service_from must be \"topic\" or \"key\" (got \"", service_from, "\")");
  }
  if (max_key_services < 1) {
    return invalid("max_key_services must be at least 1 (got 0); the default is 1000");
  }
  if (max_batch_messages < 1 || max_batch_messages > 1000000) {
    return invalid("max_batch_messages must be in [1, 1000000] (got ", max_batch_messages,
                   "); the default is 4096");
  }
  if (max_batch_bytes < 1) {
    return invalid("max_batch_bytes must be at least 1 (got 0); the default is 4 MiB");
  }
  if (batch_timeout <= absl::ZeroDuration()) {
    return invalid("batch_timeout must be positive (got ", absl::FormatDuration(batch_timeout),
                   "); the default is 100ms");
  }
  if (rebuild_window < absl::ZeroDuration()) {
    return invalid("rebuild_window must not be negative (got ",
                   absl::FormatDuration(rebuild_window), "); use e.g. 1h, or 0 for off");
  }
  if (commit_interval <= absl::ZeroDuration()) {
    return invalid("commit_interval must be positive (got ", absl::FormatDuration(commit_interval),
                   "); the default is 1s");
  }
  if (lag_interval <= absl::ZeroDuration()) {
    return invalid("lag_interval must be positive (got ", absl::FormatDuration(lag_interval),
                   "); the default is 5s");
  }
  for (const auto& [name, value] : properties) {
    if (name.empty()) return invalid("properties has an empty property name");
    for (const auto& managed : kManagedProperties) {
      if (name == managed[0]) {
        return invalid("properties[\"", name, "\"] is managed by the source: ", managed[1]);
      }
    }
  }
  return absl::OkStatus();
}

namespace internal {
namespace {

// How long a paused source waits in one poll (it keeps polling to serve
// rebalances and to notice room promptly).
constexpr absl::Duration kPausedPoll = absl::Milliseconds(10);

}  // namespace

KafkaSourceImpl::~KafkaSourceImpl() {
  if (rk_ != nullptr) {
    if (!closed_) rd_kafka_consumer_close(rk_);
    WaitIndexed(nullptr, absl::InfiniteDuration());
    if (commit_q_ != nullptr) {
      rd_kafka_queue_poll_callback(commit_q_, 0);
      rd_kafka_queue_destroy(commit_q_);
    }
    rd_kafka_destroy(rk_);
  }
}

absl::Status KafkaSourceImpl::Init() {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.group_id},
      {"client.id", "logweave"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "false"},
      {"auto.offset.reset", options_.start == "latest" ? "latest" : "earliest"},
      // The brokers' states, for brokers_down (OnStats): librdkafka reports
      // _ALL_BROKERS_DOWN once, and only when the brokers it counts all went down.
      {"statistics.interval.ms", "1000"},
  };
  for (auto& property : KafkaPrefetchProperties()) settings.push_back(std::move(property));
  for (const auto& [name, value] : options_.properties) settings.emplace_back(name, value);
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // The value is not repeated: it may be a secret (sasl.password).
      const bool user = options_.properties.count(name) > 0;
      return absl::InvalidArgumentError(absl::StrCat("kafka: ", user ? "properties[\"" : "", name,
                                                     user ? "\"]" : "",
                                                     " rejected by librdkafka: ", errstr));
    }
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, &RebalanceCallback);
  rd_kafka_conf_set_error_cb(conf, &ErrorCallback);
  rd_kafka_conf_set_stats_cb(conf, &StatsCallback);
  rd_kafka_conf_set_log_cb(conf, &LibrdkafkaLog);
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("kafka: cannot create the consumer for group \"",
                                                   options_.group_id, "\": ", errstr));
  }
  // Serve error callbacks from consumer_poll too.
  if (absl::Status s = KafkaError(rd_kafka_poll_set_consumer(rk_), "redirecting the main queue");
      !s.ok()) {
    return s;
  }
  commit_q_ = rd_kafka_queue_new(rk_);
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size())));
  for (const std::string& topic : options_.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  return KafkaError(rd_kafka_subscribe(rk_, topics.get()),
                    absl::StrCat("subscribing group \"", options_.group_id, "\" to ",
                                 absl::StrJoin(options_.topics, ", ")));
}

std::string KafkaSourceImpl::name() const {
  return absl::StrCat("kafka ", options_.brokers, " topics ", absl::StrJoin(options_.topics, ","));
}

absl::Status KafkaSourceImpl::Run(const std::atomic<bool>& stop,
                                  const std::function<bool()>& held_back) {
  if (ran_) {
    return absl::FailedPreconditionError(
        "kafka: Run() was already called on this source; create a new KafkaSource");
  }
  ran_ = true;
  absl::Status result;
  absl::Time last_commit = absl::Now();
  absl::Time last_lag = absl::InfinitePast();
  while (!stop.load(std::memory_order_acquire)) {
    if (fatal_.load(std::memory_order_acquire)) {
      result = FatalStatus();
      break;
    }
    const bool room = SubmitHeld() && !held_back();
    UpdatePause(room, held_back());
    Gather(paused_ ? kPausedPoll : options_.batch_timeout, stop);
    FinishRound();
    SubmitHeld();
    rd_kafka_queue_poll_callback(commit_q_, 0);
    const absl::Time now = absl::Now();
    if (now - last_commit >= options_.commit_interval) {
      Commit(nullptr, /*sync=*/false);
      last_commit = now;
    }
    if (now - last_lag >= options_.lag_interval) {
      RefreshWatermarks();
      last_lag = absl::Now();
    }
  }
  // Drain: index everything consumed, commit it, leave the group.
  FinishRound();
  while (!held_.empty()) SubmitFront();
  WaitIndexed(nullptr, absl::InfiniteDuration());
  Commit(nullptr, /*sync=*/true);
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_);
  closed_ = true;
  rd_kafka_queue_poll_callback(commit_q_, 0);
  paused_ = false;
  paused_now_.store(false, std::memory_order_relaxed);
  if (result.ok() && err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    result =
        KafkaError(err, absl::StrCat("closing the consumer of group \"", options_.group_id, "\""));
  }
  return result;
}

void KafkaSourceImpl::UpdatePause(bool room, bool held_back) {
  bool pause = paused_;
  if (!room) {
    pause = true;
  } else if (paused_) {
    pause = held_back ||
            pipeline_->Stats().queued_bytes > pipeline_->options().EffectiveQueueBytes() / 2;
  }
  if (pause == paused_) return;
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  if (rd_kafka_assignment(rk_, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    PartitionList owned(assigned);
    if (pause) {
      rd_kafka_pause_partitions(rk_, owned.get());
    } else {
      rd_kafka_resume_partitions(rk_, owned.get());
      KickFetcher(owned.get());
    }
  }
  if (pause) pauses_.fetch_add(1, std::memory_order_relaxed);
  paused_ = pause;
  paused_now_.store(pause, std::memory_order_relaxed);
}

void KafkaSourceImpl::KickFetcher(rd_kafka_topic_partition_list_t* partitions) {
  if (rd_kafka_position(rk_, partitions) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  PartitionList seek(rd_kafka_topic_partition_list_new(partitions->cnt));
  for (int i = 0; i < partitions->cnt; ++i) {
    const auto& p = partitions->elems[i];
    if (p.offset < 0) continue;
    rd_kafka_topic_partition_list_add(seek.get(), p.topic, p.partition)->offset = p.offset;
  }
  if (seek->cnt == 0) return;
  // Asynchronous (timeout 0): errors are not reported; the resume stands.
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_, seek.get(), 0)) {
    rd_kafka_error_destroy(error);
  }
}

absl::Status KafkaSourceImpl::FatalStatus() {
  char errstr[512];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_, errstr, sizeof(errstr));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = RD_KAFKA_RESP_ERR__FATAL;
  return absl::Status(KafkaErrorCode(err),
                      absl::StrCat("kafka: fatal consumer error in group \"", options_.group_id,
                                   "\": ", errstr, " (", rd_kafka_err2name(err), ")"));
}

void KafkaSourceImpl::RecordError(std::string message) {
  absl::MutexLock lock(&mu_);
  last_error_ = std::move(message);
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<KafkaSource>> KafkaSource::Create(const KafkaSourceOptions& options,
                                                                 Pipeline* pipeline) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  if (pipeline == nullptr) return absl::InvalidArgumentError("kafka: pipeline must not be null");
  auto impl = std::make_unique<internal::KafkaSourceImpl>(options, pipeline);
  if (absl::Status s = impl->Init(); !s.ok()) return s;
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
}

KafkaSource::KafkaSource(std::unique_ptr<internal::KafkaSourceImpl> impl)
    : impl_(std::move(impl)) {}
KafkaSource::~KafkaSource() = default;

absl::Status KafkaSource::Run(const std::atomic<bool>& stop) {
  return impl_->Run(stop, [this] { return paused(); });
}

std::string KafkaSource::name() const { return impl_->name(); }

KafkaSourceStats KafkaSource::Stats() const { return impl_->Stats(); }

}  // namespace logweave

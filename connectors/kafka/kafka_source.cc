#include "connectors/kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "connectors/kafka/internal/kafka_error.h"

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

using TopicPartition = std::pair<std::string, int32_t>;

// Debian's Abseil has its own string_view type.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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

// How long a paused source waits in one poll (it keeps polling to serve
// rebalances and to notice room promptly).
constexpr absl::Duration kPausedPoll = absl::Milliseconds(10);
// Cap on waiting for a revoked partition's batches to be indexed.
constexpr absl::Duration kRevokeWait = absl::Seconds(60);
// Timeout of a watermark query to a broker.
constexpr int kWatermarkQueryMs = 500;

}  // namespace

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

  ~KafkaSourceImpl() {
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

  absl::Status Init() {
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
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka: cannot create the consumer for group \"", options_.group_id, "\": ", errstr));
    }
    // Serve error callbacks from consumer_poll too.
    if (absl::Status s = KafkaError(rd_kafka_poll_set_consumer(rk_), "redirecting the main queue");
        !s.ok()) {
      return s;
    }
    commit_q_ = rd_kafka_queue_new(rk_);
    PartitionList topics(
        rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size())));
    for (const std::string& topic : options_.topics) {
      rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    return KafkaError(rd_kafka_subscribe(rk_, topics.get()),
                      absl::StrCat("subscribing group \"", options_.group_id, "\" to ",
                                   absl::StrJoin(options_.topics, ", ")));
  }

  std::string name() const {
    return absl::StrCat("kafka ", options_.brokers, " topics ",
                        absl::StrJoin(options_.topics, ","));
  }

  // `held_back`: the runtime asked the source to pause (Source::Pause).
  absl::Status Run(const std::atomic<bool>& stop, const std::function<bool()>& held_back) {
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
      result = KafkaError(
          err, absl::StrCat("closing the consumer of group \"", options_.group_id, "\""));
    }
    return result;
  }

  KafkaSourceStats Stats() const {
    KafkaSourceStats s;
    s.messages = messages_.load(std::memory_order_relaxed);
    s.bytes = bytes_.load(std::memory_order_relaxed);
    s.tombstones = tombstones_.load(std::memory_order_relaxed);
    s.batches = batches_.load(std::memory_order_relaxed);
    s.rebalances = rebalances_.load(std::memory_order_relaxed);
    s.revocations = revocations_.load(std::memory_order_relaxed);
    s.pauses = pauses_.load(std::memory_order_relaxed);
    s.errors = errors_.load(std::memory_order_relaxed);
    s.key_overflow = key_overflow_.load(std::memory_order_relaxed);
    s.paused = paused_now_.load(std::memory_order_relaxed);
    absl::MutexLock lock(&mu_);
    s.indexed_messages = indexed_messages_;
    s.commits = commits_;
    s.commit_failures = commit_failures_;
    s.last_error = last_error_;
    for (const auto& [tp, st] : partitions_) {
      KafkaPartitionStats p;
      p.topic = tp.first;
      p.partition = tp.second;
      p.position = st.position;
      p.committed = st.committed;
      p.high_watermark = st.high_watermark;
      for (const auto& round : st.rounds) {
        if (round->remaining > 0 || round->abandoned) p.unindexed += round->messages;
      }
      if (st.high_watermark >= 0) {
        if (st.position >= 0) {
          p.lag = std::max<int64_t>(0, st.high_watermark - st.position);
        } else if (st.committed >= 0) {
          p.lag = std::max<int64_t>(0, st.high_watermark - st.committed);
        } else if (st.low_watermark == st.high_watermark) {
          p.lag = 0;  // empty partition
        }
      }
      s.partitions.push_back(std::move(p));
    }
    return s;
  }

 private:
  // ---- librdkafka callbacks (served on the Run thread) ----

  static void RebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<KafkaSourceImpl*>(opaque)->OnRebalance(err, partitions);
  }

  static void ErrorCallback(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<KafkaSourceImpl*>(opaque)->OnError(static_cast<rd_kafka_resp_err_t>(err), reason);
  }

  static void CommitCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    static_cast<KafkaSourceImpl*>(opaque)->OnCommitted(err, offsets);
  }

  void OnError(rd_kafka_resp_err_t err, const char* reason) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (err == RD_KAFKA_RESP_ERR__FATAL) fatal_.store(true, std::memory_order_release);
    RecordError(absl::StrCat("kafka: ", reason, " (", rd_kafka_err2name(err), ")"));
  }

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rebalances_.fetch_add(1, std::memory_order_relaxed);
      ApplyStart(partitions);
      {
        absl::MutexLock lock(&mu_);
        for (int i = 0; i < partitions->cnt; ++i) {
          const auto& p = partitions->elems[i];
          partitions_.try_emplace(TopicPartition(p.topic, p.partition));
        }
      }
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_, partitions)) {
          RecordError(absl::StrCat("kafka: incremental assign: ", rd_kafka_error_string(error)));
          rd_kafka_error_destroy(error);
        }
      } else if (rd_kafka_resp_err_t e = rd_kafka_assign(rk_, partitions); e) {
        RecordError(std::string(KafkaError(e, "assigning partitions").message()));
      }
      // A paused source pauses what it is given too.
      if (paused_ && partitions->cnt > 0) rd_kafka_pause_partitions(rk_, partitions);
      return;
    }
    revocations_.fetch_add(1, std::memory_order_relaxed);
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      Revoke(partitions, rd_kafka_assignment_lost(rk_) != 0);
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, partitions)) {
          RecordError(absl::StrCat("kafka: incremental unassign: ", rd_kafka_error_string(error)));
          rd_kafka_error_destroy(error);
        }
      } else {
        rd_kafka_assign(rk_, nullptr);
      }
      return;
    }
    // Any other error: the assignment cannot be trusted; give it all up.
    RecordError(std::string(KafkaError(err, "rebalance").message()));
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk_, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      PartitionList owned(assigned);
      Revoke(owned.get(), /*lost=*/true);
    }
    rd_kafka_assign(rk_, nullptr);
  }

  void OnCommitted(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets) {
    ++commit_callbacks_;
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing to commit
    bool ok = err == RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_resp_err_t first_err = err;
    absl::MutexLock lock(&mu_);
    for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
      const auto& p = offsets->elems[i];
      auto it = partitions_.find(TopicPartition(p.topic, p.partition));
      if (ok && p.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (it != partitions_.end()) {
          it->second.committed = std::max(it->second.committed, p.offset);
        }
        continue;
      }
      if (first_err == RD_KAFKA_RESP_ERR_NO_ERROR) first_err = p.err;
      ok = false;
      // Send it again with the next commit.
      if (it != partitions_.end()) it->second.commit_sent = it->second.committed;
    }
    if (ok) {
      ++commits_;
    } else {
      ++commit_failures_;
      last_error_ = std::string(KafkaError(first_err, "committing offsets").message());
    }
  }

  // ---- consuming ----

  // Polls messages into current_ for up to `timeout`, max_batch_messages or
  // max_batch_bytes, whichever comes first.
  void Gather(absl::Duration timeout, const std::atomic<bool>& stop) {
    const absl::Time deadline = absl::Now() + timeout;
    uint32_t count = 0;
    uint64_t bytes = 0;
    int64_t ms = absl::ToInt64Milliseconds(timeout);
    for (uint32_t polls = 0;
         count < options_.max_batch_messages && bytes < options_.max_batch_bytes &&
         !stop.load(std::memory_order_acquire);
         ++polls) {
      // Reading the clock costs more than taking a queued message: while
      // messages flow, look at it every 64 polls.
      if (polls % 64 == 0) {
        ms = absl::ToInt64Milliseconds(deadline - absl::Now());
        if (ms < 0) break;
      }
      // A poll without a timeout reads no clock inside librdkafka (one with a
      // timeout reads it on every call): wait only when nothing is queued.
      rd_kafka_message_t* message = rd_kafka_consumer_poll(rk_, 0);
      if (message == nullptr && ms > 0) {
        message = rd_kafka_consumer_poll(rk_, static_cast<int>(ms));
      }
      if (message == nullptr) {
        if (ms == 0) break;
        ms = absl::ToInt64Milliseconds(deadline - absl::Now());
        if (ms < 0) break;
        continue;
      }
      if (message->err) {
        OnMessageError(message);
      } else {
        AddMessage(*message);
        ++count;
        bytes += message->len;
      }
      rd_kafka_message_destroy(message);
    }
  }

  void OnMessageError(const rd_kafka_message_t* message) {
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (message->err == RD_KAFKA_RESP_ERR__FATAL) fatal_.store(true, std::memory_order_release);
    std::string context =
        message->rkt != nullptr
            ? absl::StrCat("consuming ", rd_kafka_topic_name(message->rkt), "/", message->partition)
            : std::string("consuming");
    RecordError(absl::StrCat(KafkaError(message->err, context).message(), ": ",
                             rd_kafka_message_errstr(message)));
  }

  void AddMessage(const rd_kafka_message_t& message) {
    messages_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(message.len, std::memory_order_relaxed);
    // Messages come in runs from one partition: the last one's round and
    // batch are reused without looking them up (not with service_from key,
    // where the batch depends on the key).
    const bool same_partition = last_.pending != nullptr && message.rkt == last_.rkt &&
                                message.partition == last_.partition;
    PendingRound* pending = last_.pending;
    if (!same_partition) {
      TopicPartition tp(rd_kafka_topic_name(message.rkt), message.partition);
      auto it = current_.try_emplace(std::move(tp)).first;
      pending = &it->second;
      if (!pending->round) pending->round = std::make_shared<Round>();
      last_ = LastPartition{message.rkt, message.partition, &it->first, pending, nullptr};
    }
    pending->round->last_offset = message.offset;
    ++pending->round->messages;
    if (message.payload == nullptr) {
      tombstones_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    RawBatch* batch = last_.batch;
    if (batch == nullptr || service_from_key_) {
      std::string_view key;
      if (message.key != nullptr) {
        key = std::string_view(static_cast<const char*>(message.key), message.key_len);
      }
      const uint32_t source = SourceFor(*last_.tp, key);
      batch = &pending->batches[source];
      batch->source_id = source;
      last_.batch = batch;
    }
    AppendLines(batch, std::string_view(static_cast<const char*>(message.payload), message.len),
                static_cast<uint64_t>(message.offset));
  }

  // Splits a message value into lines: at '\n' (a CR before it is removed), a
  // leading UTF-8 BOM removed, a final '\n' ending the last line, lines longer
  // than max_line_bytes truncated. Each line is at the message offset.
  void AppendLines(RawBatch* batch, std::string_view value, uint64_t offset) {
    uint8_t first_flags = 0;
    if (value.size() >= 3 && value.substr(0, 3) == "\xEF\xBB\xBF") {
      value.remove_prefix(3);
      first_flags = kLineHadBOM;
    }
    bool first = true;
    while (true) {
      const size_t nl = value.find('\n');
      std::string_view line = value.substr(0, nl);
      uint8_t flags = first ? first_flags : 0;
      if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
        flags |= kLineHadCR;
      }
      if (line.size() > max_line_bytes_) {
        line = line.substr(0, max_line_bytes_);
        flags |= kLineTruncated;
      }
      batch->AddLine(line, offset, offset, flags);
      if (nl == std::string_view::npos) break;
      value.remove_prefix(nl + 1);
      if (value.empty()) break;
      first = false;
    }
  }

  // The pipeline source of a topic-partition (or topic-partition-key).
  uint32_t SourceFor(const TopicPartition& tp, std::string_view key) {
    if (service_from_key_ && !key.empty()) {
      std::string id = absl::StrCat(tp.first, "\x1f", tp.second, "\x1f", AbslView(key));
      if (auto it = source_ids_.find(id); it != source_ids_.end()) return it->second;
      const bool known = key_services_.contains(AbslView(key));
      if (known || key_services_.size() < options_.max_key_services) {
        if (!known) key_services_.emplace(key);
        const uint32_t source = pipeline_->AddSource(
            absl::StrCat("kafka:", tp.first, "/", tp.second, "/", AbslView(key)), std::string(key));
        source_ids_.emplace(std::move(id), source);
        return source;
      }
      key_overflow_.fetch_add(1, std::memory_order_relaxed);
    }
    std::string id = absl::StrCat(tp.first, "\x1f", tp.second);
    if (auto it = source_ids_.find(id); it != source_ids_.end()) return it->second;
    const uint32_t source =
        pipeline_->AddSource(absl::StrCat("kafka:", tp.first, "/", tp.second), tp.first);
    source_ids_.emplace(std::move(id), source);
    return source;
  }

  // Registers the rounds of current_ with their partitions and moves their
  // batches to held_.
  void FinishRound() {
    if (current_.empty()) return;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [tp, pending] : current_) {
        Round& round = *pending.round;
        round.remaining = static_cast<uint32_t>(pending.batches.size());
        if (round.remaining == 0) indexed_messages_ += round.messages;  // tombstones only
        PartitionState& st = partitions_[tp];
        st.position = round.last_offset + 1;
        st.rounds.push_back(pending.round);
      }
    }
    for (auto& [tp, pending] : current_) {
      for (auto& [source, batch] : pending.batches) {
        held_.push_back(HeldBatch{tp, std::move(batch), pending.round});
      }
    }
    current_.clear();
    last_ = {};
  }

  // Submits held batches while the pipeline has room. True when nothing is
  // held and there is room for more.
  bool SubmitHeld() {
    while (!held_.empty()) {
      if (!pipeline_->HasRoom()) return false;
      SubmitFront();
    }
    return pipeline_->HasRoom();
  }

  void SubmitFront() {
    HeldBatch held = std::move(held_.front());
    held_.pop_front();
    batches_.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<Round> round = std::move(held.round);
    pipeline_->Submit(std::move(held.batch), [this, round] { OnBatchIndexed(*round); });
  }

  // On a pipeline worker thread.
  void OnBatchIndexed(Round& round) {
    absl::MutexLock lock(&mu_);
    if (--round.remaining == 0 && !round.abandoned) indexed_messages_ += round.messages;
  }

  // Pauses every assigned partition when there is no room; resumes them once
  // the in-flight bytes are down to half the budget (so that a source does not
  // flap between pause and resume: a pause drops the prefetched messages,
  // which are fetched again after the resume).
  void UpdatePause(bool room, bool held_back) {
    bool pause = paused_;
    if (!room) {
      pause = true;
    } else if (paused_) {
      pause = held_back || pipeline_->Stats().queued_bytes > pipeline_->options().queue_bytes / 2;
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

  // librdkafka 2.0.2 acts on a resume only when the broker thread next wakes
  // up (up to 1 s later). A seek to the position the resume restarts from
  // anyway (the offset after the last message handed to us) wakes it at
  // once; partitions with no position yet are left to the resume.
  void KickFetcher(rd_kafka_topic_partition_list_t* partitions) {
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

  // start = earliest / latest: the first assignment of a partition starts at
  // its beginning / end.
  void ApplyStart(rd_kafka_topic_partition_list_t* partitions) {
    if (options_.start == "committed") return;
    const int64_t offset =
        options_.start == "earliest" ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    for (int i = 0; i < partitions->cnt; ++i) {
      auto& p = partitions->elems[i];
      if (started_.insert(TopicPartition(p.topic, p.partition)).second) p.offset = offset;
    }
  }

  // Gives up `partitions`: drops what was consumed and not submitted, waits
  // until what was submitted is indexed and commits it (unless the
  // assignment is already lost, when a commit would be refused).
  void Revoke(const rd_kafka_topic_partition_list_t* partitions, bool lost) {
    std::set<TopicPartition> revoked;
    for (int i = 0; i < partitions->cnt; ++i) {
      revoked.emplace(partitions->elems[i].topic, partitions->elems[i].partition);
    }
    for (const TopicPartition& tp : revoked) current_.erase(tp);
    last_ = {};
    {
      absl::MutexLock lock(&mu_);
      std::deque<HeldBatch> kept;
      for (HeldBatch& held : held_) {
        if (revoked.count(held.tp)) {
          --held.round->remaining;
          held.round->abandoned = true;
        } else {
          kept.push_back(std::move(held));
        }
      }
      held_ = std::move(kept);
    }
    if (!lost) {
      WaitIndexed(&revoked, kRevokeWait);
      Commit(&revoked, /*sync=*/true);
    }
    {
      absl::MutexLock lock(&mu_);
      for (const TopicPartition& tp : revoked) partitions_.erase(tp);
    }
    // Their pipeline sources send no more from here: they stop holding the
    // watermark back (a later assignment registers the partition anew).
    for (auto it = source_ids_.begin(); it != source_ids_.end();) {
      const std::vector<std::string> parts = absl::StrSplit(it->first, '\x1f');
      const bool gone =
          parts.size() >= 2 && revoked.count(TopicPartition(parts[0], PartitionOf(parts[1])));
      if (!gone) {
        ++it;
        continue;
      }
      pipeline_->EndSource(it->second);
      source_ids_.erase(it++);
    }
  }

  static int32_t PartitionOf(const std::string& text) {
    int32_t p = -1;
    if (!absl::SimpleAtoi(text, &p)) return -1;
    return p;
  }

  // Waits until every submitted batch of `scope` (nullptr: all partitions)
  // is indexed, or `timeout`.
  void WaitIndexed(const std::set<TopicPartition>* scope, absl::Duration timeout) {
    auto done = [this, scope]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      for (const auto& [tp, st] : partitions_) {
        if (scope != nullptr && !scope->count(tp)) continue;
        for (const auto& round : st.rounds) {
          if (round->remaining > 0) return false;
        }
      }
      return true;
    };
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }

  // Commits, for each partition of `scope` (nullptr: all), the offset below
  // which everything is indexed, if it moved since the last commit.
  void Commit(const std::set<TopicPartition>* scope, bool sync) {
    PartitionList list(rd_kafka_topic_partition_list_new(4));
    {
      absl::MutexLock lock(&mu_);
      for (auto& [tp, st] : partitions_) {
        if (scope != nullptr && !scope->count(tp)) continue;
        while (!st.rounds.empty() && st.rounds.front()->remaining == 0 &&
               !st.rounds.front()->abandoned) {
          st.committable = std::max(st.committable, st.rounds.front()->last_offset + 1);
          st.rounds.pop_front();
        }
        if (st.committable > st.commit_sent) {
          rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset =
              st.committable;
          st.commit_sent = st.committable;
        }
      }
    }
    if (list->cnt == 0) return;
    const uint64_t callbacks_before = commit_callbacks_;
    rd_kafka_resp_err_t err =
        rd_kafka_commit_queue(rk_, list.get(), sync ? nullptr : commit_q_, &CommitCallback, this);
    const bool reported = sync && commit_callbacks_ != callbacks_before;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && !reported) {
      // Not even sent: account for it here and send it again next time.
      for (int i = 0; i < list->cnt; ++i) list->elems[i].err = err;
      OnCommitted(err, list.get());
    }
  }

  // Refreshes the watermarks of the assigned partitions: from librdkafka's
  // cache (updated by fetches) while fetching, from the broker when paused or
  // not yet known.
  void RefreshWatermarks() {
    std::vector<TopicPartition> tps;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [tp, st] : partitions_) tps.push_back(tp);
    }
    for (const TopicPartition& tp : tps) {
      int64_t low = -1, high = -1;
      rd_kafka_resp_err_t err =
          rd_kafka_get_watermark_offsets(rk_, tp.first.c_str(), tp.second, &low, &high);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0 || low < 0 || paused_) {
        err = rd_kafka_query_watermark_offsets(rk_, tp.first.c_str(), tp.second, &low, &high,
                                               kWatermarkQueryMs);
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) continue;
      absl::MutexLock lock(&mu_);
      auto it = partitions_.find(tp);
      if (it == partitions_.end()) continue;
      it->second.low_watermark = low;
      it->second.high_watermark = high;
    }
  }

  absl::Status FatalStatus() {
    char errstr[512];
    rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_, errstr, sizeof(errstr));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = RD_KAFKA_RESP_ERR__FATAL;
    return absl::Status(KafkaErrorCode(err),
                        absl::StrCat("kafka: fatal consumer error in group \"", options_.group_id,
                                     "\": ", errstr, " (", rd_kafka_err2name(err), ")"));
  }

  void RecordError(std::string message) {
    absl::MutexLock lock(&mu_);
    last_error_ = std::move(message);
  }

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

  std::atomic<bool> fatal_{false};
  std::atomic<bool> paused_now_{false};
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> tombstones_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> rebalances_{0};
  std::atomic<uint64_t> revocations_{0};
  std::atomic<uint64_t> pauses_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> key_overflow_{0};

  mutable absl::Mutex mu_;
  std::map<TopicPartition, PartitionState> partitions_ ABSL_GUARDED_BY(mu_);
  uint64_t indexed_messages_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t commits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t commit_failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

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

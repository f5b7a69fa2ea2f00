// KafkaSourceImpl: polling messages into one RawBatch per pipeline source and
// partition, and handing the batches to the pipeline.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/kafka/internal/kafka_error.h"
#include "connectors/kafka/internal/kafka_source_impl.h"

namespace logweave::internal {

namespace {

// Debian's Abseil has its own string_view type.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

void KafkaSourceImpl::Gather(absl::Duration timeout, const std::atomic<bool>& stop) {
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

void KafkaSourceImpl::OnMessageError(const rd_kafka_message_t* message) {
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

void KafkaSourceImpl::AddMessage(const rd_kafka_message_t& message) {
  messages_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(message.len, std::memory_order_relaxed);
  brokers_down_.store(false, std::memory_order_relaxed);  // a broker sent it
  // Messages come in runs from one partition: the last one's round and
  // batch are reused without looking them up (not with service_from key,
  // where the batch depends on the key).
  const bool same_partition =
      last_.pending != nullptr && message.rkt == last_.rkt && message.partition == last_.partition;
  PendingRound* pending = last_.pending;
  if (!same_partition) {
    TopicPartition tp(rd_kafka_topic_name(message.rkt), message.partition);
    auto it = current_.try_emplace(std::move(tp)).first;
    pending = &it->second;
    if (!pending->round) pending->round = std::make_shared<Round>();
    last_ = LastPartition{message.rkt, message.partition, &it->first, pending, nullptr};
  }
  if (pending->round->messages == 0) pending->round->first_offset = message.offset;
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

void KafkaSourceImpl::AppendLines(RawBatch* batch, std::string_view value, uint64_t offset) {
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

uint32_t KafkaSourceImpl::SourceFor(const TopicPartition& tp, std::string_view key) {
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

void KafkaSourceImpl::FinishRound() {
  if (current_.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [tp, pending] : current_) {
      Round& round = *pending.round;
      round.remaining = static_cast<uint32_t>(pending.batches.size());
      if (round.remaining == 0) indexed_messages_ += round.messages;  // tombstones only
      PartitionState& st = partitions_[tp];
      st.position = round.last_offset + 1;
      if (st.rebuild_end > round.first_offset) {
        rebuild_messages_ += std::min(st.rebuild_end, st.position) - round.first_offset;
      }
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

bool KafkaSourceImpl::SubmitHeld() {
  while (!held_.empty()) {
    if (!pipeline_->HasRoom()) return false;
    SubmitFront();
  }
  return pipeline_->HasRoom();
}

void KafkaSourceImpl::SubmitFront() {
  HeldBatch held = std::move(held_.front());
  held_.pop_front();
  batches_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<Round> round = std::move(held.round);
  pipeline_->Submit(std::move(held.batch), [this, round] { OnBatchIndexed(*round); });
}

void KafkaSourceImpl::OnBatchIndexed(Round& round) {
  absl::MutexLock lock(&mu_);
  if (--round.remaining == 0 && !round.abandoned) indexed_messages_ += round.messages;
}

}  // namespace logweave::internal

// KafkaSourceImpl: the stats snapshot and the refresh of partition watermarks
// (consumer lag).

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "connectors/common/relaxed_counters.h"
#include "connectors/kafka/internal/broker_states.h"
#include "connectors/kafka/internal/kafka_error.h"
#include "connectors/kafka/internal/kafka_source_impl.h"

namespace logweave::internal {

namespace {

// Timeout of a watermark query to a broker.
constexpr int kWatermarkQueryMs = 500;

}  // namespace

KafkaSourceStats KafkaSourceImpl::Stats() const {
  KafkaSourceStats s;
  LoadRelaxed(
      std::tie(s.messages, s.bytes, s.tombstones, s.batches, s.rebalances, s.revocations, s.pauses,
               s.errors, s.key_overflow, s.revoked_lines, s.rebuilds, s.rebuild_skipped, s.paused),
      std::tie(messages_, bytes_, tombstones_, batches_, rebalances_, revocations_, pauses_,
               errors_, key_overflow_, revoked_lines_, rebuilds_, rebuild_skipped_, paused_now_));
  absl::MutexLock lock(&mu_);
  s.indexed_messages = indexed_messages_;
  s.commits = commits_;
  s.commit_failures = commit_failures_;
  s.rebuild_messages = rebuild_messages_;
  s.last_error = last_error_;
  s.brokers_down = brokers_down_.load(std::memory_order_acquire);
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

int KafkaSourceImpl::StatsCallback(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  static_cast<KafkaSourceImpl*>(opaque)->OnStats(std::string(json, json_len));
  return 0;  // librdkafka frees json
}

void KafkaSourceImpl::OnStats(std::string json) {
  if (std::optional<bool> down = AllBrokersDownInStats(&json)) {
    brokers_down_.store(*down, std::memory_order_release);
  }
}

void KafkaSourceImpl::RefreshWatermarks() {
  std::vector<TopicPartition> tps;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [tp, st] : partitions_) tps.push_back(tp);
  }
  for (const TopicPartition& tp : tps) {
    int64_t low = -1, high = -1;
    rd_kafka_resp_err_t err =
        rd_kafka_get_watermark_offsets(rk_, tp.first.c_str(), tp.second, &low, &high);
    // The cached offsets prove nothing about the brokers: while they are
    // down, ask one (an answer means one is back).
    const bool down = brokers_down_.load(std::memory_order_acquire);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0 || low < 0 || paused_ || down) {
      err = rd_kafka_query_watermark_offsets(rk_, tp.first.c_str(), tp.second, &low, &high,
                                             kWatermarkQueryMs);
      if (down && err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        brokers_down_.store(false, std::memory_order_release);
      }
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) continue;
    absl::MutexLock lock(&mu_);
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    it->second.low_watermark = low;
    it->second.high_watermark = high;
  }
}

}  // namespace logweave::internal

// KafkaSourceImpl: the librdkafka callbacks, rebalances (assign, revoke,
// lose) and offset commits.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/kafka/internal/kafka_error.h"
#include "connectors/kafka/internal/kafka_source_impl.h"

namespace logweave::internal {

namespace {

// Cap on waiting for a revoked partition's batches to be indexed.
constexpr absl::Duration kRevokeWait = absl::Seconds(60);

}  // namespace

void KafkaSourceImpl::RebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<KafkaSourceImpl*>(opaque)->OnRebalance(err, partitions);
}

void KafkaSourceImpl::ErrorCallback(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<KafkaSourceImpl*>(opaque)->OnError(static_cast<rd_kafka_resp_err_t>(err), reason);
}

void KafkaSourceImpl::CommitCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                     rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  static_cast<KafkaSourceImpl*>(opaque)->OnCommitted(err, offsets);
}

void KafkaSourceImpl::OnError(rd_kafka_resp_err_t err, const char* reason) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  if (err == RD_KAFKA_RESP_ERR__FATAL) fatal_.store(true, std::memory_order_release);
  // Until a broker answers again (a message, or a watermark query).
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    brokers_down_.store(true, std::memory_order_release);
  }
  RecordError(absl::StrCat("kafka: ", reason, " (", rd_kafka_err2name(err), ")"));
}

void KafkaSourceImpl::OnRebalance(rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rebalances_.fetch_add(1, std::memory_order_relaxed);
    ApplyStart(partitions);
    ApplyRebuild(partitions);
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

void KafkaSourceImpl::OnCommitted(rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* offsets) {
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

void KafkaSourceImpl::ApplyStart(rd_kafka_topic_partition_list_t* partitions) {
  if (options_.start == "committed") return;
  const int64_t offset =
      options_.start == "earliest" ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
  for (int i = 0; i < partitions->cnt; ++i) {
    auto& p = partitions->elems[i];
    if (started_.insert(TopicPartition(p.topic, p.partition)).second) p.offset = offset;
  }
}

void KafkaSourceImpl::Revoke(const rd_kafka_topic_partition_list_t* partitions, bool lost) {
  std::set<TopicPartition> revoked;
  for (int i = 0; i < partitions->cnt; ++i) {
    revoked.emplace(partitions->elems[i].topic, partitions->elems[i].partition);
  }
  uint64_t dropped_lines = 0;  // read but not handed on: the next owner reads them again
  for (const TopicPartition& tp : revoked) {
    if (auto it = current_.find(tp); it != current_.end()) {
      for (const auto& [source, batch] : it->second.batches) dropped_lines += batch.lines.size();
      current_.erase(it);
    }
  }
  last_ = {};
  {
    absl::MutexLock lock(&mu_);
    std::deque<HeldBatch> kept;
    for (HeldBatch& held : held_) {
      if (revoked.count(held.tp)) {
        dropped_lines += held.batch.lines.size();
        --held.round->remaining;
        held.round->abandoned = true;
      } else {
        kept.push_back(std::move(held));
      }
    }
    held_ = std::move(kept);
  }
  revoked_lines_.fetch_add(dropped_lines, std::memory_order_relaxed);
  if (!lost) {
    WaitIndexed(&revoked, kRevokeWait);
    Commit(&revoked, /*sync=*/true);
  }
  {
    absl::MutexLock lock(&mu_);
    for (const TopicPartition& tp : revoked) {
      auto it = partitions_.find(tp);
      if (it == partitions_.end()) continue;
      if (it->second.indexed_from >= 0 && it->second.committable > it->second.indexed_from) {
        indexed_ranges_[tp] = IndexedRange{it->second.indexed_from, it->second.committable};
      }
      partitions_.erase(it);
    }
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

int32_t KafkaSourceImpl::PartitionOf(const std::string& text) {
  int32_t p = -1;
  if (!absl::SimpleAtoi(text, &p)) return -1;
  return p;
}

void KafkaSourceImpl::WaitIndexed(const std::set<TopicPartition>* scope, absl::Duration timeout) {
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

void KafkaSourceImpl::Commit(const std::set<TopicPartition>* scope, bool sync) {
  PartitionList list(rd_kafka_topic_partition_list_new(4));
  {
    absl::MutexLock lock(&mu_);
    for (auto& [tp, st] : partitions_) {
      if (scope != nullptr && !scope->count(tp)) continue;
      while (!st.rounds.empty() && st.rounds.front()->remaining == 0 &&
             !st.rounds.front()->abandoned) {
        if (st.indexed_from < 0) st.indexed_from = st.rounds.front()->first_offset;
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
  // The offsets cover batches journaled when they were submitted: make them
  // durable there before committing (a no-op without a journal).
  if (absl::Status s = pipeline_->SyncJournal(); !s.ok()) {
    for (int i = 0; i < list->cnt; ++i) list->elems[i].err = RD_KAFKA_RESP_ERR__FS;
    OnCommitted(RD_KAFKA_RESP_ERR__FS, list.get());  // counted; sent again next time
    return;
  }
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

}  // namespace logweave::internal

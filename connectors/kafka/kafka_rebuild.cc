// KafkaSourceImpl: recovery from Kafka (rebuild_window). On an assignment,
// each partition starts at the offset of (now - rebuild_window) when that is
// before where it would start, so that the index holds the window again when
// another instance's partitions move here (committed offsets would skip what
// that instance had indexed).

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/kafka/internal/kafka_error.h"
#include "connectors/kafka/internal/kafka_source_impl.h"

namespace logweave::internal {

namespace {

// Timeout of each broker query of a rebuild (committed offsets, offsets for
// times, watermarks).
constexpr int kRebuildQueryMs = 5000;

}  // namespace

void KafkaSourceImpl::ApplyRebuild(rd_kafka_topic_partition_list_t* partitions) {
  if (options_.rebuild_window <= absl::ZeroDuration() || partitions->cnt == 0) return;
  const int64_t since_ms = absl::ToUnixMillis(absl::Now() - options_.rebuild_window);
  // Where each partition would start without the rebuild.
  PartitionList committed(rd_kafka_topic_partition_list_copy(partitions));
  if (rd_kafka_resp_err_t e = rd_kafka_committed(rk_, committed.get(), kRebuildQueryMs); e) {
    RecordError(std::string(KafkaError(e, "rebuild: reading the committed offsets").message()));
    return;
  }
  PartitionList times(rd_kafka_topic_partition_list_copy(partitions));
  for (int i = 0; i < times->cnt; ++i) {
    auto& t = times->elems[i];
    t.offset = options_.offset_for_time_for_test
                   ? options_.offset_for_time_for_test(t.topic, t.partition, since_ms)
                   : since_ms;
  }
  if (!options_.offset_for_time_for_test) {
    if (rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk_, times.get(), kRebuildQueryMs); e) {
      RecordError(std::string(
          KafkaError(e, absl::StrCat("rebuild: offsets_for_times(now - ",
                                     absl::FormatDuration(options_.rebuild_window), ")"))
              .message()));
      return;
    }
  }
  for (int i = 0; i < partitions->cnt; ++i) {
    auto& p = partitions->elems[i];
    const TopicPartition tp(p.topic, p.partition);
    int64_t start = p.offset;  // ApplyStart's choice, or RD_KAFKA_OFFSET_INVALID: committed
    bool committed_start = false;
    if (start == RD_KAFKA_OFFSET_BEGINNING) continue;
    if (start == RD_KAFKA_OFFSET_INVALID) {
      const rd_kafka_topic_partition_t* c =
          rd_kafka_topic_partition_list_find(committed.get(), p.topic, p.partition);
      // No committed offset: auto.offset.reset=earliest reads it all anyway.
      if (c == nullptr || c->err || c->offset < 0) continue;
      start = c->offset;
      committed_start = true;
    } else if (start == RD_KAFKA_OFFSET_END) {
      int64_t low = -1, high = -1;
      if (rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk_, p.topic, p.partition, &low,
                                                                   &high, kRebuildQueryMs);
          e) {
        RecordError(std::string(KafkaError(e, "rebuild: querying the end offset").message()));
        continue;
      }
      start = high;
    }
    const rd_kafka_topic_partition_t* t =
        rd_kafka_topic_partition_list_find(times.get(), p.topic, p.partition);
    // -1: no message at or after the time; nothing to read again.
    if (t == nullptr || t->err || t->offset < 0 || t->offset >= start) continue;
    int64_t from = t->offset;
    int64_t indexed_from = -1;
    // What this source indexed before (a partition it gives up and gets
    // back) is not read again.
    if (auto r = indexed_ranges_.find(tp); r != indexed_ranges_.end()) {
      if (r->second.from <= from && r->second.to > from) {
        const int64_t to = std::min(r->second.to, start);
        rebuild_skipped_.fetch_add(static_cast<uint64_t>(to - from), std::memory_order_relaxed);
        from = to;
        indexed_from = r->second.from;
      }
    }
    absl::MutexLock lock(&mu_);
    PartitionState& st = partitions_[tp];
    if (indexed_from >= 0) st.indexed_from = indexed_from;
    if (from >= start) continue;
    p.offset = from;
    st.rebuild_end = start;
    // What is read again is not committed again: the group's offset does not
    // move back while the window is read.
    st.commit_sent = std::max(st.commit_sent, start);
    if (committed_start) st.committed = std::max(st.committed, start);
    rebuilds_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace logweave::internal

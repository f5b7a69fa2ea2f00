// The hand-over from the pipeline's workers (Observe) to a plugin's own
// state: a lock-free queue of item batches with a limit on what it holds.
// Over the limit a batch is dropped and counted, never waited for. Items
// that repeat a recent line byte for byte (a shipper's retry, a Kafka
// redelivery) are taken once, as the index keeps such lines once.
#ifndef LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_
#define LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "concurrentqueue/concurrentqueue.h"

namespace logweave::internal {

// Offer: any thread, lock-free. Drain: one thread at a time. T has a
// `uint64_t line_hash` (XXH3 of the raw line, as ParsedBatch::line_hashes).
template <typename T>
class PluginQueue {
 public:
  // At most `limit` items are held at once; repeats are looked for among the
  // last `limit` (at most 1 Mi) lines taken.
  explicit PluginQueue(uint64_t limit)
      : limit_(limit), window_(std::min<uint64_t>(limit, uint64_t{1} << 20)) {}

  // Queues `items`, or drops and counts them all when that would hold more than the limit.
  void Offer(std::vector<T>&& items) {
    const uint64_t n = items.size();
    if (n == 0) return;
    uint64_t held = pending_.load(std::memory_order_relaxed);
    do {
      if (held + n > limit_) {
        dropped_.fetch_add(n, std::memory_order_relaxed);
        return;
      }
    } while (!pending_.compare_exchange_weak(held, held + n, std::memory_order_relaxed));
    queue_.enqueue(std::move(items));
  }

  // Hands every queued item that is not a repeat to `take(T&&)`; items
  // offered meanwhile may wait for the next call.
  template <typename Take>
  void Drain(Take&& take) {
    std::vector<T> batch;
    while (queue_.try_dequeue(batch)) {
      for (T& item : batch) {
        if (FirstTime(item.line_hash)) take(std::move(item));
      }
      pending_.fetch_sub(batch.size(), std::memory_order_relaxed);
      batch.clear();
    }
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  // False if `hash` was taken recently; two generations of `window_` each.
  bool FirstTime(uint64_t hash) {
    if (previous_.contains(hash) || !current_.insert(hash).second) return false;
    if (current_.size() >= window_) {
      previous_ = std::move(current_);
      current_ = {};
    }
    return true;
  }

  const uint64_t limit_;
  const uint64_t window_;
  moodycamel::ConcurrentQueue<std::vector<T>> queue_;
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> dropped_{0};
  absl::flat_hash_set<uint64_t> current_, previous_;  // Drain's thread only
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_

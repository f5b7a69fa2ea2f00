// The hand-over from the pipeline's workers (Observe) to a plugin's
// evaluation: a lock-free queue of item batches with a limit on what it
// holds. Over the limit a batch is dropped and counted, never waited for.
#ifndef LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_
#define LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "concurrentqueue/concurrentqueue.h"

namespace logweave::internal {

// Offer: any thread, lock-free. Drain: one thread at a time.
template <typename T>
class PluginQueue {
 public:
  // At most `limit` items are held at once.
  explicit PluginQueue(uint64_t limit) : limit_(limit) {}

  // Queues `items`, or drops and counts them all when that would hold more than the limit.
  void Offer(std::vector<T>&& items) {
    const uint64_t n = items.size();
    if (n == 0) return;
    if (pending_.fetch_add(n, std::memory_order_relaxed) + n > limit_) {
      pending_.fetch_sub(n, std::memory_order_relaxed);
      dropped_.fetch_add(n, std::memory_order_relaxed);
      return;
    }
    queue_.enqueue(std::move(items));
  }

  // Hands every queued item to `take(T&&)`; items offered meanwhile may wait
  // for the next call.
  template <typename Take>
  void Drain(Take&& take) {
    std::vector<T> batch;
    while (queue_.try_dequeue(batch)) {
      for (T& item : batch) take(std::move(item));
      pending_.fetch_sub(batch.size(), std::memory_order_relaxed);
      batch.clear();
    }
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  moodycamel::ConcurrentQueue<std::vector<T>> queue_;
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_PLUGIN_QUEUE_H_

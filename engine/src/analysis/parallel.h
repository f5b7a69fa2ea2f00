// Running one piece of work on several threads.
#ifndef LOGWEAVE_ANALYSIS_PARALLEL_H_
#define LOGWEAVE_ANALYSIS_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace logweave::internal {

// Runs fn(0) ... fn(n - 1) at once, fn(0) on the calling thread, and
// returns when all have. fn must not throw.
template <typename Fn>
void RunOnThreads(uint32_t n, const Fn& fn) {
  std::vector<std::thread> threads;
  for (uint32_t i = 1; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  fn(0);
  for (std::thread& t : threads) t.join();
}

// Calls fn(thread, i) for every i in [0, count) on `threads` threads
// (RunOnThreads), which take the indices in runs of `per_take`.
template <typename Fn>
void ForEachIndexOnThreads(uint32_t threads, size_t count, size_t per_take, const Fn& fn) {
  std::atomic<size_t> next{0};
  RunOnThreads(threads, [&](uint32_t t) {
    for (size_t b; (b = next.fetch_add(per_take)) < count;) {
      for (size_t i = b; i < std::min(count, b + per_take); ++i) fn(t, i);
    }
  });
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PARALLEL_H_

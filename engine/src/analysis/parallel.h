// Running one piece of work on several threads.
#ifndef LOGWEAVE_ANALYSIS_PARALLEL_H_
#define LOGWEAVE_ANALYSIS_PARALLEL_H_

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

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PARALLEL_H_

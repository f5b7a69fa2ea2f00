// A Runtime of two worker threads and default options, for the tests that read sources into
// one (runtime_test, replay_source_test). Null, with a test failure, if it could not be made.
#ifndef LOGWEAVE_TESTS_SUPPORT_TWO_THREAD_RUNTIME_H_
#define LOGWEAVE_TESTS_SUPPORT_TWO_THREAD_RUNTIME_H_

#include <gtest/gtest.h>

#include <memory>

#include "logweave/runtime.h"

namespace logweave::testing_support {

inline std::unique_ptr<Runtime> MakeTwoThreadRuntime() {
  RuntimeOptions options;
  options.pipeline.threads = 2;
  absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
  EXPECT_TRUE(runtime.ok()) << runtime.status();
  return runtime.ok() ? std::move(*runtime) : nullptr;
}

}  // namespace logweave::testing_support

#endif  // LOGWEAVE_TESTS_SUPPORT_TWO_THREAD_RUNTIME_H_

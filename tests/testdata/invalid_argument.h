// Checking that a result was refused as bad input, and why.
#ifndef LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_
#define LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace logweave::testdata {

// Expects `result` to be INVALID_ARGUMENT with a message containing each of `parts`.
template <typename T>
void ExpectInvalidArgument(const absl::StatusOr<T>& result, const std::vector<std::string>& parts) {
  ASSERT_FALSE(result.ok()) << "accepted";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  for (const std::string& part : parts) {
    EXPECT_NE(std::string(result.status().message()).find(part), std::string::npos)
        << "message lacks \"" << part << "\": " << result.status().message();
  }
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_

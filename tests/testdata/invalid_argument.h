// Checking that a result was refused as bad input, and why.
#ifndef LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_
#define LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
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

// Expects the message of each result's status to contain its part (an OK result has an empty
// one): {{LoadConfigString(text), "plugins.canary.window"}, ...}.
template <typename T>
void ExpectMessagesContain(const std::vector<std::pair<absl::StatusOr<T>, std::string>>& cases) {
  for (const auto& [result, part] : cases) {
    EXPECT_NE(std::string(result.status().message()).find(part), std::string::npos)
        << "message lacks \"" << part << "\": " << result.status().message();
  }
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_INVALID_ARGUMENT_H_

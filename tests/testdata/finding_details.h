// Checking the details of a Finding in tests.
#ifndef LOGWEAVE_TESTS_TESTDATA_FINDING_DETAILS_H_
#define LOGWEAVE_TESTS_TESTDATA_FINDING_DETAILS_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logweave/finding.h"

namespace logweave::testdata {

// Expects each detail of `want`, written "key=value", in `f`; a mismatch names the key.
inline void ExpectDetails(const Finding& f, const std::vector<std::string>& want) {
  for (const std::string& key_value : want) {
    const size_t eq = key_value.find('=');
    ASSERT_NE(eq, std::string::npos) << key_value;
    EXPECT_EQ(f.Detail(key_value.substr(0, eq)), key_value.substr(eq + 1)) << key_value;
  }
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_FINDING_DETAILS_H_

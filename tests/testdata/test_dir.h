// A directory of the running test's own under the GoogleTest temporary directory.
#ifndef LOGWEAVE_TESTS_TESTDATA_TEST_DIR_H_
#define LOGWEAVE_TESTS_TESTDATA_TEST_DIR_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace logweave::testdata {

// TempDir()/<prefix>_<pid>_<test name>, created empty (what was there before is removed).
// The caller removes it when the test ends. Call from the test's thread.
inline std::filesystem::path MakeTestDir(const std::string& prefix) {
  std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                               (prefix + "_" + std::to_string(::getpid()) + "_" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_TEST_DIR_H_

// The one assertion of the fuzz targets: a broken contract aborts, so that
// libFuzzer reports the input that broke it.
#ifndef LOGWEAVE_TESTS_FUZZ_FUZZ_CHECK_H_
#define LOGWEAVE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace logweave::fuzz {

// Aborts with "fuzz target: broken: <what>" unless `ok`.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz target: broken: %s\n", what);
    std::abort();
  }
}

}  // namespace logweave::fuzz

#endif  // LOGWEAVE_TESTS_FUZZ_FUZZ_CHECK_H_

// Test helper: reads a sample out of a Prometheus text exposition.
#ifndef LOGWEAVE_TESTS_TESTDATA_EXPOSITION_H_
#define LOGWEAVE_TESTS_TESTDATA_EXPOSITION_H_

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace logweave::testdata {

// The value of the sample `series` (its name and labels as printed, e.g.
// `logweave_parsed_lines_total{format="json"}`) in `exposition`; -1 if it
// has none.
inline double Sample(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double v = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &v)) return v;
    }
  }
  return -1;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_EXPOSITION_H_

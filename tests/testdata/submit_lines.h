// Test helper: hands lines to a pipeline as one source's batches.
#ifndef LOGWEAVE_TESTS_TESTDATA_SUBMIT_LINES_H_
#define LOGWEAVE_TESTS_TESTDATA_SUBMIT_LINES_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "logweave/pipeline.h"

namespace logweave::testdata {

// Submits lines [from, to) of `lines` from source `source` in batches of
// `batch_lines`, each line with its 1-based number and byte offset (counted
// from `from`). Does not flush.
inline void SubmitLines(Pipeline* p, uint32_t source, const std::vector<std::string>& lines,
                        size_t batch_lines, size_t from = 0, size_t to = SIZE_MAX) {
  RawBatch b;
  b.source_id = source;
  uint64_t offset = 0;
  for (size_t i = from; i < std::min(to, lines.size()); ++i) {
    b.AddLine(lines[i], offset, i + 1);
    offset += lines[i].size() + 1;
    if (b.size() == batch_lines) {
      p->Submit(std::move(b));
      b = RawBatch();
      b.source_id = source;
    }
  }
  if (b.size() > 0) p->Submit(std::move(b));
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_SUBMIT_LINES_H_

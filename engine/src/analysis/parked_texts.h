// Plain-text entries' texts held compressed while an analysis does not read them.
//
// The attribution reads each error's words (TraceIdWords), which are copied
// out first, and not its text; while it holds its candidates, the texts wait
// here in zstd blocks (index/line_store.h) and go back into the same entries
// afterwards, so that the texts and the candidates are not held at once. A
// report whose readers show first lines only (findings, template groups) gets
// only those back.
//
//   ParkedTexts parked(entries, threads);  // texts emptied
//   ... attribute (entries keep their order) ...
//   parked.Restore(entries, ParkedTexts::Restored::kWhole);
//
// Thread-compatible; parking and Restore run on threads of their own.
#ifndef LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_
#define LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "index/line_store.h"
#include "logweave/report.h"

namespace logweave::internal {

class ParkedTexts {
 public:
  enum class Restored { kWhole, kFirstLines };

  // Moves the texts of `entries` into compressed blocks and empties them.
  ParkedTexts(std::vector<AttributedEntry>& entries, uint32_t threads);

  // Gives each entry its text back, whole or up to its first newline.
  // `entries` are those parked, in the same order (their other fields may have
  // changed), on as many threads as parked them. Once: each block is freed
  // when it has been read.
  void Restore(std::vector<AttributedEntry>& entries, Restored restored);

  // Memory held: the compressed blocks and the texts' sizes.
  uint64_t bytes() const;

 private:
  // A run of entries, [begin, end), whose texts one thread parks in one store.
  struct Part {
    size_t begin = 0, end = 0;
    std::unique_ptr<LineStore> store;
  };
  std::vector<Part> parts_;
  std::vector<uint32_t> sizes_;  // each entry's text size, by index
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_

// Plain-text entries' texts held compressed while an analysis does not read them.
//
// The attribution reads each error's words (TraceIdWords, copied out when the
// texts are parked), not its text; while it holds its candidates, the texts
// wait here in the zstd blocks (index/line_store.h) the collector kept them in
// and go back into the same entries afterwards, so that the texts and the
// candidates are not held at once. A report whose readers show first lines only (findings, template
// groups) gets only those back.
//
//   EntryWords words;
//   ParkedTexts parked(std::move(store), std::move(refs), threads, &words);
//   ... attribute (entries keep their order, or Reorder says how they moved) ...
//   parked.Restore(entries, ParkedTexts::Restored::kWhole);
//
// Thread-compatible; parking, reading the words and Restore run on threads of
// their own (one per part).
#ifndef LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_
#define LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/trace_id_words.h"
#include "index/line_store.h"
#include "logweave/report.h"

namespace logweave::internal {

class ParkedTexts {
 public:
  enum class Restored { kWhole, kFirstLines };
  // Where an entry's text lies in a store.
  struct Ref {
    size_t entry = 0;  // the entry's index
    uint64_t pos = 0;  // LineStore position
    uint32_t size = 0;
  };

  ParkedTexts() = default;  // nothing parked
  // Takes over `store`, whose texts `refs` locate (in the store's order: each
  // after the one before), as parked texts of the entries the refs name;
  // `words`, unless null, gets those entries' words (sized to hold every
  // ref's entry).
  ParkedTexts(std::unique_ptr<LineStore> store, std::vector<Ref> refs, uint32_t threads,
              EntryWords* words);

  // The entries were moved: place i now holds the entry that was at order[i]
  // (internal/permute.h's SortedOrder); the texts follow them.
  void Reorder(const std::vector<size_t>& order);

  // Gives each entry its text back, whole or up to its first newline. The
  // entries are those parked, in the same order (their other fields may have
  // changed). An entry of `previous` (a former report's, or null) with the
  // same id and the same text lends it (shared, not copied), so that two
  // reports in memory at once do not hold it twice. Once: the blocks are freed.
  void Restore(std::vector<AttributedEntry>& entries, Restored restored,
               const std::vector<AttributedEntry>* previous = nullptr);

  // Memory held: the compressed blocks and the refs.
  uint64_t bytes() const;

 private:
  // A run of refs, in their store's order, that one thread reads.
  struct Part {
    std::shared_ptr<const LineStore> store;
    std::vector<Ref> refs;
  };
  // Calls fn(ref, text) for every parked text, each part on a thread of its own.
  template <typename Fn>
  void ForEachText(const Fn& fn) const;

  std::vector<Part> parts_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PARKED_TEXTS_H_

// Which redaction rules can match a line, found without running them: RE2's
// FilteredRE2 derives from each rule the literal strings ("atoms") that any
// match must contain, and Hyperscan looks for every atom in one pass over a
// whole batch of lines. A rule without atoms (card numbers: digits only) is
// a candidate for every line; the caller's own quick check decides there.
#ifndef LOGWEAVE_REDACT_PREFILTER_H_
#define LOGWEAVE_REDACT_PREFILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "re2/filtered_re2.h"
#include "re2/re2.h"

struct hs_database;
struct hs_scratch;

namespace logweave::internal {

// Immutable once made, except for its pool of Hyperscan scratch spaces
// (guarded): thread-safe. Scan with a Session, one per thread at a time.
class RulePrefilter {
 public:
  // Null where it cannot help: Hyperscan cannot run on this CPU, an atom is
  // not ASCII (Hyperscan folds the case of ASCII letters only), or no rule
  // has an atom. `patterns` must be ones RE2 compiles with `options`.
  static std::unique_ptr<RulePrefilter> Create(const std::vector<std::string>& patterns,
                                               const re2::RE2::Options& options);
  ~RulePrefilter();
  RulePrefilter(const RulePrefilter&) = delete;
  RulePrefilter& operator=(const RulePrefilter&) = delete;

  // Holds one scratch space of the pool while it lives; not thread-safe.
  class Session {
   public:
    explicit Session(const RulePrefilter* prefilter);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Finds the atoms in `block` (a batch's bytes, which must outlive the
    // lines asked about) in one pass, so that Candidates of a line inside it
    // only looks up what was found there.
    void ScanBlock(std::string_view block);

    // The indexes of the patterns that may match `line`, ascending. A line
    // outside the scanned block is scanned alone.
    const std::vector<int>& Candidates(std::string_view line);

   private:
    // Appends the atoms found in `text` to `hits`, at their end offsets.
    bool Scan(std::string_view text, std::vector<std::pair<uint64_t, int>>* hits);

    const RulePrefilter* prefilter_;
    hs_scratch* scratch_;
    std::string_view block_;
    bool block_scanned_ = false;
    std::vector<std::pair<uint64_t, int>> hits_;       // in block_: (end offset, atom), ascending
    std::vector<std::pair<uint64_t, int>> line_hits_;  // in a line outside it
    std::vector<int> atoms_;
    std::vector<int> candidates_;
  };

 private:
  RulePrefilter() = default;
  hs_scratch* Acquire() const;
  void Release(hs_scratch* scratch) const;

  re2::FilteredRE2 filter_{/*min_atom_len=*/3};
  int pattern_count_ = 0;
  std::vector<int> unfiltered_;  // patterns without atoms: candidates for every line
  hs_database* atoms_ = nullptr;
  hs_scratch* prototype_ = nullptr;  // cloned for each Session the pool lacks
  mutable absl::Mutex mu_;
  mutable std::vector<hs_scratch*> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_REDACT_PREFILTER_H_

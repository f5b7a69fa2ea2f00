// Redaction of secrets in log lines before anything is parsed, stored or
// served: AWS keys, bearer tokens and JWTs, passwords in URLs, secret=...
// pairs, card numbers (Luhn- and issuer-checked), PEM private keys, and the
// values of JSON fields by name. Each match becomes [REDACTED:rule]; the rest
// of the line is kept. Keys and rules: docs/security.md.
//
//   auto redactor = Redactor::Create(options.redact).value();
//   Redactor::Scanner scanner(*redactor);  // one per thread, e.g. per batch
//   scanner.ScanBlock(batch.data);         // optional: the lines' bytes at once
//   std::string out;
//   if (scanner.Redact(line, &out, &counts)) line = out;
//
// Which rules a line can match is found first from the literal strings their
// matches must hold, in one Hyperscan pass over a whole batch
// (redact/prefilter.h; an RE2 set where that cannot be used); RE2 then finds
// and replaces what those rules match.
#ifndef LOGWEAVE_REDACT_REDACTOR_H_
#define LOGWEAVE_REDACT_REDACTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/options.h"
#include "re2/re2.h"
#include "redact/prefilter.h"

namespace logweave::internal {

// Immutable once made: thread-safe (RE2 objects are safe to share).
class Redactor {
 public:
  // How a line's candidate rules are found: Hyperscan where it runs (the
  // default), or an RE2 set (where it does not; tests and benchmarks compare).
  enum class Prefilter { kHyperscan, kRe2Set };

  // INVALID_ARGUMENT naming the pattern for one RE2 cannot compile, or a
  // custom rule's name that is empty or taken.
  static absl::StatusOr<std::unique_ptr<Redactor>> Create(
      const RedactOptions& options, Prefilter prefilter = Prefilter::kHyperscan);
  ~Redactor();

  // The rules' names, in the order of the counts Redact adds to.
  const std::vector<std::string>& rule_names() const { return names_; }

  // Redacts lines on one thread, reusing the prefilter's scratch space
  // while it lives. `redactor` must outlive it.
  class Scanner {
   public:
    explicit Scanner(const Redactor& redactor);
    // Looks for what the rules need in all of `block` (e.g. a batch's bytes)
    // at once: faster than line by line. Lines inside it redacted after this
    // use what was found; `block` must stay unchanged meanwhile.
    void ScanBlock(std::string_view block);
    // If `line` holds anything to redact: writes the redacted line to `out`,
    // adds one to (*counts)[rule] per replacement (resized to the rules), and
    // returns true. Otherwise false, and `out` is untouched.
    bool Redact(std::string_view line, std::string* out, std::vector<uint64_t>* counts);

   private:
    const Redactor& redactor_;
    std::optional<RulePrefilter::Session> session_;  // empty: the RE2 set decides
    std::vector<int> matched_;
  };

  // The same as a Scanner's, for one line.
  bool Redact(std::string_view line, std::string* out, std::vector<uint64_t>* counts) const;

 private:
  struct Rule;
  Redactor();
  // Replaces what the rules `candidates` (ascending) match in `line`.
  bool RedactWith(const std::vector<int>& candidates, std::string_view line, std::string* out,
                  std::vector<uint64_t>* counts) const;

  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::unique_ptr<RulePrefilter> prefilter_;  // null: any_ finds the candidates
  std::unique_ptr<re2::RE2::Set> any_;        // one pass: does any rule match at all?
};

// True if `digits` (13-19 decimal digits) pass the Luhn check.
bool LuhnValid(std::string_view digits);

}  // namespace logweave::internal

#endif  // LOGWEAVE_REDACT_REDACTOR_H_

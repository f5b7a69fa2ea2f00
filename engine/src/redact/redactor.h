// Redaction of secrets in log lines before anything is parsed, stored or
// served: AWS keys, bearer tokens and JWTs, passwords in URLs, secret=...
// pairs, card numbers (Luhn- and issuer-checked), PEM private keys, and the
// values of JSON fields by name. Each match becomes [REDACTED:rule]; the rest
// of the line is kept. Keys and rules: docs/security.md.
//
//   auto redactor = Redactor::Create(options.redact).value();
//   std::string out;
//   if (redactor->Redact(line, &out, &counts)) line = out;
#ifndef LOGWEAVE_REDACT_REDACTOR_H_
#define LOGWEAVE_REDACT_REDACTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/options.h"
#include "re2/re2.h"

namespace logweave::internal {

// Immutable once made: thread-safe (RE2 objects are safe to share).
class Redactor {
 public:
  // INVALID_ARGUMENT naming the pattern for one RE2 cannot compile, or a
  // custom rule's name that is empty or taken.
  static absl::StatusOr<std::unique_ptr<Redactor>> Create(const RedactOptions& options);
  ~Redactor();

  // The rules' names, in the order of the counts Redact adds to.
  const std::vector<std::string>& rule_names() const { return names_; }

  // If `line` holds anything to redact: writes the redacted line to `out`,
  // adds one to (*counts)[rule] per replacement (resized to the rules), and
  // returns true. Otherwise false, and `out` is untouched.
  bool Redact(std::string_view line, std::string* out, std::vector<uint64_t>* counts) const;

 private:
  struct Rule;
  Redactor();

  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::unique_ptr<re2::RE2::Set> any_;  // one pass: does any rule match at all?
};

// True if `digits` (13-19 decimal digits) pass the Luhn check.
bool LuhnValid(std::string_view digits);

}  // namespace logweave::internal

#endif  // LOGWEAVE_REDACT_REDACTOR_H_

// Placeholders in actions' arguments, URLs and headers: {kind} {id} {service}
// {subject} {trace_id} {severity} {time} {details.KEY}; `{{` and `}}` stand
// for a literal brace.
//
//   absl::StatusOr<Template> t = Template::Parse("deployment/{service}");
//   t->Expand(finding);   // "deployment/gateway"
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_TEMPLATE_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_TEMPLATE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/finding.h"

namespace logweave::actions {

// The service a finding is about: its details.service, else its subject.
// What `services:` filters on and {service} expands to.
const std::string& FindingService(const Finding& finding);

// A parsed text with placeholders. An immutable value; thread-safe.
class Template {
 public:
  // INVALID_ARGUMENT naming an unknown placeholder ("{sevrity}"), an
  // unclosed one or an empty {details.}.
  static absl::StatusOr<Template> Parse(const std::string& text);

  // The text with each placeholder replaced by the finding's value ({time}:
  // RFC 3339 UTC; a detail the finding lacks: empty), each value passed
  // through `escape` first when given (a URL's percent-encoding).
  std::string Expand(const Finding& finding,
                     const std::function<std::string(const std::string&)>& escape = {}) const;

  // Whether the text has no placeholder (Expand gives the text back).
  bool literal() const;
  const std::string& text() const { return text_; }

 private:
  // kMember: {kind} {id} {subject} {trace_id}, a string field of the finding as it is.
  enum class Field { kLiteral, kMember, kService, kSeverity, kTime, kDetail };
  struct Piece {
    Field field = Field::kLiteral;
    std::string text;                              // the literal, or the detail's key
    const std::string Finding::*member = nullptr;  // kMember: the field
  };
  std::string text_;
  std::vector<Piece> pieces_;
};

// `text` with each ${VAR} replaced by the environment variable VAR, read now,
// as the text of a Template (braces in the value doubled, so they stay literal).
// INVALID_ARGUMENT naming a variable that is not set, or an unclosed ${.
absl::StatusOr<std::string> ExpandEnvironment(const std::string& text);

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_TEMPLATE_H_

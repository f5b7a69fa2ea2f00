#include "parse/plain_text.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logweave/source.h"
#include "parse/char_class.h"
#include "parse/plain_text_level.h"
#include "parse/plain_text_signals.h"

namespace logweave {
namespace {

using internal::ClassOf;
using internal::EqualsLowerIgnoreCase;
using internal::FieldLevel;
using internal::GlogLevel;
using internal::Is5xxField;
using internal::IsContinuationMarker;
using internal::IsHttpMethod;
using internal::IsHttpVersionField;
using internal::IsNegation;
using internal::IsSpace;
using internal::kExceptionHint;
using internal::kFiveHint;
using internal::kLevelFields;
using internal::kLower;
using internal::kSpace;
using internal::kStatusHint;
using internal::kUpper;
using internal::LevelClass;
using internal::MentionsException;
using internal::StartsWithChainMarker;
using internal::StartsWithExceptionClass;
using internal::StartsWithReasonPhrase;
using internal::StartsWithUnhandledPhrase;
using internal::StatusFieldIs5xx;
using std::string_view;

// ---------------------------------------------------------------------------------------------
// Error-like signals of unindented lines.

// `head` is the scanned part of an unindented, non-blank line.
bool IsErrorLike(string_view head) {
  if (head.starts_with("panic: ")) return true;  // Go
  if (head.starts_with("thread '") && head.find("' panicked at") != string_view::npos) {
    return true;  // Rust
  }

  LevelClass level = LevelClass::kNone;
  bool exception = false;
  bool status_code_follows = false;
  string_view prev1;  // the field before the current one
  string_view prev2;  // the one before that
  int index = 0;
  size_t i = 0;
  while (i < head.size()) {
    while (i < head.size() && IsSpace(head[i])) ++i;
    if (i >= head.size()) break;
    size_t start = i;
    uint16_t seen = 0;  // the classes of the field's bytes
    for (; i < head.size(); ++i) {
      uint16_t k = ClassOf(head[i]);
      if (k & kSpace) break;
      seen |= k;
    }
    string_view field = head.substr(start, i - start);

    // (a) HTTP 5xx, which no level overrides.
    if ((seen & kFiveHint) && Is5xxField(field)) {
      if (status_code_follows || IsHttpVersionField(prev1) || IsHttpMethod(prev2)) return true;
      if (prev1 == "|") {  // gin: "| 500 |"
        size_t j = i;
        while (j < head.size() && head[j] == ' ') ++j;
        if (j < head.size() && head[j] == '|') return true;
      }
    }
    bool code_follows = false;
    if ((seen & kStatusHint) && StatusFieldIs5xx(field, &code_follows)) return true;
    if (status_code_follows && !code_follows) {
      // "status code 500" and "status code: 500" leave the code one field further.
      string_view word = field;
      if (word.ends_with(':')) word.remove_suffix(1);
      code_follows = EqualsLowerIgnoreCase(word, "code");
    }
    status_code_follows = code_follows;
    if ((seen & (kUpper | kLower)) && StartsWithReasonPhrase(head.substr(start))) return true;

    // (b) The level.
    if (index < kLevelFields && level == LevelClass::kNone) {
      LevelClass l = index == 0 ? GlogLevel(head) : LevelClass::kNone;
      if (l == LevelClass::kNone && (seen & (kUpper | kLower))) l = FieldLevel(field, seen);
      if (l == LevelClass::kError && IsNegation(prev1)) l = LevelClass::kNone;
      if (l == LevelClass::kError) return true;
      level = l;
    }

    // (c) Exceptions; only needed while no level has been seen.
    if (level == LevelClass::kNone && !exception) {
      exception = ((seen & kExceptionHint) && MentionsException(field)) ||
                  ((seen & (kUpper | kLower)) && StartsWithUnhandledPhrase(head.substr(start)));
    }

    prev2 = prev1;
    prev1 = field;
    ++index;
  }
  return level == LevelClass::kNone && exception;
}

}  // namespace

PlainLineClass ClassifyPlainLine(std::string_view line) {
  PlainLineClass c;
  const bool whole = line.size() <= kPlainLineScanBytes;
  string_view head = whole ? line : line.substr(0, kPlainLineScanBytes);
  size_t indent = 0;
  while (indent < head.size() && IsSpace(head[indent])) ++indent;
  if (indent == head.size()) return c;  // blank

  if (indent > 0) {
    if (indent == 1 && head[0] == ' ' &&
        (head.substr(1).starts_with("INFO ") || head.substr(1).starts_with("WARN "))) {
      head.remove_prefix(1);  // log4j's "%5p" pads INFO and WARN: not a continuation
    } else {
      c.continuation = true;
      string_view rest = head.substr(indent);
      bool header = StartsWithChainMarker(rest);
      if (!header && rest.starts_with("---> ")) {
        header = StartsWithExceptionClass(rest.substr(5), whole);
      }
      c.exception_header = c.error_like = header;
      return c;
    }
  }

  if (StartsWithChainMarker(head) || StartsWithExceptionClass(head, whole)) {
    c.exception_header = c.continuation = c.error_like = true;
    return c;
  }
  if (head.starts_with("Traceback (most recent call last):")) {
    c.continuation = c.error_like = true;
    return c;
  }
  if (IsContinuationMarker(head, whole)) {
    c.continuation = true;
    return c;
  }
  c.error_like = IsErrorLike(head);
  return c;
}
bool ContinuesPlainTextBlock(std::string_view line) { return ClassifyPlainLine(line).continuation; }

}  // namespace logweave

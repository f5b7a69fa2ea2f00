// A fast first look for card numbers: whether a text holds 13 bytes in a row
// that are digits, or single spaces or dashes between two digits. Every card
// number the redactor's rule can match is such a run, so a text without one
// needs no closer look. Internal to redaction.
#ifndef LOGWEAVE_REDACT_DIGIT_RUNS_H_
#define LOGWEAVE_REDACT_DIGIT_RUNS_H_

#include <cstddef>
#include <string_view>

namespace logweave::internal {

// The bytes of such a run, at least.
inline constexpr int kCardRunBytes = 13;

// What a card number's run is made of: digits, and single spaces or dashes between two.
inline bool IsCardRunDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsCardRunSeparator(char c) { return c == ' ' || c == '-'; }
// Whether s[i] is part of such a run: a digit, or a separator between two digits.
inline bool InCardRun(std::string_view s, size_t i) {
  return IsCardRunDigit(s[i]) || (IsCardRunSeparator(s[i]) && i > 0 && i + 1 < s.size() &&
                                  IsCardRunDigit(s[i - 1]) && IsCardRunDigit(s[i + 1]));
}

// Whether `s` holds kCardRunBytes bytes in a row each of which is a digit,
// or a ' ' or '-' with a digit on each side. Looks at 64 bytes at a time
// (SSE2) where the machine has it. Pure; any thread.
bool HasCardLikeRun(std::string_view s);

}  // namespace logweave::internal

#endif  // LOGWEAVE_REDACT_DIGIT_RUNS_H_

// ASCII character classes and case-insensitive comparisons for the plain-text
// classifier: one table lookup per byte, no locale, no allocation.
//
//   if (internal::ClassOf(c) & internal::kDigit) ...
//   internal::StartsWithIgnoreCase(field, "http");  // the second argument is lower-case
#ifndef LOGWEAVE_PARSE_CHAR_CLASS_H_
#define LOGWEAVE_PARSE_CHAR_CLASS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace logweave::internal {

// ASCII classes of raw bytes, one table lookup each: any byte >= 0x80 (UTF-8 or not) is in none
// of them. The k*Hint classes mark the bytes that some check of a field needs to find in it, so
// that a field without them skips the check (see IsErrorLike in plain_text.cc).
enum CharClass : uint16_t {
  kSpace = 1 << 0,
  kUpper = 1 << 1,
  kLower = 1 << 2,
  kDigit = 1 << 3,
  kIdentPunct = 1 << 4,     // '_' and '$' (Java nested classes)
  kExceptionHint = 1 << 5,  // 'E', 'U': "...Exception", "...Error", "UnhandledPromiseRejection"
  kStatusHint = 1 << 6,     // 's', 'S': "status"
  kFiveHint = 1 << 7,       // '5': a 5xx code
  kLevelPunct = 1 << 8,     // '=', '[', ':', '.': "level=error", "ERRO[0005]", "app.ERROR:"
  kIdPunct = 1 << 9,        // '_', '-': inside ids ("pay-abc123", a UUID, a traceparent)
};

inline constexpr std::array<uint16_t, 256> kCharClass = [] {
  std::array<uint16_t, 256> t{};
  for (char c : {' ', '\t', '\r', '\n', '\v', '\f'}) t[static_cast<unsigned char>(c)] |= kSpace;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kUpper;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kLower;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit;
  t['_'] |= kIdentPunct;
  t['$'] |= kIdentPunct;
  t['E'] |= kExceptionHint;
  t['U'] |= kExceptionHint;
  t['s'] |= kStatusHint;
  t['S'] |= kStatusHint;
  t['5'] |= kFiveHint;
  for (char c : {'=', '[', ':', '.'}) t[static_cast<unsigned char>(c)] |= kLevelPunct;
  t['_'] |= kIdPunct;
  t['-'] |= kIdPunct;
  return t;
}();

inline uint16_t ClassOf(char c) { return kCharClass[static_cast<unsigned char>(c)]; }
inline bool IsSpace(char c) { return ClassOf(c) & kSpace; }
inline bool IsDigit(char c) { return ClassOf(c) & kDigit; }
inline bool IsUpper(char c) { return ClassOf(c) & kUpper; }
inline bool IsAlpha(char c) { return ClassOf(c) & (kUpper | kLower); }
inline bool IsAlnum(char c) { return ClassOf(c) & (kUpper | kLower | kDigit); }
// A character of a Java/Python/C# identifier.
inline bool IsIdentChar(char c) { return ClassOf(c) & (kUpper | kLower | kDigit | kIdentPunct); }
inline char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// `lower` must be lower-case ASCII.
inline bool EqualsLowerIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ToLower(s[i]) != lower[i]) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLowerIgnoreCase(s.substr(0, lower.size()), lower);
}

// Position of `lower` in `s`, ignoring case, or npos.
inline size_t FindIgnoreCase(std::string_view s, std::string_view lower) {
  if (lower.empty() || s.size() < lower.size()) return std::string_view::npos;
  for (size_t i = 0; i + lower.size() <= s.size(); ++i) {
    if (ToLower(s[i]) == lower[0] &&
        EqualsLowerIgnoreCase(s.substr(i + 1, lower.size() - 1), lower.substr(1))) {
      return i;
    }
  }
  return std::string_view::npos;
}

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return IsSpace(c); });
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_CHAR_CLASS_H_

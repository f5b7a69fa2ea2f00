// Bridges std::string_view to Abseil. Debian's Abseil (20220623) is built with
// ABSL_OPTION_USE_STD_STRING_VIEW 0, so absl::string_view is its own type and
// absl::StrCat & co. do not take a std::string_view directly. Also small string
// helpers the parser's files share.
#ifndef LOGWEAVE_INTERNAL_STRINGS_H_
#define LOGWEAVE_INTERNAL_STRINGS_H_

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace logweave::internal {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// `s` without the ASCII whitespace at its ends.
inline std::string_view TrimWhitespace(std::string_view s) {
  return Sv(absl::StripAsciiWhitespace(Av(s)));
}

// Parses all of `text` as a decimal integer (an optional '-', digits). Returns
// false, leaving *out unspecified, for anything else or an overflow.
inline bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Whether `a` and `b` hold the same bytes: a == b, compared inline 8 bytes at a
// time. For the short names and keys compared once per line (a call to memcmp
// costs more than their bytes).
inline bool SameShortBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  size_t n = a.size();
  for (; n >= 8; n -= 8, p += 8, q += 8) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, q, 8);
    if (x != y) return false;
  }
  for (; n > 0; --n, ++p, ++q) {
    if (*p != *q) return false;
  }
  return true;
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_STRINGS_H_

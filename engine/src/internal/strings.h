// Bridges std::string_view to Abseil. Debian's Abseil (20220623) is built with
// ABSL_OPTION_USE_STD_STRING_VIEW 0, so absl::string_view is its own type and
// absl::StrCat & co. do not take a std::string_view directly. Also small string
// helpers the parser's files share.
#ifndef LOGWEAVE_INTERNAL_STRINGS_H_
#define LOGWEAVE_INTERNAL_STRINGS_H_

#include <charconv>
#include <cstdint>
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

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_STRINGS_H_

// Bridges std::string_view to Abseil. Debian's Abseil (20220623) is built with
// ABSL_OPTION_USE_STD_STRING_VIEW 0, so absl::string_view is its own type and
// absl::StrCat & co. do not take a std::string_view directly.
#ifndef LOGWEAVE_INTERNAL_STRINGS_H_
#define LOGWEAVE_INTERNAL_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace logweave::internal {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_STRINGS_H_

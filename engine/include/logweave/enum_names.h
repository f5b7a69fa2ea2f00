// The names of an enum's values written once, as an array in the order of the
// values, for the XxxName functions (SeverityName, LevelName, LogLevelName,
// ActionOutcomeName...) instead of a switch each:
//
//   constexpr const char* kNames[] = {"info", "warning", "error", "critical"};
//   static_assert(NamesCover(kNames, Severity::kCritical), "a severity without a name");
//   return NameOf(kNames, severity, "info");
#ifndef LOGWEAVE_ENUM_NAMES_H_
#define LOGWEAVE_ENUM_NAMES_H_

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace logweave {

// The place of `value` in a name array that starts with the name of `first`.
template <typename Enum>
constexpr int64_t EnumOffset(Enum value, Enum first) {
  using U = std::underlying_type_t<Enum>;
  return static_cast<int64_t>(static_cast<U>(value)) - static_cast<int64_t>(static_cast<U>(first));
}

// Whether `names` has one name for each value from `first` to `last`.
template <typename T, size_t N, typename Enum>
constexpr bool NamesCover(const T (&)[N], Enum last, Enum first = Enum{}) {
  return EnumOffset(last, first) + 1 == static_cast<int64_t>(N);
}

// The name of `value` in `names` (whose first name is that of `first`), or
// `fallback` for a value outside them.
template <typename T, size_t N, typename Enum>
constexpr T NameOf(const T (&names)[N], Enum value, std::type_identity_t<T> fallback,
                   Enum first = Enum{}) {
  const int64_t i = EnumOffset(value, first);
  return i >= 0 && i < static_cast<int64_t>(N) ? names[i] : fallback;
}

}  // namespace logweave

#endif  // LOGWEAVE_ENUM_NAMES_H_

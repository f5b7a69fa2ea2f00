// The check every compile-time registry table makes (the rule plugins'
// plugins/registry.cc, the action kinds' connectors/actions/action_registry.cc):
// no two entries under one name.
//
//   constexpr Entry kEntries[] = {...};  // each with a `name`
//   static_assert(NamesAreUnique(kEntries), "two entries registered under one name");
#ifndef LOGWEAVE_REGISTRY_TABLE_H_
#define LOGWEAVE_REGISTRY_TABLE_H_

#include <cstddef>

namespace logweave {

// Whether no two of `entries` have the same `name` (anything comparable with ==).
template <typename Entry, size_t N>
constexpr bool NamesAreUnique(const Entry (&entries)[N]) {
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (entries[i].name == entries[j].name) return false;
    }
  }
  return true;
}

}  // namespace logweave

#endif  // LOGWEAVE_REGISTRY_TABLE_H_

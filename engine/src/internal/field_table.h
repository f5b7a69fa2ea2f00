// Lookup of JSON key paths to the normalized field they carry.
#ifndef LOGWEAVE_INTERNAL_FIELD_TABLE_H_
#define LOGWEAVE_INTERNAL_FIELD_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "internal/strings.h"
#include "logweave/options.h"

namespace logweave::internal {

enum Field : uint8_t { kTraceId = 0, kTime, kLevel, kService, kMessage, kRoute, kFieldCount };

// What a key path means: which field, and its rank among that field's names
// (lower wins when a line has several).
struct FieldRef {
  Field field;
  uint8_t rank;
};

// Immutable after construction; thread-safe for lookups.
class FieldTable {
 public:
  explicit FieldTable(const FieldNames& names);

  // The field a full key path ("level", "log.level", "trace.id") stands for.
  // A cheap first-byte/length filter rejects most keys; the few that pass are
  // compared with the names of their slot (one or two), without hashing.
  const FieldRef* Find(std::string_view path) const {
    if (path.empty()) return nullptr;
    if (path.size() < 64) {
      if (!(ends_mask_[EndsSlot(path)] & (1ull << path.size()))) return nullptr;
    } else if (!has_long_names_) {
      return nullptr;
    }
    const size_t slot = EndsSlot(path);
    for (uint32_t k = slot_begin_[slot]; k < slot_begin_[slot + 1]; ++k) {
      if (SameShortBytes(names_[k].name, path)) return &names_[k].ref;
    }
    return nullptr;
  }

  // True if some name continues below `path` ("trace" for "trace.id"), so an
  // object under it must be looked into.
  bool IsPrefix(std::string_view path) const {
    return prefixes_.contains(absl::string_view(path.data(), path.size()));
  }

 private:
  struct Named {
    std::string name;
    FieldRef ref;
  };
  // Notes `name` in `first` unless an earlier list named it (a key cannot mean two fields).
  void Add(std::string_view name, Field field, uint8_t rank,
           absl::flat_hash_map<std::string, FieldRef>* first);

  // Bit L of ends_mask_[EndsSlot(name)] set: some name of length L < 64 has
  // the first and last byte of `name` (or ones that share the slot). Almost
  // every key of a line that is not a field name fails it, before any hashing.
  static constexpr size_t kEndsSlots = 1024;
  static size_t EndsSlot(std::string_view name) {
    return (static_cast<unsigned char>(name.front()) * 33u ^
            static_cast<unsigned char>(name.back())) &
           (kEndsSlots - 1);
  }
  uint64_t ends_mask_[kEndsSlots] = {};
  bool has_long_names_ = false;               // some name is 64 bytes or longer (not in the mask)
  std::vector<Named> names_;                  // by EndsSlot
  uint32_t slot_begin_[kEndsSlots + 1] = {};  // slot s: names_[slot_begin_[s], slot_begin_[s + 1])
  absl::flat_hash_set<std::string> prefixes_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_FIELD_TABLE_H_

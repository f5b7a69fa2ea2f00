// Interned names of one index shard: services, routes and short messages.
#ifndef LOGWEAVE_INDEX_NAME_TABLE_H_
#define LOGWEAVE_INDEX_NAME_TABLE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "internal/strings.h"
#include "logweave/utf8.h"

namespace logweave::internal {

inline constexpr uint32_t kNoName = UINT32_MAX;  // no name in a NameTable

// Each distinct name stored once, ids dense from 0. Remembers the last hit,
// as consecutive lines mostly repeat it. Thread-compatible (a shard's, under
// its lock).
class NameTable {
 public:
  uint32_t Id(std::string_view name) {
    if (last_id_ != kNoName && SameShortBytes(name, last_)) return last_id_;
    auto it = ids_.find(Av(name));
    if (it == ids_.end()) {
      // The map's key points at the table's own copy, never into a batch.
      names_.emplace_back(name);
      bytes_ += sizeof(std::string) + name.size() + 1 +
                2 * sizeof(std::pair<absl::string_view, uint32_t>);
      it = ids_.emplace(Av(names_.back()), static_cast<uint32_t>(names_.size() - 1)).first;
    }
    last_ = Sv(it->first);
    last_id_ = it->second;
    return it->second;
  }
  // The id of `name`, or kNoName if it was never interned. Does not insert.
  // A name given as output showed it (invalid bytes as U+FFFD) finds the
  // stored name it reads as: the first such, if several repair alike.
  uint32_t Find(std::string_view name) const {
    auto it = ids_.find(Av(name));
    if (it != ids_.end()) return it->second;
    if (name.find(kReplacementCharacter) == std::string_view::npos) return kNoName;
    for (size_t id = 0; id < names_.size(); ++id) {
      if (ReadsAs(names_[id], name)) return static_cast<uint32_t>(id);
    }
    return kNoName;
  }
  std::string_view Name(uint32_t id) const {
    return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
  }
  size_t size() const { return names_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_ = 0;  // names and their map entries
  std::deque<std::string> names_;
  // Keyed by absl's string_view, which absl hashes itself (its hash of a
  // std::string_view falls back to std::hash, several times slower).
  struct SameName {
    bool operator()(absl::string_view a, absl::string_view b) const {
      return SameShortBytes(Sv(a), Sv(b));
    }
  };
  absl::flat_hash_map<absl::string_view, uint32_t, absl::Hash<absl::string_view>, SameName> ids_;
  std::string_view last_;
  uint32_t last_id_ = kNoName;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INDEX_NAME_TABLE_H_

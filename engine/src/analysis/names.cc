#include "analysis/names.h"

namespace logweave::internal {

uint32_t SharedNames::Id(uint32_t scope, std::string_view text) {
  absl::MutexLock lock(&mu_);
  if (auto it = ids_.find(NameKey{scope, text}); it != ids_.end()) return it->second;
  if (scope >= per_scope_.size()) per_scope_.resize(scope + 1, 0);
  if (per_scope_[scope] >= max_per_scope_) return kNoId;
  ++per_scope_[scope];
  names_.emplace_back(text);
  const uint32_t id = static_cast<uint32_t>(names_.size() - 1);
  ids_.emplace(NameKey{scope, names_.back()}, id);
  return id;
}

uint32_t SharedNames::Find(uint32_t scope, std::string_view text) const {
  absl::MutexLock lock(&mu_);
  auto it = ids_.find(NameKey{scope, text});
  return it == ids_.end() ? kNoId : it->second;
}

std::string_view SharedNames::Name(uint32_t id) const {
  absl::MutexLock lock(&mu_);
  return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
}

size_t SharedNames::size() const {
  absl::MutexLock lock(&mu_);
  return names_.size();
}

uint32_t NameCache::Id(uint32_t scope, std::string_view text) {
  if (auto it = ids_.find(NameKey{scope, text}); it != ids_.end()) return it->second;
  // A name the table refuses (its scope is full) is asked of it again next time, not refused
  // here for good: a name that another thread added before the scope filled has its id on
  // every thread, so that a name's id depends on the name alone (TraceSignatures relies on
  // it).
  const uint32_t id = names_->Id(scope, text);
  if (id == kNoId) return kNoId;
  // Key the memo with the table's own copy: `text` may be a view into a line.
  ids_.emplace(NameKey{scope, names_->Name(id)}, id);
  return id;
}

}  // namespace logweave::internal

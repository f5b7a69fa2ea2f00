// Interned names for the analysis: services, kinds of trace, event names.
//
// The analysis threads share one SharedNames per kind of name, so that the
// ids they assign mean the same on every thread and their counts can be
// added up. Each thread looks names up through its own NameCache first, so
// the shared table's lock is taken only for names the thread has not seen.
//
//   SharedNames services;
//   NameCache cache(&services);           // one per thread
//   uint32_t id = cache.Id(0, "payments");
#ifndef LOGWEAVE_ANALYSIS_NAMES_H_
#define LOGWEAVE_ANALYSIS_NAMES_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"

namespace logweave::internal {

constexpr uint32_t kNoId = UINT32_MAX;

// A name within a scope (event names are per service: the scope is the
// service's id; other tables use scope 0).
struct NameKey {
  uint32_t scope;
  std::string_view text;

  bool operator==(const NameKey& o) const { return scope == o.scope && text == o.text; }
  template <typename H>
  friend H AbslHashValue(H h, const NameKey& k) {
    return H::combine(std::move(h), k.scope, absl::string_view(k.text.data(), k.text.size()));
  }
};

// Ids for names, dense from 0, in the order they were first asked for.
// Thread-safe; names are never removed, so views of them stay valid for the
// table's lifetime.
class SharedNames {
 public:
  // At most `max_per_scope` names in one scope; past that Id returns kNoId.
  explicit SharedNames(size_t max_per_scope = SIZE_MAX) : max_per_scope_(max_per_scope) {}

  // The id of `text` in `scope`, added if new (kNoId when the scope is full).
  uint32_t Id(uint32_t scope, std::string_view text);
  // The id, or kNoId if it was never added.
  uint32_t Find(uint32_t scope, std::string_view text) const;
  // The name of an id this table returned.
  std::string_view Name(uint32_t id) const;
  size_t size() const;

 private:
  const size_t max_per_scope_;
  mutable absl::Mutex mu_;
  std::deque<std::string> names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<NameKey, uint32_t> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> per_scope_ ABSL_GUARDED_BY(mu_);
};

// One thread's memo of a SharedNames table. Thread-compatible.
class NameCache {
 public:
  explicit NameCache(SharedNames* names) : names_(names) {}
  uint32_t Id(uint32_t scope, std::string_view text);

 private:
  SharedNames* names_;
  absl::flat_hash_map<NameKey, uint32_t> ids_;  // views into names_' own copies
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_NAMES_H_

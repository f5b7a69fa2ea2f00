#include "internal/field_table.h"

#include <algorithm>

namespace logweave::internal {

FieldTable::FieldTable(const FieldNames& names) {
  const std::vector<std::string>* lists[kFieldCount] = {
      &names.trace_id, &names.time, &names.level, &names.service, &names.message, &names.route};
  absl::flat_hash_map<std::string, FieldRef> first;
  for (int f = 0; f < kFieldCount; ++f) {
    const auto& list = *lists[f];
    for (size_t i = 0; i < list.size(); ++i) {
      Add(list[i], static_cast<Field>(f), static_cast<uint8_t>(std::min<size_t>(i, 255)), &first);
    }
  }
  // Grouped by slot, so that Find compares a key with its slot's names only.
  for (auto& [name, ref] : first) names_.push_back(Named{name, ref});
  std::sort(names_.begin(), names_.end(), [](const Named& a, const Named& b) {
    const size_t sa = EndsSlot(a.name), sb = EndsSlot(b.name);
    return sa != sb ? sa < sb : a.name < b.name;
  });
  size_t k = 0;
  for (size_t slot = 0; slot <= kEndsSlots; ++slot) {
    while (k < names_.size() && EndsSlot(names_[k].name) < slot) ++k;
    slot_begin_[slot] = static_cast<uint32_t>(k);
  }
}

void FieldTable::Add(std::string_view name, Field field, uint8_t rank,
                     absl::flat_hash_map<std::string, FieldRef>* first) {
  if (name.empty()) return;
  if (!first->try_emplace(std::string(name), FieldRef{field, rank}).second) return;
  if (name.size() < 64) {
    ends_mask_[EndsSlot(name)] |= 1ull << name.size();
  } else {
    has_long_names_ = true;
  }
  for (size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
    prefixes_.insert(std::string(name.substr(0, dot)));
  }
}

}  // namespace logweave::internal

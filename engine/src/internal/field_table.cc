#include "internal/field_table.h"

#include <algorithm>

namespace logweave::internal {

FieldTable::FieldTable(const FieldNames& names) {
  const std::vector<std::string>* lists[kFieldCount] = {
      &names.trace_id, &names.time, &names.level, &names.service, &names.message, &names.route};
  for (int f = 0; f < kFieldCount; ++f) {
    const auto& list = *lists[f];
    for (size_t i = 0; i < list.size(); ++i) {
      Add(list[i], static_cast<Field>(f), static_cast<uint8_t>(std::min<size_t>(i, 255)));
    }
  }
}

void FieldTable::Add(std::string_view name, Field field, uint8_t rank) {
  if (name.empty()) return;
  // The first list to name a key keeps it (a key cannot mean two fields).
  if (!names_.try_emplace(std::string(name), FieldRef{field, rank}).second) return;
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

#include "index/dedupe_window.h"

#include <utility>

namespace logweave::internal {

void DedupeWindow::Prepare(size_t count) {
  // A generation holds at most limit_ entries: it never needs more room.
  size_t want = current_.size + count;
  if (want > limit_) want = limit_;
  if (!current_.slots.empty() && !Full(current_, want)) return;
  size_t slots = current_.slots.empty() ? 1024 : current_.slots.size();
  while (want * 4 > slots * 3) slots *= 2;
  if (slots != current_.slots.size()) Resize(&current_, slots);
}

void DedupeWindow::Add(uint64_t hash, uint64_t event) {
  if (current_.size >= limit_) {
    previous_ = std::move(current_);
    current_ = Table();
  }
  if (current_.slots.empty() || Full(current_, current_.size + 1)) {
    Resize(&current_, current_.slots.empty() ? 1024 : 2 * current_.slots.size());
  }
  Insert(&current_, (uint64_t{Tag(hash)} << 32) | static_cast<uint32_t>(event));
}

void DedupeWindow::Insert(Table* t, uint64_t entry) {
  size_t i = Slot(*t, static_cast<uint32_t>(entry >> 32));
  while (t->slots[i] != 0) i = (i + 1) & t->mask;
  t->slots[i] = entry;
  ++t->size;
}

void DedupeWindow::Resize(Table* t, size_t slots) {
  Table bigger;
  bigger.slots.assign(slots, 0);
  bigger.mask = slots - 1;
  bigger.shift = 64 - __builtin_ctzll(slots);
  // Order does not matter: Find tries every entry with the tag.
  for (uint64_t entry : t->slots) {
    if (entry != 0) Insert(&bigger, entry);
  }
  *t = std::move(bigger);
}

}  // namespace logweave::internal

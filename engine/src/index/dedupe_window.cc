#include "index/dedupe_window.h"

#include <algorithm>
#include <utility>

namespace logweave::internal {

void DedupeWindow::Prepare(size_t count) {
  if (uses_ >= epoch_uses_) {
    ++epoch_;
    uses_ = 0;
    if (size_ > 0) Purge();
  }
  const size_t want = size_ + count;
  if (!slots_.empty() && !Full(want)) return;
  // Grows by half, but not past what the window can hold at the load limit.
  const size_t most = (epoch_uses_ * (kLiveEpochs + 1) + count) * 4 / 3 + 64;
  Resize(std::max<size_t>({1024, std::min(slots_.size() * 3 / 2, most), want * 4 / 3 + 64}));
}

void DedupeWindow::Add(uint64_t hash, uint64_t event) {
  // Prepare makes room; this only guards a caller that did not.
  if (slots_.empty() || Full(size_ + 1)) Resize(std::max<size_t>(1024, slots_.size() * 3 / 2));
  Insert(Tag(hash) | EpochBits() | static_cast<uint32_t>(event));
}

void DedupeWindow::Insert(uint64_t entry) {
  size_t i = Slot(entry & kTagMask);
  while (slots_[i] != 0) i = Next(i);
  slots_[i] = entry;
  ++size_;
}

void DedupeWindow::Resize(size_t slots) {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(slots, 0);
  size_ = 0;
  // Order does not matter: Find tries every entry with the tag.
  for (uint64_t entry : old) {
    if (entry != 0) Insert(entry);
  }
}

void DedupeWindow::Purge() {
  // Linear probing finds an entry only if no empty slot lies between its
  // slot and where it is. The walk starts at a slot that is empty now, before
  // anything is removed, so no run of entries crosses it. Each entry is taken
  // out and, if still live, inserted again: it lands at or before where it
  // was, and the entries walked before it stay reachable (slots only fill up
  // behind them).
  const size_t n = slots_.size();
  size_t start = 0;
  while (slots_[start] != 0) ++start;  // the load is at most 3/4: there is one
  for (size_t step = 1; step < n; ++step) {
    const size_t i = (start + step) % n;
    const uint64_t entry = slots_[i];
    if (entry == 0) continue;
    slots_[i] = 0;
    --size_;
    const uint32_t age = (epoch_ - static_cast<uint32_t>((entry & kEpochMask) >> 32)) & 0xff;
    if (age <= kLiveEpochs) Insert(entry);
  }
}

}  // namespace logweave::internal

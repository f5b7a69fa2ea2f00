#include "index/dedupe_window.h"

#include <algorithm>
#include <utility>

namespace logweave::internal {

void DedupeWindow::Prepare(size_t count) {
  if (uses_ >= epoch_uses_) {
    ++epoch_;
    uses_ = 0;
    ++epochs_since_purge_;
  }
  // Expired entries go only when their room is needed (or before their 8-bit
  // epochs could wrap): until then they may still be found, which is no harm.
  const bool stale = epochs_since_purge_ >= kMaxEpochsBetweenPurges;
  if (!slots_.empty() && !Full(size_ + count) && !stale) return;
  // What the window can hold at the load limit.
  const size_t most = (epoch_uses_ * (kLiveEpochs + 1) + count) * 4 / 3 + 64;
  if (!slots_.empty() && (slots_.size() >= most || stale)) {
    Purge();
    if (!Full(size_ + count)) return;
  }
  // Doubles (dropping expired entries), but not past `most`.
  Resize(std::max<size_t>({1024, std::min(slots_.size() * 2, most), (size_ + count) * 4 / 3 + 64}));
}

void DedupeWindow::Add(uint64_t hash, uint64_t event) {
  // Prepare makes room; this only guards a caller that did not.
  if (slots_.empty() || Full(size_ + 1)) Resize(std::max<size_t>(1024, slots_.size() * 2));
  Insert(Tag(hash) | EpochBits() | static_cast<uint32_t>(event));
}

void DedupeWindow::Insert(uint64_t entry) {
  size_t i = Slot(entry & kTagMask);
  while (slots_[i] != 0) i = Next(i);
  slots_[i] = entry;
  ++size_;
}

void DedupeWindow::Resize(size_t slots) {
  decltype(slots_) old = std::move(slots_);
  slots_.assign(slots, 0);
  size_ = 0;
  epochs_since_purge_ = 0;
  // Order does not matter: Find tries every entry with the tag.
  for (uint64_t entry : old) {
    if (entry != 0 && Live(entry)) Insert(entry);
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
    if (Live(entry)) Insert(entry);
  }
  epochs_since_purge_ = 0;
}

}  // namespace logweave::internal

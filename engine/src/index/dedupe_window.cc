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
  // anything is removed, so no run of entries crosses it. Expired entries
  // leave holes; a live entry moves to the first hole at or after its slot
  // (where taking it out and inserting it again would put it), or stays where
  // it is if there is none. The holes of the run being walked are kept in walk
  // order: a slot that was empty before ends the run (the entries after it have
  // their slots after it), so there are only ever a few.
  const size_t n = slots_.size();
  size_t start = 0;
  while (slots_[start] != 0) ++start;         // the load is at most 3/4: there is one
  std::vector<size_t>& holes = purge_holes_;  // steps from start
  holes.clear();
  size_t i = start;
  for (size_t step = 1; step < n; ++step) {
    i = Next(i);
    const uint64_t entry = slots_[i];
    if (entry == 0) {
      holes.clear();
      continue;
    }
    if (!Live(entry)) {
      slots_[i] = 0;
      --size_;
      holes.push_back(step);
      continue;
    }
    if (holes.empty()) continue;
    // Its slot, as a step from start: in [1, step], as no empty slot lay between them.
    const size_t home = Slot(entry & kTagMask);
    const size_t home_step = home > start ? home - start : home + n - start;
    const auto hole = std::lower_bound(holes.begin(), holes.end(), home_step);
    if (hole == holes.end()) continue;
    const size_t to = start + *hole < n ? start + *hole : start + *hole - n;
    slots_[to] = entry;
    slots_[i] = 0;
    holes.erase(hole);
    holes.push_back(step);  // the largest step yet: the holes stay in order
  }
  epochs_since_purge_ = 0;
}

}  // namespace logweave::internal

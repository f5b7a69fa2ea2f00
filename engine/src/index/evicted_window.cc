#include "index/evicted_window.h"

#include <algorithm>
#include <utility>

namespace logweave::internal {

// As many entries as the tables of `limit` hold at their load limit.
EvictedWindow::EvictedWindow(size_t limit)
    : limit_(SlotsFor(std::max<size_t>(limit, 64)) / 4 * 3) {}

size_t EvictedWindow::SlotsFor(size_t limit) {
  size_t slots = 64;
  while (limit * 4 > slots * 3) slots *= 2;  // load at most 3/4
  return slots;
}

size_t EvictedWindow::Probe(const Table& t, uint64_t tag) {
  const size_t mask = t.slots.size() - 1;
  size_t i = static_cast<size_t>(tag * 0x9E3779B97F4A7C15ull) & mask;
  while (t.slots[i] != 0 && (t.slots[i] >> 24) != tag) i = (i + 1) & mask;
  return i;
}

void EvictedWindow::Add(uint64_t hash, uint32_t count) {
  const uint64_t tag = Tag(hash);
  const uint64_t entry = (tag << 24) | std::min(count, kMaxCount);
  if (current_.slots.empty()) current_.slots.assign(SlotsFor(limit_), 0);
  size_t i = Probe(current_, tag);
  if (current_.slots[i] == 0 && current_.size >= limit_) {
    // The newer generation is full: it becomes the older one, whose table is reused.
    std::swap(previous_, current_);
    if (current_.slots.empty()) current_.slots.assign(SlotsFor(limit_), 0);
    std::fill(current_.slots.begin(), current_.slots.end(), 0);
    current_.size = 0;
    i = Probe(current_, tag);
  }
  if (current_.slots[i] == 0) ++current_.size;
  current_.slots[i] = entry;
}

bool EvictedWindow::Find(uint64_t hash, uint32_t* count) const {
  const uint64_t tag = Tag(hash);
  for (const Table* t : {&current_, &previous_}) {
    if (t->slots.empty()) continue;
    const uint64_t entry = t->slots[Probe(*t, tag)];
    if (entry != 0) {
      *count = static_cast<uint32_t>(entry & kMaxCount);
      return true;
    }
  }
  return false;
}

}  // namespace logweave::internal

#include "analysis/parked_texts.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "analysis/parallel.h"
#include "internal/strings.h"

namespace logweave::internal {
namespace {

void AddWords(std::string_view text, std::vector<std::string>& words) {
  for (std::string_view w : TraceIdWords(text)) words.emplace_back(w);
}

}  // namespace

ParkedTexts::ParkedTexts(std::unique_ptr<LineStore> store, std::vector<Ref> refs, uint32_t threads,
                         EntryWords* words) {
  size_t entries = 0;
  for (const Ref& r : refs) entries = std::max(entries, r.entry + 1);
  if (words != nullptr) *words = EntryWords(entries);
  if (refs.empty()) return;
  // Runs of the store's order, one a thread, sharing the store.
  const std::shared_ptr<const LineStore> shared(std::move(store));
  const size_t part_count = std::min<size_t>(std::max<uint32_t>(threads, 1), refs.size());
  parts_.resize(part_count);
  for (size_t p = 0; p < part_count; ++p) {
    parts_[p].store = shared;
    parts_[p].refs.assign(refs.begin() + refs.size() * p / part_count,
                          refs.begin() + refs.size() * (p + 1) / part_count);
  }
  refs = std::vector<Ref>();
  if (words == nullptr) return;
  ForEachText([&](const Ref& r, std::string_view text) { AddWords(text, (*words)[r.entry]); });
}

template <typename Fn>
void ParkedTexts::ForEachText(const Fn& fn) const {
  if (parts_.empty()) return;
  RunOnThreads(static_cast<uint32_t>(parts_.size()), [&](uint32_t p) {
    BlockCache cache(1);  // read in the store's order: each block decompressed once
    for (const Ref& r : parts_[p].refs) fn(r, parts_[p].store->View(r.pos, r.size, &cache));
  });
}

void ParkedTexts::Reorder(const std::vector<size_t>& order) {
  std::vector<size_t> place(order.size());
  for (size_t i = 0; i < order.size(); ++i) place[order[i]] = i;
  for (Part& part : parts_) {
    for (Ref& r : part.refs) r.entry = place[r.entry];
  }
}

void ParkedTexts::Restore(std::vector<AttributedEntry>& entries, Restored restored,
                          const std::vector<AttributedEntry>* previous) {
  absl::flat_hash_map<absl::string_view, const SharedText*> lent;
  if (previous != nullptr) {
    lent.reserve(previous->size());
    for (const AttributedEntry& a : *previous) lent.emplace(Av(a.entry.id), &a.entry.text);
  }
  ForEachText([&](const Ref& r, std::string_view text) {
    if (r.entry >= entries.size()) return;
    UnstructuredEntry& e = entries[r.entry].entry;
    if (restored == Restored::kFirstLines) text = UnstructuredEntry::FirstLineOf(text);
    if (auto it = lent.find(Av(e.id)); it != lent.end() && *it->second == text) {
      e.text = *it->second;
      return;
    }
    e.text = SharedText(text);
  });
  parts_.clear();
}

uint64_t ParkedTexts::bytes() const {
  uint64_t total = 0;
  const LineStore* counted = nullptr;  // parts may share one store
  for (const Part& part : parts_) {
    total += part.refs.capacity() * sizeof(Ref);
    if (part.store.get() != counted) total += part.store->bytes();
    counted = part.store.get();
  }
  return total;
}

}  // namespace logweave::internal

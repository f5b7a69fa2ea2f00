#include "analysis/parked_texts.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "analysis/parallel.h"

namespace logweave::internal {
namespace {

// Blocks as the index's (LineStore's default), at zstd's fastest level: the
// texts are parked for one analysis, and the time counts in its wall.
constexpr int kLevel = 1;

void AddWords(std::string_view text, std::vector<std::string>& words) {
  for (std::string_view w : TraceIdWords(text)) words.emplace_back(w);
}

}  // namespace

ParkedTexts::ParkedTexts(std::vector<AttributedEntry>& entries, uint32_t threads,
                         EntryWords* words) {
  const size_t n = entries.size();
  *words = EntryWords(n);
  if (n == 0) return;
  parts_.resize(std::max<uint32_t>(threads, 1));
  RunOnThreads(static_cast<uint32_t>(parts_.size()), [&](uint32_t p) {
    auto store = std::make_unique<LineStore>(LineStore::kDefaultBlockBytes, kLevel);
    std::vector<Ref>& refs = parts_[p].refs;
    for (size_t i = n * p / parts_.size(); i < n * (p + 1) / parts_.size(); ++i) {
      SharedText& text = entries[i].entry.text;
      AddWords(text, (*words)[i]);
      refs.push_back({i, store->Append(text.str()), static_cast<uint32_t>(text.size())});
      text = SharedText();
    }
    parts_[p].store = std::move(store);
  });
}

ParkedTexts::ParkedTexts(std::unique_ptr<LineStore> store, std::vector<Ref> refs, uint32_t threads,
                         EntryWords* words) {
  size_t entries = 0;
  for (const Ref& r : refs) entries = std::max(entries, r.entry + 1);
  *words = EntryWords(entries);
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

void ParkedTexts::Restore(std::vector<AttributedEntry>& entries, Restored restored) {
  ForEachText([&](const Ref& r, std::string_view text) {
    if (r.entry >= entries.size()) return;
    if (restored == Restored::kFirstLines) text = text.substr(0, text.find('\n'));
    entries[r.entry].entry.text = SharedText(text);
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

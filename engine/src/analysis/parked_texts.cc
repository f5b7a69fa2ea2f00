#include "analysis/parked_texts.h"

#include <algorithm>
#include <string_view>

#include "analysis/parallel.h"

namespace logweave::internal {
namespace {

// Blocks as the index's (LineStore's default), at zstd's fastest level: the
// texts are parked for one analysis, and the time counts in its wall.
constexpr int kLevel = 1;

}  // namespace

ParkedTexts::ParkedTexts(std::vector<AttributedEntry>& entries, uint32_t threads)
    : sizes_(entries.size()) {
  const size_t n = entries.size();
  const size_t part_count = n == 0 ? 0 : std::max<size_t>(threads, 1);
  parts_.resize(part_count);
  for (size_t p = 0; p < part_count; ++p) {
    parts_[p].begin = n * p / part_count;
    parts_[p].end = n * (p + 1) / part_count;
    parts_[p].store = std::make_unique<LineStore>(LineStore::kDefaultBlockBytes, kLevel);
  }
  if (part_count == 0) return;
  RunOnThreads(static_cast<uint32_t>(part_count), [&](uint32_t p) {
    Part& part = parts_[p];
    for (size_t i = part.begin; i < part.end; ++i) {
      SharedText& text = entries[i].entry.text;
      sizes_[i] = static_cast<uint32_t>(text.size());
      part.store->Append(text.str());
      text = SharedText();
    }
  });
}

void ParkedTexts::Restore(std::vector<AttributedEntry>& entries, Restored restored) {
  // Each part on a thread of its own, as it was parked.
  if (parts_.empty()) return;
  RunOnThreads(static_cast<uint32_t>(parts_.size()), [&](uint32_t p) {
    Part& part = parts_[p];
    BlockCache cache(1);  // read in order: each block decompressed once
    uint64_t pos = 0;
    for (size_t i = part.begin; i < part.end && i < entries.size(); ++i) {
      std::string_view text = part.store->View(pos, sizes_[i], &cache);
      if (restored == Restored::kFirstLines) text = text.substr(0, text.find('\n'));
      entries[i].entry.text = SharedText(text);
      pos += sizes_[i];
      part.store->DropBefore(pos);  // the blocks read to their end are freed at once
    }
    part.store.reset();
  });
  parts_.clear();
  sizes_ = std::vector<uint32_t>();
}

uint64_t ParkedTexts::bytes() const {
  uint64_t total = sizes_.capacity() * sizeof(uint32_t);
  for (const Part& part : parts_) total += part.store != nullptr ? part.store->bytes() : 0;
  return total;
}

}  // namespace logweave::internal

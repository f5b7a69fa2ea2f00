#include "analysis/trace_signatures.h"

namespace logweave::internal {

TraceSignatures::TraceSignatures(uint32_t shards, uint32_t threads)
    : shards_(shards), threads_(threads) {}

std::pair<uint32_t, bool> TraceSignatures::Record(uint32_t thread, uint32_t shard, uint64_t number,
                                                  const TraceFacts& facts) {
  Thread& t = threads_[thread];
  t.key.clear();
  t.key.push_back(facts.kind);
  uint64_t hash = facts.kind;
  auto mix = [&hash](uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15;
    hash ^= hash >> 29;
  };
  for (const Ev& e : facts.events) {
    t.key.push_back(e.service);
    t.key.push_back(e.name);
    mix((uint64_t{e.service} << 32) | e.name);
  }
  // The key itself is compared, not only its hash: traces of different signatures never share
  // a verdict.
  const KeyView key{hash, absl::string_view(reinterpret_cast<const char*>(t.key.data()),
                                            t.key.size() * sizeof(uint32_t))};
  uint32_t sig = kNone;
  bool added = false;
  if (auto it = t.ids.find(key); it != t.ids.end()) {
    sig = it->second;
  } else if (const size_t cost = kCostPerKeyByte * key.bytes.size() + kCostPerSignature;
             t.bytes + cost <= kMaxBytesPerThread) {
    sig = static_cast<uint32_t>(t.ids.size());
    t.ids.emplace(Key{hash, std::string(key.bytes)}, sig);
    t.bytes += cost;
    added = true;
  }
  const std::pair<uint32_t, bool> out(sig, added);
  ShardEntries& s = shards_[shard];
  if (s.entries.empty()) s.first = number;
  if (number < s.first) return out;
  s.thread = thread;
  const uint64_t at = number - s.first;
  ShardEntries::Entry entry;
  if (sig < ShardEntries::Entry::kNotRecorded &&
      facts.indexed_events < ShardEntries::Entry::kNotRecorded) {
    entry.events = static_cast<uint16_t>(facts.indexed_events);
    entry.sig = static_cast<uint16_t>(sig);
  }
  if (at == s.entries.size()) {
    s.entries.push_back(entry);
  } else {
    if (at > s.entries.size()) s.entries.resize(at + 1);
    s.entries[at] = entry;
  }
  return out;
}

void TraceSignatures::Seal() {
  first_id_.assign(threads_.size(), 0);
  size_t total = 0;
  for (size_t t = 0; t < threads_.size(); ++t) {
    first_id_[t] = static_cast<uint32_t>(total);
    total += threads_[t].ids.size();
  }
  threads_ = std::vector<Thread>();
  verdicts_ = std::make_unique<std::atomic<uint8_t>[]>(total);
  for (size_t i = 0; i < total; ++i) verdicts_[i].store(kUnknown, std::memory_order_relaxed);
}

uint32_t TraceSignatures::Of(uint32_t shard, uint64_t number, uint32_t events) const {
  if (shard >= shards_.size()) return kNone;
  const ShardEntries& s = shards_[shard];
  if (number < s.first || number - s.first >= s.entries.size()) return kNone;
  const ShardEntries::Entry& e = s.entries[number - s.first];
  if (e.sig == ShardEntries::Entry::kNotRecorded || e.events != events) return kNone;
  return first_id_[s.thread] + e.sig;
}

}  // namespace logweave::internal

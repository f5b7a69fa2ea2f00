#include "analysis/unstructured.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "internal/permute.h"
#include "logweave/finding.h"
#include "parse/plain_text.h"

namespace logweave {

UnstructuredCollector::UnstructuredCollector(const SourceNames* sources,
                                             const UnstructuredOptions& options)
    : sources_(sources), options_(options) {}

void UnstructuredCollector::Add(BatchDigest&& digest) {
  absl::MutexLock lock(&mu_);
  // While they hold borrowed room, the index may have taken it back since.
  if (options_.room_to_borrow) TrimLocked();
  SourceState& state = states_[digest.source_id];
  if (digest.batch_no != state.next_batch_no) {
    state.pending.emplace(digest.batch_no, std::move(digest));
    return;
  }
  Process(state, digest);
  ++state.next_batch_no;
  for (auto it = state.pending.begin();
       it != state.pending.end() && it->first == state.next_batch_no;
       it = state.pending.erase(it)) {
    Process(state, it->second);
    ++state.next_batch_no;
  }
}

void UnstructuredCollector::Process(SourceState& state, BatchDigest& digest) {
  for (PlainLine& line : digest.lines) {
    const PlainLineClass cls = ClassifyPlainLine(line.text);
    Block& block = state.block;
    // Consecutive lines, or lines of one message (a Kafka message carrying a
    // whole multi-line block has one offset for all its lines).
    const bool adjacent =
        line.line_no == block.last_line_no + 1 || line.line_no == block.last_line_no;
    if (state.has_block && adjacent && (cls.continuation || cls.exception_header)) {
      UnstructuredEntry& e = block.entry;
      ++e.line_count;
      block.last_line_no = line.line_no;
      block.is_error = block.is_error || cls.error_like;
      if (block.text.size() < UnstructuredEntry::kMaxTextBytes) {
        block.text.push_back('\n');
        block.text.append(line.text, 0, UnstructuredEntry::kMaxTextBytes - block.text.size());
      }
      if (e.level == Level::kUnknown && cls.error_like) e.level = Level::kError;
      continue;
    }
    Close(state);
    state.has_block = true;
    block = Block();
    block.is_error = cls.error_like;
    block.last_line_no = line.line_no;
    UnstructuredEntry& e = block.entry;
    e.source_id = digest.source_id;
    e.line_no = line.line_no;
    e.source_offset = line.source_offset;
    e.line_count = 1;
    e.seq = line.seq;
    e.level = line.level;
    if (line.has_time) {
      e.time_ns = line.time_ns;
      e.time_known = true;
    } else if (line.has_prev_time) {
      e.time_ns = line.prev_time_ns;
      e.time_known = e.time_inferred = true;
    } else if (state.has_last_time) {
      e.time_ns = state.last_time_ns;
      e.time_known = e.time_inferred = true;
    } else {
      e.time_inferred = true;
    }
    block.text = std::move(line.text);
    if (block.text.size() > UnstructuredEntry::kMaxTextBytes) {
      block.text.resize(UnstructuredEntry::kMaxTextBytes);
    }
  }
  if (digest.has_last_time) {
    state.last_time_ns = digest.last_time_ns;
    state.has_last_time = true;
  }
}

void UnstructuredCollector::Close(SourceState& state) {
  if (!state.has_block) return;
  state.has_block = false;
  if (!state.block.is_error) {
    ++non_error_blocks_;
    return;
  }
  if (entries_.size() >= options_.max_entries) {
    ++dropped_;
    return;
  }
  UnstructuredEntry& e = state.block.entry;
  if (e.level == Level::kUnknown) e.level = Level::kError;
  e.id = EntryId(e);
  e.template_id = miner_.Add({.service = sources_->DefaultService(e.source_id),
                              .text = UnstructuredEntry::FirstLineOf(state.block.text),
                              .plain_text = true,
                              .level = e.level,
                              .time_ns = e.time_ns,
                              .has_time = e.time_known});
  Store(e, state.block.text);
  TrimLocked();
}

void UnstructuredCollector::TrimLocked() {
  // Over its memory share and the room it may borrow now: the oldest go, as the index's oldest
  // lines do.
  if (options_.max_bytes == 0) return;
  uint64_t bytes = BytesLocked();
  if (bytes <= options_.max_bytes) return;
  const uint64_t limit =
      options_.max_bytes + (options_.room_to_borrow ? options_.room_to_borrow() : 0);
  while (bytes > limit && !entries_.empty()) {
    entries_.pop_front();
    texts_->DropBefore(entries_.empty() ? UINT64_MAX : entries_.front().text_pos);
    ++dropped_;
    bytes = BytesLocked();
  }
}

void UnstructuredCollector::Store(UnstructuredEntry& e, std::string_view text) {
  if (texts_ == nullptr) {
    // Blocks of at most an eighth of a small budget, so that the open one's
    // buffer leaves room for entries under it.
    size_t block_bytes = internal::LineStore::kDefaultBlockBytes;
    if (options_.max_bytes > 0)
      block_bytes = std::min<uint64_t>(block_bytes, options_.max_bytes / 8);
    texts_ = std::make_unique<internal::LineStore>(block_bytes);
  }
  Stored& stored = entries_.emplace_back();
  stored.entry = std::move(e);
  stored.text_pos = texts_->Append(text);
  stored.text_size = static_cast<uint32_t>(text.size());
}

uint64_t UnstructuredCollector::BytesLocked() const {
  return entries_.size() * sizeof(Stored) + (texts_ != nullptr ? texts_->bytes() : 0);
}

UnstructuredEntry UnstructuredCollector::ReadBack(const Stored& stored,
                                                  internal::BlockCache* cache) const {
  UnstructuredEntry e = stored.entry;
  e.text = SharedText(texts_->View(stored.text_pos, stored.text_size, cache));
  return e;
}

uint64_t UnstructuredCollector::bytes() const {
  absl::MutexLock lock(&mu_);
  return BytesLocked();
}

template <typename T>
std::vector<size_t> UnstructuredCollector::Finish(std::vector<T>& out) const {
  // Sorted by source name, then line; each entry moved once.
  std::vector<size_t> order = internal::SortedOrder(out, [this](T& value) {
    const UnstructuredEntry& e = EntryOf(value);
    return std::pair(sources_->Name(e.source_id), e.line_no);
  });
  internal::ApplyOrder(out, order);
  // One copy of each source's name and service for all its entries (sorted: they come together).
  uint32_t source_id = 0;
  SharedText source, service;
  for (T& value : out) {
    UnstructuredEntry& e = EntryOf(value);
    if (source.empty() || e.source_id != source_id) {
      source_id = e.source_id;
      source = SharedText(sources_->Name(e.source_id));
      service = SharedText(sources_->DefaultService(e.source_id));
    }
    e.source = source;
    e.service = service;
  }
  return order;
}

UnstructuredEntry UnstructuredCollector::OpenEntry(const SourceState& state,
                                                   TemplateTexts& texts) const {
  UnstructuredEntry e = state.block.entry;
  if (e.level == Level::kUnknown) e.level = Level::kError;
  e.id = EntryId(e);
  // Still open: the template it would join, without mining it (it may grow).
  std::string masked;
  e.template_id = miner_.Lookup({.service = sources_->DefaultService(e.source_id),
                                 .text = UnstructuredEntry::FirstLineOf(state.block.text),
                                 .plain_text = true},
                                &masked);
  e.template_text = std::move(masked);
  FillTemplate(e, texts);
  return e;
}

template <typename T>
std::vector<T> UnstructuredCollector::SnapshotAs() const {
  std::vector<T> out;
  {
    absl::MutexLock lock(&mu_);
    TemplateTexts texts;
    internal::BlockCache cache(1);  // read in order: each block decompressed once
    out.resize(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      UnstructuredEntry& e = EntryOf(out[i]);
      e = ReadBack(entries_[i], &cache);
      FillTemplate(e, texts);
    }
    for (const auto& [id, state] : states_) {
      if (state.has_block && state.block.is_error && out.size() < options_.max_entries) {
        UnstructuredEntry& e = EntryOf(out.emplace_back());
        e = OpenEntry(state, texts);
        e.text = SharedText(state.block.text);
      }
    }
  }
  Finish(out);
  return out;
}

std::vector<UnstructuredEntry> UnstructuredCollector::Snapshot() const {
  return SnapshotAs<UnstructuredEntry>();
}

EntriesToAttribute UnstructuredCollector::SnapshotToAttribute(uint32_t threads) const {
  std::vector<AttributedEntry> entries;
  std::vector<internal::ParkedTexts::Ref> refs;
  std::unique_ptr<internal::LineStore> store;
  {
    absl::MutexLock lock(&mu_);
    TemplateTexts texts;
    // The stored texts as they are (compressed blocks copied, a small part of
    // the texts' size), with the open blocks' after them.
    store = texts_ != nullptr ? texts_->Clone() : std::make_unique<internal::LineStore>();
    // Sized once: the entries are a large part of an analysis's peak.
    size_t open_errors = 0;
    for (const auto& [id, state] : states_) open_errors += state.has_block && state.block.is_error;
    const size_t total = std::min(entries_.size() + open_errors,
                                  std::max<size_t>(entries_.size(), options_.max_entries));
    entries.reserve(total);
    refs.reserve(total);
    entries.resize(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      entries[i].entry = entries_[i].entry;
      FillTemplate(entries[i].entry, texts);
      refs.push_back({i, entries_[i].text_pos, entries_[i].text_size});
    }
    for (const auto& [id, state] : states_) {
      if (state.has_block && state.block.is_error && entries.size() < options_.max_entries) {
        const std::string& text = state.block.text;
        refs.push_back({entries.size(), store->Append(text), static_cast<uint32_t>(text.size())});
        entries.emplace_back().entry = OpenEntry(state, texts);
      }
    }
  }
  return Hand(std::move(entries), std::move(store), std::move(refs), threads);
}

void UnstructuredCollector::CloseOpenBlocksLocked() {
  TemplateTexts texts;
  // Open blocks end here, as the input did; within max_entries as in Snapshot
  // (whose answer for their templates they give).
  for (auto& [id, state] : states_) {
    if (state.has_block && state.block.is_error && entries_.size() < options_.max_entries) {
      UnstructuredEntry e = OpenEntry(state, texts);
      Store(e, state.block.text);
    }
    state.has_block = false;
  }
}

WordsToTake UnstructuredCollector::CloseAndFindWords(uint32_t threads) {
  WordsToTake out;
  std::vector<internal::ParkedTexts::Ref> refs;
  std::unique_ptr<internal::LineStore> store;
  {
    absl::MutexLock lock(&mu_);
    CloseOpenBlocksLocked();
    if (entries_.empty()) return out;
    // The texts are read from a copy of their compressed blocks, outside the lock.
    store = texts_->Clone();
    refs.reserve(entries_.size());
    absl::flat_hash_set<uint32_t> timed_sources;
    for (size_t i = 0; i < entries_.size(); ++i) {
      refs.push_back({i, entries_[i].text_pos, entries_[i].text_size});
      if (entries_[i].entry.time_known) timed_sources.insert(entries_[i].entry.source_id);
    }
    absl::flat_hash_set<std::string_view> services;
    for (uint32_t source : timed_sources) {
      if (services.insert(sources_->DefaultService(source)).second) {
        out.timed_services.emplace_back(sources_->DefaultService(source));
      }
    }
  }
  internal::ParkedTexts(std::move(store), std::move(refs), threads, &out.words);
  return out;
}

EntriesToAttribute UnstructuredCollector::Take(uint32_t threads) {
  return Take(threads, internal::EntryWords());
}

EntriesToAttribute UnstructuredCollector::Take(uint32_t threads, internal::EntryWords words) {
  std::vector<AttributedEntry> entries;
  std::vector<internal::ParkedTexts::Ref> refs;
  std::unique_ptr<internal::LineStore> store;
  {
    absl::MutexLock lock(&mu_);
    CloseOpenBlocksLocked();
    TemplateTexts texts;
    entries.resize(entries_.size());
    refs.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      entries[i].entry = std::move(entries_[i].entry);
      FillTemplate(entries[i].entry, texts);
      refs.push_back({i, entries_[i].text_pos, entries_[i].text_size});
    }
    entries_ = decltype(entries_)();
    store = std::move(texts_);
  }
  // Words found for other entries than these (some came in between) are found again.
  const bool words_fit = words.size() == entries.size() && !entries.empty();
  return Hand(std::move(entries), std::move(store), std::move(refs), threads,
              words_fit ? &words : nullptr);
}

EntriesToAttribute UnstructuredCollector::Hand(std::vector<AttributedEntry> entries,
                                               std::unique_ptr<internal::LineStore> store,
                                               std::vector<internal::ParkedTexts::Ref> refs,
                                               uint32_t threads,
                                               internal::EntryWords* words) const {
  EntriesToAttribute out;
  out.entries = std::move(entries);
  if (words != nullptr) {
    out.words = std::move(*words);
    out.texts = internal::ParkedTexts(std::move(store), std::move(refs), threads, nullptr);
  } else {
    out.texts = internal::ParkedTexts(std::move(store), std::move(refs), threads, &out.words);
  }
  const std::vector<size_t> order = Finish(out.entries);
  out.texts.Reorder(order);
  internal::ApplyOrder(out.words, order);
  return out;
}

void UnstructuredCollector::FillTemplate(UnstructuredEntry& e, TemplateTexts& texts) const {
  // The template may have grown more general since the entry joined it.
  const TemplateInfo* t = miner_.Find(e.template_id);
  if (t == nullptr) return;
  auto [it, added] = texts.try_emplace(e.template_id);
  if (added) it->second = SharedText(t->text);
  e.template_text = it->second;
}

SharedText UnstructuredCollector::EntryId(const UnstructuredEntry& e) const {
  return FindingId("unstructured_error", {sources_->Name(e.source_id), std::to_string(e.line_no)});
}

}  // namespace logweave

// Unstructured error entries: plain-text error lines (not JSON, so invisible
// to trace search), with their continuation lines (stack frames, tracebacks)
// joined into one multi-line entry per block.
//
// Workers hand over one BatchDigest per parsed batch (in any order); the
// collector processes each source's digests in batch order, so a block that
// spans two batches is still joined.
#ifndef LOGWEAVE_ANALYSIS_UNSTRUCTURED_H_
#define LOGWEAVE_ANALYSIS_UNSTRUCTURED_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "analysis/parked_texts.h"
#include "index/line_store.h"
#include "logweave/index.h"
#include "logweave/record.h"
#include "logweave/report.h"
#include "logweave/templates.h"

namespace logweave {

// A plain-text line as the parse stage reports it.
struct PlainLine {
  uint64_t line_no = 0;
  uint64_t source_offset = 0;
  uint64_t seq = 0;
  int64_t time_ns = 0;  // its own leading timestamp, with has_time
  bool has_time = false;
  int64_t prev_time_ns = 0;  // the nearest timed record before it in the batch
  bool has_prev_time = false;
  Level level = Level::kUnknown;
  std::string text;
};

// What one parsed batch tells the collector.
struct BatchDigest {
  uint32_t source_id = 0;
  uint64_t batch_no = 0;     // per-source order, from 0
  int64_t last_time_ns = 0;  // the last timed record of the batch, with has_last_time
  bool has_last_time = false;
  std::vector<PlainLine> lines;  // the batch's non-empty plain-text lines, in order
};

// Plain-text error entries handed to an analysis: their texts parked (the
// attribution reads only their words) until it restores them.
struct EntriesToAttribute {
  std::vector<AttributedEntry> entries;  // by source, then line; texts empty
  internal::EntryWords words;            // each entry's, by index
  internal::ParkedTexts texts;           // the entries' texts
};

// What an analysis reads of the entries a Take will hand, before it takes them.
struct WordsToTake {
  internal::EntryWords words;               // each entry's, by its index before Take sorts
  std::vector<std::string> timed_services;  // the services of the entries with a known time
};

struct UnstructuredOptions {
  // Entries kept at most; more are counted in dropped() (oldest kept). Default 100000.
  size_t max_entries = 100000;
  // Memory the kept entries may hold (their fields, and their texts as
  // stored: compressed); over it the oldest entries are dropped and counted
  // in dropped(). 0 (default): no limit. A pipeline under index.max_bytes
  // sets it to its share (PipelineOptions::UnstructuredMemoryBytes).
  uint64_t max_bytes = 0;
  // With max_bytes: memory the entries may hold beyond it, lent by the index while its own
  // share is not all in use (a replay's pipeline lends the unused part of the index's share).
  // Asked under the collector's lock whenever the entries are over max_bytes: as they grow,
  // and for each batch digest, so that the oldest over it go as the index takes the room
  // back. Must be cheap and take no lock. Unset: none.
  std::function<uint64_t()> room_to_borrow = nullptr;
};

// Thread-safe. Each error block's first line is mined into a log template (one TemplateMiner,
// guarded by the collector's mutex) as the block closes: Snapshot's entries carry it. A closed
// block's text is kept in zstd blocks (index/line_store.h) and read back by Snapshot and Take.
class UnstructuredCollector {
 public:
  UnstructuredCollector(const SourceNames* sources, const UnstructuredOptions& options = {});

  // Takes a batch's digest; digests of one source must carry batch_no 0, 1, 2,
  // ... (each exactly once) and may arrive in any order.
  void Add(BatchDigest&& digest);

  // The error entries so far, blocks still open included, ordered by source
  // then line.
  std::vector<UnstructuredEntry> Snapshot() const;
  // Snapshot's entries as AttributedEntry with no candidates yet, for an
  // analysis that attributes them in place (no second vector of the
  // entries), with their texts parked and their words found on `threads`
  // threads.
  EntriesToAttribute SnapshotToAttribute(uint32_t threads) const;
  // Snapshot's entries, as SnapshotToAttribute gives them, moved out instead
  // of copied, for a one-shot analysis that reads them once: the stored texts
  // are handed over compressed, as they are, so that they are never all in
  // memory at once. Open blocks are closed, and later calls return only what
  // came after. dropped() and non_error_blocks() keep counting.
  EntriesToAttribute Take(uint32_t threads);
  // Take in two steps, for a one-shot analysis that needs the entries' words
  // long before the entries (it reads the whole index with the words, and
  // frees it before it takes the entries): closes the open blocks as Take
  // does and finds the words of every entry; Take(threads, words) then hands
  // the entries with those words, not read again. Should an entry come in
  // between, the words are found again.
  WordsToTake CloseAndFindWords(uint32_t threads);
  EntriesToAttribute Take(uint32_t threads, internal::EntryWords words);

  // Error blocks that did not fit in max_entries or max_bytes.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // Memory the kept entries hold now (see UnstructuredOptions::max_bytes).
  uint64_t bytes() const;
  // Plain-text blocks seen that do not look like errors.
  uint64_t non_error_blocks() const { return non_error_blocks_.load(std::memory_order_relaxed); }

 private:
  struct Block {
    UnstructuredEntry entry;  // its text and id are set when it closes
    std::string text;         // grows line by line while open
    bool is_error = false;
    uint64_t last_line_no = 0;
  };
  struct SourceState {
    uint64_t next_batch_no = 0;
    std::map<uint64_t, BatchDigest> pending;  // arrived ahead of their turn
    int64_t last_time_ns = 0;
    bool has_last_time = false;
    bool has_block = false;
    Block block;
  };

  void Process(SourceState& state, BatchDigest& digest) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the oldest entries while they hold more than max_bytes and the room they may borrow.
  void TrimLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Close(SourceState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Template texts by id, each shared by the entries of one Snapshot or Take.
  using TemplateTexts = absl::flat_hash_map<uint64_t, SharedText>;
  // Sets e.template_text from its template (as it is now), shared through `texts`.
  void FillTemplate(UnstructuredEntry& e, TemplateTexts& texts) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // An open block's entry as Snapshot shows it, its text aside: its id, level
  // and the template it would join (id 0 and its masked line if none).
  UnstructuredEntry OpenEntry(const SourceState& state, TemplateTexts& texts) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Entries whose texts `refs` locate in `store`, as SnapshotToAttribute and
  // Take give them: their texts parked, their words found, sorted.
  // `words`: the entries' words, when already found (by index, before sorting).
  EntriesToAttribute Hand(std::vector<AttributedEntry> entries,
                          std::unique_ptr<internal::LineStore> store,
                          std::vector<internal::ParkedTexts::Ref> refs, uint32_t threads,
                          internal::EntryWords* words = nullptr) const;
  // Closes each source's open error block into entries_ (within max_entries), as the input
  // ended there.
  void CloseOpenBlocksLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // An entry's stable id (its finding's): from its source's name and first line.
  SharedText EntryId(const UnstructuredEntry& e) const;
  // An element's entry: the element itself, or an AttributedEntry's.
  static UnstructuredEntry& EntryOf(UnstructuredEntry& e) { return e; }
  static UnstructuredEntry& EntryOf(AttributedEntry& a) { return a.entry; }
  // Snapshot's entries, each in a T (UnstructuredEntry or AttributedEntry).
  template <typename T>
  std::vector<T> SnapshotAs() const;
  // Fills the fields Snapshot and Take derive, and sorts by source then line;
  // returns the order it put them in (internal/permute.h's SortedOrder).
  template <typename T>
  std::vector<size_t> Finish(std::vector<T>& out) const;

  // A closed error block: its entry without its text, which is in texts_.
  struct Stored {
    UnstructuredEntry entry;
    uint64_t text_pos = 0;
    uint32_t text_size = 0;
  };
  // Keeps a closed block's entry and its text (`e` is moved from).
  void Store(UnstructuredEntry& e, std::string_view text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `stored`'s entry with its text read back from texts_.
  UnstructuredEntry ReadBack(const Stored& stored, internal::BlockCache* cache) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t BytesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SourceNames* sources_;
  const UnstructuredOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint32_t, SourceState> states_ ABSL_GUARDED_BY(mu_);
  std::deque<Stored> entries_ ABSL_GUARDED_BY(mu_);
  // The texts of entries_, in their order; made by the first, freed by Take.
  std::unique_ptr<internal::LineStore> texts_ ABSL_GUARDED_BY(mu_);
  // Counted under mu_, read without it.
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> non_error_blocks_{0};
  TemplateMiner miner_ ABSL_GUARDED_BY(mu_){TemplateMinerOptions{}};
};

}  // namespace logweave

#endif  // LOGWEAVE_ANALYSIS_UNSTRUCTURED_H_

// The journal of submitted batches: a write-ahead log that a pipeline hands
// every batch of its journaled sources to before indexing it, so that a
// restart can rebuild the index from it (connectors/wal is the one built in).
//
//   pipeline->SetJournal(std::move(wal));   // before journaled sources submit
//   ...                                     // Submit appends each batch to it
//   pipeline->SyncJournal();                // a source, before it checkpoints or commits
#ifndef LOGWEAVE_JOURNAL_H_
#define LOGWEAVE_JOURNAL_H_

#include <string_view>

#include "absl/status/status.h"
#include "logweave/batch.h"

namespace logweave {

// Thread-safe: Append is called by every submitting source thread at once,
// Sync by any thread.
class BatchJournal {
 public:
  virtual ~BatchJournal() = default;

  // Records `batch` (its lines, positions and flags) of the source registered
  // as `source_name` with `default_service`. Called by Pipeline::Submit on
  // the submitting thread before the batch is queued, so before its
  // on_indexed runs; a source's batches come in the order it submitted them.
  // Failures are the journal's to count and report (Sync returns them): the
  // batch is indexed all the same.
  virtual void Append(const RawBatch& batch, std::string_view source_name,
                      std::string_view default_service) = 0;

  // Makes every Append that returned before the call durable (fsync). Blocks.
  // Not OK if this sync or an earlier append failed: what a checkpoint would
  // cover may then not be in the journal.
  virtual absl::Status Sync() = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_JOURNAL_H_

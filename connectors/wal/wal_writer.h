// The write-ahead log of indexed batches under a state directory, so that a
// restarted `logweave serve` gets back the index it had (as Loki's and
// Tempo's ingesters replay theirs). The pipeline appends every batch of its
// live sources before indexing it (logweave/journal.h); at start the
// segments are replayed into the index (WalReplaySource), then the sources
// resume from their checkpoints or commits.
//
//   auto wal = WalWriter::Open(options).value();        // locks the directory
//   WalReplaySource restore(options.dir, &pipeline);    // what the last run indexed
//   runtime->ReadToEnd(restore);
//   pipeline.SetJournal(std::move(wal));                // from now on, every batch
//
// Durability: each record is written with one write(2) before its batch is
// queued, so it survives the process being killed; Sync (which the follow
// and Kafka sources call before writing a checkpoint or committing) fsyncs
// it, so that it also survives a machine crash before any checkpoint
// covers it. A sealed segment is fsynced when the next one starts.
// Retention: past max_bytes the oldest segments are deleted.
#ifndef LOGWEAVE_CONNECTORS_WAL_WAL_WRITER_H_
#define LOGWEAVE_CONNECTORS_WAL_WAL_WRITER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/journal.h"

namespace logweave {

struct WalOptions {
  // Directory of the segments (created if missing; locked so that one
  // process at a time uses it). `serve` uses <state_dir>/wal. Required.
  std::string dir;
  // A segment is sealed and the next one started once it holds this many
  // bytes. Default 32 MiB. At least 64 KiB.
  uint64_t segment_bytes = 32ull << 20;
  // The segments kept, in bytes on disk: beyond it the oldest sealed
  // segments are deleted. 0 = no limit. Default 0 (`serve` sets it to
  // index.max_bytes: compressed lines take less room than the index needs
  // for them, so the log holds at least what the index holds).
  uint64_t max_bytes = 0;
  // zstd level of the records (1 = fastest). Default 1. In [1, 19].
  int compression_level = 1;

  // INVALID_ARGUMENT naming the field.
  absl::Status Validate() const;
};

// Counters of a WalWriter. Plain values.
struct WalWriterStats {
  uint64_t records = 0;           // batches appended
  uint64_t lines = 0;             // their lines
  uint64_t bytes = 0;             // bytes written (records and segment headers)
  uint64_t syncs = 0;             // fsyncs of the active segment (Sync)
  uint64_t segments_created = 0;  // segment files started
  uint64_t segments_deleted = 0;  // removed by retention (max_bytes)
  uint64_t segments = 0;          // segment files now
  uint64_t disk_bytes = 0;        // their bytes now
  uint64_t write_errors = 0;      // failed writes, creates or syncs (the first is logged)
  uint64_t skipped_batches = 0;   // batches not appended after a write error
};

// Thread-safe (BatchJournal). Appends go to a new segment numbered after
// every segment present at Open.
class WalWriter final : public BatchJournal {
 public:
  // Validates `options`, creates and locks `dir`. Writes nothing yet.
  // INVALID_ARGUMENT for bad options; FAILED_PRECONDITION if another process
  // holds the directory; an errno-based status if it cannot be created.
  static absl::StatusOr<std::unique_ptr<WalWriter>> Open(const WalOptions& options);
  // Syncs and closes the active segment; releases the lock.
  ~WalWriter() override;
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Compresses outside the lock, then writes the record with one write(2).
  // After a failed write (disk full, ...) the log stops: later batches are
  // skipped and counted, and Sync reports the error, so that no checkpoint
  // covers lines the log does not hold; the next start resumes from the
  // last good checkpoint.
  void Append(const RawBatch& batch, std::string_view source_name,
              std::string_view default_service) override;
  // fdatasync of the active segment (outside the append lock). Not OK after
  // a write error.
  absl::Status Sync() override;

  const WalOptions& options() const { return options_; }
  WalWriterStats Stats() const;

 private:
  explicit WalWriter(const WalOptions& options);
  // Seals the active segment (fsync, close) and starts the next one.
  absl::Status Roll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Deletes the oldest sealed segments while over max_bytes.
  void Retain() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Fail(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WalOptions options_;
  int lock_fd_ = -1;

  mutable absl::Mutex mu_;
  struct Segment {
    uint64_t number;
    uint64_t bytes;
  };
  std::deque<Segment> segments_ ABSL_GUARDED_BY(mu_);  // oldest first; the active one last
  uint64_t next_number_ ABSL_GUARDED_BY(mu_) = 1;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;           // the active segment
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // bytes written since Open
  uint64_t synced_ ABSL_GUARDED_BY(mu_) = 0;   // of which known durable
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  WalWriterStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WAL_WAL_WRITER_H_

// Start-up with a write-ahead log: replay it into the index, then journal
// every new batch to it. What `logweave serve --state-dir` does before its
// live sources start.
//
//   absl::StatusOr<WalRestore> restored = RestoreAndJournal(options, runtime.get());
//   // restored->replay: what came back; restored->writer: counters of the log
#ifndef LOGWEAVE_CONNECTORS_WAL_WAL_RESTORE_H_
#define LOGWEAVE_CONNECTORS_WAL_WAL_RESTORE_H_

#include "absl/status/statusor.h"
#include "connectors/wal/wal_replay_source.h"
#include "connectors/wal/wal_writer.h"
#include "logweave/runtime.h"

namespace logweave {

struct WalRestore {
  WalReplayStats replay;
  // The log, owned by the runtime's pipeline (its journal) from now on.
  const WalWriter* writer = nullptr;
};

// Opens (and locks) the log in options.dir, replays its segments into
// `runtime`'s index on this thread (Runtime::ReadToEnd) and makes it the
// pipeline's journal. Call before any journaled source submits. The
// statuses of WalWriter::Open (INVALID_ARGUMENT, FAILED_PRECONDITION when
// another process holds the directory, errno-based ones) and of the replay.
absl::StatusOr<WalRestore> RestoreAndJournal(const WalOptions& options, Runtime* runtime);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WAL_WAL_RESTORE_H_

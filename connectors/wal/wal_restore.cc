#include "connectors/wal/wal_restore.h"

namespace logweave {

absl::StatusOr<WalRestore> RestoreAndJournal(const WalOptions& options, Runtime* runtime) {
  absl::StatusOr<std::unique_ptr<WalWriter>> writer = WalWriter::Open(options);
  if (!writer.ok()) return writer.status();
  WalReplaySource replay(options.dir, &runtime->pipeline());
  if (absl::Status s = runtime->ReadToEnd(replay); !s.ok()) return s;
  WalRestore out;
  out.replay = replay.Stats();
  out.writer = writer->get();
  runtime->pipeline().SetJournal(std::move(*writer));
  return out;
}

}  // namespace logweave

#include "tools/logweave/serve_wal.h"

#include <cstdio>

#include "connectors/wal/wal_restore.h"

namespace logweave::cli {

absl::Status RestoreServeIndex(const std::string& state_dir, const ServeSettings& serve,
                               uint64_t index_max_bytes, Runtime* runtime) {
  WalOptions options;
  options.dir = state_dir + "/wal";
  options.max_bytes = serve.wal_max_bytes != 0 ? serve.wal_max_bytes : index_max_bytes;
  absl::StatusOr<WalRestore> restored = RestoreAndJournal(options, runtime);
  if (!restored.ok()) return restored.status();
  const WalReplayStats& r = restored->replay;
  std::fprintf(stderr,
               "logweave serve: restored %llu lines (%llu batches, %llu segments) from %s; %llu "
               "torn records cut off (%llu bytes)\n",
               static_cast<unsigned long long>(r.lines), static_cast<unsigned long long>(r.records),
               static_cast<unsigned long long>(r.segments), options.dir.c_str(),
               static_cast<unsigned long long>(r.torn_records),
               static_cast<unsigned long long>(r.truncated_bytes));
  return absl::OkStatus();
}

}  // namespace logweave::cli

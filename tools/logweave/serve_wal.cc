#include "tools/logweave/serve_wal.h"

#include "absl/strings/str_cat.h"
#include "connectors/wal/wal_restore.h"
#include "logweave/log.h"

namespace logweave::cli {

absl::Status RestoreServeIndex(const std::string& state_dir, const ServeSettings& serve,
                               uint64_t index_max_bytes, Runtime* runtime) {
  WalOptions options;
  options.dir = state_dir + "/wal";
  options.max_bytes = serve.wal_max_bytes != 0 ? serve.wal_max_bytes : index_max_bytes;
  absl::StatusOr<WalRestore> restored = RestoreAndJournal(options, runtime);
  if (!restored.ok()) return restored.status();
  const WalReplayStats& r = restored->replay;
  Log(LogLevel::kInfo,
      absl::StrCat("restored ", r.lines, " lines (", r.records, " batches, ", r.segments,
                   " segments) from ", options.dir, "; ", r.torn_records, " torn records cut off (",
                   r.truncated_bytes, " bytes)"),
      {{"restored_lines", r.lines}, {"torn_records", r.torn_records}});
  return absl::OkStatus();
}

}  // namespace logweave::cli

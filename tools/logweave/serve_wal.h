// `logweave serve --state-dir DIR`: the index is kept across restarts by a
// write-ahead log in DIR/wal (connectors/wal), on unless serve.wal is false.
#ifndef LOGWEAVE_TOOLS_SERVE_WAL_H_
#define LOGWEAVE_TOOLS_SERVE_WAL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "logweave/runtime.h"
#include "tools/logweave/serve_config.h"

namespace logweave::cli {

// Replays <state_dir>/wal into `runtime`'s index and journals every batch of
// the live sources to it from now on; says on stderr what came back. Keeps
// at most serve.wal_max_bytes of segments (0: `index_max_bytes`, 0: no
// limit). Call before the live sources start. The status of
// RestoreAndJournal (FAILED_PRECONDITION: another process uses the directory).
absl::Status RestoreServeIndex(const std::string& state_dir, const ServeSettings& serve,
                               uint64_t index_max_bytes, Runtime* runtime);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_SERVE_WAL_H_

// Batch replay of log files and stdin.
//
// Expands the paths a user gives (files, directories, "-" for stdin) and reads
// each one as fast as possible, decompressing .gz (zlib) and .zst (zstd) by
// extension, and hands its lines to a LineBatcher, which emits RawBatches.
//
//   absl::StatusOr<std::vector<std::string>> files = ExpandReplayPaths({"logs/", "x.log.gz"});
//   absl::Status s = ReadSource(path, batcher_options, source_id, emit);
#ifndef LOGWEAVE_CONNECTORS_FILE_FILE_SOURCE_H_
#define LOGWEAVE_CONNECTORS_FILE_FILE_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/batch.h"

namespace logweave {

// One path to replay, or a problem with a path the user gave.
struct ExpandedPaths {
  std::vector<std::string> files;    // in order: arguments in the order given; a directory's
                                     // matching files sorted by name; "-" stays "-"
  std::vector<absl::Status> errors;  // NOT_FOUND / PERMISSION_DENIED per bad argument,
                                     // naming the path; the other paths are still listed
};

// Expands command-line paths: a regular file is taken as is (whatever its
// name); a directory contributes every regular file below it (recursively)
// whose name ends in .log, .json, .ndjson or .jsonl, optionally followed by
// .gz or .zst, and rotated names like app.log.1 / app.log.2.gz; hidden files and
// directories (names starting with '.') are skipped; "-" is stdin.
ExpandedPaths ExpandReplayPaths(const std::vector<std::string>& args);

// The compression a path implies by its extension.
enum class Compression { kNone, kGzip, kZstd };
Compression CompressionOf(const std::string& path);

// Reads all of `path` ("-" = stdin), decompressing by extension, feeding the
// bytes to a LineBatcher built from `options` and `source_id` that calls
// `emit` with each batch. Returns OK at end of input; NOT_FOUND,
// PERMISSION_DENIED or DATA_LOSS (corrupt or truncated compressed data, with
// the byte offset reached) with the path in the message. Batches emitted
// before an error stay emitted. Blocks in `emit` when the consumer is full.
absl::Status ReadSource(const std::string& path, const LineBatcherOptions& options,
                        uint32_t source_id, const LineBatcher::EmitFn& emit);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FILE_FILE_SOURCE_H_

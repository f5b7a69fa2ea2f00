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
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/batch.h"

namespace logweave {

// The path that names stdin.
inline constexpr std::string_view kStdinPath = "-";

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
// the offsets reached and the number of lines replayed before it) with the
// path in the message. Batches emitted before an error stay emitted: every
// line decoded before damage is replayed. Content that looks binary (see
// BinaryShare) emits nothing and returns FAILED_PRECONDITION, for which
// IsBinaryFileSkipped is true. Blocks in `emit` when the consumer is full.
// `on_plain_file`, if set, is called with the descriptor of a regular,
// uncompressed file (not stdin) before its first byte is read.
absl::Status ReadSource(const std::string& path, const LineBatcherOptions& options,
                        uint32_t source_id, const LineBatcher::EmitFn& emit,
                        const std::function<void(int fd)>& on_plain_file = nullptr);

// True for ReadSource's status of a file skipped as binary (a warning for the
// user: the other files still replay).
bool IsBinaryFileSkipped(const absl::Status& status);

// How a file is judged binary: the first kSniffBytes of its content (after
// decompression; the whole content if shorter) are sniffed, and if more than
// kBinaryShare of those bytes other than NUL are not text, it is binary. Not
// text: control bytes other than tab, LF, CR, FF, VT, backspace and ESC; DEL;
// bytes >= 0x80 that do not form a UTF-8 sequence (so Latin-1 text, a few
// such bytes, stays text). NULs are left out, so that a log with a
// zero-filled hole (copytruncate, a crash) is still read. Executables,
// images, archives and compressed data score 0.4-0.6; logs score near 0.
inline constexpr size_t kSniffBytes = size_t{1} << 20;
inline constexpr double kBinaryShare = 0.3;
// Fewer bytes other than NUL than this are not judged (text).
inline constexpr uint64_t kMinSniffBytes = 32;

// The share (0 to 1) of non-text bytes among `bytes` other than NUL, as the
// rule above counts them; 0 below kMinSniffBytes such bytes.
double BinaryShare(std::string_view bytes);

// Whether `head` (a file's first bytes) is UTF-16 text: it starts with a UTF-16 byte order mark,
// or one of every two bytes is NUL (ASCII in UTF-16) while the others are not. Such a file is
// skipped like a binary one, with a message that says how to convert it.
bool LooksUtf16(std::string_view head);

// Whether `head` (a file's first kSniffBytes, or all of it) has line ends of
// classic Mac OS, a lone CR: it holds a '\r' and no '\n'. Such a file's lines
// end at each '\r' (LineBatcher::EndLinesAtCr), instead of being one line.
bool LooksCrTerminated(std::string_view head);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FILE_FILE_SOURCE_H_

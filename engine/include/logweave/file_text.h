// Reading a whole small file (a config, a state, a certificate, a token list,
// a log segment) into memory, with the reason it failed; and reading a range
// of an open file, or hashing its first bytes (followed files' and replayed
// files' fingerprints). The file readers of the engine and the connectors:
// each caller words the context.
//
//   absl::StatusOr<std::string> text = ReadFileText(path, absl::StrCat("cannot read ", path));
//   // on failure: NOT_FOUND "cannot read state.json: No such file or directory"
#ifndef LOGWEAVE_FILE_TEXT_H_
#define LOGWEAVE_FILE_TEXT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace logweave {

// The bytes of the file at `path`. On failure the status has the code of the
// failing call's errno (NOT_FOUND for a missing file, PERMISSION_DENIED, ...)
// and the message "CONTEXT: REASON" (REASON: strerror). Blocks; thread-safe.
// With `max_bytes`, a file (or a device, a pipe) that holds more is refused with
// INVALID_ARGUMENT "CONTEXT: more than N bytes" once that much was read.
absl::StatusOr<std::string> ReadFileText(const std::string& path, absl::string_view context,
                                         uint64_t max_bytes = UINT64_MAX);

// pread(2) of `fd` until `size` bytes or the end of the file, retrying on
// EINTR. Returns the bytes read, or -1 with errno set. Thread-safe.
ssize_t PreadFully(int fd, char* buf, size_t size, uint64_t offset);

// XXH3 of the first `bytes` bytes of `fd` into *hash. False if the file has
// fewer (or a read fails, errno set). Thread-safe.
bool HashFilePrefix(int fd, size_t bytes, uint64_t* hash);

}  // namespace logweave

#endif  // LOGWEAVE_FILE_TEXT_H_

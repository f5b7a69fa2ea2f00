// Reading a whole small file (a config, a state, a certificate, a token list,
// a log segment) into memory, with the reason it failed. The one file reader
// of the engine and the connectors: each caller words the context.
//
//   absl::StatusOr<std::string> text = ReadFileText(path, absl::StrCat("cannot read ", path));
//   // on failure: NOT_FOUND "cannot read state.json: No such file or directory"
#ifndef LOGWEAVE_FILE_TEXT_H_
#define LOGWEAVE_FILE_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace logweave {

// The bytes of the file at `path`. On failure the status has the code of the
// failing call's errno (NOT_FOUND for a missing file, PERMISSION_DENIED, ...)
// and the message "CONTEXT: REASON" (REASON: strerror). Blocks; thread-safe.
absl::StatusOr<std::string> ReadFileText(const std::string& path, absl::string_view context);

}  // namespace logweave

#endif  // LOGWEAVE_FILE_TEXT_H_

// Container runtimes' wrappers around a log line: the Kubernetes CRI prefix
// ("2026-11-23T10:00:09.123456789Z stdout F "). Docker's json-file wrapper is a
// JSON object, recognised by the JSON field handler (json_line.h).
#ifndef LOGWEAVE_PARSE_CONTAINER_H_
#define LOGWEAVE_PARSE_CONTAINER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logweave::internal {

// The length of a Kubernetes CRI log line's prefix ("2026-11-23T10:00:09.123456789Z stdout F "),
// the runtime's time, stream and tag (F a full line, P part of a longer one), after
// which comes the line the container wrote; 0 if `line` does not start so. Sets *ns to the
// runtime's time. Pure and thread-safe.
size_t CriPrefixLength(std::string_view line, int64_t* ns);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_CONTAINER_H_

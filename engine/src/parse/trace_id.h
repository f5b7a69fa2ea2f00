// Trace ids as log lines carry them, reduced to the id that joins a trace's lines.
//
//   UnwrapTraceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
//   // "4bf92f3577b34da6a3ce929d0e0e4736"
#ifndef LOGWEAVE_PARSE_TRACE_ID_H_
#define LOGWEAVE_PARSE_TRACE_ID_H_

#include <string_view>

namespace logweave::internal {

// The value of a hexadecimal digit (either case), or -1.
int HexValue(char c);

// A trace id as some conventions wrap it, reduced to the id itself so that it
// matches the lines of the other services of the trace: Google Cloud's
// "projects/PROJECT/traces/TRACE_ID" and a W3C traceparent header
// "00-TRACE_ID-PARENT_ID-FLAGS". Anything else is returned as it is. The
// result is a view into `id`. Pure and thread-safe.
std::string_view UnwrapTraceId(std::string_view id);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_TRACE_ID_H_

// Signs in a plain-text log line, for ClassifyPlainLine: exception class names (Java, Python,
// .NET, Node), HTTP 5xx statuses and reason phrases, and the markers inside multi-line stack
// traces (Java's "... 12 more", Go's goroutine and function lines, Rust, Python).
//
//   if (StartsWithExceptionClass(line, /*whole=*/true)) ...  // "java.io.IOException: ..."
//
// Every function is pure and thread-safe, reads only its arguments and never allocates.
#ifndef LOGWEAVE_PARSE_PLAIN_TEXT_SIGNALS_H_
#define LOGWEAVE_PARSE_PLAIN_TEXT_SIGNALS_H_

#include <string_view>

namespace logweave::internal {

// Whether an unindented line (or the text after an indented "---> ") starts with an exception
// class followed by ": ", " (<code>): " or the end of the line. `whole` says whether `s` runs
// to the end of the line (it may have been cut at kPlainLineScanBytes).
bool StartsWithExceptionClass(std::string_view s, bool whole);

// "Caused by: ...", "Suppressed: ..." (Java), "Wrapped by: ..." (logback, root cause first).
bool StartsWithChainMarker(std::string_view s);

// Whether a whitespace-separated field mentions an exception class or an unhandled promise.
bool MentionsException(std::string_view field);

// A field that is a 5xx code, maybe in quotes, brackets or before a comma ("503", "(500)").
bool Is5xxField(std::string_view field);

// GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS (maybe after a '"').
bool IsHttpMethod(std::string_view field);

// "HTTP", "HTTP/1.1", "\"GET / HTTP/1.1\"": the protocol field a status code follows.
bool IsHttpVersionField(std::string_view field);

// For a field holding a status key: sets *code_follows if the code is in a later field
// ("status 500", "status:", "status code 500"), and returns whether the field itself ends in
// a 5xx code ("status=503", "\"status\":500,", "http.status_code=502").
bool StatusFieldIs5xx(std::string_view field, bool* code_follows);

// The reason phrases of 500, 502, 503 and 504, at the start of `s`.
bool StartsWithReasonPhrase(std::string_view s);

// "Unhandled exception" / "Uncaught exception" at the start of `s` (after quotes or brackets).
bool StartsWithUnhandledPhrase(std::string_view s);

// Whether `line` (unindented, not blank) is a marker inside a multi-line block: "... 12 more",
// "goroutine 1 [running]:", a Go function line (only if `whole`: the line is complete), ...
// See ClassifyPlainLine in plain_text.h for the list.
bool IsContinuationMarker(std::string_view line, bool whole);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_PLAIN_TEXT_SIGNALS_H_

// Classification of plain-text (non-JSON) log lines: does a line report an error, does it
// continue the multi-line block above it (a Java stack trace, a Python traceback, a Go panic),
// does it name an exception.
//
//   PlainLineClass c = ClassifyPlainLine("\tat com.example.Gateway.charge(Gateway.java:87)");
//   // c.continuation == true, c.error_like == false
//
// Grouping lines into blocks needs only two flags, because exception_header implies both.
// Blank lines (the parser's kEmpty records) are skipped rather than closing the block: Go
// panics and Node's uncaught errors contain them.
//
//   PlainLineClass c = ClassifyPlainLine(line);
//   if (c.continuation && block_open) {
//     AppendToBlock(line);      // a frame, "Caused by: ...", the final "TimeoutError: ..."
//   } else if (c.error_like) {
//     StartErrorBlock(line);    // "... ERROR ...", "Traceback ...", "panic: ...", a header alone
//   } else {
//     CloseBlock();             // an ordinary line (or an orphan frame) ends the block
//   }
#ifndef LOGWEAVE_PARSE_PLAIN_TEXT_H_
#define LOGWEAVE_PARSE_PLAIN_TEXT_H_

#include <cstddef>
#include <string_view>

namespace logweave {

// ClassifyPlainLine reads at most this many bytes from the start of a line; anything after
// them does not change the result.
inline constexpr size_t kPlainLineScanBytes = 512;

// What a plain-text (non-JSON) log line looks like. A plain value; copied freely.
// Invariant: exception_header implies continuation and error_like.
struct PlainLineClass {
  // The line starts or reports an error: a level word such as ERROR, an exception class, a
  // panic, a Python "Traceback", an HTTP 5xx status. See ClassifyPlainLine for the exact rules.
  bool error_like = false;
  // The line continues the block above it: a stack frame, "... 12 more", a traceback's
  // "  File ..." line, "goroutine 1 [running]:", "Caused by: ...", any indented line.
  bool continuation = false;
  // The line names an exception and its message: "java.net.SocketTimeoutException: Read timed
  // out", "TimeoutError: timed out", "Caused by: ...". Such a line either continues an open
  // block (after a logged ERROR line) or, printed alone to stderr, starts one; hence both
  // continuation and error_like are set with it.
  bool exception_header = false;
};

// Classifies one plain-text log line. `line` is the line as read, without its terminator and
// NOT whitespace-trimmed (leading whitespace is what marks most stack frames); a trailing '\r'
// is ignored. Any bytes are accepted: invalid UTF-8, NULs, an empty or a huge line. Only the
// first kPlainLineScanBytes bytes are read, so a level word or status code after them is not
// seen, and a line whose first kPlainLineScanBytes bytes are whitespace counts as blank.
// Pure, thread-safe, never allocates, never throws; meant to be called for every non-JSON line.
//
// A blank line (empty or whitespace only) gets no flag.
//
// An indented line (leading space or tab) is a continuation. It is also an exception header
// (and error-like) if, after the indentation, it starts with "Caused by:", "Suppressed:",
// "Wrapped by:" (logback) or "---> " followed by an exception class (.NET inner exception).
// Nothing else on an indented line makes it error-like: a frame such as
// "\tat com.x.FooException.<init>(...)" or "    raise ValueError(...)" is not a new error.
// Exception: one space followed by "INFO " or "WARN " is log4j's "%5p" level padding, so such
// a line is classified as if it were not indented.
//
// An unindented line is, in this order:
//  * an exception header (all three flags) if it starts with "Caused by:", "Suppressed:",
//    "Wrapped by:", or with an exception class name (dotted identifiers whose last part starts
//    upper-case and ends in "Exception", "ExceptionGroup" or "Error", or is "Throwable" or
//    "KeyboardInterrupt") followed by ": ", by " (<code>): " (.NET), or by the end of the line:
//    "java.lang.NullPointerException", "requests.exceptions.ConnectionError: ...",
//    "Error: boom" (Node), "System.Net.Sockets.SocketException (111): Connection refused".
//  * "Traceback (most recent call last):": continuation and error-like.
//  * a continuation (only) if it is a marker inside a block: "... 12 more", Python's "During
//    handling of the above exception..." and "The above exception was the direct cause...",
//    Go's "goroutine 1 [running]:", "created by ...", "[signal SIGSEGV: ...]" and function
//    lines ("main.main()", "net/http.(*conn).serve(0xc000...)", "panic({0x...})": a dotted
//    identifier path, with no space before its argument list, ending the line), Rust's
//    "stack backtrace:" and "note: ... RUST_BACKTRACE ...", .NET's "--- End of ...",
//    Node's trailing "Node.js v20.11.0".
//  * otherwise error-like as follows, else nothing.
//
// Error-like signals on an unindented line:
//  (a) HTTP 5xx: "Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway
//      Timeout" (any case); a 5xx code after "HTTP/1.1"" or "HTTP" ("HTTP/1.1\" 502 157",
//      "HTTP/1.1 500 ..."), two fields after a method ("GET /api 500 12ms"), between pipes
//      ("| 500 |", gin), or after a status key ("status=503", "status: 500", "status 500",
//      "status code 500", "statusCode=504", "\"status\":500", "http.status_code=500").
//  (b) The level: the first level word among the first 8 whitespace-separated fields. A field
//      is a level word if, stripped of brackets, quotes and trailing punctuation, it is one
//      ("ERROR", "[error]", "ERROR:"), or its part before the first ':' is one ("ERROR:root:msg",
//      Python), or it is bracketed and its part after the last ':' is one ("[core:error]",
//      Apache), or it ends in ':' and its part after the last '.' is one ("app.ERROR:",
//      Monolog), or its part before '[' is one ("ERRO[0005]", logrus), or it is key=value with
//      a level key (level, lvl, loglevel, log_level, log.level, severity, levelname) and the
//      value is one ("level=error"). Error words, in any case and anywhere: ERROR, ERR, FATAL,
//      CRITICAL, CRIT, SEVERE, PANIC, ALERT, EMERG; only upper-case or bracketed/':'-suffixed/
//      key=value: ERRO, FATA, PANI (logrus), FTL (zerolog), FAIL (.NET "fail:", Go "FAIL").
//      Non-error words, only upper-case or bracketed/':'-suffixed/key=value (so that the prose
//      "info" or "trace" is not a level): TRACE, TRCE, DEBUG, DBUG, DEBU, DBG, INFO, INF, NOTICE,
//      WARN, WARNING, WRN, VERBOSE, FINE, FINER, FINEST, CONFIG. A glog prefix at the start
//      ("E1123 " or "F1123 ": letter, valid MMDD, space) is an error level; "I1123 "/"W1123 "
//      a non-error one. A single "E" is not a level. Only whole fields count: "terror",
//      "errorless", "error_count=0", "errors=0" and "error.log" are not level words, and neither
//      is an error word right after "no", "0", "zero" or "without" ("no error", "without
//      error"); plurals are never level words ("no errors found", "0 errors").
//  (c) An exception: a dotted identifier whose last part starts upper-case and ends in
//      "Exception" or "ExceptionGroup" ("Exception in thread \"main\" ...",
//      "java.io.IOException"), or ends in "Error" and is longer than "Error" or followed by ':'
//      ("ValueError", "Error: x"), or starts with "UnhandledPromiseRejection"; or the phrases
//      "unhandled exception" / "uncaught exception" (any case, .NET and Node).
//  (d) A Go panic ("panic: ..." at the start) or a Rust panic ("thread '<name>' panicked at").
// The line is error-like if (d) or (a) holds, or if (b) finds an error level; if (b) finds a
// non-error level the line is not error-like even when (c) holds ("WARN Retrying after
// java.net.SocketTimeoutException": the program logged it as handled); with no level, (c)
// decides. (a) overrides (b) because access logs print every request, 5xx included, at INFO.
PlainLineClass ClassifyPlainLine(std::string_view line);

// True if `line` starts with glog's (and klog's) header shape after its level
// letter: "E1123 ..." is line[0], then a valid month and day MMDD, then a
// space. Which letters are levels is the caller's business.
bool HasGlogHeader(std::string_view line);

}  // namespace logweave

#endif  // LOGWEAVE_PARSE_PLAIN_TEXT_H_

// Signs in a plain-text line that it reports an error or continues a multi-line block:
// exception class names, HTTP 5xx statuses, stack-trace markers. See plain_text_signals.h.
#include "parse/plain_text_signals.h"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "parse/char_class.h"

namespace logweave::internal {

using std::string_view;

// ---------------------------------------------------------------------------------------------
// Exception class names.

namespace {

// Length of the dotted identifier at the start of `s` ("java.net.SocketTimeoutException",
// "Outer$Inner", "TimeoutError"), or 0. A trailing '.' is not part of it.
size_t DottedIdentifierLength(string_view s) {
  size_t i = 0;
  while (true) {
    if (i >= s.size() || !(IsAlpha(s[i]) || s[i] == '_' || s[i] == '$')) return 0;
    while (i < s.size() && IsIdentChar(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '.' && (IsAlpha(s[i + 1]) || s[i + 1] == '_')) {
      ++i;
      continue;
    }
    return i;
  }
}

}  // namespace

namespace {

// Whether `name` (a dotted identifier) names an exception class; `colon` says whether a ':'
// follows it, which is what makes the bare "Error" a class ("Error: boom", Node). Names without
// "Exception" or "Error" ("Throwable", "KeyboardInterrupt") count only if `header`: as a word
// inside a message they are too weak a sign.
bool IsExceptionName(string_view name, bool colon, bool header) {
  if (name.empty()) return false;
  switch (name.back()) {  // the last letters of the accepted names below
    case 'n':
    case 'p':
    case 'r':
    case 'e':
    case 't':
      break;
    default:
      return false;
  }
  size_t start = name.size();
  while (start > 0 && name[start - 1] != '.' && name[start - 1] != '$') --start;
  string_view simple = name.substr(start);
  if (simple.empty() || !IsUpper(simple.front())) return false;
  if (simple.ends_with("Exception") || simple.ends_with("ExceptionGroup")) return true;
  if (simple.ends_with("Error")) return simple.size() > 5 || colon;
  return header && (simple == "Throwable" || simple == "KeyboardInterrupt");
}

}  // namespace

// Whether an unindented line (or the text after an indented "---> ") starts with an exception
// class followed by ": ", " (<code>): " or the end of the line. `whole` says whether `s` runs
// to the end of the line (it may have been cut at kPlainLineScanBytes).
bool StartsWithExceptionClass(string_view s, bool whole) {
  size_t n = DottedIdentifierLength(s);
  if (n == 0) return false;
  string_view name = s.substr(0, n);
  string_view after = s.substr(n);
  if (!after.empty() && after.front() == ':') {
    return (after.size() == 1 || IsSpace(after[1])) &&
           IsExceptionName(name, /*colon=*/true, /*header=*/true);
  }
  if (after.starts_with(" (")) {  // .NET: "SocketException (111): Connection refused"
    size_t i = 2;
    if (i < after.size() && after[i] == '-') ++i;
    size_t digits = i;
    while (i < after.size() && IsDigit(after[i])) ++i;
    if (i == digits || !after.substr(i).starts_with("):")) return false;
    return IsExceptionName(name, /*colon=*/true, /*header=*/true);
  }
  return whole && IsBlank(after) && IsExceptionName(name, /*colon=*/false, /*header=*/true);
}

// "Caused by: ...", "Suppressed: ..." (Java), "Wrapped by: ..." (logback, root cause first).
bool StartsWithChainMarker(string_view s) {
  return s.starts_with("Caused by:") || s.starts_with("Suppressed:") ||
         s.starts_with("Wrapped by:");
}

// Whether a whitespace-separated field mentions an exception class or an unhandled promise.
bool MentionsException(string_view field) {
  size_t i = 0;
  while (i < field.size()) {
    if (!(IsAlpha(field[i]) || field[i] == '_' || field[i] == '$')) {
      ++i;
      continue;
    }
    size_t n = DottedIdentifierLength(field.substr(i));
    if (n == 0) {  // unreachable: field[i] starts an identifier
      ++i;
      continue;
    }
    string_view name = field.substr(i, n);
    bool colon = i + n < field.size() && field[i + n] == ':';
    if (IsExceptionName(name, colon, /*header=*/false) ||
        name.starts_with("UnhandledPromiseRejection")) {
      return true;
    }
    i += n;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// HTTP 5xx.

namespace {

// Whether `s` starts with a 5xx code not followed by more digits or letters ("503", "500,",
// "502\"", but not "5000", "503ms" or "500.5").
bool StartsWith5xx(string_view s) {
  if (s.size() < 3 || s[0] != '5' || !IsDigit(s[1]) || !IsDigit(s[2])) return false;
  if (s.size() == 3) return true;
  char next = s[3];
  if (IsAlnum(next) || next == '_') return false;
  return !(next == '.' && s.size() > 4 && IsDigit(s[4]));
}

}  // namespace

namespace {

string_view StripPunct(string_view s) {
  auto punct = [](char c) {
    return c == '"' || c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' ||
           c == ';';
  };
  while (!s.empty() && punct(s.front())) s.remove_prefix(1);
  while (!s.empty() && punct(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool Is5xxField(string_view field) {
  if (field.size() < 3 || field.size() > 8) return false;
  field = StripPunct(field);
  return field.size() == 3 && StartsWith5xx(field);
}

bool IsHttpMethod(string_view field) {
  while (!field.empty() && field.front() == '"') field.remove_prefix(1);
  for (string_view m : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (field == m) return true;
  }
  return false;
}

// "HTTP", "HTTP/1.1", "\"GET / HTTP/1.1\"": the protocol field a status code follows.
bool IsHttpVersionField(string_view field) {
  field = StripPunct(field);
  if (!StartsWithIgnoreCase(field, "http")) return false;
  field.remove_prefix(4);
  if (field.empty()) return true;
  if (field.front() != '/' || field.size() < 2) return false;
  return std::all_of(field.begin() + 1, field.end(), [](char c) { return IsDigit(c) || c == '.'; });
}

// For a field holding a status key: sets *code_follows if the code is in a later field
// ("status 500", "status:", "status code 500"), and returns whether the field itself ends in
// a 5xx code ("status=503", "\"status\":500,", "http.status_code=502").
bool StatusFieldIs5xx(string_view field, bool* code_follows) {
  size_t at = FindIgnoreCase(field, "status");
  if (at == string_view::npos) return false;
  string_view rest = field.substr(at + 6);
  if (StartsWithIgnoreCase(rest, "_code")) {
    rest.remove_prefix(5);
  } else if (StartsWithIgnoreCase(rest, "code")) {
    rest.remove_prefix(4);
  }
  while (!rest.empty() && (rest.front() == '"' || rest.front() == '\'' || rest.front() == ':' ||
                           rest.front() == '=')) {
    rest.remove_prefix(1);
  }
  if (rest.empty()) {
    *code_follows = true;
    return false;
  }
  return StartsWith5xx(rest);
}

// The reason phrases of 500, 502, 503 and 504, at the start of `s`.
bool StartsWithReasonPhrase(string_view s) {
  while (!s.empty() && (s.front() == '"' || s.front() == '\'' || s.front() == '(')) {
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  switch (ToLower(s.front())) {
    case 'i':
      return StartsWithIgnoreCase(s, "internal server error");
    case 'b':
      return StartsWithIgnoreCase(s, "bad gateway");
    case 's':
      return StartsWithIgnoreCase(s, "service unavailable");
    case 'g':
      return StartsWithIgnoreCase(s, "gateway timeout");
    default:
      return false;
  }
}

bool StartsWithUnhandledPhrase(string_view s) {
  while (!s.empty() &&
         (s.front() == '"' || s.front() == '\'' || s.front() == '(' || s.front() == '[')) {
    s.remove_prefix(1);
  }
  if (s.empty() || ToLower(s.front()) != 'u') return false;
  return StartsWithIgnoreCase(s, "unhandled exception") ||
         StartsWithIgnoreCase(s, "uncaught exception");
}

// ---------------------------------------------------------------------------------------------
// Continuation markers of unindented lines.

namespace {

// A Go stack trace's function line: "main.main()", "net/http.(*conn).serve(0xc000146000,
// {0x6f6fe8, 0xc000112120})", "main.Map[...](...)", "panic({0x5c4ae0?, 0x7a4bd0?})". `line`
// is the whole line.
bool IsGoFunctionLine(string_view line) {
  line = TrimRight(line);
  if (line.empty() || line.back() != ')') return false;
  bool dotted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '(') {
      if (i + 1 < line.size() && line[i + 1] == '*') {  // receiver: "(*conn)."
        size_t close = line.find(')', i);
        if (close == string_view::npos || close + 1 >= line.size() || line[close + 1] != '.' ||
            line.substr(i, close - i).find(' ') != string_view::npos) {
          return false;
        }
        i = close;  // the loop steps onto the '.'
        continue;
      }
      if (i == 0) return false;
      char prev = line[i - 1];
      if (!IsIdentChar(prev) && prev != ']') return false;
      return dotted || line.substr(0, i) == "panic";
    }
    if (c == '.') {
      dotted = true;
    } else if (!IsIdentChar(c) && c != '/' && c != '-' && c != '[' && c != ']') {
      return false;  // a space or other punctuation before the argument list: prose
    }
  }
  return false;
}

// A line that continues a block without being indented: it starts with `prefix`, then a digit
// if `digit_after`, and contains `also` when that is not empty. No two share a first byte.
struct ContinuationMarker {
  string_view prefix;
  bool digit_after = false;
  string_view also = {};
};
constexpr ContinuationMarker kContinuationMarkers[] = {
    // Java: "... 12 more", logback: "... 3 common frames omitted"
    {"... ", true},
    // .NET: "--- End of stack trace from previous location ---"
    {"--- End of "},
    // Go: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]"
    {"[signal "},
    // Python
    {"During handling of the above exception"},
    {"The above exception was the direct cause"},
    // Go: "goroutine 1 [running]:"
    {"goroutine ", true},
    // Go: "created by net/http.(*Server).Serve in goroutine 1"
    {"created by "},
    // Rust
    {"stack backtrace:"},
    // Rust: "note: run with `RUST_BACKTRACE=1` environment variable to display ..."
    {"note: ", false, "RUST_BACKTRACE"},
    // Node's last line after an uncaught error: "Node.js v20.11.0"
    {"Node.js v", true},
};

}  // namespace

// `line` is unindented and not blank; `whole` says whether it is complete.
bool IsContinuationMarker(string_view line, bool whole) {
  for (const ContinuationMarker& m : kContinuationMarkers) {
    if (line.front() != m.prefix.front()) continue;
    const size_t next = m.prefix.size();
    if (line.starts_with(m.prefix) &&
        (!m.digit_after || (line.size() > next && IsDigit(line[next]))) &&
        (m.also.empty() || line.find(m.also) != string_view::npos)) {
      return true;
    }
    break;  // the only marker with this first byte
  }
  return whole && IsGoFunctionLine(line);
}
}  // namespace logweave::internal

#include "logweave/plain_text.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logweave {
namespace {

using std::string_view;

// Fields among which the level word is looked for ("<11>1 2026-... host app 812 - - ERROR" in
// RFC 5424 syslog puts it 8th).
constexpr int kLevelFields = 8;

// ASCII classes of raw bytes, one table lookup each: any byte >= 0x80 (UTF-8 or not) is in none
// of them. The k*Hint classes mark the bytes that some check of a field needs to find in it, so
// that a field without them skips the check (see IsErrorLike).
enum CharClass : uint16_t {
  kSpace = 1 << 0,
  kUpper = 1 << 1,
  kLower = 1 << 2,
  kDigit = 1 << 3,
  kIdentPunct = 1 << 4,     // '_' and '$' (Java nested classes)
  kExceptionHint = 1 << 5,  // 'E', 'U': "...Exception", "...Error", "UnhandledPromiseRejection"
  kStatusHint = 1 << 6,     // 's', 'S': "status"
  kFiveHint = 1 << 7,       // '5': a 5xx code
  kLevelPunct = 1 << 8,     // '=', '[', ':', '.': "level=error", "ERRO[0005]", "app.ERROR:"
};

constexpr std::array<uint16_t, 256> kCharClass = [] {
  std::array<uint16_t, 256> t{};
  for (char c : {' ', '\t', '\r', '\n', '\v', '\f'}) t[static_cast<unsigned char>(c)] |= kSpace;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kUpper;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kLower;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit;
  t['_'] |= kIdentPunct;
  t['$'] |= kIdentPunct;
  t['E'] |= kExceptionHint;
  t['U'] |= kExceptionHint;
  t['s'] |= kStatusHint;
  t['S'] |= kStatusHint;
  t['5'] |= kFiveHint;
  for (char c : {'=', '[', ':', '.'}) t[static_cast<unsigned char>(c)] |= kLevelPunct;
  return t;
}();

uint16_t ClassOf(char c) { return kCharClass[static_cast<unsigned char>(c)]; }
bool IsSpace(char c) { return ClassOf(c) & kSpace; }
bool IsDigit(char c) { return ClassOf(c) & kDigit; }
bool IsUpper(char c) { return ClassOf(c) & kUpper; }
bool IsAlpha(char c) { return ClassOf(c) & (kUpper | kLower); }
bool IsAlnum(char c) { return ClassOf(c) & (kUpper | kLower | kDigit); }
// A character of a Java/Python/C# identifier.
bool IsIdentChar(char c) { return ClassOf(c) & (kUpper | kLower | kDigit | kIdentPunct); }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// `lower` must be lower-case ASCII.
bool EqualsIgnoreCase(string_view s, string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ToLower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(string_view s, string_view lower) {
  return s.size() >= lower.size() && EqualsIgnoreCase(s.substr(0, lower.size()), lower);
}

// Position of `lower` in `s`, ignoring case, or npos.
size_t FindIgnoreCase(string_view s, string_view lower) {
  if (lower.empty() || s.size() < lower.size()) return string_view::npos;
  for (size_t i = 0; i + lower.size() <= s.size(); ++i) {
    if (ToLower(s[i]) == lower[0] &&
        EqualsIgnoreCase(s.substr(i + 1, lower.size() - 1), lower.substr(1))) {
      return i;
    }
  }
  return string_view::npos;
}

string_view TrimRight(string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsBlank(string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return IsSpace(c); });
}

// ---------------------------------------------------------------------------------------------
// Level words.

enum class LevelClass { kNone, kError, kOther };

// Up to 8 bytes as one integer, first byte lowest; shorter words are padded with zeros, so the
// length is part of the key.
constexpr uint64_t PackWord(string_view w) {
  uint64_t key = 0;
  for (size_t i = 0; i < w.size() && i < 8; ++i) {
    key |= uint64_t{static_cast<unsigned char>(w[i])} << (8 * i);
  }
  return key;
}

struct LevelWordEntry {
  uint64_t key;  // PackWord of the lower-case word
  LevelClass level;
  // Counts only in upper case or in a level-shaped field ([x], x:, level=x): as a prose word
  // it means something else ("fail", "info", "trace").
  bool needs_shape;
};

// Sorted by first letter (kLevelWordsFrom depends on it).
constexpr LevelWordEntry kLevelWords[] = {
    {PackWord("alert"), LevelClass::kError, false},
    {PackWord("critical"), LevelClass::kError, false},
    {PackWord("crit"), LevelClass::kError, false},
    {PackWord("config"), LevelClass::kOther, true},
    {PackWord("debug"), LevelClass::kOther, true},
    {PackWord("dbug"), LevelClass::kOther, true},
    {PackWord("debu"), LevelClass::kOther, true},
    {PackWord("dbg"), LevelClass::kOther, true},
    {PackWord("error"), LevelClass::kError, false},
    {PackWord("err"), LevelClass::kError, false},
    {PackWord("emerg"), LevelClass::kError, false},
    {PackWord("erro"), LevelClass::kError, true},  // logrus
    {PackWord("fatal"), LevelClass::kError, false},
    {PackWord("fata"), LevelClass::kError, true},  // logrus
    {PackWord("ftl"), LevelClass::kError, true},   // zerolog
    {PackWord("fail"), LevelClass::kError, true},  // .NET "fail:", Go's "--- FAIL:"
    {PackWord("fine"), LevelClass::kOther, true},  // java.util.logging
    {PackWord("finer"), LevelClass::kOther, true},
    {PackWord("finest"), LevelClass::kOther, true},
    {PackWord("info"), LevelClass::kOther, true},
    {PackWord("inf"), LevelClass::kOther, true},
    {PackWord("notice"), LevelClass::kOther, true},
    {PackWord("panic"), LevelClass::kError, false},
    {PackWord("pani"), LevelClass::kError, true},  // logrus
    {PackWord("severe"), LevelClass::kError, false},
    {PackWord("trace"), LevelClass::kOther, true},
    {PackWord("trce"), LevelClass::kOther, true},  // .NET
    {PackWord("verbose"), LevelClass::kOther, true},
    {PackWord("warn"), LevelClass::kOther, true},
    {PackWord("warning"), LevelClass::kOther, true},
    {PackWord("wrn"), LevelClass::kOther, true},
};

// kLevelWordsFrom[c - 'a'] .. kLevelWordsFrom[c - 'a' + 1] are the entries starting with c.
constexpr std::array<uint8_t, 27> kLevelWordsFrom = [] {
  std::array<uint8_t, 27> from{};
  size_t e = 0;
  for (int letter = 0; letter < 26; ++letter) {
    from[letter] = static_cast<uint8_t>(e);
    while (e < std::size(kLevelWords) &&
           static_cast<int>(kLevelWords[e].key & 0xff) == 'a' + letter) {
      ++e;
    }
  }
  from[26] = static_cast<uint8_t>(e);
  return from;
}();
static_assert(kLevelWordsFrom[26] == std::size(kLevelWords), "kLevelWords must be sorted");

LevelClass LevelWord(string_view word, bool shaped) {
  if (word.size() < 3 || word.size() > 8) return LevelClass::kNone;
  char first = ToLower(word[0]);
  if (!IsAlpha(first)) return LevelClass::kNone;
  size_t from = kLevelWordsFrom[first - 'a'];
  size_t to = kLevelWordsFrom[first - 'a' + 1];
  if (from == to) return LevelClass::kNone;
  uint64_t key = 0;
  bool upper = true;
  for (size_t i = 0; i < word.size(); ++i) {
    uint16_t k = ClassOf(word[i]);
    if (!(k & (kUpper | kLower))) return LevelClass::kNone;
    if (k & kLower) upper = false;
    key |= uint64_t{static_cast<unsigned char>(ToLower(word[i]))} << (8 * i);
  }
  for (size_t e = from; e < to; ++e) {
    if (kLevelWords[e].key == key) {
      return (!kLevelWords[e].needs_shape || shaped || upper) ? kLevelWords[e].level
                                                              : LevelClass::kNone;
    }
  }
  return LevelClass::kNone;
}

bool IsLevelKey(string_view key) {
  for (string_view k :
       {"level", "lvl", "loglevel", "log_level", "log.level", "severity", "levelname"}) {
    if (EqualsIgnoreCase(key, k)) return true;
  }
  return false;
}

string_view StripQuotes(string_view s) {
  while (!s.empty() && (s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'')) s.remove_suffix(1);
  return s;
}

// The level a whitespace-separated field states, if any. See the header for the forms.
// `seen` holds the CharClass bits of the field's bytes.
LevelClass FieldLevel(string_view field, uint16_t seen) {
  bool bracketed = false;
  bool colon = false;
  while (!field.empty()) {
    char c = field.front();
    if (c == '[' || c == '(' || c == '<' || c == '{') {
      bracketed = true;
    } else if (c != '"' && c != '\'' && c != '|') {
      break;
    }
    field.remove_prefix(1);
  }
  while (!field.empty()) {
    char c = field.back();
    if (c == ']' || c == ')' || c == '>' || c == '}') {
      bracketed = true;
    } else if (c == ':') {
      colon = true;
    } else if (c != '"' && c != '\'' && c != '|' && c != ',' && c != ';' && c != '.' && c != '!') {
      break;
    }
    field.remove_suffix(1);
  }
  if (field.size() < 3) return LevelClass::kNone;
  if (!(seen & kLevelPunct)) return LevelWord(field, bracketed || colon);  // most fields
  size_t eq = string_view::npos;
  size_t bracket = string_view::npos;
  size_t first_colon = string_view::npos;
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '=') {
      if (eq == string_view::npos) eq = i;
    } else if (c == '[') {
      if (bracket == string_view::npos) bracket = i;
    } else if (c == ':') {
      if (first_colon == string_view::npos) first_colon = i;
    }
  }
  if (eq != string_view::npos) {
    if (!IsLevelKey(StripQuotes(field.substr(0, eq)))) return LevelClass::kNone;
    return LevelWord(StripQuotes(field.substr(eq + 1)), /*shaped=*/true);
  }
  if (bracket != string_view::npos) {
    return LevelWord(field.substr(0, bracket), /*shaped=*/true);  // "ERRO[0005]"
  }
  if (first_colon != string_view::npos) {
    LevelClass level = LevelWord(field.substr(0, first_colon), /*shaped=*/true);
    if (level == LevelClass::kNone && bracketed) {
      level = LevelWord(field.substr(field.rfind(':') + 1), /*shaped=*/true);  // "[core:error]"
    }
    return level;
  }
  LevelClass level = LevelWord(field, bracketed || colon);
  if (level == LevelClass::kNone && colon) {
    if (size_t dot = field.rfind('.'); dot != string_view::npos) {
      level = LevelWord(field.substr(dot + 1), /*shaped=*/true);  // "production.ERROR:"
    }
  }
  return level;
}

// glog's "Lmmdd " prefix: E/F are error levels, I/W not.
LevelClass GlogLevel(string_view line) {
  if (!HasGlogHeader(line)) return LevelClass::kNone;
  switch (line[0]) {
    case 'E':
    case 'F':
      return LevelClass::kError;
    case 'I':
    case 'W':
      return LevelClass::kOther;
    default:
      return LevelClass::kNone;
  }
}

// "no error", "0 errors", "without error": a count or negation before an error word.
bool IsNegation(string_view word) {
  return word == "0" || EqualsIgnoreCase(word, "no") || EqualsIgnoreCase(word, "zero") ||
         EqualsIgnoreCase(word, "without");
}

// ---------------------------------------------------------------------------------------------
// Exception class names.

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

// Whether `s` starts with a 5xx code not followed by more digits or letters ("503", "500,",
// "502\"", but not "5000", "503ms" or "500.5").
bool StartsWith5xx(string_view s) {
  if (s.size() < 3 || s[0] != '5' || !IsDigit(s[1]) || !IsDigit(s[2])) return false;
  if (s.size() == 3) return true;
  char next = s[3];
  if (IsAlnum(next) || next == '_') return false;
  return !(next == '.' && s.size() > 4 && IsDigit(s[4]));
}

string_view StripPunct(string_view s) {
  auto punct = [](char c) {
    return c == '"' || c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' ||
           c == ';';
  };
  while (!s.empty() && punct(s.front())) s.remove_prefix(1);
  while (!s.empty() && punct(s.back())) s.remove_suffix(1);
  return s;
}

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

// `line` is unindented and not blank; `whole` says whether it is complete.
bool IsContinuationMarker(string_view line, bool whole) {
  bool marker = false;
  switch (line.front()) {
    case '.':  // Java: "... 12 more", logback: "... 3 common frames omitted"
      marker = line.size() > 4 && line.starts_with("... ") && IsDigit(line[4]);
      break;
    case '-':  // .NET: "--- End of stack trace from previous location ---"
      marker = line.starts_with("--- End of ");
      break;
    case '[':  // Go: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]"
      marker = line.starts_with("[signal ");
      break;
    case 'D':  // Python
      marker = line.starts_with("During handling of the above exception");
      break;
    case 'T':  // Python
      marker = line.starts_with("The above exception was the direct cause");
      break;
    case 'g':  // Go: "goroutine 1 [running]:"
      marker = line.size() > 10 && line.starts_with("goroutine ") && IsDigit(line[10]);
      break;
    case 'c':  // Go: "created by net/http.(*Server).Serve in goroutine 1"
      marker = line.starts_with("created by ");
      break;
    case 's':  // Rust
      marker = line.starts_with("stack backtrace:");
      break;
    case 'n':  // Rust: "note: run with `RUST_BACKTRACE=1` environment variable to display ..."
      marker = line.starts_with("note: ") && line.find("RUST_BACKTRACE") != string_view::npos;
      break;
    case 'N':  // Node's last line after an uncaught error: "Node.js v20.11.0"
      marker = line.size() > 9 && line.starts_with("Node.js v") && IsDigit(line[9]);
      break;
    default:
      break;
  }
  return marker || (whole && IsGoFunctionLine(line));
}

// ---------------------------------------------------------------------------------------------
// Error-like signals of unindented lines.

// `head` is the scanned part of an unindented, non-blank line.
bool IsErrorLike(string_view head) {
  if (head.starts_with("panic: ")) return true;  // Go
  if (head.starts_with("thread '") && head.find("' panicked at") != string_view::npos) {
    return true;  // Rust
  }

  LevelClass level = LevelClass::kNone;
  bool exception = false;
  bool status_code_follows = false;
  string_view prev1;  // the field before the current one
  string_view prev2;  // the one before that
  int index = 0;
  size_t i = 0;
  while (i < head.size()) {
    while (i < head.size() && IsSpace(head[i])) ++i;
    if (i >= head.size()) break;
    size_t start = i;
    uint16_t seen = 0;  // the classes of the field's bytes
    for (; i < head.size(); ++i) {
      uint16_t k = ClassOf(head[i]);
      if (k & kSpace) break;
      seen |= k;
    }
    string_view field = head.substr(start, i - start);

    // (a) HTTP 5xx, which no level overrides.
    if ((seen & kFiveHint) && Is5xxField(field)) {
      if (status_code_follows || IsHttpVersionField(prev1) || IsHttpMethod(prev2)) return true;
      if (prev1 == "|") {  // gin: "| 500 |"
        size_t j = i;
        while (j < head.size() && head[j] == ' ') ++j;
        if (j < head.size() && head[j] == '|') return true;
      }
    }
    bool code_follows = false;
    if ((seen & kStatusHint) && StatusFieldIs5xx(field, &code_follows)) return true;
    if (status_code_follows && !code_follows) {
      // "status code 500" and "status code: 500" leave the code one field further.
      string_view word = field;
      if (word.ends_with(':')) word.remove_suffix(1);
      code_follows = EqualsIgnoreCase(word, "code");
    }
    status_code_follows = code_follows;
    if ((seen & (kUpper | kLower)) && StartsWithReasonPhrase(head.substr(start))) return true;

    // (b) The level.
    if (index < kLevelFields && level == LevelClass::kNone) {
      LevelClass l = index == 0 ? GlogLevel(head) : LevelClass::kNone;
      if (l == LevelClass::kNone && (seen & (kUpper | kLower))) l = FieldLevel(field, seen);
      if (l == LevelClass::kError && IsNegation(prev1)) l = LevelClass::kNone;
      if (l == LevelClass::kError) return true;
      level = l;
    }

    // (c) Exceptions; only needed while no level has been seen.
    if (level == LevelClass::kNone && !exception) {
      exception = ((seen & kExceptionHint) && MentionsException(field)) ||
                  ((seen & (kUpper | kLower)) && StartsWithUnhandledPhrase(head.substr(start)));
    }

    prev2 = prev1;
    prev1 = field;
    ++index;
  }
  return level == LevelClass::kNone && exception;
}

}  // namespace

PlainLineClass ClassifyPlainLine(std::string_view line) {
  PlainLineClass c;
  const bool whole = line.size() <= kPlainLineScanBytes;
  string_view head = whole ? line : line.substr(0, kPlainLineScanBytes);
  size_t indent = 0;
  while (indent < head.size() && IsSpace(head[indent])) ++indent;
  if (indent == head.size()) return c;  // blank

  if (indent > 0) {
    if (indent == 1 && head[0] == ' ' &&
        (head.substr(1).starts_with("INFO ") || head.substr(1).starts_with("WARN "))) {
      head.remove_prefix(1);  // log4j's "%5p" pads INFO and WARN: not a continuation
    } else {
      c.continuation = true;
      string_view rest = head.substr(indent);
      bool header = StartsWithChainMarker(rest);
      if (!header && rest.starts_with("---> ")) {
        header = StartsWithExceptionClass(rest.substr(5), whole);
      }
      c.exception_header = c.error_like = header;
      return c;
    }
  }

  if (StartsWithChainMarker(head) || StartsWithExceptionClass(head, whole)) {
    c.exception_header = c.continuation = c.error_like = true;
    return c;
  }
  if (head.starts_with("Traceback (most recent call last):")) {
    c.continuation = c.error_like = true;
    return c;
  }
  if (IsContinuationMarker(head, whole)) {
    c.continuation = true;
    return c;
  }
  c.error_like = IsErrorLike(head);
  return c;
}

bool HasGlogHeader(std::string_view line) {
  if (line.size() < 6 || line[5] != ' ') return false;
  for (size_t i = 1; i < 5; ++i) {
    if (!IsDigit(line[i])) return false;
  }
  const int month = (line[1] - '0') * 10 + (line[2] - '0');
  const int day = (line[3] - '0') * 10 + (line[4] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace logweave

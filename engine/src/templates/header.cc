#include "templates/header.h"

#include <cstdint>

#include "parse/char_class.h"
#include "parse/parser.h"
#include "parse/plain_text_level.h"
#include "parse/plain_text_signals.h"
#include "parse/time_parse.h"

namespace logweave::internal {
namespace {

// Longest bracketed field (thread names, request contexts) taken as one header field.
constexpr size_t kMaxBracketBytes = 256;
// Fields after the level that may still be header (thread, component, separators).
constexpr int kAfterLevelFields = 4;

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// The field starting at `i` (not a space): a bracketed span up to its matching ']' (nested
// brackets and spaces inside allowed) with what sticks to it, else up to the next space.
std::string_view FieldAt(std::string_view s, size_t i) {
  size_t end = i;
  if (s[i] == '[') {
    int depth = 0;
    for (; end < s.size() && end - i < kMaxBracketBytes; ++end) {
      if (s[end] == '[') ++depth;
      if (s[end] == ']' && --depth == 0) break;
    }
    if (depth != 0 || end >= s.size() || s[end] != ']') end = i;  // unbalanced: a plain word
  }
  while (end < s.size() && !IsSpace(s[end])) ++end;
  return s.substr(i, end - i);
}

bool IsBracketed(std::string_view f) {
  return f.size() >= 2 && f.front() == '[' && f.back() == ']';
}

bool HasDigit(std::string_view f) {
  for (char c : f) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// The level a field states (FieldLevel's forms), or kUnknown.
Level FieldLevelValue(std::string_view field) {
  uint16_t seen = 0;
  for (char c : field) seen |= ClassOf(c);
  if (!(seen & (kUpper | kLower)) || FieldLevel(field, seen) == LevelClass::kNone) {
    return Level::kUnknown;
  }
  // The level word is one of the field's runs of letters ("[core:error]", "level=warn").
  for (size_t i = 0; i < field.size();) {
    while (i < field.size() && !IsAlpha(field[i])) ++i;
    const size_t start = i;
    while (i < field.size() && IsAlpha(field[i])) ++i;
    const Level level = ParseLevelWord(field.substr(start, i - start));
    if (level != Level::kUnknown) return level;
  }
  return Level::kUnknown;
}

bool IsHeaderLike(std::string_view f) {
  return HasDigit(f) || IsBracketed(f) || f.back() == ':' || f == "-" || f == "|";
}

// A logger or class name: starts with a letter, then identifier characters, '.', '$', '-',
// '/', '@'. Sets *ends_header when it ends in ':' (the component's usual terminator).
bool IsComponent(std::string_view f, bool* ends_header) {
  *ends_header = f.size() > 1 && f.back() == ':';
  std::string_view name = *ends_header ? f.substr(0, f.size() - 1) : f;
  if (name.empty() || !IsAlpha(name.front())) return false;
  bool dotted = false;
  for (char c : name) {
    if (c == '.') {
      dotted = true;
    } else if (!IsIdentChar(c) && c != '-' && c != '/' && c != '@') {
      return false;
    }
  }
  if (!*ends_header && !dotted) return false;
  // "java.io.IOException: reset" is the message, not a logger.
  return !StartsWithExceptionClass(f, /*whole=*/false);
}

std::string_view Component(std::string_view f) {
  return f.back() == ':' ? f.substr(0, f.size() - 1) : f;
}

}  // namespace

LineHeader SplitHeader(std::string_view line) {
  LineHeader h;
  size_t i = SkipSpaces(line, 0);
  // Syslog's "<PRI>" or "<PRI>1 ".
  if (i + 2 < line.size() && line[i] == '<') {
    size_t close = line.find('>', i);
    if (close != std::string_view::npos && close - i <= 4 && close > i + 1 &&
        IsDigit(line[i + 1])) {
      i = SkipSpaces(line, close + 1);
    }
  }
  int64_t ns = 0;
  size_t time_bytes = ParseLeadingTimestamp(line.substr(i), &ns);
  if (time_bytes == 0) time_bytes = ParseSyslogTimestamp(line.substr(i), /*reference_ns=*/0, &ns);
  if (time_bytes > 0) {
    h.time = line.substr(i, time_bytes);
    i = SkipSpaces(line, i + time_bytes);
  }
  const size_t after_time = i;
  // The level, if every field before it is header.
  size_t pos = i;
  bool found = false;
  for (int n = 0; n < kLevelFields && pos < line.size(); ++n) {
    const std::string_view f = FieldAt(line, pos);
    const Level level = FieldLevelValue(f);
    if (level != Level::kUnknown) {
      h.level = level;
      h.level_word = f;
      pos = SkipSpaces(line, pos + f.size());
      found = true;
      break;
    }
    if (!IsHeaderLike(f)) break;
    pos = SkipSpaces(line, pos + f.size());
  }
  if (!found) {
    h.message = line.substr(after_time);
    return h;
  }
  // Thread, component and separators after the level.
  for (int n = 0; n < kAfterLevelFields && pos < line.size(); ++n) {
    const std::string_view f = FieldAt(line, pos);
    bool ends_header = false;
    if (IsBracketed(f) || f == "-" || f == "|") {
      pos = SkipSpaces(line, pos + f.size());
      continue;
    }
    // A dotted name without ':' is a component only right after the level ("INFO
    // nova.api.server [req-1] ..."); later it is the message's first word.
    if (h.component.empty() && IsComponent(f, &ends_header) && (ends_header || n == 0)) {
      h.component = Component(f);
      pos = SkipSpaces(line, pos + f.size());
      if (ends_header) break;
      continue;
    }
    break;
  }
  h.message = line.substr(pos);
  return h;
}

}  // namespace logweave::internal

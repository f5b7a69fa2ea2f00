// Level words of plain-text lines: which field of a line states a level, and whether that
// level is an error. See plain_text_level.h.
#include "parse/plain_text_level.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/char_class.h"
#include "parse/level.h"
#include "parse/plain_text.h"

namespace logweave {
namespace internal {

using std::string_view;

LevelClass LevelWord(string_view word, bool shaped) {
  if (word.size() < 3) return LevelClass::kNone;
  const LevelWordMeaning meaning = LookupLevelWord(word);
  if (meaning.level == Level::kUnknown) return LevelClass::kNone;
  if (meaning.use != LevelWordUse::kAnywhere && !shaped) {
    for (char c : word) {
      if (!IsUpper(c)) return LevelClass::kNone;
    }
  }
  return meaning.level >= Level::kError ? LevelClass::kError : LevelClass::kOther;
}

namespace {

bool IsLevelKey(string_view key) {
  for (string_view k :
       {"level", "lvl", "loglevel", "log_level", "log.level", "severity", "levelname"}) {
    if (EqualsLowerIgnoreCase(key, k)) return true;
  }
  return false;
}

string_view StripQuotes(string_view s) {
  while (!s.empty() && (s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'')) s.remove_suffix(1);
  return s;
}

}  // namespace

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
  return word == "0" || EqualsLowerIgnoreCase(word, "no") || EqualsLowerIgnoreCase(word, "zero") ||
         EqualsLowerIgnoreCase(word, "without");
}
}  // namespace internal

bool HasGlogHeader(std::string_view line) {
  using internal::IsDigit;
  if (line.size() < 6 || line[5] != ' ') return false;
  for (size_t i = 1; i < 5; ++i) {
    if (!IsDigit(line[i])) return false;
  }
  const int month = (line[1] - '0') * 10 + (line[2] - '0');
  const int day = (line[3] - '0') * 10 + (line[4] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace logweave

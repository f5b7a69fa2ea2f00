// Level words of plain-text lines: which field of a line states a level, and whether that
// level is an error. See plain_text_level.h.
#include "parse/plain_text_level.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/char_class.h"
#include "parse/plain_text.h"

namespace logweave {
namespace internal {
namespace {

using std::string_view;

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

}  // namespace

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

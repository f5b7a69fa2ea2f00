// Log levels as lines state them. See level.h.
#include "parse/level.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "absl/strings/ascii.h"
#include "internal/strings.h"
#include "parse/char_class.h"
#include "parse/parser.h"
#include "parse/plain_text.h"

namespace logweave {
namespace internal {
namespace {

// The numeric scales below java.util.logging's, from the top: the first step
// a number reaches gives its level.
struct NumericLevel {
  int64_t from;
  Level level;
};
constexpr NumericLevel kNumericLevels[] = {
    // Monolog (PHP): 100 debug, 200 info, 250 notice, 300 warning, 400 error, 500+
    {500, Level::kFatal},
    {400, Level::kError},
    {300, Level::kWarn},
    {200, Level::kInfo},
    {100, Level::kDebug},
    // pino/bunyan: 10 trace ... 60 fatal
    {60, Level::kFatal},
    {50, Level::kError},
    {40, Level::kWarn},
    {30, Level::kInfo},
    {20, Level::kDebug},
    {10, Level::kTrace},
};

// Every level word, by the level it names. The first lists are levels wherever they stand; the
// others are also prose or abbreviations ("info", "trace", "fail", "inf"), so in a plain-text
// line they count only where they look like a level (LevelWordMeaning::needs_shape).
struct LevelWordList {
  Level level;
  bool needs_shape;
  std::string_view words;  // lower case, separated by one space
};
constexpr LevelWordList kLevelWordLists[] = {
    {Level::kFatal, false, "fatal critical crit emerg alert panic"},
    {Level::kError, false, "error err severe"},
    // log15's eror, zap's dpanic, logrus's ERRO, .NET's "fail:", zerolog's console ERR
    {Level::kError, true, "eror dpanic erro fail"},
    // logrus's FATA and PANI, zerolog's FTL
    {Level::kFatal, true, "emergency fata pani ftl"},
    {Level::kWarn, true, "warn warning wrn"},
    // java.util.logging's CONFIG (700) sits between FINE and INFO
    {Level::kInfo, true, "info information informational notice inf config"},
    {Level::kDebug, true, "debug dbg dbug debu verbose fine"},
    {Level::kTrace, true, "trace trce trc finer finest"},
};

struct LevelWordEntry {
  std::string_view word;
  LevelWordMeaning meaning;
};

constexpr size_t CountLevelWords() {
  size_t n = 0;
  for (const LevelWordList& list : kLevelWordLists) {
    n += 1 + std::count(list.words.begin(), list.words.end(), ' ');
  }
  return n;
}

// kLevelWordLists split into words, sorted by first letter.
constexpr auto kLevelWords = [] {
  std::array<LevelWordEntry, CountLevelWords()> entries{};
  size_t n = 0;
  for (const LevelWordList& list : kLevelWordLists) {
    std::string_view rest = list.words;
    while (!rest.empty()) {
      const size_t space = std::min(rest.find(' '), rest.size());
      entries[n++] = {rest.substr(0, space), {list.level, list.needs_shape}};
      rest.remove_prefix(std::min(space + 1, rest.size()));
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const LevelWordEntry& a, const LevelWordEntry& b) { return a.word < b.word; });
  return entries;
}();

// kLevelWords[kLevelWordsFrom[c - 'a']] .. kLevelWords[kLevelWordsFrom[c - 'a' + 1]] are the
// words starting with c.
constexpr auto kLevelWordsFrom = [] {
  std::array<uint8_t, 27> from{};
  size_t e = 0;
  for (int letter = 0; letter < 26; ++letter) {
    from[letter] = static_cast<uint8_t>(e);
    while (e < kLevelWords.size() && kLevelWords[e].word[0] == 'a' + letter) ++e;
  }
  from[26] = static_cast<uint8_t>(e);
  return from;
}();
static_assert(kLevelWordsFrom[26] == kLevelWords.size(), "level words must be lower-case letters");
static_assert(std::max_element(kLevelWords.begin(), kLevelWords.end(),
                               [](const LevelWordEntry& a, const LevelWordEntry& b) {
                                 return a.word.size() < b.word.size();
                               })
                  ->word.size() == kLongestLevelWord);

// Syslog severities 0-7, by number.
constexpr Level kSyslogLevels[] = {Level::kFatal, Level::kFatal, Level::kFatal, Level::kError,
                                   Level::kWarn,  Level::kInfo,  Level::kInfo,  Level::kDebug};

}  // namespace

LevelWordMeaning LookupLevelWord(std::string_view word) {
  if (word.empty() || word.size() > kLongestLevelWord) return {};
  const char first = ToLower(word[0]);
  if (first < 'a' || first > 'z') return {};
  for (size_t e = kLevelWordsFrom[first - 'a']; e < kLevelWordsFrom[first - 'a' + 1]; ++e) {
    if (EqualsLowerIgnoreCase(word, kLevelWords[e].word)) return kLevelWords[e].meaning;
  }
  return {};
}

Level LevelFromNumber(int64_t n) {
  if (n > 600) {  // java.util.logging: 700 CONFIG, 800 INFO, 900 WARNING, 1000 SEVERE
    switch (n) {
      case 700:
      case 800:
        return Level::kInfo;
      case 900:
        return Level::kWarn;
      case 1000:
        return Level::kError;
    }
    return Level::kUnknown;
  }
  for (const NumericLevel& step : kNumericLevels) {
    if (n >= step.from) return step.level;
  }
  if (n >= 0 && n < static_cast<int64_t>(std::size(kSyslogLevels))) return kSyslogLevels[n];
  return Level::kUnknown;
}

Level LevelFromInitial(char c) {
  switch (absl::ascii_toupper(static_cast<unsigned char>(c))) {
    case 'F':
      return Level::kFatal;
    case 'E':
      return Level::kError;
    case 'W':
      return Level::kWarn;
    case 'I':
      return Level::kInfo;
    case 'D':
      return Level::kDebug;
    case 'V':
    case 'T':
      return Level::kTrace;
  }
  return Level::kUnknown;
}

Level JsonLevel(std::string_view value, bool is_number) {
  int64_t n;
  if (is_number || absl::ascii_isdigit(static_cast<unsigned char>(value.front()))) {
    return ParseInt(value, &n) ? LevelFromNumber(n) : Level::kUnknown;
  }
  return value.size() == 1 ? LevelFromInitial(value.front()) : ParseLevelWord(value);
}

Level PlainTextLevel(std::string_view text) {
  // glog / klog: "E1123 10:00:19.123456 12 server.go:33] ..." (level initial, MMDD, space).
  if (HasGlogHeader(text) && std::string_view("FEWID").find(text[0]) != std::string_view::npos) {
    return LevelFromInitial(text[0]);
  }
  size_t i = 0;
  for (int words = 0; words < 6 && i < text.size(); ++words) {
    while (i < text.size() && !absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    Level level = ParseLevelWord(text.substr(start, i - start));
    if (level != Level::kUnknown) return level;
  }
  return Level::kUnknown;
}

}  // namespace internal

using internal::TrimWhitespace;

Level ParseLevelWord(std::string_view word) {
  // Padded levels ("INFO ", from a fixed-width %-5level pattern) are common.
  return internal::LookupLevelWord(TrimWhitespace(word)).level;
}

}  // namespace logweave

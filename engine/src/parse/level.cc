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

// Every level word, by the level it names and where it counts (LevelWordMeaning).
struct LevelWordList {
  Level level;
  LevelWordUse use;
  std::string_view words;  // lower case, separated by one space
};
constexpr LevelWordList kLevelWordLists[] = {
    {Level::kFatal, LevelWordUse::kAnywhere, "fatal critical crit emerg alert panic"},
    {Level::kError, LevelWordUse::kAnywhere, "error err severe"},
    // Also prose words, or rare as levels: log15's eror, zap's dpanic.
    {Level::kError, LevelWordUse::kShaped, "eror dpanic"},
    {Level::kFatal, LevelWordUse::kShaped, "emergency"},
    {Level::kWarn, LevelWordUse::kShaped, "warn warning"},
    {Level::kInfo, LevelWordUse::kShaped, "info information informational notice"},
    {Level::kDebug, LevelWordUse::kShaped, "debug dbg dbug verbose fine"},
    {Level::kTrace, LevelWordUse::kShaped, "trace finer finest"},
    // Console writers' short forms and words with another meaning: logrus's ERRO, FATA, PANI
    // and DEBU, zerolog's FTL, WRN, INF and TRC, .NET's fail and trce, java.util.logging's
    // CONFIG (700, between FINE and INFO).
    {Level::kError, LevelWordUse::kAbbreviation, "erro fail"},
    {Level::kFatal, LevelWordUse::kAbbreviation, "fata pani ftl"},
    {Level::kWarn, LevelWordUse::kAbbreviation, "wrn"},
    {Level::kInfo, LevelWordUse::kAbbreviation, "inf config"},
    {Level::kDebug, LevelWordUse::kAbbreviation, "debu"},
    {Level::kTrace, LevelWordUse::kAbbreviation, "trce trc"},
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
      entries[n++] = {rest.substr(0, space), {list.level, list.use}};
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
static_assert(std::adjacent_find(kLevelWords.begin(), kLevelWords.end(),
                                 [](const LevelWordEntry& a, const LevelWordEntry& b) {
                                   return a.word == b.word;
                                 }) == kLevelWords.end(),
              "a level word is listed twice");
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
    // A short form or a word of another meaning ("config error: ...", "3 jobs fail") names
    // the line's level only in upper case.
    const std::string_view word = text.substr(start, i - start);
    const LevelWordMeaning meaning = LookupLevelWord(word);
    if (meaning.use == LevelWordUse::kAbbreviation &&
        std::any_of(word.begin(), word.end(), [](char c) { return !IsUpper(c); })) {
      continue;
    }
    if (meaning.level != Level::kUnknown) return meaning.level;
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

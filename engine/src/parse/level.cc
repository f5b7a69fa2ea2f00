// Log levels as lines state them. See level.h.
#include "parse/level.h"

#include <cstdint>
#include <iterator>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "internal/strings.h"
#include "parse/parser.h"
#include "parse/plain_text.h"

namespace logweave {
namespace internal {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(Av(a), Av(b));
}

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

// Syslog severities 0-7, by number.
constexpr Level kSyslogLevels[] = {Level::kFatal, Level::kFatal, Level::kFatal, Level::kError,
                                   Level::kWarn,  Level::kInfo,  Level::kInfo,  Level::kDebug};

}  // namespace

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

using internal::EqualsIgnoreCase;
using internal::TrimWhitespace;

Level ParseLevelWord(std::string_view word) {
  // Padded levels ("INFO ", from a fixed-width %-5level pattern) are common.
  word = TrimWhitespace(word);
  if (word.empty() || word.size() > 16) return Level::kUnknown;
  switch (absl::ascii_tolower(static_cast<unsigned char>(word[0]))) {
    case 't':
      if (EqualsIgnoreCase(word, "trace")) return Level::kTrace;
      break;
    case 'd':
      if (EqualsIgnoreCase(word, "debug") || EqualsIgnoreCase(word, "dbg") ||
          EqualsIgnoreCase(word, "dbug")) {  // log15
        return Level::kDebug;
      }
      if (EqualsIgnoreCase(word, "dpanic")) return Level::kError;  // zap: an error in production
      break;
    case 'v':
      if (EqualsIgnoreCase(word, "verbose")) return Level::kDebug;
      break;
    case 'f':
      if (EqualsIgnoreCase(word, "fatal")) return Level::kFatal;
      if (EqualsIgnoreCase(word, "fine")) return Level::kDebug;
      if (EqualsIgnoreCase(word, "finer") || EqualsIgnoreCase(word, "finest")) {
        return Level::kTrace;
      }
      break;
    case 'i':
      if (EqualsIgnoreCase(word, "info") || EqualsIgnoreCase(word, "information") ||
          EqualsIgnoreCase(word, "informational")) {
        return Level::kInfo;
      }
      break;
    case 'n':
      if (EqualsIgnoreCase(word, "notice")) return Level::kInfo;
      break;
    case 'w':
      if (EqualsIgnoreCase(word, "warn") || EqualsIgnoreCase(word, "warning")) {
        return Level::kWarn;
      }
      break;
    case 'e':
      if (EqualsIgnoreCase(word, "error") || EqualsIgnoreCase(word, "err") ||
          EqualsIgnoreCase(word, "eror")) {  // log15
        return Level::kError;
      }
      if (EqualsIgnoreCase(word, "emerg") || EqualsIgnoreCase(word, "emergency")) {
        return Level::kFatal;
      }
      break;
    case 'c':
      if (EqualsIgnoreCase(word, "critical") || EqualsIgnoreCase(word, "crit")) {
        return Level::kFatal;
      }
      break;
    case 's':
      if (EqualsIgnoreCase(word, "severe")) return Level::kError;
      break;
    case 'a':
      if (EqualsIgnoreCase(word, "alert")) return Level::kFatal;
      break;
    case 'p':
      if (EqualsIgnoreCase(word, "panic")) return Level::kFatal;
      break;
  }
  return Level::kUnknown;
}

}  // namespace logweave

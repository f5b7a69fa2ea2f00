// Log levels as lines state them: words in any case ("WARN", "warning", "Err"),
// one-letter initials (glog's "E"), numbers of the common conventions (pino, Monolog,
// java.util.logging, syslog severities), and the first level word of a plain-text line.
//
//   Level l = JsonLevel("50", /*is_number=*/true);    // pino: kError
//   Level m = PlainTextLevel("2026-11-23 10:00:01 WARN disk almost full");  // kWarn
//
// Every function is pure and thread-safe. ParseLevelWord is public: logweave/parser.h.
#ifndef LOGWEAVE_PARSE_LEVEL_H_
#define LOGWEAVE_PARSE_LEVEL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logweave/record.h"

namespace logweave::internal {

// Where a level word counts in a plain-text line.
enum class LevelWordUse : uint8_t {
  kAnywhere,  // a level wherever it stands ("error", "fatal")
  // Also a prose word ("info", "trace"): an error level only where it looks like a level
  // (upper case, bracketed, before a ':', after "level=").
  kShaped,
  // A console writer's short form or a word of another meaning ("INF", "fail", "config"): as
  // kShaped, and the line's level only in upper case.
  kAbbreviation,
};

// What a level word means: the level it names (kUnknown: not a level word) and where it counts
// in a plain-text line. In a JSON level field every level word counts.
struct LevelWordMeaning {
  Level level = Level::kUnknown;
  LevelWordUse use = LevelWordUse::kAnywhere;
};

// The longest level word ("informational").
inline constexpr size_t kLongestLevelWord = 13;

// The meaning of `word` (exactly, in any case), from the one table of level words that JSON
// level fields and plain-text lines share: trace, debug/dbg/verbose/fine, info/notice/config,
// warn/warning, error/err/severe, fatal/critical/panic/alert/emerg and their common
// abbreviations (logrus's ERRO, zerolog's WRN, .NET's fail).
LevelWordMeaning LookupLevelWord(std::string_view word);

// The level a number names: java.util.logging (700-1000), Monolog (100-500+),
// pino/bunyan (10-60), syslog severities (0-7). kUnknown otherwise.
Level LevelFromNumber(int64_t n);

// The level a one-letter initial names, as glog, klog and Android's logcat
// write them (E W I D F, V and T for the finer ones); kUnknown otherwise.
Level LevelFromInitial(char c);

// The level of a JSON level field's value (not empty): a number, or a string of
// digits (journald's PRIORITY "3"), by LevelFromNumber; one letter by
// LevelFromInitial; a word by ParseLevelWord.
Level JsonLevel(std::string_view value, bool is_number);

// Level of a plain-text line: the first level word among its first few words
// ("2026-... ERROR ...", "[WARN] ...", "ERROR: ..."), or glog's initial.
Level PlainTextLevel(std::string_view text);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_LEVEL_H_

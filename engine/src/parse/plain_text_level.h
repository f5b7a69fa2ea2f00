// Level words of plain-text log lines, for ClassifyPlainLine: which whitespace-separated field
// states a level ("ERROR", "[warn]", "level=error", "ERRO[0005]", "app.ERROR:", glog's "E1123")
// and whether that level is an error.
//
//   LevelClass l = FieldLevel(field, seen_classes);  // kError for "[ERROR]"
#ifndef LOGWEAVE_PARSE_PLAIN_TEXT_LEVEL_H_
#define LOGWEAVE_PARSE_PLAIN_TEXT_LEVEL_H_

#include <cstdint>
#include <string_view>

namespace logweave::internal {

// Fields among which the level word is looked for ("<11>1 2026-... host app 812 - - ERROR" in
// RFC 5424 syslog puts it 8th).
inline constexpr int kLevelFields = 8;

// What a level word says: none, an error level (error, fatal, critical, ...), or another level.
enum class LevelClass { kNone, kError, kOther };

// The class of a level word (LookupLevelWord; 3 letters or more, any case). Words that are also
// prose ("info", "trace", "fail") count only in upper case or when `shaped` (in brackets, before a
// ':', after "level="). Pure and thread-safe, as are all functions here.
LevelClass LevelWord(std::string_view word, bool shaped);

// The level a whitespace-separated field states, if any (see plain_text.h for the forms).
// `seen` holds the CharClass bits of the field's bytes.
LevelClass FieldLevel(std::string_view field, uint16_t seen);

// glog's "Lmmdd " prefix: E/F are error levels, I/W not; kNone without that prefix.
LevelClass GlogLevel(std::string_view line);

// "no error", "0 errors", "without error": a count or negation before an error word.
bool IsNegation(std::string_view word);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_PLAIN_TEXT_LEVEL_H_

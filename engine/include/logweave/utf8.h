// UTF-8 validation and repair for raw log bytes.
#ifndef LOGWEAVE_UTF8_H_
#define LOGWEAVE_UTF8_H_

#include <string>
#include <string_view>

namespace logweave {

// U+FFFD REPLACEMENT CHARACTER: what a repaired string has for each invalid
// sequence.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// True if `bytes` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF). ASCII runs are checked 8 bytes at a time.
bool IsValidUtf8(std::string_view bytes);

// Appends `bytes` to `out`, replacing each maximal invalid sequence with
// U+FFFD, so the result can be written into JSON output.
void AppendValidUtf8(std::string_view bytes, std::string* out);

// True if `stored` is `shown`, or is not valid UTF-8 and reads as `shown`
// once repaired: how a name or id a user copied from output (where invalid
// bytes appear as U+FFFD) is matched against what the index holds.
bool ReadsAs(std::string_view stored, std::string_view shown);

}  // namespace logweave

#endif  // LOGWEAVE_UTF8_H_

#include "analysis/trace_id_words.h"

#include <algorithm>
#include <cstdint>

#include "parse/char_class.h"

namespace logweave::internal {
namespace {

// A byte of a word: a letter, a digit, '_' or '-'.
constexpr uint16_t kWordByte = kUpper | kLower | kDigit | kIdPunct;

}  // namespace

std::vector<std::string_view> TraceIdWords(std::string_view text) {
  constexpr size_t kMaxScan = 4096;
  constexpr size_t kMaxWords = 64;
  constexpr size_t kMinSize = 6, kMaxSize = 128;
  text = text.substr(0, kMaxScan);
  std::vector<std::string_view> words;
  // `w` has a digit when `has_digit`: kept if its size fits and it is new.
  auto consider = [&](std::string_view w, bool has_digit) {
    if (!has_digit || words.size() >= kMaxWords || w.size() < kMinSize || w.size() > kMaxSize) {
      return;
    }
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  };
  const char* const data = text.data();
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && !(ClassOf(data[i]) & kWordByte)) ++i;
    const size_t start = i;
    uint16_t seen = 0;  // the classes of the run's bytes
    bool has_dash = false;
    while (i < n) {
      const uint16_t c = ClassOf(data[i]);
      if (!(c & kWordByte)) break;
      seen |= c;
      has_dash |= data[i] == '-';
      ++i;
    }
    if (i == start) break;
    const std::string_view run(data + start, i - start);
    consider(run, seen & kDigit);
    if (has_dash) {
      // Its '-'-separated parts (a W3C traceparent "00-TRACE-SPAN-01" names TRACE).
      size_t part = 0;
      bool digit = false;
      for (size_t k = 0; k <= run.size(); ++k) {
        if (k == run.size() || run[k] == '-') {
          consider(run.substr(part, k - part), digit);
          part = k + 1;
          digit = false;
        } else {
          digit |= IsDigit(run[k]);
        }
      }
    }
  }
  return words;
}

}  // namespace logweave::internal

#include "analysis/trace_id_words.h"

#include <algorithm>
#include <array>

namespace logweave::internal {
namespace {

// Byte classes: a word byte (letter, digit, '_' or '-'), a digit, a dash.
enum : uint8_t { kWord = 1, kDigit = 2, kDash = 4 };

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> c{};
  for (int b = '0'; b <= '9'; ++b) c[b] = kWord | kDigit;
  for (int b = 'a'; b <= 'z'; ++b) c[b] = kWord;
  for (int b = 'A'; b <= 'Z'; ++b) c[b] = kWord;
  c['_'] = kWord;
  c['-'] = kWord | kDash;
  return c;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

uint8_t ClassOf(char c) { return kClasses[static_cast<unsigned char>(c)]; }

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
    while (i < n && !(ClassOf(data[i]) & kWord)) ++i;
    const size_t start = i;
    uint8_t seen = 0;  // the classes of the run's bytes
    while (i < n) {
      const uint8_t c = ClassOf(data[i]);
      if (!(c & kWord)) break;
      seen |= c;
      ++i;
    }
    if (i == start) break;
    const std::string_view run(data + start, i - start);
    consider(run, seen & kDigit);
    if (seen & kDash) {
      // Its '-'-separated parts (a W3C traceparent "00-TRACE-SPAN-01" names TRACE).
      size_t part = 0;
      bool digit = false;
      for (size_t k = 0; k <= run.size(); ++k) {
        if (k == run.size() || run[k] == '-') {
          consider(run.substr(part, k - part), digit);
          part = k + 1;
          digit = false;
        } else {
          digit |= (ClassOf(run[k]) & kDigit) != 0;
        }
      }
    }
  }
  return words;
}

}  // namespace logweave::internal

#include "analysis/trace_id_words.h"

#include <algorithm>

namespace logweave::internal {

std::vector<std::string_view> TraceIdWords(std::string_view text) {
  constexpr size_t kMaxScan = 4096;
  constexpr size_t kMaxWords = 64;
  text = text.substr(0, kMaxScan);
  std::vector<std::string_view> words;
  auto consider = [&](std::string_view w) {
    if (words.size() >= kMaxWords || w.size() < 6 || w.size() > 128) return;
    if (std::none_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) return;
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  };
  auto is_word_byte = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-';
  };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && is_word_byte(text[i])) ++i;
    const std::string_view run = text.substr(start, i - start);
    consider(run);
    if (run.find('-') != std::string_view::npos) {
      for (size_t p = 0; p <= run.size();) {
        const size_t dash = std::min(run.find('-', p), run.size());
        consider(run.substr(p, dash - p));
        p = dash + 1;
      }
    }
  }
  return words;
}

}  // namespace logweave::internal

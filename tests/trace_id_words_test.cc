// The words of a plain-text error that could name its trace: found in one
// pass over the text with a table of byte classes, as the plain rule says.
#include "analysis/trace_id_words.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logweave::internal {
namespace {

// The rule as trace_id_words.h states it, written plainly: the reference.
std::vector<std::string_view> PlainWords(std::string_view text) {
  text = text.substr(0, 4096);
  std::vector<std::string_view> words;
  auto consider = [&](std::string_view w) {
    if (words.size() >= 64 || w.size() < 6 || w.size() > 128) return;
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

TEST(TraceIdWordsTest, NamesTheIdsAnErrorCarriesInEveryUsualForm) {
  // "trace_id" has no digit: not an id.
  EXPECT_EQ(
      TraceIdWords("ERROR payment failed trace_id=4bf92f3577b34da6a3ce929d0e0e4736 user=alice"),
      (std::vector<std::string_view>{"4bf92f3577b34da6a3ce929d0e0e4736"}));
  // A W3C traceparent names its trace id among its parts; a UUID is a word, and so are its parts
  // with a digit and six bytes or more.
  EXPECT_EQ(
      TraceIdWords("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
      (std::vector<std::string_view>{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                     "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"}));
  EXPECT_EQ(TraceIdWords("request pay-abc123 failed; exception in handler"),
            (std::vector<std::string_view>{"pay-abc123", "abc123"}));
  EXPECT_TRUE(TraceIdWords("exception without any number at all").empty());
}

TEST(TraceIdWordsTest, GivesThePlainRulesWordsOnAnyText) {
  std::mt19937 rng(11);
  // Word bytes, dashes and digits often, separators and other bytes (UTF-8's high ones too).
  const std::string alphabet = "abcdefXYZ_0123456789----     =;:,./\\\"'()[]{}\t\n\x80\xc3\xa9\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t size = rng() % 3 == 0 ? 4000 + rng() % 600 : rng() % 400;
    while (text.size() < size) {
      if (rng() % 50 == 0) {
        text.append(130 + rng() % 10, 'a' + static_cast<char>(rng() % 3));  // a run over 128
        text.push_back('7');
      } else {
        text.push_back(alphabet[rng() % alphabet.size()]);
      }
    }
    ASSERT_EQ(TraceIdWords(text), PlainWords(text)) << "round " << round << ": " << text;
  }
  // More than 64 words: the first 64 kept.
  std::string many;
  for (int k = 0; k < 100; ++k) many += "word" + std::to_string(10000 + k) + " ";
  EXPECT_EQ(TraceIdWords(many).size(), 64u);
  EXPECT_EQ(TraceIdWords(many), PlainWords(many));
}

}  // namespace
}  // namespace logweave::internal

// Tests for analysis/parked_texts.h: plain-text entries' texts held compressed
// during an analysis and given back to the same entries.
#include "analysis/parked_texts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace logweave::internal {
namespace {

// Texts of every shape an entry has: empty, one line, a stack trace, one as
// long as an entry may be (several blocks' worth when many come together).
std::vector<std::string> Texts(size_t n) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0:
        texts.push_back("");
        break;
      case 1:
        texts.push_back(absl::StrCat("ERROR payment ", i, " declined"));
        break;
      case 2:
        texts.push_back(absl::StrCat("ERROR Request ", i,
                                     " failed\njava.net.SocketTimeoutException: Read timed out\n"
                                     "\tat com.example.Client.call(Client.java:",
                                     i, ")\n\t... 9 more"));
        break;
      default:
        texts.push_back(absl::StrCat("Traceback ", i, "\n", std::string(16 << 10, 'x')));
    }
  }
  return texts;
}

std::vector<AttributedEntry> Entries(const std::vector<std::string>& texts) {
  std::vector<AttributedEntry> entries(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    entries[i].entry.line_no = i + 1;
    entries[i].entry.text = texts[i];
  }
  return entries;
}

class ParkedTextsTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ParkedTextsTest, GivesEachEntryItsWholeTextBack) {
  const std::vector<std::string> texts = Texts(2000);
  std::vector<AttributedEntry> entries = Entries(texts);
  ParkedTexts parked(entries, /*threads=*/GetParam());
  uint64_t raw = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_TRUE(entries[i].entry.text.empty()) << i;
    raw += texts[i].size();
  }
  EXPECT_LT(parked.bytes(), raw / 4);  // held compressed
  // What the attribution changes meanwhile stays.
  for (size_t i = 0; i < entries.size(); i += 3) {
    entries[i].candidates.push_back({.trace_id = absl::StrCat("t", i), .confidence = 1});
  }
  parked.Restore(entries, ParkedTexts::Restored::kWhole);
  ASSERT_EQ(entries.size(), texts.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry.text, texts[i]) << i;
    EXPECT_EQ(entries[i].entry.line_no, i + 1);
    EXPECT_EQ(entries[i].candidates.size(), i % 3 == 0 ? 1u : 0u);
  }
  EXPECT_EQ(parked.bytes(), 0u);  // freed once read
}

TEST_P(ParkedTextsTest, GivesFirstLinesBackWhenAskedForThem) {
  const std::vector<std::string> texts = Texts(403);
  std::vector<AttributedEntry> entries = Entries(texts);
  ParkedTexts parked(entries, /*threads=*/GetParam());
  parked.Restore(entries, ParkedTexts::Restored::kFirstLines);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry.text, texts[i].substr(0, texts[i].find('\n'))) << i;
    EXPECT_EQ(entries[i].entry.text.str().find('\n'), std::string::npos);
  }
}

TEST_P(ParkedTextsTest, ParksNoEntriesAndFewerEntriesThanThreads) {
  for (size_t n : {0, 1}) {
    const std::vector<std::string> texts(n, "ERROR one\nline two");
    std::vector<AttributedEntry> entries = Entries(texts);
    ParkedTexts parked(entries, /*threads=*/GetParam());
    parked.Restore(entries, ParkedTexts::Restored::kWhole);
    ASSERT_EQ(entries.size(), n);
    for (const AttributedEntry& a : entries) EXPECT_EQ(a.entry.text, "ERROR one\nline two");
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, ParkedTextsTest, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace logweave::internal

// Tests for analysis/parked_texts.h: plain-text entries' texts held compressed
// during an analysis and given back to the same entries.
#include "analysis/parked_texts.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "internal/permute.h"

namespace logweave::internal {
namespace {

// Texts of every shape an entry has: empty, one line, a stack trace naming a
// trace, one as long as an entry may be (16 KiB: a block of its own).
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
        texts.push_back(absl::StrCat("ERROR Request failed trace_id=", absl::StrFormat("%032x", i),
                                     "\njava.net.SocketTimeoutException: Read timed out\n"
                                     "\tat com.example.Client.call(Client.java:88)\n\t... 9 more"));
        break;
      default:
        texts.push_back(absl::StrCat("Traceback ", i, "\n", std::string(16 << 10, 'x')));
    }
  }
  return texts;
}

// Entries without texts, numbered from line 1, and their texts parked in a
// store in the entries' order, as the collector hands them over.
ParkedTexts Park(const std::vector<std::string>& texts, uint32_t threads,
                 std::vector<AttributedEntry>* entries, EntryWords* words) {
  auto store = std::make_unique<LineStore>();
  std::vector<ParkedTexts::Ref> refs;
  entries->assign(texts.size(), AttributedEntry());
  for (size_t i = 0; i < texts.size(); ++i) {
    (*entries)[i].entry.line_no = i + 1;
    refs.push_back({i, store->Append(texts[i]), static_cast<uint32_t>(texts[i].size())});
  }
  return ParkedTexts(std::move(store), std::move(refs), threads, words);
}

// What ParkedTexts should find as a text's words.
std::vector<std::string> WordsOf(std::string_view text) {
  std::vector<std::string> words;
  for (std::string_view w : TraceIdWords(text)) words.emplace_back(w);
  return words;
}

class ParkedTextsTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ParkedTextsTest, GivesEachEntryItsWholeTextBackAndItsWords) {
  const std::vector<std::string> texts = Texts(2000);
  std::vector<AttributedEntry> entries;
  EntryWords words;
  ParkedTexts parked = Park(texts, /*threads=*/GetParam(), &entries, &words);
  ASSERT_EQ(words.size(), texts.size());
  uint64_t raw = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(words[i], WordsOf(texts[i])) << i;
    raw += texts[i].size();
  }
  EXPECT_EQ(words[2], std::vector<std::string>{absl::StrFormat("%032x", 2)});
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
  std::vector<AttributedEntry> entries;
  EntryWords words;
  ParkedTexts parked = Park(texts, /*threads=*/GetParam(), &entries, &words);
  parked.Restore(entries, ParkedTexts::Restored::kFirstLines);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry.text, texts[i].substr(0, texts[i].find('\n'))) << i;
    EXPECT_EQ(entries[i].entry.text.str().find('\n'), std::string::npos);
  }
}

TEST_P(ParkedTextsTest, AFormerReportLendsTheTextsItHoldsAlike) {
  const std::vector<std::string> texts = Texts(200);
  std::vector<AttributedEntry> before, entries;
  EntryWords words;
  Park(texts, /*threads=*/GetParam(), &before, &words)
      .Restore(before, ParkedTexts::Restored::kWhole);
  for (size_t i = 0; i < before.size(); ++i) before[i].entry.id = absl::StrCat("uns-", i);
  // Entry 5 has grown since (an open block), entry 9 names another block now.
  std::vector<std::string> now = texts;
  now[5] += "\n\tat one.more(Frame.java:1)";
  before[9].entry.id = "uns-other";
  ParkedTexts parked = Park(now, /*threads=*/GetParam(), &entries, &words);
  for (size_t i = 0; i < entries.size(); ++i) entries[i].entry.id = absl::StrCat("uns-", i);
  parked.Restore(entries, ParkedTexts::Restored::kWhole, &before);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry.text, now[i]) << i;
    const bool shared = entries[i].entry.text.data() == before[i].entry.text.data();
    EXPECT_EQ(shared, i != 5 && i != 9) << i;  // shared where id and text are alike
  }
}

TEST_P(ParkedTextsTest, ParksNoEntriesAndFewerEntriesThanThreads) {
  for (size_t n : {0, 1}) {
    const std::vector<std::string> texts(n, "ERROR one\nline two");
    std::vector<AttributedEntry> entries;
    EntryWords words;
    ParkedTexts parked = Park(texts, /*threads=*/GetParam(), &entries, &words);
    EXPECT_EQ(words.size(), n);
    parked.Restore(entries, ParkedTexts::Restored::kWhole);
    ASSERT_EQ(entries.size(), n);
    for (const AttributedEntry& a : entries) EXPECT_EQ(a.entry.text, "ERROR one\nline two");
  }
}

// A store handed over as it is (the collector's, in arrival order), the
// entries then sorted: each text follows its entry.
TEST_P(ParkedTextsTest, TextsOfAHandedOverStoreFollowTheirEntriesWhenSorted) {
  const std::vector<std::string> texts = Texts(1001);
  auto store = std::make_unique<LineStore>();
  std::vector<ParkedTexts::Ref> refs;
  std::vector<AttributedEntry> entries(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    refs.push_back({i, store->Append(texts[i]), static_cast<uint32_t>(texts[i].size())});
    entries[i].entry.line_no = (i * 7919) % texts.size();  // a shuffled order to sort into
  }
  EntryWords words;
  ParkedTexts parked(std::move(store), std::move(refs), /*threads=*/GetParam(), &words);
  ASSERT_EQ(words.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(words[i], WordsOf(texts[i])) << i;
  const std::vector<size_t> order =
      SortedOrder(entries, [](const AttributedEntry& a) { return a.entry.line_no; });
  ApplyOrder(entries, order);
  ApplyOrder(words, order);
  parked.Reorder(order);
  parked.Restore(entries, ParkedTexts::Restored::kWhole);
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_EQ(entries[i].entry.line_no, i);
    EXPECT_EQ(entries[i].entry.text, texts[order[i]]) << i;
    EXPECT_EQ(words[i], WordsOf(texts[order[i]])) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, ParkedTextsTest, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace logweave::internal

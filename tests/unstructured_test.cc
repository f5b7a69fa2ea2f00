// Tests for logweave/unstructured.h: the UnstructuredCollector on its own.
//
// Digests are built the way PipelineImpl::Digest (engine/src/pipeline.cc) fills them from a
// parsed batch: only plain-text lines are listed, each with the time of the nearest timed
// record before it in the same batch, and JSON records only move the time context and the line
// numbers. The lines are printed as Python logging, tracebacks and logback/Tomcat print them.
#include "analysis/unstructured.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/trace_id_words.h"
#include "logweave/index.h"
#include "logweave/record.h"
#include "testdata/lines.h"

namespace logweave {
namespace {

using testdata::Ns;

// Builds one batch's digest as the pipeline does: line numbers follow on from `first_line_no`,
// each plain line's prev_time is the last timed record before it in this batch.
class DigestBuilder {
 public:
  DigestBuilder(uint32_t source_id, uint64_t batch_no, uint64_t first_line_no) {
    digest_.source_id = source_id;
    digest_.batch_no = batch_no;
    next_line_no_ = first_line_no;
    next_offset_ = (first_line_no - 1) * 100;
  }

  // A plain-text line; `own_time_ns` is its leading timestamp if it has one, `level` what the
  // parser read from it.
  DigestBuilder& Plain(const std::string& text, std::optional<int64_t> own_time_ns = std::nullopt,
                       Level level = Level::kUnknown) {
    PlainLine& line = digest_.lines.emplace_back();
    line.line_no = next_line_no_;
    line.source_offset = next_offset_;
    line.seq = next_line_no_;
    line.time_ns = own_time_ns.value_or(0);
    line.has_time = own_time_ns.has_value();
    line.prev_time_ns = digest_.last_time_ns;
    line.has_prev_time = digest_.has_last_time;
    line.level = level;
    line.text = text;
    if (own_time_ns) Timed(*own_time_ns);
    Advance(text.size());
    return *this;
  }

  // A JSON record, which the digest does not list; with `time_ns`, it is the batch's latest
  // timed record.
  DigestBuilder& Json(std::optional<int64_t> time_ns = std::nullopt) {
    if (time_ns) Timed(*time_ns);
    Advance(120);
    return *this;
  }

  BatchDigest Build() { return std::move(digest_); }

 private:
  void Timed(int64_t time_ns) {
    digest_.last_time_ns = time_ns;
    digest_.has_last_time = true;
  }
  void Advance(size_t bytes) {
    ++next_line_no_;
    next_offset_ += bytes + 1;
  }

  BatchDigest digest_;
  uint64_t next_line_no_ = 1;
  uint64_t next_offset_ = 0;
};

constexpr char kPythonError[] =
    "2026-11-23T10:00:01.234Z ERROR Connection timeout to email provider smtp.example.net:587 "
    "after 5000ms";
const std::vector<std::string> kPythonTraceback = {
    "Traceback (most recent call last):",
    "  File \"/app/email/send.py\", line 88, in send",
    "    conn = smtplib.SMTP(host)",
    "TimeoutError: timed out",
};

constexpr char kJavaError[] =
    "ERROR [http-nio-8080-exec-3] c.e.payments.Gateway - Payment declined by upstream";
const std::vector<std::string> kJavaTrace = {
    "java.net.SocketTimeoutException: Read timed out",
    "\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)",
    "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
    "Caused by: java.io.IOException: Connection reset by peer",
    "\t... 12 more",
};

constexpr char kInfoLine[] = "2026-11-23T10:00:09.000Z INFO Starting server on :8080";

// The collector's one entry; an empty entry, with a test failure, unless it holds exactly one.
UnstructuredEntry OnlyEntry(const UnstructuredCollector& collector) {
  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  EXPECT_EQ(entries.size(), 1u);
  return entries.size() == 1 ? entries[0] : UnstructuredEntry{};
}

BatchDigest PythonErrorBatch(uint32_t source) {
  DigestBuilder b(source, 0, 41);
  b.Plain(kPythonError, Ns(1234), Level::kError);
  for (const std::string& line : kPythonTraceback) b.Plain(line);
  b.Plain(kInfoLine, Ns(9000), Level::kInfo);
  return b.Build();
}

class UnstructuredCollectorTest : public ::testing::Test {
 protected:
  UnstructuredCollectorTest() {
    email_ = names_.Add("/var/log/email.log", "email");
    payments_ = names_.Add("/var/log/payments.log", "payments");
  }

  // Adds an email error block that ended and a payments one still open at the end of its
  // source; returns what Snapshot shows then: both.
  std::vector<UnstructuredEntry> ShowAClosedAndAnOpenBlock(UnstructuredCollector& collector) const {
    collector.Add(PythonErrorBatch(email_));
    DigestBuilder b(payments_, 0, 30);
    b.Plain(kPythonError, Ns(1234), Level::kError);
    b.Plain(kPythonTraceback[0]);  // still open at the end of the source
    collector.Add(b.Build());
    std::vector<UnstructuredEntry> shown = collector.Snapshot();
    EXPECT_EQ(shown.size(), 2u);
    return shown;
  }
  // Expects `got` to show what `shown` (Snapshot's) shows.
  static void ExpectShownAlike(const std::vector<UnstructuredEntry>& got,
                               const std::vector<UnstructuredEntry>& shown) {
    ASSERT_EQ(got.size(), shown.size());
    for (size_t i = 0; i < shown.size(); ++i) {
      EXPECT_EQ(got[i].id, shown[i].id);
      EXPECT_EQ(got[i].source, shown[i].source);
      EXPECT_EQ(got[i].service, shown[i].service);
      EXPECT_EQ(got[i].line_no, shown[i].line_no);
      EXPECT_EQ(got[i].line_count, shown[i].line_count);
      EXPECT_EQ(got[i].level, shown[i].level);
      EXPECT_EQ(got[i].first_line(), shown[i].first_line());
      EXPECT_EQ(got[i].text, shown[i].text);
      EXPECT_EQ(got[i].template_text, shown[i].template_text);
    }
  }
  // The entries handed to an analysis, which carry no candidates yet, with
  // their texts restored; each came with its text's words.
  static std::vector<UnstructuredEntry> Unattributed(EntriesToAttribute taken) {
    EXPECT_EQ(taken.words.size(), taken.entries.size());
    for (const AttributedEntry& a : taken.entries) EXPECT_TRUE(a.entry.text.empty());  // parked
    taken.texts.Restore(taken.entries, internal::ParkedTexts::Restored::kWhole);
    std::vector<UnstructuredEntry> entries;
    for (size_t i = 0; i < taken.entries.size(); ++i) {
      AttributedEntry& a = taken.entries[i];
      EXPECT_TRUE(a.candidates.empty());  // the analysis attributes them
      std::vector<std::string> words;
      for (std::string_view w : internal::TraceIdWords(a.entry.text)) words.emplace_back(w);
      if (i < taken.words.size()) {
        EXPECT_EQ(taken.words[i], words) << i;
      }
      entries.push_back(std::move(a.entry));
    }
    return entries;
  }

  SourceNames names_;
  uint32_t email_ = 0;
  uint32_t payments_ = 0;
};

std::string Joined(const std::string& first, const std::vector<std::string>& rest) {
  std::vector<std::string> all = {first};
  all.insert(all.end(), rest.begin(), rest.end());
  return absl::StrJoin(all, "\n");
}

TEST_F(UnstructuredCollectorTest, JoinsPythonTracebackToTheErrorLineAboveIt) {
  UnstructuredCollector collector(&names_);
  collector.Add(PythonErrorBatch(email_));

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.line_count, 5u);
  EXPECT_EQ(e.line_no, 41u);
  EXPECT_EQ(e.text, Joined(kPythonError, kPythonTraceback));
  EXPECT_EQ(e.first_line(), kPythonError);
  EXPECT_EQ(e.time_ns, Ns(1234));
  EXPECT_FALSE(e.time_inferred);
  EXPECT_TRUE(e.time_known);
  EXPECT_EQ(e.level, Level::kError);
  EXPECT_EQ(e.service, "email");
  EXPECT_EQ(e.source, "/var/log/email.log");
  EXPECT_EQ(e.source_id, email_);
  EXPECT_FALSE(e.id.empty());
}

TEST_F(UnstructuredCollectorTest, GivesTheSameIdToTheSameBlockInEveryCollector) {
  UnstructuredCollector first(&names_);
  UnstructuredCollector second(&names_);
  first.Add(PythonErrorBatch(email_));
  second.Add(PythonErrorBatch(email_));

  std::vector<UnstructuredEntry> a = first.Snapshot();
  std::vector<UnstructuredEntry> b = second.Snapshot();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_FALSE(a[0].id.empty());
  EXPECT_EQ(a[0].id, b[0].id);
  EXPECT_EQ(first.Snapshot()[0].id, a[0].id);
}

TEST_F(UnstructuredCollectorTest, UntimedJavaStackTraceTakesThePrevTimeOfItsBatch) {
  UnstructuredCollector collector(&names_);
  DigestBuilder b(payments_, 0, 10);
  b.Json(Ns(2500));
  b.Plain(kJavaError, std::nullopt, Level::kError);
  for (const std::string& line : kJavaTrace) b.Plain(line);
  collector.Add(b.Build());

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.line_no, 11u);
  EXPECT_EQ(e.line_count, 6u);
  EXPECT_EQ(e.text, Joined(kJavaError, kJavaTrace));
  EXPECT_EQ(e.time_ns, Ns(2500));
  EXPECT_TRUE(e.time_inferred);
  EXPECT_TRUE(e.time_known);
  EXPECT_EQ(e.level, Level::kError);
  EXPECT_EQ(e.service, "payments");
}

// Batch 0 ends after the first frame; batch 1 carries the rest of the trace.
std::pair<BatchDigest, BatchDigest> JavaTraceSplitAcrossBatches(uint32_t source) {
  DigestBuilder b0(source, 0, 1);
  b0.Json(Ns(100));
  b0.Plain(kJavaError, std::nullopt, Level::kError);
  b0.Plain(kJavaTrace[0]);
  b0.Plain(kJavaTrace[1]);
  DigestBuilder b1(source, 1, 5);
  for (size_t i = 2; i < kJavaTrace.size(); ++i) b1.Plain(kJavaTrace[i]);
  b1.Plain(kInfoLine, Ns(9000), Level::kInfo);
  return {b0.Build(), b1.Build()};
}

// Expects `collector` to hold the Java error and its trace as one entry, nothing else.
void ExpectTheJavaTraceWhole(const UnstructuredCollector& collector) {
  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.line_no, 2u);
  EXPECT_EQ(e.line_count, 6u);
  EXPECT_EQ(e.text, Joined(kJavaError, kJavaTrace));
  EXPECT_EQ(e.time_ns, Ns(100));
  EXPECT_EQ(collector.non_error_blocks(), 0u);
}

TEST_F(UnstructuredCollectorTest, JoinsBlockSplitAcrossTwoBatches) {
  UnstructuredCollector collector(&names_);
  auto [batch0, batch1] = JavaTraceSplitAcrossBatches(payments_);
  collector.Add(std::move(batch0));
  collector.Add(std::move(batch1));

  ExpectTheJavaTraceWhole(collector);
}

TEST_F(UnstructuredCollectorTest, JoinsBlockSplitAcrossTwoBatchesWhenTheSecondArrivesFirst) {
  UnstructuredCollector collector(&names_);
  auto [batch0, batch1] = JavaTraceSplitAcrossBatches(payments_);
  collector.Add(std::move(batch1));
  // Batch 1 waits for batch 0: nothing of it is seen yet.
  EXPECT_TRUE(collector.Snapshot().empty());
  EXPECT_EQ(collector.non_error_blocks(), 0u);
  collector.Add(std::move(batch0));

  ExpectTheJavaTraceWhole(collector);
}

TEST_F(UnstructuredCollectorTest, DoesNotJoinLinesOfAnotherSource) {
  UnstructuredCollector collector(&names_);
  // Line 8 of payments directly follows line 7 of email in arrival order and in line number,
  // and an exception header would continue an open block: it must still start its own.
  collector.Add(DigestBuilder(email_, 0, 7).Plain(kPythonError, Ns(1234), Level::kError).Build());
  collector.Add(DigestBuilder(payments_, 0, 8).Plain(kJavaTrace[0]).Build());
  collector.Add(DigestBuilder(email_, 1, 8).Plain(kPythonTraceback[0]).Build());

  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].source, "/var/log/email.log");
  EXPECT_EQ(entries[0].line_no, 7u);
  EXPECT_EQ(entries[0].line_count, 2u);
  EXPECT_EQ(entries[0].text, std::string(kPythonError) + "\n" + kPythonTraceback[0]);
  EXPECT_EQ(entries[1].source, "/var/log/payments.log");
  EXPECT_EQ(entries[1].line_no, 8u);
  EXPECT_EQ(entries[1].line_count, 1u);
  EXPECT_EQ(entries[1].text, kJavaTrace[0]);
}

TEST_F(UnstructuredCollectorTest, GapInLineNumbersEndsTheBlock) {
  UnstructuredCollector collector(&names_);
  DigestBuilder b(payments_, 0, 20);
  b.Plain(kJavaError, std::nullopt, Level::kError);  // 20
  b.Plain(kJavaTrace[0]);                            // 21
  b.Json(Ns(3000));                                  // 22: a JSON line in between
  b.Plain(kJavaTrace[1]);                            // 23: a frame after the gap
  b.Plain(kInfoLine, Ns(9000), Level::kInfo);        // 24
  collector.Add(b.Build());

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.line_no, 20u);
  EXPECT_EQ(e.line_count, 2u);
  EXPECT_EQ(e.text, std::string(kJavaError) + "\n" + kJavaTrace[0]);
  // The orphan frame at line 23 is a block of its own, and not an error.
  EXPECT_EQ(collector.non_error_blocks(), 1u);
}

TEST_F(UnstructuredCollectorTest, NonErrorLineProducesNoEntryAndIsCounted) {
  UnstructuredCollector collector(&names_);
  DigestBuilder b(email_, 0, 1);
  b.Plain("Starting server on :8080");
  // The next line closes the first block; it is itself still open, so not yet counted.
  b.Plain("Listening for delivery callbacks on :2525");
  collector.Add(b.Build());

  EXPECT_TRUE(collector.Snapshot().empty());
  EXPECT_EQ(collector.non_error_blocks(), 1u);
  EXPECT_EQ(collector.dropped(), 0u);
}

TEST_F(UnstructuredCollectorTest, UntimedLineWithoutPrevTimeTakesLastTimeOfEarlierBatch) {
  UnstructuredCollector collector(&names_);
  collector.Add(DigestBuilder(payments_, 0, 1).Json(Ns(4000)).Json(Ns(5000)).Json().Build());
  DigestBuilder b1(payments_, 1, 4);
  b1.Plain(kJavaError, std::nullopt, Level::kError);
  b1.Plain(kJavaTrace[0]);
  b1.Json(Ns(7000));
  BatchDigest batch1 = b1.Build();
  ASSERT_FALSE(batch1.lines[0].has_prev_time);
  collector.Add(std::move(batch1));

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.time_ns, Ns(5000));
  EXPECT_TRUE(e.time_inferred);
  EXPECT_TRUE(e.time_known);
}

TEST_F(UnstructuredCollectorTest, UntimedLineTakesLastTimeOfEarlierBatchThatArrivedLater) {
  UnstructuredCollector collector(&names_);
  collector.Add(
      DigestBuilder(payments_, 1, 4).Plain(kJavaError, std::nullopt, Level::kError).Build());
  collector.Add(DigestBuilder(payments_, 0, 1).Json(Ns(4000)).Json(Ns(5000)).Json().Build());

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.time_ns, Ns(5000));
  EXPECT_TRUE(e.time_inferred);
}

TEST_F(UnstructuredCollectorTest, UntimedLineAtStartOfSourceHasUnknownTime) {
  UnstructuredCollector collector(&names_);
  collector.Add(
      DigestBuilder(payments_, 0, 1).Plain(kJavaError, std::nullopt, Level::kError).Build());

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.time_ns, 0);
  EXPECT_TRUE(e.time_inferred);
  EXPECT_FALSE(e.time_known);
}

// Three Python errors, each with its one-line exception, at lines 1, 3 and 5.
DigestBuilder ThreeErrorBlocks(uint32_t source) {
  DigestBuilder b(source, 0, 1);
  for (int i = 0; i < 3; ++i) {
    b.Plain(std::string(kPythonError) + " (attempt " + std::to_string(i + 1) + ")",
            Ns(1234 + 1000 * i), Level::kError);
    b.Plain("TimeoutError: timed out");
  }
  return b;
}

TEST_F(UnstructuredCollectorTest, KeepsAtMostMaxEntriesAndCountsTheRestAsDropped) {
  UnstructuredCollector collector(&names_, UnstructuredOptions{.max_entries = 2});
  collector.Add(ThreeErrorBlocks(email_).Plain(kInfoLine, Ns(9000), Level::kInfo).Build());

  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  ASSERT_EQ(entries.size(), 2u);
  // The oldest are kept.
  EXPECT_EQ(entries[0].line_no, 1u);
  EXPECT_EQ(entries[1].line_no, 3u);
  EXPECT_EQ(collector.dropped(), 1u);
}

// The trace id error i of AddJavaErrors names.
std::string NamedTrace(int i) { return absl::StrFormat("%032x", 0xabc000 + i); }

// Many Java error blocks of `email`, each an error line and its stack trace,
// error i naming trace NamedTrace(i); the texts the collector should show, in order.
std::vector<std::string> AddJavaErrors(UnstructuredCollector& collector, uint32_t source,
                                       int count) {
  std::vector<std::string> texts;
  DigestBuilder b(source, 0, 1);
  for (int i = 0; i < count; ++i) {
    const std::string error = absl::StrCat(kJavaError, " trace_id=", NamedTrace(i));
    b.Plain(error, Ns(1000 + i), Level::kError);
    for (const std::string& line : kJavaTrace) b.Plain(line);
    texts.push_back(Joined(error, kJavaTrace));
  }
  b.Plain(kInfoLine, Ns(90000), Level::kInfo);  // the last block ends
  collector.Add(b.Build());
  return texts;
}

TEST_F(UnstructuredCollectorTest, HoldsItsTextsCompressedAndShowsThemWhole) {
  UnstructuredCollector collector(&names_);
  const std::vector<std::string> texts = AddJavaErrors(collector, email_, 3000);
  uint64_t raw = 0;
  for (const std::string& t : texts) raw += t.size();
  // Stack traces repeat: the texts take a fraction of their size (the entries'
  // fields aside).
  EXPECT_LT(collector.bytes(), 3000 * sizeof(UnstructuredEntry) + raw / 4);
  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  ASSERT_EQ(entries.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(entries[i].text, texts[i]) << i;
  EntriesToAttribute taken = collector.Take(/*threads=*/2);
  // Each error's words, found as its text was read back: the trace it names among them.
  ASSERT_EQ(taken.words.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<std::string>& words = taken.words[i];
    EXPECT_NE(std::find(words.begin(), words.end(), NamedTrace(static_cast<int>(i))), words.end())
        << i;
  }
  const std::vector<UnstructuredEntry> whole = Unattributed(std::move(taken));
  ASSERT_EQ(whole.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(whole[i].text, texts[i]) << i;
}

// A one-shot analysis reads the entries' words before it takes the entries
// (it frees the index in between): the two steps hand what one Take does,
// the words found once; an entry that came in between has them found again.
TEST_F(UnstructuredCollectorTest, ATakeInTwoStepsHandsWhatOneTakeHands) {
  auto fill = [&](UnstructuredCollector& collector) {
    AddJavaErrors(collector, email_, 500);
    // payments' errors have no time (its first lines carry none): not a timed service.
    DigestBuilder p(payments_, 0, 1);
    p.Plain(absl::StrCat("ERROR payment failed trace_id=", NamedTrace(9000)), std::nullopt,
            Level::kError);
    p.Plain("INFO next");
    collector.Add(p.Build());
    // email's last block is still open at the end.
    DigestBuilder e(email_, 1, 100000);
    e.Plain(absl::StrCat("ERROR last one trace_id=", NamedTrace(9001)), Ns(95000), Level::kError);
    collector.Add(e.Build());
  };
  UnstructuredCollector once(&names_), twice(&names_);
  fill(once);
  fill(twice);
  EntriesToAttribute one = once.Take(/*threads=*/2);
  WordsToTake early = twice.CloseAndFindWords(/*threads=*/2);
  EXPECT_EQ(early.timed_services, std::vector<std::string>{"email"});
  ASSERT_EQ(early.words.size(), one.entries.size());
  EntriesToAttribute two = twice.Take(/*threads=*/2, std::move(early.words));
  EXPECT_EQ(two.words, one.words);
  ASSERT_EQ(one.entries.size(), 502u);
  const std::vector<UnstructuredEntry> a = Unattributed(std::move(one));
  const std::vector<UnstructuredEntry> b = Unattributed(std::move(two));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].id, a[i].id) << i;
    EXPECT_EQ(b[i].text, a[i].text) << i;
  }

  // An entry added between the steps: every entry's words are found anew.
  UnstructuredCollector between(&names_);
  fill(between);
  WordsToTake stale = between.CloseAndFindWords(/*threads=*/1);
  DigestBuilder late(payments_, 1, 100);
  late.Plain(absl::StrCat("ERROR late trace_id=", NamedTrace(9002)), Ns(99000), Level::kError);
  late.Plain("INFO after");
  between.Add(late.Build());
  EntriesToAttribute taken = between.Take(/*threads=*/2, std::move(stale.words));
  ASSERT_EQ(taken.entries.size(), 503u);
  ASSERT_EQ(taken.words.size(), taken.entries.size());
  size_t named = 0;
  for (size_t i = 0; i < taken.entries.size(); ++i) {
    for (const std::string& w : taken.words[i])
      named += w.rfind("00000000000000000000000000", 0) == 0;
  }
  EXPECT_EQ(named, 503u);  // each error names one trace (NamedTrace's zero-padded ids)
}

TEST_F(UnstructuredCollectorTest, DropsTheOldestEntriesOverMaxBytesAndCountsThem) {
  // A small budget (an index.max_bytes of 1 MiB gives 32 KiB) keeps some too.
  for (uint64_t max_bytes : {uint64_t{32} << 10, uint64_t{256} << 10}) {
    SCOPED_TRACE(max_bytes);
    UnstructuredCollector collector(&names_, UnstructuredOptions{.max_bytes = max_bytes});
    const std::vector<std::string> texts = AddJavaErrors(collector, email_, 20000);
    EXPECT_LE(collector.bytes(), max_bytes);
    std::vector<UnstructuredEntry> entries = collector.Snapshot();
    ASSERT_GE(entries.size(), 10u);
    ASSERT_LT(entries.size(), texts.size());
    // Every block is kept or counted; the newest are kept, with their texts whole.
    EXPECT_EQ(entries.size() + collector.dropped(), texts.size());
    const size_t first_kept = texts.size() - entries.size();
    for (size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(entries[i].text, texts[first_kept + i]) << i;
    }
  }
}

// Regression (fixed): Snapshot() adds every still-open error block on top of entries_ without
// looking at max_entries, so with two entries kept and a third error block still open at the end of
// the source it returns 3 entries (more than max_entries = 2) and dropped() is 0. Once a later line
// closes that block, Close() drops it: an entry seen in one snapshot then vanishes from the next.
// Expected: at most max_entries entries (lines 1 and 3), with the open block counted as dropped
// (or at least not shown).
TEST_F(UnstructuredCollectorTest, SnapshotHoldsAtMostMaxEntriesWhenTheLastBlockIsStillOpen) {
  UnstructuredCollector collector(&names_, UnstructuredOptions{.max_entries = 2});
  collector.Add(ThreeErrorBlocks(email_).Build());

  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  EXPECT_LE(entries.size(), 2u);
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[0].line_no, 1u);
  EXPECT_EQ(entries[1].line_no, 3u);
}

TEST_F(UnstructuredCollectorTest, SnapshotIncludesErrorBlockStillOpenAtEndOfSource) {
  UnstructuredCollector collector(&names_);
  DigestBuilder b(email_, 0, 30);
  b.Plain(kPythonError, Ns(1234), Level::kError);
  b.Plain(kPythonTraceback[0]);
  b.Plain(kPythonTraceback[1]);
  collector.Add(b.Build());

  const UnstructuredEntry e = OnlyEntry(collector);
  EXPECT_EQ(e.line_no, 30u);
  EXPECT_EQ(e.line_count, 3u);
  EXPECT_EQ(e.text,
            std::string(kPythonError) + "\n" + kPythonTraceback[0] + "\n" + kPythonTraceback[1]);
  EXPECT_EQ(e.level, Level::kError);
  EXPECT_EQ(e.source, "/var/log/email.log");
  EXPECT_FALSE(e.id.empty());
}

TEST_F(UnstructuredCollectorTest, SnapshotIsOrderedBySourceThenLine) {
  UnstructuredCollector collector(&names_);
  // Payments' lines arrive first; each source ends with an open error block.
  DigestBuilder p(payments_, 0, 3);
  p.Plain(kJavaError, std::nullopt, Level::kError);  // 3
  p.Plain(kJavaTrace[0]);                            // 4
  p.Plain(kInfoLine, Ns(9000), Level::kInfo);        // 5
  collector.Add(p.Build());
  DigestBuilder e(email_, 0, 5);
  e.Plain(kPythonError, Ns(1234), Level::kError);  // 5
  e.Plain(kInfoLine, Ns(9000), Level::kInfo);      // 6
  collector.Add(e.Build());
  collector.Add(
      DigestBuilder(payments_, 1, 10).Plain(kJavaError, std::nullopt, Level::kError).Build());
  collector.Add(DigestBuilder(email_, 1, 12).Plain(kPythonError, Ns(1234), Level::kError).Build());

  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  std::vector<std::pair<std::string, uint64_t>> order;
  for (const UnstructuredEntry& entry : entries) order.emplace_back(entry.source, entry.line_no);
  EXPECT_EQ(order, (std::vector<std::pair<std::string, uint64_t>>{
                       {"/var/log/email.log", 5},
                       {"/var/log/email.log", 12},
                       {"/var/log/payments.log", 3},
                       {"/var/log/payments.log", 10},
                   }));
}

// What an analysis of a live collector attributes in place: the same entries, in the same
// order, as Snapshot shows (an open block too), each with no candidates yet; nothing is taken.
TEST_F(UnstructuredCollectorTest, SnapshotToAttributeShowsWhatSnapshotShows) {
  UnstructuredCollector collector(&names_);
  const std::vector<UnstructuredEntry> shown = ShowAClosedAndAnOpenBlock(collector);
  ExpectShownAlike(Unattributed(collector.SnapshotToAttribute(/*threads=*/2)), shown);
  EXPECT_EQ(collector.Snapshot().size(), 2u);  // still held
}

TEST_F(UnstructuredCollectorTest, TakeMovesOutWhatSnapshotShowsOnce) {
  UnstructuredCollector collector(&names_);
  const std::vector<UnstructuredEntry> shown = ShowAClosedAndAnOpenBlock(collector);
  ExpectShownAlike(Unattributed(collector.Take(/*threads=*/2)), shown);
  // Taken once: nothing is held any more, and a later block is all a second take sees.
  EXPECT_TRUE(collector.Snapshot().empty());
  EXPECT_EQ(collector.bytes(), 0u);
  collector.Add(DigestBuilder(email_, 1, 100).Plain(kPythonError, Ns(5000), Level::kError).Build());
  const std::vector<UnstructuredEntry> later = Unattributed(collector.Take(/*threads=*/1));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].line_no, 100u);
  EXPECT_EQ(later[0].text, kPythonError);
}

}  // namespace
}  // namespace logweave

namespace logweave {
namespace {

// 100,000 plain-text errors of one service hold one copy of its source name, its service and
// each template's text, not one each (SharedText): Snapshot's and Take's entries alike.
TEST_F(UnstructuredCollectorTest, EntriesShareTheirSourceServiceAndTemplateText) {
  UnstructuredCollector collector(&names_);
  DigestBuilder batch(payments_, 0, 1);
  for (int i = 0; i < 4; ++i) {
    batch.Plain(
        absl::StrCat("2026-11-23 10:00:0", i, ",500 ERROR db: connection reset by peer ", 1000 + i),
        Ns(100 + i), Level::kError);
    batch.Json(Ns(100 + i));
  }
  collector.Add(batch.Build());
  for (const bool take : {false, true}) {
    SCOPED_TRACE(take ? "Take" : "Snapshot");
    const std::vector<UnstructuredEntry> entries =
        take ? Unattributed(collector.Take(/*threads=*/1)) : collector.Snapshot();
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].source, "/var/log/payments.log");
    EXPECT_EQ(entries[0].service, "payments");
    EXPECT_EQ(entries[0].template_text, "connection reset by peer <*>");
    for (const UnstructuredEntry& e : entries) {
      EXPECT_EQ(e.source.data(), entries[0].source.data());
      EXPECT_EQ(e.service.data(), entries[0].service.data());
      EXPECT_EQ(e.template_text.data(), entries[0].template_text.data());
    }
  }
  // A copy shares the text; a string compares with it and reads it.
  const SharedText text("payments");
  const SharedText copy = text;
  EXPECT_EQ(copy.data(), text.data());
  EXPECT_EQ(std::string("payments"), copy);
  EXPECT_NE(copy, "email");
  EXPECT_EQ(std::string_view(copy).size(), 8u);
  EXPECT_TRUE(SharedText().empty());
  EXPECT_EQ(SharedText(), "");
}

TEST_F(UnstructuredCollectorTest, ErrorsThatDifferOnlyInValuesShareATemplate) {
  UnstructuredCollector collector(&names_);
  DigestBuilder batch(email_, 0, 1);
  const char* users[] = {"alice", "bob", "carol", "dave", "erin"};
  for (int i = 0; i < 35; ++i) {
    batch.Plain(absl::StrCat("2026-11-23 10:00:", 10 + i,
                             ",500 ERROR asyncpg.exceptions.InvalidPasswordError: password "
                             "authentication failed for user \"",
                             users[i % 5], i, "\""),
                Ns(100 + i), Level::kError);
    batch.Json(Ns(100 + i));
  }
  batch.Plain("2026-11-23 10:01:00,000 ERROR worker: queue full, dropping job 12", Ns(200),
              Level::kError);
  collector.Add(batch.Build());

  std::vector<UnstructuredEntry> entries = collector.Snapshot();
  ASSERT_EQ(entries.size(), 36u);
  EXPECT_NE(entries[0].template_id, 0u);
  EXPECT_EQ(entries[0].template_text,
            "asyncpg.exceptions.InvalidPasswordError: password authentication failed for user "
            "\"<*>\"");
  for (int i = 1; i < 35; ++i) EXPECT_EQ(entries[i].template_id, entries[0].template_id);
  // The last block is still open: it has the masked text of the template it would start.
  EXPECT_EQ(entries[35].template_text, "queue full, dropping job <*>");

  std::vector<AttributedEntry> attributed;
  for (UnstructuredEntry& e : entries) attributed.push_back({.entry = e, .candidates = {}});
  attributed[3].candidates.push_back(
      {.trace_id = "t3", .confidence = 0.9, .gap_ns = 0, .incomplete = false, .named = false});
  std::vector<UnstructuredGroup> groups = GroupByTemplate(attributed);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].count, 35u);
  EXPECT_EQ(groups[0].first_ns, Ns(100));
  EXPECT_EQ(groups[0].last_ns, Ns(134));
  EXPECT_EQ(groups[0].services, std::vector<std::string>{"email"});
  EXPECT_EQ(groups[0].sample_traces, std::vector<std::string>{"t3"});
  EXPECT_EQ(groups[0].entries.size(), 35u);
  EXPECT_EQ(groups[1].count, 1u);
}

}  // namespace
}  // namespace logweave

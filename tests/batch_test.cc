// Tests for LineBatcher: line splitting, CRLF/BOM handling, truncation,
// batch limits, offsets and line numbers, independent of chunking.
#include "logweave/batch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logweave {
namespace {

// One emitted line, flattened out of its batch for comparison.
struct Line {
  std::string text;
  uint64_t source_offset = 0;
  uint64_t line_no = 0;
  uint8_t flags = 0;

  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& line) {
  return os << "{line " << line.line_no << " @" << line.source_offset << " flags "
            << int{line.flags} << " \"" << line.text << "\"}";
}

constexpr uint32_t kSourceId = 7;

// Collects batches and checks the invariants every batch must keep.
class Collector {
 public:
  LineBatcher::EmitFn Fn() {
    return [this](RawBatch&& batch) { batches_.push_back(std::move(batch)); };
  }

  const std::vector<RawBatch>& batches() const { return batches_; }

  std::vector<Line> Lines() const {
    std::vector<Line> lines;
    for (const RawBatch& batch : batches_) {
      EXPECT_EQ(batch.source_id, kSourceId);
      EXPECT_EQ(batch.first_seq, 0u);
      EXPECT_FALSE(batch.lines.empty()) << "batches are never empty";
      for (size_t i = 0; i < batch.size(); ++i) {
        const LineSpan& span = batch.lines[i];
        // NUL-after-line invariant.
        EXPECT_LT(span.begin + span.length, batch.data.size());
        EXPECT_EQ(batch.data[span.begin + span.length], '\0');
        lines.push_back({std::string(batch.Line(i)), span.source_offset, span.line_no, span.flags});
      }
    }
    return lines;
  }

 private:
  std::vector<RawBatch> batches_;
};

// Feeds `stream` in the chunks given by ascending `cuts`, then finishes.
std::vector<Line> RunChunks(std::string_view stream, const std::vector<size_t>& cuts,
                            const LineBatcherOptions& options = {}) {
  Collector collector;
  LineBatcher batcher(kSourceId, options, collector.Fn());
  size_t pos = 0;
  for (size_t cut : cuts) {
    batcher.Append(stream.data() + pos, cut - pos);
    pos = cut;
  }
  batcher.Append(stream.data() + pos, stream.size() - pos);
  EXPECT_EQ(batcher.offset(), stream.size());
  batcher.Finish();
  return collector.Lines();
}

std::vector<Line> RunWhole(std::string_view stream, const LineBatcherOptions& options = {}) {
  return RunChunks(stream, {}, options);
}

TEST(LineBatcherTest, SplitsAtNewlineWithExactOffsetsAndLineNumbers) {
  const std::string stream =
      "2024-05-01T12:00:00.123Z INFO checkout order placed id=A-1001\n"
      "2024-05-01T12:00:00.456Z WARN payments retrying charge attempt=2\n";
  Collector collector;
  LineBatcher batcher(kSourceId, {}, collector.Fn());
  batcher.Append(stream.data(), stream.size());
  EXPECT_EQ(batcher.offset(), stream.size());
  EXPECT_EQ(batcher.lines(), 2u);
  EXPECT_TRUE(collector.batches().empty()) << "a batch waits until it is full or Finish()";
  batcher.Finish();
  ASSERT_EQ(collector.batches().size(), 1u);
  EXPECT_EQ(collector.Lines(),
            (std::vector<Line>{
                {"2024-05-01T12:00:00.123Z INFO checkout order placed id=A-1001", 0, 1, 0},
                {"2024-05-01T12:00:00.456Z WARN payments retrying charge attempt=2", 62, 2, 0},
            }));
}

// A stream with every special case: BOM, CRLF, empty lines (LF and CRLF), a
// lone CR inside a line, a BOM in the middle, a final line without '\n'.
const std::string kTricky =
    "\xEF\xBB\xBF{\"level\":\"info\",\"msg\":\"boot\"}\r\n"  // 0: 3 + 29 + 2 = 34 bytes
    "\n"                                                     // 34
    "\r\n"                                                   // 35
    "GET /health 200\n"                                      // 37
    "a\rb\n"                                                 // 53
    "\xEF\xBB\xBFmid-stream bom\n"                           // 57
    "tail without newline";                                  // 75

const std::vector<Line> kTrickyLines = {
    {"{\"level\":\"info\",\"msg\":\"boot\"}", 0, 1, kLineHadBOM | kLineHadCR},
    {"", 34, 2, 0},
    {"", 35, 3, kLineHadCR},
    {"GET /health 200", 37, 4, 0},
    {"a\rb", 53, 5, 0},
    {"\xEF\xBB\xBFmid-stream bom", 57, 6, 0},
    {"tail without newline", 75, 7, 0},
};

TEST(LineBatcherTest, WholeStreamHasExpectedLines) { EXPECT_EQ(RunWhole(kTricky), kTrickyLines); }

TEST(LineBatcherTest, SameLinesWhereverOneSplitFalls) {
  for (size_t cut = 0; cut <= kTricky.size(); ++cut) {
    EXPECT_EQ(RunChunks(kTricky, {cut}), kTrickyLines) << "split at " << cut;
  }
}

TEST(LineBatcherTest, SameLinesWhereverTwoSplitsFall) {
  for (size_t a = 0; a <= kTricky.size(); ++a) {
    for (size_t b = a; b <= kTricky.size(); ++b) {
      ASSERT_EQ(RunChunks(kTricky, {a, b}), kTrickyLines) << "splits at " << a << ", " << b;
    }
  }
}

TEST(LineBatcherTest, SameLinesFedOneByteAtATime) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kTricky.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(RunChunks(kTricky, cuts), kTrickyLines);
}

TEST(LineBatcherTest, SameLinesWithSmallMaxLineBytesWhereverSplitsFall) {
  // Truncation must not depend on chunking either, including the CR case.
  const LineBatcherOptions options{.max_line_bytes = 3};
  const std::vector<Line> expected = RunWhole(kTricky, options);
  ASSERT_EQ(expected.size(), kTrickyLines.size());
  EXPECT_EQ(expected[0], (Line{"{\"l", 0, 1, kLineHadBOM | kLineHadCR | kLineTruncated}));
  EXPECT_EQ(expected[4], (Line{"a\rb", 53, 5, 0}));
  for (size_t a = 0; a <= kTricky.size(); ++a) {
    for (size_t b = a; b <= kTricky.size(); b += 3) {
      ASSERT_EQ(RunChunks(kTricky, {a, b}, options), expected) << "splits at " << a << ", " << b;
    }
  }
}

TEST(LineBatcherTest, CrlfSplitBetweenChunksRemovesCr) {
  EXPECT_EQ(
      RunChunks("ERROR db timeout\r\nnext\r\n", {16}),
      (std::vector<Line>{{"ERROR db timeout", 0, 1, kLineHadCR}, {"next", 18, 2, kLineHadCR}}));
}

TEST(LineBatcherTest, CrNotBeforeNewlineIsKept) {
  EXPECT_EQ(RunWhole("progress 10%\rprogress 20%\n"),
            (std::vector<Line>{{"progress 10%\rprogress 20%", 0, 1, 0}}));
}

// A file with classic Mac OS line ends: each lone CR ends a line, and so do an LF and a CRLF
// (as one end) where the file changes its ways, wherever the chunks split.
TEST(LineBatcherTest, LinesEndAtCrWhenToldWhereverSplitsFall) {
  const std::string stream = "a\rbb\r\rccc\nd\r\ne\r\r\nf";
  const std::vector<Line> expected = {
      {"a", 0, 1, kLineHadCR},  {"bb", 2, 2, kLineHadCR}, {"", 5, 3, kLineHadCR},  {"ccc", 6, 4, 0},
      {"d", 10, 5, kLineHadCR}, {"e", 13, 6, kLineHadCR}, {"", 15, 7, kLineHadCR}, {"f", 17, 8, 0}};
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      Collector collector;
      LineBatcher batcher(kSourceId, {}, collector.Fn());
      batcher.EndLinesAtCr();
      batcher.Append(stream.data(), a);
      batcher.Append(stream.data() + a, b - a);
      batcher.Append(stream.data() + b, stream.size() - b);
      EXPECT_EQ(batcher.offset(), stream.size());
      batcher.Finish();
      ASSERT_EQ(collector.Lines(), expected) << "splits at " << a << ", " << b;
    }
  }
}

TEST(LineBatcherTest, FinalLineEndingInCrKeepsItWithoutNewline) {
  // Only CRLF is a line terminator; an unterminated "...\r" did not end in one.
  EXPECT_EQ(RunWhole("a\r\nb\r"), (std::vector<Line>{{"a", 0, 1, kLineHadCR}, {"b\r", 3, 2, 0}}));
}

TEST(LineBatcherTest, BomSplitAcrossChunksIsRemovedFromLineOne) {
  const std::string stream = "\xEF\xBB\xBFlevel=info msg=start\nlevel=info msg=ready\n";
  const std::vector<Line> expected = {{"level=info msg=start", 0, 1, kLineHadBOM},
                                      {"level=info msg=ready", 24, 2, 0}};
  EXPECT_EQ(RunChunks(stream, {1}), expected);
  EXPECT_EQ(RunChunks(stream, {2}), expected);
  EXPECT_EQ(RunChunks(stream, {1, 2}), expected);
  EXPECT_EQ(RunChunks(stream, {1, 2, 3}), expected);
  EXPECT_EQ(RunChunks(stream, {0, 0, 1, 1, 2, 2, 3, 3}), expected) << "empty chunks change nothing";
}

TEST(LineBatcherTest, BomOnlyRemovedAtStreamStart) {
  EXPECT_EQ(RunWhole("first\n\xEF\xBB\xBFsecond\n"),
            (std::vector<Line>{{"first", 0, 1, 0}, {"\xEF\xBB\xBFsecond", 6, 2, 0}}));
  // Not at the start of the stream even though it is at the start of a chunk.
  EXPECT_EQ(RunChunks("x\n\xEF\xBB\xBFy", {2}),
            (std::vector<Line>{{"x", 0, 1, 0}, {"\xEF\xBB\xBFy", 2, 2, 0}}));
}

TEST(LineBatcherTest, PartialBomAtStartIsContent) {
  const std::vector<Line> expected = {{"\xEF\xBBx", 0, 1, 0}, {"y", 4, 2, 0}};
  EXPECT_EQ(RunWhole("\xEF\xBBx\ny\n"), expected);
  EXPECT_EQ(RunChunks("\xEF\xBBx\ny\n", {1, 2}), expected);
  EXPECT_EQ(RunWhole("\xEF\xBB"), (std::vector<Line>{{"\xEF\xBB", 0, 1, 0}}))
      << "stream ends inside the would-be BOM";
  EXPECT_EQ(RunWhole("\xEF\n"), (std::vector<Line>{{"\xEF", 0, 1, 0}}));
}

TEST(LineBatcherTest, StreamOfOnlyBomIsOneEmptyLine) {
  EXPECT_EQ(RunWhole("\xEF\xBB\xBF"), (std::vector<Line>{{"", 0, 1, kLineHadBOM}}));
  EXPECT_EQ(RunWhole("\xEF\xBB\xBF\n"), (std::vector<Line>{{"", 0, 1, kLineHadBOM}}));
}

TEST(LineBatcherTest, EmptyLinesKeptWithLineNumbers) {
  EXPECT_EQ(
      RunWhole("\n\nstarted\n\n"),
      (std::vector<Line>{{"", 0, 1, 0}, {"", 1, 2, 0}, {"started", 2, 3, 0}, {"", 10, 4, 0}}));
}

TEST(LineBatcherTest, FinalLineWithoutNewlineEmittedByFinish) {
  Collector collector;
  LineBatcher batcher(kSourceId, {.batch_lines = 1}, collector.Fn());
  const std::string stream = "done\npartial";
  batcher.Append(stream.data(), stream.size());
  EXPECT_EQ(collector.Lines(), (std::vector<Line>{{"done", 0, 1, 0}}));
  EXPECT_EQ(batcher.lines(), 2u) << "the partial line has started";
  batcher.Finish();
  EXPECT_EQ(collector.Lines(), (std::vector<Line>{{"done", 0, 1, 0}, {"partial", 5, 2, 0}}));
}

TEST(LineBatcherTest, FinishWithoutInputEmitsNothing) {
  Collector collector;
  LineBatcher batcher(kSourceId, {}, collector.Fn());
  batcher.Append("", 0);
  batcher.Finish();
  EXPECT_TRUE(collector.batches().empty());
  EXPECT_EQ(batcher.offset(), 0u);
  EXPECT_EQ(batcher.lines(), 0u);
}

TEST(LineBatcherTest, FinishAfterNewlineAddsNoEmptyLine) {
  EXPECT_EQ(RunWhole("a\n"), (std::vector<Line>{{"a", 0, 1, 0}}));
}

// A 2 MiB line with a recognisable pattern, then a normal line.
std::string LongLineStream(size_t long_bytes) {
  std::string stream;
  stream.reserve(long_bytes + 64);
  for (size_t i = 0; i < long_bytes; ++i) stream.push_back(static_cast<char>('a' + i % 26));
  stream += "\nnext line intact\n";
  return stream;
}

TEST(LineBatcherTest, TruncatesTwoMiBLineToOneMiBAndKeepsNextLine) {
  constexpr size_t kLong = size_t{2} << 20;
  constexpr uint32_t kMax = 1u << 20;
  const std::string stream = LongLineStream(kLong);
  const LineBatcherOptions options{.max_line_bytes = kMax};
  for (size_t chunk : {stream.size(), size_t{65536}, size_t{1000003}}) {
    std::vector<size_t> cuts;
    for (size_t c = chunk; c < stream.size(); c += chunk) cuts.push_back(c);
    const std::vector<Line> lines = RunChunks(stream, cuts, options);
    ASSERT_EQ(lines.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(lines[0].text.size(), kMax);
    EXPECT_TRUE(lines[0].text == std::string_view(stream).substr(0, kMax)) << "kept the head";
    EXPECT_EQ(lines[0].flags, kLineTruncated);
    EXPECT_EQ(lines[0].source_offset, 0u);
    EXPECT_EQ(lines[0].line_no, 1u);
    EXPECT_EQ(lines[1], (Line{"next line intact", kLong + 1, 2, 0}));
  }
}

TEST(LineBatcherTest, TruncationCountsContentAfterCrRemoval) {
  const LineBatcherOptions options{.max_line_bytes = 4};
  EXPECT_EQ(RunWhole("abcd\r\nabcde\r\nabcd\n", options),
            (std::vector<Line>{{"abcd", 0, 1, kLineHadCR},
                               {"abcd", 6, 2, kLineHadCR | kLineTruncated},
                               {"abcd", 13, 3, 0}}));
  // The CR of a truncated line arrives long after the kept head.
  EXPECT_EQ(RunChunks("abcdefgh\r\nz\n", {5, 9}, options),
            (std::vector<Line>{{"abcd", 0, 1, kLineHadCR | kLineTruncated}, {"z", 10, 2, 0}}));
}

TEST(LineBatcherTest, BatchLineLimitRespected) {
  std::string stream;
  for (int i = 0; i < 10; ++i) stream += "GET /api/v1/items 200 3ms\n";
  Collector collector;
  LineBatcher batcher(kSourceId, {.batch_lines = 3}, collector.Fn());
  batcher.Append(stream.data(), stream.size());
  EXPECT_EQ(collector.batches().size(), 3u) << "full batches go out during Append";
  batcher.Finish();
  ASSERT_EQ(collector.batches().size(), 4u);
  EXPECT_EQ(collector.batches()[0].size(), 3u);
  EXPECT_EQ(collector.batches()[1].size(), 3u);
  EXPECT_EQ(collector.batches()[2].size(), 3u);
  EXPECT_EQ(collector.batches()[3].size(), 1u);
  const std::vector<Line> lines = collector.Lines();
  ASSERT_EQ(lines.size(), 10u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].line_no, i + 1);
    EXPECT_EQ(lines[i].source_offset, i * 26);
  }
}

TEST(LineBatcherTest, BatchByteLimitRespected) {
  // Lines of 5..14 bytes (+ NUL each); a batch closes once data reaches 32 bytes.
  std::string stream;
  for (int i = 0; i < 40; ++i) stream += std::string(5 + i % 10, 'x') + "\n";
  constexpr uint32_t kBatchBytes = 32;
  Collector collector;
  LineBatcher batcher(kSourceId, {.batch_bytes = kBatchBytes}, collector.Fn());
  batcher.Append(stream.data(), stream.size());
  batcher.Finish();
  const std::vector<RawBatch>& batches = collector.batches();
  ASSERT_GT(batches.size(), 1u);
  size_t total_lines = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    const RawBatch& batch = batches[b];
    total_lines += batch.size();
    const size_t before_last = batch.lines.back().begin;
    EXPECT_LT(before_last, kBatchBytes) << "batch " << b << " went on after reaching the limit";
    if (b + 1 < batches.size()) {
      EXPECT_GE(batch.data.size(), kBatchBytes) << "batch " << b;
    }
  }
  EXPECT_EQ(total_lines, 40u);
  EXPECT_EQ(collector.Lines().back().line_no, 40u);
}

TEST(LineBatcherTest, OffsetsAndLineNumbersExactAcrossManyChunksAndBatches) {
  // Lines of varying length (0..99 bytes), some CRLF, fed in 97-byte chunks.
  std::string stream;
  std::vector<Line> expected;
  uint32_t x = 12345;
  for (uint64_t n = 1; n <= 2000; ++n) {
    x = x * 1103515245u + 12345u;
    const size_t len = (x >> 16) % 100;
    const bool crlf = (x >> 8) % 3 == 0;
    Line line{std::string(len, static_cast<char>('A' + n % 26)), stream.size(), n,
              crlf ? uint8_t{kLineHadCR} : uint8_t{0}};
    stream += line.text + (crlf ? "\r\n" : "\n");
    expected.push_back(std::move(line));
  }
  std::vector<size_t> cuts;
  for (size_t c = 97; c < stream.size(); c += 97) cuts.push_back(c);
  EXPECT_EQ(RunChunks(stream, cuts, {.batch_lines = 100, .batch_bytes = 4096}), expected);
}

}  // namespace
}  // namespace logweave

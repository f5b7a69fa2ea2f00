// Tests for the file replay source: path expansion and reading plain, gzip
// and zstd files (whole, concatenated, truncated, corrupt).
#include "connectors/file/file_source.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "testdata/gzip.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;
using testdata::Gzip;

constexpr uint32_t kSourceId = 3;

// Real-looking NDJSON service logs; a pseudo-random trace id keeps the
// compressed form from being trivially small.
std::vector<std::string> ServiceLogLines(size_t count) {
  static constexpr const char* kServices[] = {"checkout", "payments", "inventory", "gateway"};
  static constexpr const char* kLevels[] = {"info", "info", "info", "warn", "error"};
  std::vector<std::string> lines;
  lines.reserve(count);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < count; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    lines.push_back(absl::StrCat(
        "{\"ts\":\"2024-05-01T12:", (i / 600) % 60 < 10 ? "0" : "", (i / 600) % 60, ":",
        (i / 10) % 60 < 10 ? "0" : "", (i / 10) % 60, ".", 100 + i % 900, "Z\",\"level\":\"",
        kLevels[x % 5], "\",\"service\":\"", kServices[(x >> 8) % 4], "\",\"trace_id\":\"",
        absl::Hex(x, absl::kZeroPad16),
        "\",\"msg\":\"request handled\",\"latency_ms\":", (x >> 20) % 900, ",\"seq\":", i, "}"));
  }
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) absl::StrAppend(&out, line, "\n");
  return out;
}

// One zstd frame.
std::string Zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(n);
  return out;
}

// What ReadSource produced.
struct ReadResult {
  absl::Status status;
  std::vector<std::string> lines;
  std::vector<uint64_t> offsets;
  size_t batches = 0;
};

ReadResult Read(const std::string& path) {
  ReadResult result;
  result.status = ReadSource(path, {.batch_lines = 1000}, kSourceId, [&](RawBatch&& batch) {
    EXPECT_EQ(batch.source_id, kSourceId);
    ++result.batches;
    for (size_t i = 0; i < batch.size(); ++i) {
      result.lines.emplace_back(batch.Line(i));
      result.offsets.push_back(batch.lines[i].source_offset);
      EXPECT_EQ(batch.lines[i].line_no, result.lines.size());
    }
  });
  return result;
}

class FileSourceTest : public testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) /
           absl::StrCat("file_source_test_", info->name(), "_", getpid(), "_", counter++);
    fs::remove_all(dir_);
    ASSERT_TRUE(fs::create_directories(dir_));
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  // Writes `bytes` to `relative` under the test directory; returns its path.
  std::string Write(const std::string& relative, std::string_view bytes) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << path;
    return path.string();
  }
  std::string Path(const std::string& relative) const { return (dir_ / relative).string(); }

  fs::path dir_;
};

// ---- ReadSource -----------------------------------------------------------

TEST_F(FileSourceTest, ReadsPlainFileLinesWithOffsets) {
  // Several MiB so reads cross the 1 MiB chunk boundary inside lines.
  const std::vector<std::string> lines = ServiceLogLines(40000);
  const std::string path = Write("app.log", JoinLines(lines));
  const ReadResult result = Read(path);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.lines, lines);
  EXPECT_EQ(result.batches, 40u);
  uint64_t offset = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(result.offsets[i], offset) << "line " << i + 1;
    offset += lines[i].size() + 1;
  }
}

TEST_F(FileSourceTest, ReadsPlainFileWithCrlfBomAndNoFinalNewline) {
  const std::string path = Write("win.log",
                                 "\xEF\xBB\xBF"
                                 "2024-05-01 12:00:00 INFO started\r\n"
                                 "2024-05-01 12:00:01 INFO ready");
  const ReadResult result = Read(path);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, (std::vector<std::string>{"2024-05-01 12:00:00 INFO started",
                                                    "2024-05-01 12:00:01 INFO ready"}));
  EXPECT_EQ(result.offsets, (std::vector<uint64_t>{0, 37}));
}

TEST_F(FileSourceTest, EmptyFileHasNoLines) {
  for (const char* name : {"empty.log", "empty.log.gz", "empty.log.zst"}) {
    const ReadResult result = Read(Write(name, ""));
    EXPECT_TRUE(result.status.ok()) << name << ": " << result.status;
    EXPECT_TRUE(result.lines.empty()) << name;
    EXPECT_EQ(result.batches, 0u) << name;
  }
}

TEST_F(FileSourceTest, ReadsGzipFile) {
  const std::vector<std::string> lines = ServiceLogLines(30000);
  const ReadResult result = Read(Write("app.log.gz", Gzip(JoinLines(lines))));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, lines);
}

TEST_F(FileSourceTest, ReadsConcatenatedGzipMembers) {
  // As `cat a.gz b.gz > c.gz` or logrotate's delaycompress+append produce.
  const std::vector<std::string> lines = ServiceLogLines(3000);
  const std::vector<std::string> first(lines.begin(), lines.begin() + 1000);
  const std::vector<std::string> second(lines.begin() + 1000, lines.end());
  const ReadResult result =
      Read(Write("app.log.gz", Gzip(JoinLines(first)) + Gzip("") + Gzip(JoinLines(second))));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, lines);
}

TEST_F(FileSourceTest, GzipMemberBoundaryInsideLineJoinsTheLine) {
  const ReadResult result = Read(Write("split.log.gz", Gzip("first li") + Gzip("ne\nsecond\n")));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, (std::vector<std::string>{"first line", "second"}));
}

TEST_F(FileSourceTest, ReadsZstdFileWithSeveralFrames) {
  const std::vector<std::string> lines = ServiceLogLines(30000);
  const std::vector<std::string> first(lines.begin(), lines.begin() + 12345);
  const std::vector<std::string> second(lines.begin() + 12345, lines.end());
  const ReadResult result =
      Read(Write("app.log.zst", Zstd(JoinLines(first)) + Zstd(JoinLines(second))));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, lines);
}

TEST_F(FileSourceTest, GarbageAfterGzipMemberIsDataLossKeepingEarlierLines) {
  const std::vector<std::string> lines = ServiceLogLines(500);
  const std::string path = Write("app.log.gz", Gzip(JoinLines(lines)) + "this is not gzip\n");
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(),
                                absl::StrCat("decompressed offset ", JoinLines(lines).size())))
      << result.status;
  EXPECT_EQ(result.lines, lines);
}

TEST_F(FileSourceTest, CorruptGzipIsDataLossKeepingLinesBefore) {
  const std::vector<std::string> lines = ServiceLogLines(60000);
  std::string compressed = Gzip(JoinLines(lines));
  // Overwrite a stretch well past the first MiB of output.
  for (size_t i = compressed.size() * 3 / 4; i < compressed.size() * 3 / 4 + 64; ++i) {
    compressed[i] = '\xFF';
  }
  const std::string path = Write("app.log.gz", compressed);
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), "decompressed offset")) << result.status;
  ASSERT_GT(result.lines.size(), 1000u) << "lines before the damage are replayed";
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(result.lines[i], lines[i]) << "line " << i + 1;
}

TEST_F(FileSourceTest, TruncatedGzipIsDataLossKeepingPartialTail) {
  const std::vector<std::string> lines = ServiceLogLines(20000);
  const std::string compressed = Gzip(JoinLines(lines));
  const std::string path = Write("app.log.gz", compressed.substr(0, compressed.size() / 2));
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), "truncated")) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
  ASSERT_GT(result.lines.size(), 1u);
  ASSERT_LT(result.lines.size(), lines.size());
  // Every line but the last is whole; the last is the partial tail (kept by Finish()).
  for (size_t i = 0; i + 1 < result.lines.size(); ++i) ASSERT_EQ(result.lines[i], lines[i]);
  EXPECT_TRUE(absl::StartsWith(lines[result.lines.size() - 1], result.lines.back()));
}

TEST_F(FileSourceTest, TruncatedZstdIsDataLossKeepingEarlierLines) {
  const std::vector<std::string> lines = ServiceLogLines(20000);
  const std::string compressed = Zstd(JoinLines(lines));
  const std::string path = Write("app.log.zst", compressed.substr(0, compressed.size() - 100));
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), "truncated")) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
  ASSERT_GT(result.lines.size(), 1000u);
  for (size_t i = 0; i + 1 < result.lines.size(); ++i) ASSERT_EQ(result.lines[i], lines[i]);
}

TEST_F(FileSourceTest, CorruptZstdIsDataLoss) {
  const std::string path = Write("app.log.zst", Zstd("a\nb\n") + "not a zstd frame at all");
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
  EXPECT_EQ(result.lines, (std::vector<std::string>{"a", "b"}));
}

// Flips `count` bytes in the middle of `data`.
std::string FlipMiddle(std::string data, size_t count) {
  for (size_t i = data.size() / 2; i < data.size() / 2 + count; ++i) data[i] ^= '\xff';
  return data;
}

// The number N of "the N lines before it were replayed" in `message`, or -1.
int64_t LinesReplayedIn(const std::string& message) {
  const size_t at = message.find("; the ");
  if (at == std::string::npos) return -1;
  return std::strtoll(message.c_str() + at + 6, nullptr, 10);
}

TEST_F(FileSourceTest, ZstdWithFlippedBytesReplaysTheLinesBeforeTheDamageAndCountsThem) {
  // Under 1 MiB decompressed: the reader used to lose all of it (0 lines).
  const std::vector<std::string> lines = ServiceLogLines(4000);
  const std::string content = JoinLines(lines);
  ASSERT_LT(content.size(), size_t{1} << 20);
  const std::string path = Write("app.log.zst", FlipMiddle(Zstd(content), 16));
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  // zstd's blocks hold 128 KiB: the damage lies after the first block (the
  // first block compresses worst: it has no history), and every line of the
  // blocks before the damaged one is replayed, as zstd -dc writes them.
  size_t replayed_bytes = 0;
  for (const std::string& line : result.lines) replayed_bytes += line.size() + 1;
  ASSERT_GE(replayed_bytes, size_t{128} << 10) << result.status;
  ASSERT_LT(result.lines.size(), lines.size());
  for (size_t i = 0; i + 1 < result.lines.size(); ++i) ASSERT_EQ(result.lines[i], lines[i]);
  EXPECT_TRUE(absl::StartsWith(lines[result.lines.size() - 1], result.lines.back()));
  EXPECT_EQ(LinesReplayedIn(std::string(result.status.message())),
            static_cast<int64_t>(result.lines.size()))
      << result.status;
}

TEST_F(FileSourceTest, GzipWithFlippedBytesSaysHowManyLinesWereReplayed) {
  const std::vector<std::string> lines = ServiceLogLines(4000);
  const std::string path = Write("app.log.gz", FlipMiddle(Gzip(JoinLines(lines)), 16));
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_EQ(LinesReplayedIn(std::string(result.status.message())),
            static_cast<int64_t>(result.lines.size()))
      << result.status;
}

TEST_F(FileSourceTest, DamageBeforeAnyLineSaysNoLineWasReplayed) {
  const std::string path = Write("app.log.zst", "\x28\xb5\x2f\xfd garbage, not a frame");
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDataLoss) << result.status;
  EXPECT_TRUE(result.lines.empty());
  EXPECT_TRUE(absl::StrContains(result.status.message(), "the 0 lines before it were replayed"))
      << result.status;
}

// ---- binary files ----------------------------------------------------------

// Bytes as an image or a compressed archive holds them: a signature, then noise.
std::string NoiseBytes(std::string_view signature, size_t size) {
  std::string out(signature);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  while (out.size() < size) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(static_cast<char>(x >> 56));
  }
  return out;
}

// The first `size` bytes of this test's own executable: an ELF binary.
std::string OwnExecutable(size_t size) {
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::string out(size, '\0');
  in.read(out.data(), static_cast<std::streamsize>(size));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

TEST_F(FileSourceTest, BinaryFilesAreSkippedWithoutALineNamingTheFile) {
  // The whole window (or the whole file if shorter): an executable's first
  // 64-256 KiB are mostly symbol names (text); over a MiB any build of it
  // (optimised: 829 KiB in all, with sanitizers: several MiB) is binary.
  const std::string elf = OwnExecutable(2 * kSniffBytes);
  ASSERT_GT(elf.size(), size_t{512} << 10);
  ASSERT_TRUE(absl::StartsWith(elf,
                               "\x7f"
                               "ELF"));
  const std::vector<std::pair<std::string, std::string>> files = {
      {"app.log", elf},
      {"logo.png", NoiseBytes("\x89PNG\r\n\x1a\n", 20000)},
      {"small.log", NoiseBytes("", 200)},  // shorter than the window: judged at its end
      {"image.log.gz", Gzip(NoiseBytes("\xff\xd8\xff\xe0", 100000))},  // decompressed first
      {"archive.log.zst", Zstd(elf)},
  };
  for (const auto& [name, bytes] : files) {
    SCOPED_TRACE(name);
    const std::string path = Write(name, bytes);
    const ReadResult result = Read(path);
    EXPECT_EQ(result.status.code(), absl::StatusCode::kFailedPrecondition) << result.status;
    EXPECT_TRUE(IsBinaryFileSkipped(result.status)) << result.status;
    EXPECT_TRUE(absl::StrContains(result.status.message(), path)) << result.status;
    EXPECT_TRUE(absl::StrContains(result.status.message(), "binary")) << result.status;
    EXPECT_EQ(result.batches, 0u);
  }
}

TEST_F(FileSourceTest, CompressedFileUnderAPlainNameIsSkippedWithAHint) {
  const std::string path = Write("app.log", Gzip(JoinLines(ServiceLogLines(2000))));
  const ReadResult result = Read(path);
  EXPECT_TRUE(IsBinaryFileSkipped(result.status)) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), ".gz or .zst")) << result.status;
}

TEST_F(FileSourceTest, TextWithOddBytesIsNotBinary) {
  std::string latin1;  // a service that writes Latin-1
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&latin1,
                    "2026-11-23 10:00:01 INFO caf\xe9 cr\xe8"
                    "me br\xfbl\xe9"
                    "e order ",
                    i, "\n");
  }
  std::string colored;  // ANSI colors, tabs, a form feed
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&colored, "\x1b[31mERROR\x1b[0m\tpayment ", i, " failed\f\n");
  }
  // copytruncate while the writer kept its offset: a zero-filled hole first.
  const std::string hole = std::string(100 << 10, '\0') + JoinLines(ServiceLogLines(100));
  const std::string tiny = "\x01\x02\x03\n";  // too few bytes to judge
  for (const std::string& bytes : {latin1, colored, hole, tiny}) {
    const ReadResult result = Read(Write("app.log", bytes));
    EXPECT_TRUE(result.status.ok()) << result.status;
    EXPECT_GT(result.lines.size(), 0u);
  }
  EXPECT_EQ(Read(Write("hole.log", hole)).lines.back(), ServiceLogLines(100).back());
}

// A file cut while it is read (copytruncate, a rewrite) ends before the size it had when opened:
// the lines read are kept and the error says what happened.
TEST_F(FileSourceTest, AFileThatShrinksWhileReadIsAnError) {
  const std::string path = Write("app.log", absl::StrJoin(ServiceLogLines(100), "\n") + "\n");
  std::vector<std::string> lines;
  const absl::Status status = ReadSource(
      path, {.batch_lines = 1000}, kSourceId,
      [&](RawBatch&& batch) {
        for (size_t i = 0; i < batch.size(); ++i) lines.emplace_back(batch.Line(i));
      },
      [&](int) { ASSERT_EQ(::truncate(path.c_str(), 200), 0); });
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("shrank while it was read"));
  EXPECT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), 100u);
}

// UTF-16 text (Windows tools write it) is no binary by the byte rule, but read as bytes it gives
// no usable line: skipped, with the command that converts it.
TEST_F(FileSourceTest, Utf16TextIsSkippedWithHowToConvertIt) {
  auto utf16 = [](const std::string& ascii, bool big_endian, bool bom) {
    std::string out = bom ? (big_endian ? "\xFE\xFF" : "\xFF\xFE") : "";
    for (char c : ascii) {
      out += big_endian ? std::string{'\0', c} : std::string{c, '\0'};
    }
    return out;
  };
  const std::string text = R"({"trace_id":"w1","msg":"started"})"
                           "\nplain text line\n";
  for (const auto& [big_endian, bom] : {std::pair{false, true}, std::pair{true, true},
                                        std::pair{false, false}, std::pair{true, false}}) {
    const std::string path = Write("win.log", utf16(text, big_endian, bom));
    const ReadResult result = Read(path);
    EXPECT_TRUE(IsBinaryFileSkipped(result.status)) << result.status;
    EXPECT_THAT(std::string(result.status.message()),
                ::testing::AllOf(::testing::HasSubstr("UTF-16"),
                                 ::testing::HasSubstr("iconv -f UTF-16 -t UTF-8 " + path)));
    EXPECT_TRUE(result.lines.empty());
  }
  // A zero-filled hole is not UTF-16: NULs in every byte, not every other one.
  EXPECT_FALSE(LooksUtf16(std::string(4096, '\0')));
  EXPECT_FALSE(LooksUtf16(std::string(100, 'x') + std::string(4000, '\0')));
}

// A file whose lines end in a lone CR (classic Mac OS) is read line by line, not as one line
// cut at max_line_bytes; a CR inside a line of a file with LF line ends stays content.
TEST_F(FileSourceTest, LinesEndingInALoneCrAreReadOneByOne) {
  ReadResult result = Read(Write("mac.log", "{\"msg\":\"a\"}\rplain b\r\rlast"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, (std::vector<std::string>{"{\"msg\":\"a\"}", "plain b", "", "last"}));
  EXPECT_EQ(result.offsets, (std::vector<uint64_t>{0, 12, 20, 21}));
  // The same after decompression.
  EXPECT_EQ(Read(Write("mac.log.gz", Gzip("x\ry\r"))).lines, (std::vector<std::string>{"x", "y"}));
  result = Read(Write("unix.log", "progress 10%\rprogress 20%\nnext\r\n"));
  EXPECT_EQ(result.lines, (std::vector<std::string>{"progress 10%\rprogress 20%", "next"}));
  // A first MiB without LF (a progress bar redrawn with CRs), then lines with LF: each still
  // one line.
  const std::string bar = "progress 1%\r" + std::string(kSniffBytes, '#') + "\r";
  ASSERT_TRUE(LooksCrTerminated(std::string_view(bar).substr(0, kSniffBytes)));
  result = Read(Write("ci.log", bar + "done\nnext line\r\nlast\n"));
  EXPECT_EQ(result.lines.size(), 5u);
  if (result.lines.size() == 5) {
    EXPECT_EQ(result.lines[0], "progress 1%");
    EXPECT_EQ(result.lines[2], "done");
    EXPECT_EQ(result.lines[3], "next line");
    EXPECT_EQ(result.lines[4], "last");
  }
  EXPECT_TRUE(LooksCrTerminated("a\rb"));
  EXPECT_FALSE(LooksCrTerminated("a\r\nb"));
  EXPECT_FALSE(LooksCrTerminated("ab"));
}

TEST(BinaryShareTest, CountsControlBytesAndBrokenUtf8AmongTheBytesOtherThanNul) {
  EXPECT_EQ(BinaryShare(std::string(1000, 'a')), 0.0);
  EXPECT_EQ(BinaryShare("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 naïve text of a log line ok"),
            0.0);
  // 32 letters and 32 control bytes: half; NULs do not count either way.
  const std::string half = std::string(32, 'x') + std::string(32, '\x01') + std::string(500, '\0');
  EXPECT_DOUBLE_EQ(BinaryShare(half), 0.5);
  // Lone continuation bytes and a lead byte without its continuation are not text.
  const std::string broken = std::string(30, 'x') + "\x80\x80\xc3(" + std::string(6, '\x81');
  EXPECT_NEAR(BinaryShare(broken), 9.0 / 40.0, 1e-9);
  // A sequence cut by the end of the window is text.
  EXPECT_EQ(BinaryShare(std::string(40, 'x') + "\xe2\x82"), 0.0);
  EXPECT_EQ(BinaryShare("\x01\x02"), 0.0);  // fewer than kMinSniffBytes: not judged
}

// Printable text is counted eight bytes at a time: every other byte value is
// still seen, wherever it falls among them.
TEST(BinaryShareTest, SeesEveryByteValueAtEveryPlaceAmongPrintableText) {
  const std::string allowed_controls = "\t\n\r\f\v\b\x1b";
  for (int b = 1; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool text = (b >= 0x20 && b < 0x7f) || allowed_controls.find(c) != std::string::npos;
    for (size_t at = 0; at < 16; ++at) {
      std::string bytes = std::string(at, 'x') + c + std::string(40 - at, 'y');
      EXPECT_DOUBLE_EQ(BinaryShare(bytes), text ? 0.0 : 1.0 / 41) << "byte " << b << " at " << at;
    }
  }
}

TEST_F(FileSourceTest, MissingFileIsNotFoundNamingIt) {
  const std::string path = Path("nope/app.log");
  const ReadResult result = Read(path);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status.message(), "replay: no such file or directory: " + path);
  EXPECT_EQ(result.batches, 0u);
}

TEST_F(FileSourceTest, UnreadableFileIsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root can read any file";
  const std::string path = Write("secret.log", "x\n");
  fs::permissions(path, fs::perms::none);
  EXPECT_EQ(Read(path).status.code(), absl::StatusCode::kPermissionDenied);
  const ExpandedPaths expanded = ExpandReplayPaths({path});
  EXPECT_TRUE(expanded.files.empty());
  ASSERT_EQ(expanded.errors.size(), 1u);
  EXPECT_EQ(expanded.errors[0].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(expanded.errors[0].message(), path));
}

TEST_F(FileSourceTest, DashReadsStdin) {
  const std::string path = Write("stdin.log", "from stdin 1\nfrom stdin 2\n");
  const int file_fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(file_fd, 0);
  const int saved_stdin = dup(STDIN_FILENO);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(dup2(file_fd, STDIN_FILENO), STDIN_FILENO);
  close(file_fd);
  const ReadResult result = Read("-");
  dup2(saved_stdin, STDIN_FILENO);
  close(saved_stdin);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.lines, (std::vector<std::string>{"from stdin 1", "from stdin 2"}));
}

TEST_F(FileSourceTest, DirectoryPassedToReadSourceIsFailedPrecondition) {
  EXPECT_EQ(Read(dir_.string()).status.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CompressionOfTest, ByExtension) {
  EXPECT_EQ(CompressionOf("app.log"), Compression::kNone);
  EXPECT_EQ(CompressionOf("app.log.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionOf("app.log.2.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionOf("APP.LOG.GZ"), Compression::kGzip);
  EXPECT_EQ(CompressionOf("app.ndjson.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionOf("app.gz.log"), Compression::kNone);
  EXPECT_EQ(CompressionOf("-"), Compression::kNone);
}

// ---- ExpandReplayPaths ----------------------------------------------------

TEST_F(FileSourceTest, ExpandsDirectoryRecursivelyFilteredAndSorted) {
  for (const char* name :
       {"logs/b.log", "logs/a.json", "logs/app.log.1", "logs/app.log.2.gz", "logs/z.ndjson.zst",
        "logs/sub/c.jsonl", "logs/sub/deeper/d.log.gz", "logs/readme.txt", "logs/core.1",
        "logs/sub/notes.md", "logs/sub/app.log.old", "logs/.log"}) {
    Write(name, "x\n");
  }
  const ExpandedPaths expanded = ExpandReplayPaths({Path("logs")});
  EXPECT_TRUE(expanded.errors.empty());
  EXPECT_EQ(expanded.files, (std::vector<std::string>{
                                Path("logs/a.json"),
                                Path("logs/app.log.1"),
                                Path("logs/app.log.2.gz"),
                                Path("logs/b.log"),
                                Path("logs/sub/c.jsonl"),
                                Path("logs/sub/deeper/d.log.gz"),
                                Path("logs/z.ndjson.zst"),
                            }));
}

TEST_F(FileSourceTest, ExpandKeepsArgumentOrderFilesAsGivenAndDash) {
  const std::string notes = Write("notes.txt", "taken as is whatever its name\n");
  Write("dir/b.log", "b\n");
  Write("dir/a.log", "a\n");
  const ExpandedPaths expanded = ExpandReplayPaths({notes, "-", Path("dir"), notes});
  EXPECT_TRUE(expanded.errors.empty());
  EXPECT_EQ(expanded.files,
            (std::vector<std::string>{notes, "-", Path("dir/a.log"), Path("dir/b.log"), notes}));
}

TEST_F(FileSourceTest, ExpandReportsMissingPathAndListsTheOthers) {
  const std::string good = Write("good.log", "ok\n");
  const std::string missing = Path("missing.log");
  const ExpandedPaths expanded = ExpandReplayPaths({missing, good});
  EXPECT_EQ(expanded.files, (std::vector<std::string>{good}));
  ASSERT_EQ(expanded.errors.size(), 1u);
  EXPECT_EQ(expanded.errors[0].code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(expanded.errors[0].message(), "replay: no such file or directory: " + missing);
}

// Entries of a directory named like logs that cannot be read as files are said, not passed over:
// a dangling link, a loop of links, a FIFO (which would block the replay).
TEST_F(FileSourceTest, ExpandReportsLogNamedEntriesThatAreNoFiles) {
  const std::string good = Write("logs/good.log", "ok\n");
  fs::create_symlink(Path("logs/gone.log"), Path("logs/dangling.log"));
  fs::create_symlink(Path("logs/loop-b.log"), Path("logs/loop-a.log"));
  fs::create_symlink(Path("logs/loop-a.log"), Path("logs/loop-b.log"));
  ASSERT_EQ(::mkfifo(Path("logs/pipe.log").c_str(), 0600), 0);
  fs::create_symlink(Path("logs"), Path("logs/self.log"));  // a link to a directory: not entered
  const ExpandedPaths expanded = ExpandReplayPaths({Path("logs")});
  EXPECT_EQ(expanded.files, (std::vector<std::string>{good}));
  std::string messages;
  for (const absl::Status& e : expanded.errors) absl::StrAppend(&messages, e.message(), "\n");
  EXPECT_EQ(expanded.errors.size(), 4u) << messages;
  EXPECT_THAT(messages, ::testing::AllOf(::testing::HasSubstr("dangling.log is a link to nothing"),
                                         ::testing::HasSubstr("loop-a.log is a link to nothing"),
                                         ::testing::HasSubstr("pipe.log is not a regular file")));
}

TEST_F(FileSourceTest, ExpandReportsDirectoryWithoutLogFiles) {
  fs::create_directories(Path("empty"));
  Write("other/readme.md", "# not a log\n");
  const std::string good = Write("good.log", "ok\n");
  const ExpandedPaths expanded = ExpandReplayPaths({Path("empty"), Path("other"), good});
  EXPECT_EQ(expanded.files, (std::vector<std::string>{good}));
  ASSERT_EQ(expanded.errors.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(expanded.errors[i].code(), absl::StatusCode::kNotFound);
    EXPECT_TRUE(absl::StrContains(expanded.errors[i].message(), "has no *.log"))
        << expanded.errors[i];
  }
  EXPECT_TRUE(absl::StrContains(expanded.errors[0].message(), Path("empty")));
  EXPECT_TRUE(absl::StrContains(expanded.errors[1].message(), Path("other")));
}

TEST_F(FileSourceTest, ExpandReportsUnreadableSubdirectoryAndListsTheRest) {
  if (geteuid() == 0) GTEST_SKIP() << "root can read any directory";
  Write("logs/a.log", "a\n");
  Write("logs/locked/b.log", "b\n");
  fs::permissions(Path("logs/locked"), fs::perms::none);
  const ExpandedPaths expanded = ExpandReplayPaths({Path("logs")});
  fs::permissions(Path("logs/locked"), fs::perms::owner_all);
  EXPECT_EQ(expanded.files, (std::vector<std::string>{Path("logs/a.log")}));
  ASSERT_EQ(expanded.errors.size(), 1u);
  EXPECT_EQ(expanded.errors[0].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(expanded.errors[0].message(), Path("logs/locked")));
}

TEST_F(FileSourceTest, ExpandedFilesReplayEndToEnd) {
  const std::vector<std::string> lines = ServiceLogLines(300);
  const std::vector<std::string> a(lines.begin(), lines.begin() + 100);
  const std::vector<std::string> b(lines.begin() + 100, lines.begin() + 200);
  const std::vector<std::string> c(lines.begin() + 200, lines.end());
  Write("logs/1-app.log", JoinLines(a));
  Write("logs/2-app.log.gz", Gzip(JoinLines(b)));
  Write("logs/3-app.log.zst", Zstd(JoinLines(c)));
  const ExpandedPaths expanded = ExpandReplayPaths({Path("logs")});
  ASSERT_TRUE(expanded.errors.empty());
  ASSERT_EQ(expanded.files.size(), 3u);
  std::vector<std::string> all;
  for (const std::string& file : expanded.files) {
    const ReadResult result = Read(file);
    ASSERT_TRUE(result.status.ok()) << result.status;
    all.insert(all.end(), result.lines.begin(), result.lines.end());
  }
  EXPECT_EQ(all, lines);
}

}  // namespace
}  // namespace logweave

// Lines kept in their files (IndexOptions::lines_in_files): a replay's index
// that reads its lines back from the files answers exactly as one that keeps
// copies, holds less, and counts a line whose file changed under it.
#include "logweave/line_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "connectors/file/replay_source.h"
#include "index/line_store.h"
#include "logweave/runtime.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;

std::string Line(const std::string& trace, int second, const std::string& service,
                 const std::string& message, const std::string& extra = "") {
  return absl::StrCat(R"({"time":"2026-11-23T10:00:)", second < 10 ? "0" : "", second,
                      R"(Z","level":"info","service":")", service, R"(","trace_id":")", trace,
                      R"(","message":")", message, R"(")", extra, "}");
}

// Files of several kinds: a BOM and CRLF endings, an escaped message, a
// repeated line, a secret that redaction replaces, plain text, and a
// gzip file (whose lines are always copied).
class LinesInFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("line_files_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream a(dir_ / "api.log", std::ios::binary);
    a << "\xEF\xBB\xBF" << Line("t1", 1, "api", "request received") << "\r\n";
    for (int i = 0; i < 300; ++i) {
      const std::string trace = "t" + std::to_string(i % 40);
      a << Line(trace, 2 + i % 50, "api", "handled request number " + std::to_string(i)) << "\n";
    }
    a << Line("t2", 30, "api", "quoted \\\"text\\\" here") << "\r\n";
    a << Line("t3", 31, "api", "paid", R"(,"card":"4111 1111 1111 1111")") << "\n";
    a << Line("t3", 32, "api", "repeated") << "\n" << Line("t3", 32, "api", "repeated") << "\n";
    a << "2026-11-23 10:00:33 ERROR payment failed for trace t4\n";
    a << "  at Pay.charge(Pay.java:12)\n";
    a << Line("t4", 34, "api", "done");  // no final newline
    a.close();
    std::ofstream b(dir_ / "db.log", std::ios::binary);
    for (int i = 0; i < 4000; ++i) {  // enough for sealed blocks of copies
      b << Line("t" + std::to_string(i % 40), 3 + i % 50, "db", "query " + std::to_string(i))
        << "\n";
    }
    b.close();
    // Smaller than the 4 KiB the fingerprint covers.
    std::ofstream(dir_ / "small.log", std::ios::binary)
        << Line("t8", 50, "small", "first") << "\n"
        << Line("t8", 51, "small", "second") << "\n";
    gzFile gz = gzopen((dir_ / "cache.log.gz").c_str(), "wb");
    const std::string cached =
        Line("t5", 40, "cache", "hit") + "\n" + Line("t1", 41, "cache", "miss") + "\n";
    gzwrite(gz, cached.data(), static_cast<unsigned>(cached.size()));
    gzclose(gz);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::unique_ptr<Runtime> Replay(const fs::path& dir, bool in_files,
                                         size_t max_files = SIZE_MAX) {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.pipeline.index.lines_in_files = in_files;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    if (!runtime.ok()) return nullptr;
    if (in_files) (*runtime)->pipeline().index().line_files()->set_max_files(max_files);
    ReplaySource files({dir.string()}, LineBatcherOptions(), &(*runtime)->pipeline());
    EXPECT_TRUE((*runtime)->ReadToEnd(files).ok());
    return std::move(*runtime);
  }

  // Everything a user can see of trace `id`: each event with its raw line.
  static std::string TimelineText(const Runtime& runtime, const std::string& id) {
    absl::StatusOr<Timeline> t =
        runtime.pipeline().index().GetTimeline(id, TimelineOptions{.with_raw = true});
    if (!t.ok()) return std::string(t.status().message());
    std::string out;
    for (const TimelineEvent& e : t->events) {
      absl::StrAppend(&out, e.time_ns, " ", e.service, " ", e.message, " ", e.source, ":",
                      e.line_no, "@", e.source_offset, " [", e.raw, "]\n");
    }
    return out;
  }
  static std::string SearchText(const Runtime& runtime, std::string_view text) {
    std::string out;
    TraceFilter filter;
    filter.text = text;
    runtime.pipeline().index().ScanTraces(filter, [&](const TraceSummaryView& v) {
      absl::StrAppend(&out, std::string(v.trace_id), " ");
      return true;
    });
    return out;
  }
  static std::string FindingsText(Runtime& runtime) {
    std::string out;
    ForEachFinding(runtime.AnalyzeNow(/*final=*/true)->report, [&](const Finding& f) {
      absl::StrAppend(&out, f.id, " ", f.summary, "\n");
      for (const EvidenceLine& e : f.evidence) {
        absl::StrAppend(&out, "  ", e.source, ":", e.line_no, " ", e.text, "\n");
      }
    });
    return out;
  }

  fs::path dir_;
};

// A scan counts each read of a file against its budget of work per lock hold (as it counts a
// block decompressed): the reads are the pages a window had to fetch, not the lines it served.
TEST(LineFilesTest, AWindowCountsTheFileReadsItMadeNotTheLinesItServed) {
  const fs::path path = fs::path(::testing::TempDir()) / ("window_" + std::to_string(getpid()));
  std::string text;
  for (int i = 0; i < 400; ++i) absl::StrAppend(&text, Line("t1", i % 60, "api", "m"), "\n");
  ASSERT_GT(text.size(), 16'384u);
  std::ofstream(path, std::ios::binary) << text;
  LineFiles files;
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(files.Add(0, fd));
  ::close(fd);  // Add keeps a descriptor of its own
  internal::BlockCache cache;
  FileWindow& window = cache.file_window();
  const size_t line = text.find('\n') + 1;
  EXPECT_EQ(files.Read(0, 0, 20, &window), text.substr(0, 20));
  EXPECT_EQ(files.Read(0, line, 20, &window), text.substr(line, 20));  // the same page
  EXPECT_EQ(window.reads, 1u);
  EXPECT_EQ(files.Read(0, 12'000, 20, &window), text.substr(12'000, 20));
  EXPECT_EQ(files.Read(0, 0, 20, &window), text.substr(0, 20));
  EXPECT_EQ(window.reads, 3u);
  EXPECT_EQ(cache.misses(), 3u);
  fs::remove(path);
}

TEST_F(LinesInFilesTest, TimelinesSearchesAndFindingsAreTheSameAsWithCopies) {
  std::unique_ptr<Runtime> copied = Replay(dir_, /*in_files=*/false);
  std::unique_ptr<Runtime> referenced = Replay(dir_, /*in_files=*/true);
  ASSERT_NE(copied, nullptr);
  ASSERT_NE(referenced, nullptr);
  ASSERT_NE(referenced->pipeline().index().line_files(), nullptr);
  EXPECT_EQ(copied->pipeline().index().line_files(), nullptr);
  // The three plain files are kept as references; the gzip file is not.
  EXPECT_EQ(referenced->pipeline().index().line_files()->files(), 3u);

  const IngestStats a = copied->pipeline().Stats();
  const IngestStats b = referenced->pipeline().Stats();
  EXPECT_EQ(a.indexed_events, b.indexed_events);
  EXPECT_EQ(b.duplicate_lines, 1u);  // the repeat was compared with its twin read from the file
  EXPECT_EQ(a.duplicate_lines, b.duplicate_lines);
  EXPECT_LT(b.index_bytes, a.index_bytes);

  for (int i = 0; i < 41; ++i) {
    const std::string id = i == 40 ? "t8" : "t" + std::to_string(i);
    EXPECT_EQ(TimelineText(*referenced, id), TimelineText(*copied, id)) << id;
  }
  // The BOM line, the escaped message, the redacted card, the gzip line.
  const std::string t1 = TimelineText(*referenced, "t1");
  EXPECT_NE(t1.find("request received"), std::string::npos) << t1;
  EXPECT_NE(t1.find("cache.log.gz"), std::string::npos) << t1;
  const std::string t3 = TimelineText(*referenced, "t3");
  EXPECT_EQ(t3.find("4111 1111"), std::string::npos) << t3;
  for (std::string_view text :
       {"handled request number 17", "query 1", "quoted", "paid", "nothing"}) {
    EXPECT_EQ(SearchText(*referenced, text), SearchText(*copied, text)) << text;
  }
  EXPECT_FALSE(SearchText(*referenced, "handled request number 17").empty());
  EXPECT_EQ(FindingsText(*referenced), FindingsText(*copied));
  // Past the files it may hold open, a replay copies the lines of the others.
  std::unique_ptr<Runtime> one_file = Replay(dir_, /*in_files=*/true, /*max_files=*/1);
  ASSERT_NE(one_file, nullptr);
  EXPECT_EQ(one_file->pipeline().index().line_files()->files(), 1u);
  for (const char* id : {"t1", "t3", "t7"}) {
    EXPECT_EQ(TimelineText(*one_file, id), TimelineText(*copied, id)) << id;
  }
  EXPECT_EQ(referenced->pipeline().index().Counters().unreadable_lines, 0u);
}

TEST_F(LinesInFilesTest, AFileSkippedAsBinaryIsNotHeldOpen) {
  std::string bytes(64 * 1024, '\0');
  for (size_t i = 0; i < bytes.size(); i += 7) bytes[i] = static_cast<char>(0x80 + i % 100);
  std::ofstream(dir_ / "binary.log", std::ios::binary) << bytes;
  std::unique_ptr<Runtime> referenced = Replay(dir_, /*in_files=*/true);
  ASSERT_NE(referenced, nullptr);
  // api.log, db.log and small.log; not the gzip file (copied), not the binary one (no lines).
  EXPECT_EQ(referenced->pipeline().index().line_files()->files(), 3u);
  EXPECT_EQ(referenced->pipeline().Stats().lines,
            Replay(dir_, /*in_files=*/false)->pipeline().Stats().lines);
  EXPECT_NE(TimelineText(*referenced, "t7").find("db.log"), std::string::npos);
}

TEST_F(LinesInFilesTest, AnAppendedFileStillReadsAndARewrittenOneIsCountedAsUnreadable) {
  std::unique_ptr<Runtime> copied = Replay(dir_, /*in_files=*/false);
  std::unique_ptr<Runtime> referenced = Replay(dir_, /*in_files=*/true);
  ASSERT_NE(referenced, nullptr);
  const std::string before = TimelineText(*copied, "t7");
  ASSERT_NE(before.find("db.log"), std::string::npos);

  // Appended to after the replay read it: the lines read are still there,
  // in a large file and in one smaller than its fingerprint.
  const std::string small_before = TimelineText(*copied, "t8");
  ASSERT_NE(small_before.find("second"), std::string::npos) << small_before;
  { std::ofstream(dir_ / "db.log", std::ios::app) << Line("t7", 59, "db", "later") << "\n"; }
  { std::ofstream(dir_ / "small.log", std::ios::app) << Line("t8", 52, "small", "later") << "\n"; }
  EXPECT_EQ(TimelineText(*referenced, "t7"), before);
  EXPECT_EQ(TimelineText(*referenced, "t8"), small_before);
  EXPECT_EQ(referenced->pipeline().index().Counters().unreadable_lines, 0u);

  // Rewritten in place with other lines: its lines are not shown as they were not.
  {
    std::ofstream db(dir_ / "db.log", std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 400; ++i)
      db << Line("x" + std::to_string(i), 1, "other", "rewritten") << "\n";
  }
  const std::string after = TimelineText(*referenced, "t7");
  EXPECT_EQ(after.find("rewritten"), std::string::npos) << after;
  EXPECT_NE(after.find("db.log"), std::string::npos) << after;  // the events are still listed
  EXPECT_GT(referenced->pipeline().index().Counters().unreadable_lines, 0u);
  EXPECT_GT(referenced->pipeline().Stats().unreadable_lines, 0u);
  // The copies do not depend on the file.
  EXPECT_EQ(TimelineText(*copied, "t7"), before);
}

}  // namespace
}  // namespace logweave

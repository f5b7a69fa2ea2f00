// ReplaySource's two orders: files one after another, or side by side (the one read least far
// first), with the same lines, the same answers and every file ended either way; and the same
// answers whichever order the files are given in.
#include "connectors/file/replay_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "logweave/finding.h"
#include "logweave/runtime.h"
#include "logweave/templates.h"
#include "support/two_thread_runtime.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;
using Order = ReplaySource::Order;

class ReplaySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("replay_source_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A service's file of `lines` lines over the same minute as the others': line i is event i
  // of trace i % 500 at 10:00 + i * 60 s / lines, at a time no other file's line has.
  std::string WriteService(const std::string& service, int lines, int salt) {
    const std::filesystem::path path = dir_ / (service + ".log");
    std::ofstream out(path);
    for (int i = 0; i < lines; ++i) {
      const int64_t micros = int64_t{i} * 60'000'000 / lines * 2 + salt;  // even or odd
      out << absl::StrFormat(
                 R"({"time":"2026-11-23T10:%02d:%02d.%06dZ","service":"%s","trace_id":"t%d","message":"step %d of the request, with some padding as real lines have"})",
                 micros / 60'000'000 % 60, micros / 1'000'000 % 60, micros % 1'000'000, service,
                 i % 500, i)
          << "\n";
    }
    return path.string();
  }

  // Reads dir_ in `order` and records the share of each file submitted when each batch went.
  struct Read {
    size_t between_turns = 0;                            // calls of the hook
    std::vector<std::pair<uint32_t, double>> submitted;  // source, share of its file so far
    std::vector<std::string> errors;
    uint64_t binary_files = 0;
    std::vector<SourceStatus> statuses;
    std::string timeline;  // of trace t7: service and message of each event, in order
  };
  Read ReadDir(Order order, const std::vector<std::string>& extra_paths = {}) {
    Read read;
    std::unique_ptr<Runtime> runtime = testing_support::MakeTwoThreadRuntime();
    if (runtime == nullptr) return read;
    std::vector<std::pair<uint32_t, uint64_t>> ends;  // source, end of its batch's last line
    runtime->pipeline().SetBatchTransform([&](RawBatch* b) {
      if (b->lines.empty()) return;
      const LineSpan& last = b->lines.back();
      ends.push_back({b->source_id, last.source_offset + last.length + 1});
    });
    std::vector<std::string> paths = {dir_.string()};
    paths.insert(paths.end(), extra_paths.begin(), extra_paths.end());
    LineBatcherOptions batching;
    batching.batch_lines = 256;
    ReplaySource files(paths, batching, &runtime->pipeline());
    files.set_order(order);
    files.set_between_turns([&read] { ++read.between_turns; });
    EXPECT_TRUE(runtime->ReadToEnd(files).ok());
    read.errors = files.errors();
    read.binary_files = files.binary_files();
    read.statuses = runtime->pipeline().SourceStatuses();
    for (const auto& [source, end] : ends) {
      const uint64_t size = std::filesystem::file_size(read.statuses[source].name);
      read.submitted.push_back({source, static_cast<double>(end) / static_cast<double>(size)});
    }
    absl::StatusOr<Timeline> t7 = runtime->pipeline().index().GetTimeline("t7");
    if (t7.ok()) {
      for (const TimelineEvent& e : t7->events)
        absl::StrAppend(&read.timeline, e.service, ":", e.message, ";");
    }
    return read;
  }

  // A runtime as a replay makes it: for one analysis, no change tracking, the index freed as
  // the analysis reads it.
  static std::unique_ptr<Runtime> OneAnalysisRuntime() {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.track_changes = false;
    options.keep_index_after_analysis = false;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    return runtime.ok() ? std::move(*runtime) : nullptr;
  }

  std::filesystem::path dir_;
};

// The least share of its file source `other` had submitted when `source`'s last batch went.
double OtherShareAtEnd(const std::vector<std::pair<uint32_t, double>>& submitted, uint32_t source,
                       uint32_t other) {
  double share = 0, at_end = 0;
  for (const auto& [s, done] : submitted) {
    if (s == other) share = done;
    if (s == source) at_end = share;
  }
  return at_end;
}

TEST_F(ReplaySourceTest, SideBySideGoesThroughTheFilesTogetherWithTheSameLinesAndAnswers) {
  // Two services' files over the same minute, of different sizes (3 and 6 MB): read one after
  // another, the first is all in before the second starts; side by side, neither is read to
  // its end before the other is nearly so.
  WriteService("gateway", 30'000, 0);
  WriteService("ledger", 60'000, 1);
  const Read one = ReadDir(Order::kOneAfterAnother);
  const Read side = ReadDir(Order::kSideBySide);
  ASSERT_EQ(one.statuses.size(), 2u);
  ASSERT_EQ(side.statuses.size(), 2u);
  EXPECT_EQ(OtherShareAtEnd(one.submitted, 0, 1), 0.0);
  // Side by side, a turn is a batch of 256 lines (under 1% of either file), and the first turn
  // of each reads the 1 MiB its content is judged by (a third of the smaller file).
  EXPECT_GT(OtherShareAtEnd(side.submitted, 0, 1), 0.9);
  EXPECT_GT(OtherShareAtEnd(side.submitted, 1, 0), 0.95);
  size_t switches = 0;
  for (size_t i = 1; i < side.submitted.size(); ++i) {
    switches += side.submitted[i].first != side.submitted[i - 1].first;
  }
  EXPECT_GT(switches, 50u);
  // The hook a replay under a budget analyses in runs between turns only.
  EXPECT_EQ(one.between_turns, 0u);
  EXPECT_GE(side.between_turns, switches);
  // The same lines, every file ended, and the same timeline.
  for (size_t s = 0; s < 2; ++s) {
    EXPECT_EQ(side.statuses[s].lines, one.statuses[s].lines);
    EXPECT_TRUE(side.statuses[s].ended) << side.statuses[s].name;
  }
  EXPECT_EQ(side.statuses[0].lines, 30'000u);
  EXPECT_EQ(side.statuses[1].lines, 60'000u);
  EXPECT_FALSE(one.timeline.empty());
  EXPECT_EQ(side.timeline, one.timeline);
}

TEST_F(ReplaySourceTest, SideBySideEndsFilesItCannotReadAndReadsTheRest) {
  WriteService("gateway", 3'000, 0);
  std::ofstream binary(dir_ / "blob.log", std::ios::binary);
  for (int i = 0; i < 4096; ++i) binary.put(static_cast<char>((i * 7919) % 251 + 1));
  binary.close();
  const Read side = ReadDir(Order::kSideBySide, {(dir_ / "missing.log").string()});
  EXPECT_EQ(side.binary_files, 1u);
  ASSERT_EQ(side.errors.size(), 2u);
  EXPECT_THAT(side.errors[0], HasSubstr("missing.log"));
  EXPECT_THAT(side.errors[1], HasSubstr("blob.log"));
  ASSERT_EQ(side.statuses.size(), 2u);
  for (const SourceStatus& s : side.statuses) EXPECT_TRUE(s.ended) << s.name;
  EXPECT_EQ(side.statuses[0].lines + side.statuses[1].lines, 3'000u);
}

TEST_F(ReplaySourceTest, ARuntimeSwitchedToTrackChangesKeepsItsIndexAndPublishes) {
  // What a replay does once its files turn out larger than the budget: the runtime was made
  // for one analysis (no change tracking, the index freed as it is read).
  std::unique_ptr<Runtime> runtime = OneAnalysisRuntime();
  ASSERT_NE(runtime, nullptr);
  // Traces over gateway and ledger, and one that ledger never logged.
  std::ofstream gateway(dir_ / "gateway.log"), ledger(dir_ / "ledger.log");
  for (int t = 0; t < 300; ++t) {
    gateway << absl::StrFormat(R"({"ts":%d,"service":"gateway","trace_id":"t%d","msg":"in"})",
                               1000 + 3 * t, t)
            << "\n";
    ledger << absl::StrFormat(R"({"ts":%d,"service":"ledger","trace_id":"t%d","msg":"post"})",
                              1001 + 3 * t, t)
           << "\n";
  }
  gateway << R"({"ts":2000,"service":"gateway","trace_id":"lonely","msg":"in"})"
          << "\n";
  gateway.close();
  ledger.close();
  ReplaySource files({dir_.string()}, LineBatcherOptions(), &runtime->pipeline());
  ASSERT_TRUE(runtime->ReadToEnd(files).ok());
  const uint64_t published_before = runtime->findings().next_sequence();
  runtime->TrackChangesFromNow();
  EXPECT_TRUE(runtime->options().track_changes);
  std::shared_ptr<const AnalysisSnapshot> snapshot = runtime->AnalyzeNow(/*final=*/true);
  bool lonely = false;
  for (const Finding& f : snapshot->report.findings) lonely |= f.trace_id == "lonely";
  EXPECT_TRUE(lonely);
  // Published, as serve's analyses are, and the index kept for the next analysis.
  EXPECT_GT(runtime->findings().next_sequence(), published_before);
  EXPECT_TRUE(runtime->pipeline().index().GetTimeline("t7").ok());
}

TEST_F(ReplaySourceTest, AnalysesBeforeEvictionOnceTheIndexNearsItsShare) {
  // A replay's runtime (one analysis, the index freed as it is read) whose index outgrows the
  // share watched (1 MiB here, the budget's in use): it switches to tracking changes and
  // analyses while the files are read, publishing findings before the input ends.
  std::unique_ptr<Runtime> runtime = OneAnalysisRuntime();
  ASSERT_NE(runtime, nullptr);
  // Requests of 10 lines in a row over 2 minutes, in two services' files: the first minute's
  // are settled (trace_idle 30 s) once both files are past its end.
  for (const std::string service : {"gateway", "ledger"}) {
    std::ofstream out(dir_ / (service + ".log"));
    for (int i = 0; i < 40'000; ++i) {
      out << absl::StrFormat(
                 R"({"ts":%.3f,"service":"%s","trace_id":"r%d","msg":"step of a request, padded"})",
                 1000 + i * 0.003 + (service == "ledger" ? 0.001 : 0), service, i / 10)
          << "\n";
    }
  }
  ReplaySource files({dir_.string()}, LineBatcherOptions(), &runtime->pipeline());
  files.set_order(Order::kSideBySide);
  files.set_between_turns(runtime->AnalysisBeforeEviction(/*share=*/1 << 20));
  ASSERT_TRUE(runtime->ReadToEnd(files).ok());
  EXPECT_TRUE(runtime->options().track_changes);
  // At the switch (once the index holds 7/8 MiB: a few MB in), then every half MiB read.
  EXPECT_GE(runtime->analysis_runs().runs, 3u);
  // The traces are judged as the files go (their last events settle), not only at the end.
  EXPECT_GT(runtime->snapshot()->report.traces_judged, 0u);
}

TEST(ReplaySourceOrderTest, FilesLargerThanTwiceTheIndexShareAreReadSideBySide) {
  constexpr uint64_t kIndex = 100 << 20;
  EXPECT_TRUE(ReplaySource::SideBySide(Order::kAuto, 2, 2 * kIndex + 1, kIndex));
  EXPECT_FALSE(ReplaySource::SideBySide(Order::kAuto, 2, 2 * kIndex, kIndex));
  EXPECT_FALSE(ReplaySource::SideBySide(Order::kAuto, 1, 10 * kIndex, kIndex));  // one file
  EXPECT_FALSE(ReplaySource::SideBySide(Order::kAuto, 5, 10 * kIndex, 0));       // no budget
  EXPECT_TRUE(ReplaySource::SideBySide(Order::kSideBySide, 1, 0, 0));
  EXPECT_FALSE(ReplaySource::SideBySide(Order::kOneAfterAnother, 5, 10 * kIndex, kIndex));
}

// The answers of a replay do not depend on the order its files are given or read in, even
// where services' lines share a time: timelines, findings with their evidence, plain-text
// errors and their template ids.
class FileOrderTest : public ReplaySourceTest {
 protected:
  void SetUp() override {
    ReplaySourceTest::SetUp();
    // 200 requests: web, cache and db each log a line at the same millisecond, then web
    // another 5 ms later; request 17 has no db line. db and web also log plain-text
    // errors, each with its own template.
    std::ofstream web(dir_ / "web.log"), cache(dir_ / "cache.log"), db(dir_ / "db.log");
    for (int r = 0; r < 200; ++r) {
      const std::string time =
          absl::StrFormat("2026-11-23T10:%02d:%02d.%03d", r / 60, r % 60, (r * 7) % 990);
      const std::string done =
          absl::StrFormat("2026-11-23T10:%02d:%02d.%03d", r / 60, r % 60, (r * 7) % 990 + 5);
      auto line = [&](std::ofstream& out, const std::string& at, const std::string& service,
                      const std::string& message) {
        out << absl::StrFormat(R"({"time":"%sZ","service":"%s","trace_id":"r%d","msg":"%s"})", at,
                               service, r, message)
            << "\n";
      };
      line(web, time, "web", "request received");
      line(cache, time, "cache", "lookup");
      if (r != 17) line(db, time, "db", "query run");
      line(web, done, "web", "request completed");
      if (r % 20 == 3) {
        db << time << "Z ERROR connection to 10.0.0." << r << " refused (trace r" << r << ")\n";
        web << done << "Z ERROR upstream 10.0.1." << r << " timed out after " << r << " ms\n";
      }
    }
  }
  // Everything a replay of `files` in `order` answers, as text: each trace's timeline, each
  // finding (id, summary, details, evidence) and each plain-text error with its template.
  std::string Answers(const std::vector<std::string>& files, Order order) {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.track_changes = false;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    if (!runtime.ok()) return "";
    std::vector<std::string> paths;
    for (const std::string& f : files) paths.push_back((dir_ / f).string());
    ReplaySource source(paths, LineBatcherOptions(), &(*runtime)->pipeline());
    source.set_order(order);
    EXPECT_TRUE((*runtime)->ReadToEnd(source).ok());
    (*runtime)->pipeline().EndOfInput();
    std::string out;
    for (int r = 0; r < 200; ++r) {
      absl::StatusOr<Timeline> t = (*runtime)->pipeline().index().GetTimeline(absl::StrCat("r", r));
      EXPECT_TRUE(t.ok()) << t.status();
      if (!t.ok()) continue;
      for (const TimelineEvent& e : t->events) {
        absl::StrAppend(&out, e.service, "@", e.time_ns, ":", e.message, " ", e.source, ":",
                        e.line_no, ";");
      }
      absl::StrAppend(&out, "\n");
    }
    std::shared_ptr<const AnalysisSnapshot> snap = (*runtime)->AnalyzeNow(/*final=*/true);
    ForEachFinding(snap->report, [&](const Finding& f) {
      absl::StrAppend(&out, f.id, "|", f.summary);
      for (const auto& [name, value] : f.details) absl::StrAppend(&out, "|", name, "=", value);
      for (const EvidenceLine& e : f.evidence) {
        absl::StrAppend(&out, "|", e.source, ":", e.line_no, " ", e.text);
      }
      absl::StrAppend(&out, "\n");
    });
    for (const AttributedEntry& a : snap->report.unstructured) {
      absl::StrAppend(&out, std::string(a.entry.id), " template ", a.entry.template_id, "\n");
    }
    return out;
  }
};

TEST_F(FileOrderTest, TheSameAnswersWhicheverOrderTheFilesAreGivenAndReadIn) {
  const std::string forward = Answers({"web.log", "cache.log", "db.log"}, Order::kOneAfterAnother);
  // The trace without its db line is found, its kind named by its first event: at the tie, the
  // first service by name (cache), not the first file read.
  EXPECT_THAT(forward, HasSubstr("Trace r17 ("));
  EXPECT_THAT(forward, HasSubstr("cache: lookup"));
  EXPECT_THAT(forward, HasSubstr("template "));
  for (const std::vector<std::string>& files :
       {std::vector<std::string>{"db.log", "cache.log", "web.log"},
        std::vector<std::string>{"cache.log", "db.log", "web.log"}}) {
    EXPECT_EQ(Answers(files, Order::kOneAfterAnother), forward) << files[0] << " first";
    EXPECT_EQ(Answers(files, Order::kSideBySide), forward) << files[0] << " first, side by side";
  }
}

// The id of db's "ERROR connection to <*> refused" (a hash of the service and those words).
constexpr uint64_t kConnectionTemplateId = 37235750976;

TEST(TemplateIdTest, IdsDoNotDependOnTheOrderServicesArriveIn) {
  // Forward, the templates start in the order connection, upstream, disk; backward, disk,
  // upstream, connection.
  const std::vector<MinedLine> lines = {
      {.service = "db", .text = "ERROR connection to 10.0.0.1 refused"},
      {.service = "web", .text = "ERROR upstream 10.0.1.1 timed out after 30 ms"},
      {.service = "db", .text = "ERROR connection to 10.0.0.2 refused"},
      {.service = "web", .text = "ERROR upstream 10.0.1.2 timed out after 31 ms"},
      {.service = "db", .text = "ERROR disk full on /var/lib/db"},
  };
  TemplateMiner forward{TemplateMinerOptions{}}, backward{TemplateMinerOptions{}};
  std::vector<uint64_t> ids_forward, ids_backward(lines.size());
  for (const MinedLine& l : lines) ids_forward.push_back(forward.Add(l));
  for (size_t i = lines.size(); i-- > 0;) ids_backward[i] = backward.Add(lines[i]);
  EXPECT_EQ(ids_backward, ids_forward);
  // Three templates; each id non-zero, short (40 bits) and found again.
  EXPECT_EQ(forward.size(), 3u);
  EXPECT_EQ(ids_forward[0], ids_forward[2]);
  EXPECT_EQ(ids_forward[1], ids_forward[3]);
  // The same on every run and instance: a user's `--template ID` keeps meaning one template.
  EXPECT_EQ(ids_forward[0], kConnectionTemplateId);
  for (uint64_t id : ids_forward) {
    EXPECT_NE(id, 0u);
    EXPECT_LT(id, uint64_t{1} << 40);
    ASSERT_NE(forward.Find(id), nullptr);
    EXPECT_EQ(forward.Find(id)->id, id);
  }
  EXPECT_EQ(forward.Find(12345), nullptr);
  // By count, then id: the same listing either way.
  const std::vector<TemplateInfo> a = forward.Snapshot(), b = backward.Snapshot();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].text, b[i].text);
  }
  EXPECT_EQ(a[0].count, 2u);
  EXPECT_EQ(a[2].count, 1u);
  EXPECT_LT(a[0].id, a[1].id);
}

}  // namespace
}  // namespace logweave

// The runtime: sources started, paused and stopped the same way, their
// progress per source; and `logweave replay` and `logweave serve`, both thin
// commands over it, giving the same findings and timelines for the same input.
#include "logweave/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "connectors/file/replay_source.h"
#include "connectors/stdin/stdin_source.h"
#include "rapidjson/document.h"
#include "support/two_thread_runtime.h"
#include "testdata/json_lines.h"
#include "testdata/run_command.h"

namespace logweave {
namespace {

using testdata::JsonLines;

using ::testing::HasSubstr;

std::unique_ptr<Runtime> MakeRuntime() { return testing_support::MakeTwoThreadRuntime(); }

std::string JsonLine(const std::string& trace, int second, const std::string& message) {
  return absl::StrCat(R"({"time":"2026-11-23T10:00:)", second < 10 ? "0" : "", second,
                      R"(Z","level":"info","trace_id":")", trace, R"(","message":")", message,
                      R"("})");
}

template <typename F>
bool PollUntil(F done, absl::Duration timeout = absl::Seconds(10)) {
  for (absl::Time end = absl::Now() + timeout; absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(10))) {
    if (done()) return true;
  }
  return done();
}

// A pipe whose read end a StdinSource reads.
class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    CloseWrite();
    ::close(fds_[0]);
  }
  int read_fd() const { return fds_[0]; }
  void Write(const std::string& text) {
    ASSERT_EQ(::write(fds_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void CloseWrite() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

std::unique_ptr<StdinSource> PipeSource(const Pipe& pipe, Pipeline* pipeline) {
  StdinSourceOptions options;
  options.fd = pipe.read_fd();
  options.poll_interval = absl::Milliseconds(20);
  return std::make_unique<StdinSource>(options, pipeline);
}

TEST(RuntimeTest, AStreamingSourceRunsUntilItsDataEndsAndReportsItsProgress) {
  std::unique_ptr<Runtime> runtime = MakeRuntime();
  ASSERT_NE(runtime, nullptr);
  Pipe pipe;
  runtime->Start(PipeSource(pipe, &runtime->pipeline()));
  pipe.Write(JsonLine("t1", 1, "a") + "\n" + JsonLine("t1", 5, "b") + "\n");
  // A quiet pipe has its lines indexed within a poll interval, before its end.
  // Progress counts a batch once every shard has released it, a moment after
  // the index counts its events.
  ASSERT_TRUE(PollUntil([&] {
    return runtime->pipeline().Stats().indexed_events == 2 &&
           runtime->pipeline().SourceStatuses()[0].progress_ns != 0;
  }));
  std::vector<SourceStatus> statuses = runtime->pipeline().SourceStatuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].name, "-");
  EXPECT_EQ(statuses[0].lines, 2u);
  EXPECT_FALSE(statuses[0].ended);
  EXPECT_EQ(statuses[0].progress_ns, absl::ToUnixNanos(absl::FromUnixSeconds(1795428005)));
  pipe.CloseWrite();
  ASSERT_TRUE(PollUntil([&] { return runtime->pipeline().SourceStatuses()[0].ended; }));
  runtime->Stop();
  EXPECT_EQ(runtime->pipeline().Stats().lines, 2u);
}

TEST(RuntimeTest, APausedSourceReadsNothingNewUntilResumed) {
  std::unique_ptr<Runtime> runtime = MakeRuntime();
  ASSERT_NE(runtime, nullptr);
  Pipe pipe;
  std::unique_ptr<StdinSource> owned = PipeSource(pipe, &runtime->pipeline());
  StdinSource* source = owned.get();
  source->Pause();
  runtime->Start(std::move(owned));
  pipe.Write(JsonLine("t1", 1, "a") + "\n");
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(runtime->pipeline().Stats().lines, 0u) << "a paused source read its input";
  source->Resume();
  EXPECT_TRUE(PollUntil([&] { return runtime->pipeline().Stats().indexed_events == 1; }));
  runtime->Stop();
}

TEST(RuntimeTest, StopEndsStreamingSourcesAndClosesFindingsOnce) {
  std::unique_ptr<Runtime> runtime = MakeRuntime();
  ASSERT_NE(runtime, nullptr);
  Pipe pipe;  // never closed: only Stop ends the source
  runtime->Start(PipeSource(pipe, &runtime->pipeline()));
  pipe.Write(JsonLine("t1", 1, "a") + "\n" + JsonLine("t1", 2, "partial"));  // no newline
  runtime->StartAnalysisLoop();
  // The complete line is read and indexed (one write: one read takes both lines).
  ASSERT_TRUE(PollUntil([&] { return runtime->pipeline().Stats().indexed_events >= 1; }));
  runtime->Stop();
  EXPECT_TRUE(runtime->findings().closed());
  // What was read was submitted: the complete line, and the partial one at the end.
  EXPECT_EQ(runtime->pipeline().Stats().lines, 2u);
  runtime->Stop();  // idempotent
  // A source started after Stop is not run.
  Pipe other;
  other.Write(JsonLine("t2", 1, "late") + "\n");
  runtime->Start(PipeSource(other, &runtime->pipeline()));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(runtime->pipeline().Stats().lines, 2u);
}

TEST(RuntimeTest, TheLoopAnalysesAgainWhenALaggingSourceGoesIdleWithoutNewLines) {
  RuntimeOptions options;
  options.pipeline.threads = 2;
  options.pipeline.detectors.trace_idle_ns = 5'000'000'000;
  options.pipeline.detectors.source_idle_ns = 400'000'000;  // 400 ms of wall time
  options.analysis_interval = absl::Milliseconds(50);
  absl::StatusOr<std::unique_ptr<Runtime>> created = Runtime::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  Runtime& runtime = **created;
  // `fast` is at 10:00:40; `lagging` sent one line at 10:00:02 and then nothing, without
  // ending. While it sends, the watermark is 10:00:02 and t1 (10:00:01-05) waits.
  Pipe fast, lagging;
  runtime.Start(PipeSource(fast, &runtime.pipeline()));
  runtime.Start(PipeSource(lagging, &runtime.pipeline()));
  fast.Write(JsonLine("t1", 1, "a") + "\n" + JsonLine("t1", 5, "b") + "\n" +
             JsonLine("t2", 40, "c") + "\n");
  lagging.Write(JsonLine("t3", 2, "d") + "\n");
  ASSERT_TRUE(PollUntil([&] { return runtime.pipeline().Stats().indexed_events == 4; }));
  runtime.StartAnalysisLoop();
  // Once `lagging` has been quiet for source_idle, the watermark moves to 10:00:40 with no
  // new line: the loop must analyse again and judge t1 and t3.
  EXPECT_TRUE(PollUntil([&] { return runtime.snapshot()->report.traces_judged == 2; }))
      << "judged " << runtime.snapshot()->report.traces_judged << " at watermark "
      << runtime.snapshot()->report.watermark_ns;
  runtime.Stop();
}

TEST(RuntimeTest, ReplaySourceReadsEveryFileEndsEachAndNamesTheOnesItCannotRead) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("runtime_replay_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.log") << JsonLine("t1", 1, "a") << "\n" << JsonLine("t1", 2, "b") << "\n";
  std::ofstream(dir / "b.log") << JsonLine("t1", 3, "c") << "\n";
  std::unique_ptr<Runtime> runtime = MakeRuntime();
  ASSERT_NE(runtime, nullptr);
  ReplaySource files({dir.string(), (dir / "missing.log").string()}, LineBatcherOptions(),
                     &runtime->pipeline());
  EXPECT_TRUE(runtime->ReadToEnd(files).ok());
  EXPECT_EQ(files.files(), 2u);
  ASSERT_EQ(files.errors().size(), 1u);
  EXPECT_THAT(files.errors()[0], HasSubstr("missing.log"));
  const std::vector<SourceStatus> statuses = runtime->pipeline().SourceStatuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].lines, 2u);
  EXPECT_EQ(statuses[1].lines, 1u);
  for (const SourceStatus& s : statuses) EXPECT_TRUE(s.ended) << s.name;
  // Read to the end, and indexed: every event is there when ReadToEnd returns.
  EXPECT_EQ(runtime->pipeline().Stats().indexed_events, 3u);
  std::shared_ptr<const AnalysisSnapshot> snapshot = runtime->AnalyzeNow(/*final=*/true);
  EXPECT_EQ(snapshot, runtime->snapshot());
  EXPECT_EQ(snapshot->report.traces_judged, 1u);
  std::filesystem::remove_all(dir);
}

// --- replay and serve: the same answers for the same input ---

// A finding as text: id, summary, details and the text of its evidence.
std::string FindingText(const Finding& f) {
  std::string k = absl::StrCat(f.id, "|", f.summary);
  for (const auto& [name, value] : f.details) absl::StrAppend(&k, "|", name, "=", value);
  for (const EvidenceLine& e : f.evidence) absl::StrAppend(&k, "|", e.text);
  return k;
}

// A finding as both commands print it, `details` compared as a map (the
// client prints its keys sorted).
std::string FindingKey(const rapidjson::Value& f) {
  std::string key;
  for (const char* field : {"kind", "id", "status", "severity", "trace_id", "subject", "summary"}) {
    absl::StrAppend(&key, field, "=", f.HasMember(field) ? f[field].GetString() : "", "|");
  }
  absl::StrAppend(&key, "time_ns=", f["time_ns"].GetInt64(), "|");
  std::map<std::string, std::string> details;
  if (f.HasMember("details")) {
    for (const auto& d : f["details"].GetObject())
      details[d.name.GetString()] = d.value.GetString();
  }
  for (const auto& [k, v] : details) absl::StrAppend(&key, k, ":", v, ";");
  return key;
}

// What a runtime reads of its findings with the plain-text errors' findings deferred (built as
// they are read) equals what it reads with them built: the report in order, each trace's
// findings, the counts by kind, and what the hub publishes, across two analyses with more
// files in between (new errors in each).
TEST(RuntimeTest, DeferredPlainTextFindingsReadTheSameAsBuiltOnes) {
  const std::string logs = absl::StrCat(LOGWEAVE_SOURCE_DIR, "/deploy/demo/logs/");
  const std::vector<std::vector<std::string>> halves = {
      {logs + "checkout.log", logs + "email.log", logs + "fraud.log", logs + "gateway.log"},
      {logs + "inventory.log", logs + "ledger.log", logs + "payments.log"}};
  auto key = [](const Finding& f) {
    std::string k = absl::StrCat(f.id, "|", f.resolved, "|", f.summary);
    for (const auto& [name, value] : f.details) absl::StrAppend(&k, "|", name, "=", value);
    for (const EvidenceLine& e : f.evidence) absl::StrAppend(&k, "|", e.source, ":", e.text);
    return k;
  };
  struct Read {
    std::vector<std::string> report, published;
    std::map<std::string, std::vector<std::string>> by_trace;
    std::map<std::string, uint64_t> counts;
  };
  auto read = [&](bool defer) {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.defer_unstructured_findings = defer;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    Read r;
    uint64_t next = 0;
    std::shared_ptr<const AnalysisSnapshot> snap;
    for (size_t h = 0; h < halves.size(); ++h) {
      ReplaySource files(halves[h], options.pipeline.batching, &(*runtime)->pipeline());
      EXPECT_TRUE((*runtime)->ReadToEnd(files).ok());
      snap = (*runtime)->AnalyzeNow(/*final=*/h + 1 == halves.size());
      const size_t before = r.published.size();
      for (const Finding& f : (*runtime)->findings().Read(&next, absl::ZeroDuration())) {
        r.published.push_back(key(f));
      }
      EXPECT_GT(r.published.size(), before);
    }
    EXPECT_EQ(snap->report.unstructured_findings_deferred, defer);
    ForEachFinding(snap->report, [&](const Finding& f) { r.report.push_back(key(f)); });
    for (const auto& [trace, positions] : snap->findings_by_trace) {
      for (size_t p : positions) {
        const FindingRef ref = snap->FindingAt(p);
        const Finding f = ref.Build();
        EXPECT_EQ(ref.kind(), f.kind);
        EXPECT_EQ(ref.severity(), f.severity);
        EXPECT_EQ(f.trace_id, trace);
        r.by_trace[trace].push_back(key(f));
      }
    }
    r.counts = FindingCountsByKind(snap->report);
    return r;
  };
  const Read built = read(false), deferred = read(true);
  ASSERT_GT(built.counts.count("unstructured_error"), 0u);
  EXPECT_GE(built.counts.at("unstructured_error"), 5u);  // the demo has six
  EXPECT_EQ(deferred.report, built.report);
  EXPECT_EQ(deferred.published, built.published);
  EXPECT_EQ(deferred.by_trace, built.by_trace);
  EXPECT_EQ(deferred.counts, built.counts);
}

// The demo's log files.
std::vector<std::string> DemoLogs() {
  const std::string logs = absl::StrCat(LOGWEAVE_SOURCE_DIR, "/deploy/demo/logs/");
  std::vector<std::string> files;
  for (const char* name : {"checkout.log", "email.log", "fraud.log", "gateway.log", "inventory.log",
                           "ledger.log", "payments.log"}) {
    files.push_back(logs + name);
  }
  return files;
}

TEST(RuntimeTest, AReportOfFirstLinesGivesTheSameFindingsAsOneOfWholeTexts) {
  const std::vector<std::string> files = DemoLogs();
  struct Read {
    std::vector<std::string> findings;
    std::vector<std::string> texts;
  };
  auto read = [&](bool whole) {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.track_changes = false;  // as a replay: the entries are taken over
    options.unstructured_whole_texts = whole;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    ReplaySource source(files, options.pipeline.batching, &(*runtime)->pipeline());
    EXPECT_TRUE((*runtime)->ReadToEnd(source).ok());
    std::shared_ptr<const AnalysisSnapshot> snap = (*runtime)->AnalyzeNow(/*final=*/true);
    Read r;
    ForEachFinding(snap->report, [&](const Finding& f) { r.findings.push_back(FindingText(f)); });
    for (const AttributedEntry& a : snap->report.unstructured) r.texts.push_back(a.entry.text);
    return r;
  };
  const Read whole = read(true), first_lines = read(false);
  EXPECT_EQ(first_lines.findings, whole.findings);
  ASSERT_EQ(first_lines.texts.size(), whole.texts.size());
  ASSERT_GE(whole.texts.size(), 5u);  // the demo has six plain-text errors
  size_t multi_line = 0;
  for (size_t i = 0; i < whole.texts.size(); ++i) {
    const std::string& text = whole.texts[i];
    multi_line += text.find('\n') != std::string::npos;
    EXPECT_EQ(first_lines.texts[i], text.substr(0, text.find('\n')));
  }
  EXPECT_GT(multi_line, 0u);  // stack traces: the whole texts are more than their first lines
}

// A replay that asks for no timeline frees each shard of the index once the
// analysis has read it: its findings, evidence and plain-text errors are those of
// a run that keeps the index, and only timelines are gone (NOT_FOUND, saying why).
TEST(RuntimeTest, AnIndexFreedAsTheAnalysisReadsItGivesTheSameFindings) {
  const std::vector<std::string> files = DemoLogs();
  struct Run {
    std::vector<std::string> findings;
    std::vector<std::string> errors;
    std::string trace;  // of a missing_service finding
    absl::Status timeline;
    uint64_t events_left = 0;
  };
  auto run = [&](bool keep) {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.pipeline.index.shards = 8;
    options.track_changes = false;
    options.keep_index_after_analysis = keep;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    ReplaySource source(files, options.pipeline.batching, &(*runtime)->pipeline());
    EXPECT_TRUE((*runtime)->ReadToEnd(source).ok());
    (*runtime)->pipeline().EndOfInput();
    std::shared_ptr<const AnalysisSnapshot> snap = (*runtime)->AnalyzeNow(/*final=*/true);
    Run r;
    ForEachFinding(snap->report, [&](const Finding& f) {
      r.findings.push_back(FindingText(f));
      if (f.kind == "missing_service" && r.trace.empty()) r.trace = f.trace_id;
    });
    for (const AttributedEntry& a : snap->report.unstructured) {
      r.errors.push_back(absl::StrCat(std::string(a.entry.id), "|", std::string(a.entry.text), "|",
                                      a.candidates.empty() ? "" : a.candidates[0].trace_id));
    }
    r.timeline = (*runtime)->pipeline().index().GetTimeline(r.trace).status();
    r.events_left = (*runtime)->pipeline().index().Counters().events;
    return r;
  };
  const Run kept = run(true), freed = run(false);
  ASSERT_GE(kept.findings.size(), 10u);
  EXPECT_EQ(freed.findings, kept.findings);
  ASSERT_GE(kept.errors.size(), 5u);
  EXPECT_EQ(freed.errors, kept.errors);
  ASSERT_FALSE(kept.trace.empty());
  EXPECT_TRUE(kept.timeline.ok()) << kept.timeline;
  EXPECT_GT(kept.events_left, 0u);
  EXPECT_TRUE(absl::IsNotFound(freed.timeline)) << freed.timeline;
  EXPECT_THAT(std::string(freed.timeline.message()), HasSubstr("freed the traces it held"));
  EXPECT_EQ(freed.events_left, 0u);

  // Only a one-shot analysis may free what the next one would read.
  RuntimeOptions streaming;
  streaming.keep_index_after_analysis = false;
  absl::StatusOr<std::unique_ptr<Runtime>> refused = Runtime::Create(streaming);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("keep_index_after_analysis"));
}

// Plain-text errors the collector's limits drop between two analyses were not disproved: they
// are never published as resolved, whether the findings are built or deferred (serve).
TEST(RuntimeTest, PlainTextErrorsDroppedByTheBudgetAreNotResolved) {
  std::vector<std::string> files;
  for (int f = 0; f < 2; ++f) {
    const std::string path =
        absl::StrCat(::testing::TempDir(), "/dropped_errors_", getpid(), "_", f, ".log");
    std::ofstream out(path);
    for (int i = 0; i < 12'000; ++i) {
      const uint64_t v = static_cast<uint64_t>(f * 12'000 + i + 1) * 0x9E3779B97F4A7C15ull;
      out << absl::StrFormat("2026-11-23 10:%02d:%02d,%03d ERROR request %016x failed: %016x\n",
                             i / 600 % 60, i / 10 % 60, i % 1000, v, v ^ 0xabcdef)
          << absl::StrFormat("    at com.example.Client.call(Client.java:%d)\n", i % 997);
    }
    out << "2026-11-23 11:00:00,000 INFO done\n";
    files.push_back(path);
  }
  for (bool defer : {false, true}) {
    SCOPED_TRACE(defer ? "deferred" : "built");
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.pipeline.index.max_bytes = 64ull << 20;  // the errors' share: 2 MiB
    options.defer_unstructured_findings = defer;
    absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    uint64_t next = 0, errors = 0, resolved = 0;
    for (const std::string& file : files) {
      ReplaySource source({file}, options.pipeline.batching, &(*runtime)->pipeline());
      EXPECT_TRUE((*runtime)->ReadToEnd(source).ok());
      (*runtime)->AnalyzeNow(/*final=*/false);
      for (const Finding& f : (*runtime)->findings().Read(&next, absl::ZeroDuration())) {
        if (f.kind != "unstructured_error") continue;
        ++errors;
        resolved += f.resolved;
      }
    }
    // The second file's errors pushed out the first's, counted.
    EXPECT_GT((*runtime)->pipeline().Stats().unstructured_dropped, 12'000u);
    EXPECT_GT(errors, 0u);
    EXPECT_EQ(resolved, 0u);
  }
  for (const std::string& file : files) std::filesystem::remove(file);
}

TEST(ReplayServeTest, ReplayAndServeGiveTheSameFindingsAndTimelines) {
  const std::string bin = LOGWEAVE_BIN;
  const std::string logs = absl::StrCat(LOGWEAVE_SOURCE_DIR, "/deploy/demo/logs");
  const std::string config = absl::StrCat(LOGWEAVE_SOURCE_DIR, "/deploy/demo/logweave.yaml");
  const std::string err = ::testing::TempDir() + "/replay_serve_err.txt";
  const testdata::CommandResult replay = testdata::RunCommand(
      absl::StrCat(bin, " replay ", logs, " --config ", config, " --json --final --quiet"), err);
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::multiset<std::string> replayed;
  std::vector<std::string> traces;
  for (const auto& d : JsonLines(replay.out)) {
    const std::string kind = d["kind"].GetString();
    if (kind == "summary" || kind == "action") continue;  // the demo's config acts on its canary
    replayed.insert(FindingKey(d));
    const std::string trace = d["trace_id"].GetString();
    if (!trace.empty() && traces.size() < 6) traces.push_back(trace);
  }
  ASSERT_GT(replayed.size(), 10u);
  ASSERT_FALSE(traces.empty());

  testdata::StreamingCommand serve(absl::StrCat(bin, " serve ", logs, " --config ", config,
                                                " --final --address 127.0.0.1:0 2>&1"));
  std::string address;
  for (std::string line = serve.ReadLine(); !line.empty(); line = serve.ReadLine()) {
    const std::string marker = "listening on ";
    if (size_t at = line.find(marker); at != std::string::npos) {
      address = line.substr(at + marker.size());
      address = address.substr(0, address.find(' '));
    }
    if (line.find("ready:") != std::string::npos) break;
  }
  ASSERT_FALSE(address.empty());
  const testdata::CommandResult served = testdata::RunCommand(
      absl::StrCat(bin, " findings --json --server ", address, " </dev/null"), err);
  ASSERT_EQ(served.exit_code, 0) << served.err;
  std::multiset<std::string> streamed;
  for (const auto& d : JsonLines(served.out)) streamed.insert(FindingKey(d));
  EXPECT_EQ(streamed, replayed);

  for (const std::string& trace : traces) {
    const testdata::CommandResult from_replay =
        testdata::RunCommand(absl::StrCat(bin, " replay ", logs, " --config ", config,
                                          " --json --final --quiet --raw --timeline ", trace),
                             err);
    const testdata::CommandResult from_serve = testdata::RunCommand(
        absl::StrCat(bin, " timeline ", trace, " --json --raw --server ", address, " </dev/null"),
        err);
    ASSERT_EQ(from_serve.exit_code, 0) << from_serve.err;
    const std::vector<rapidjson::Document> a = JsonLines(from_replay.out);
    const std::vector<rapidjson::Document> b = JsonLines(from_serve.out);
    ASSERT_FALSE(a.empty());
    ASSERT_FALSE(b.empty());
    ASSERT_STREQ(a[0]["kind"].GetString(), "timeline");
    EXPECT_TRUE(a[0]["events"] == b[0]["events"]) << trace;
    EXPECT_TRUE(a[0]["services"] == b[0]["services"]) << trace;
  }
  serve.Signal(SIGINT);
  EXPECT_EQ(serve.Close(), 0);
}

}  // namespace
}  // namespace logweave

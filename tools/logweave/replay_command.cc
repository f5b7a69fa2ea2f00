// logweave replay: batch ingest of log files, then answers about them.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/base/config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/file/replay_source.h"
#include "connectors/otlp/otlp_lines.h"
#include "logweave/pipeline.h"
#include "logweave/report.h"
#include "logweave/runtime.h"
#include "logweave/utf8.h"
#include "tools/flags/flags.h"
#include "tools/logweave/action_output.h"
#include "tools/logweave/command_actions.h"
#include "tools/logweave/command_config.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"
#include "tools/logweave/replay_summary.h"

namespace logweave::cli {
namespace {

constexpr char kReplayDescription[] =
    R"(Ingests log files as fast as the machine allows, indexes every line by trace id,
runs the detectors (plain-text errors attributed to traces, services missing from
traces, sequences left incomplete), and prints what was asked: an incident summary
(default), timelines, findings, plain-text errors, counters, or JSON.

Detection runs on event time. Files are complete, so at their end every trace
is judged. Lines from stdin (-) may still be coming: there a trace is judged
once it has been quiet for trace_idle (30s) before the latest event time, as
serve does; --final judges every trace of stdin too, --final=false none of the
files' last trace_idle.

PATH is a file, a directory (every *.log, *.json, *.ndjson, *.jsonl below it,
also .gz / .zst compressed) or - for stdin. Lines without a service field take
their service from the file name (payments.log -> payments).
)";

struct ReplayFlags {
  std::string config;
  uint64_t threads = 0;
  uint64_t shards = 0;
  uint64_t max_line_bytes = UINT64_MAX;  // UINT64_MAX: not given
  std::vector<std::string> timelines;
  bool raw = false;
  bool stats = false;
  bool json = false;
  bool quiet = false;
  bool progress = false;
  bool final = false;
  bool findings = false;
  bool unstructured = false;
  bool ungrouped = false;
  bool copy_lines = false;
};

// Prints ingest progress to stderr about once a second until stopped.
class ProgressReporter {
 public:
  ProgressReporter(const Pipeline* pipeline, bool enabled) : pipeline_(pipeline) {
    if (enabled) thread_ = std::thread([this] { Run(); });
  }
  ~ProgressReporter() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
      std::fputs("\r\033[K", stderr);
    }
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      IngestStats s = pipeline_->Stats();
      double secs = s.elapsed_seconds > 0 ? s.elapsed_seconds : 1;
      std::fprintf(stderr, "\rreplay: %s lines, %s, %.0f lines/s, %.1f MB/s\033[K",
                   Thousands(s.lines).c_str(), HumanBytes(static_cast<double>(s.bytes)).c_str(),
                   s.lines / secs, s.bytes / secs / 1e6);
    }
  }

  const Pipeline* pipeline_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Ends the process once the output is written, without destroying the index
// and the report: the kernel takes the memory back at once, while freeing it
// piece by piece took longer than writing the output on a replay of many
// plain-text errors (73 k entries: ~65 ms). stdout is flushed first (the log
// writes straight to its descriptor). The sanitizers' builds return
// `exit_code` instead, so that the replay tears down and their checks at exit
// still see everything it made.
int EndReplay(int exit_code) {
  std::fflush(nullptr);
#if !defined(ABSL_HAVE_ADDRESS_SANITIZER) && !defined(ABSL_HAVE_THREAD_SANITIZER) && \
    !defined(ABSL_HAVE_LEAK_SANITIZER) && !defined(ABSL_HAVE_MEMORY_SANITIZER)
  std::_Exit(exit_code);
#endif
  return exit_code;
}

}  // namespace

int RunReplay(const std::vector<std::string>& args) {
  ReplayFlags f;
  FlagSet flags("logweave replay", "[flags] PATH...", kReplayDescription);
  flags.set_exit_codes(
      "Exit codes: 0 ok; 1 a file could not be read or a trace was not found (the\n"
      "other files are still read); 2 usage error.\n");
  flags.set_examples({"logweave replay logs/",
                      "logweave replay logs/*.log --timeline 4bf92f3577b34da6a3ce929d0e0e4736",
                      "zcat app.log.gz | logweave replay - --stats",
                      "logweave replay logs/ --unstructured",
                      "logweave replay logs/ --json | jq 'select(.kind==\"missing_service\")'"});
  flags.String("config", &f.config, "FILE", "YAML config file (see docs/config.md)");
  flags.Uint("threads", &f.threads, "N", "worker threads (default: one per core)");
  flags.Uint("shards", &f.shards, "N", "index shards (default: 4 x threads)");
  flags.Size("max-line-bytes", &f.max_line_bytes, "SIZE",
             "cut longer lines, keeping the head (default 1MiB)");
  flags.StringList("timeline", &f.timelines, "TRACE_ID",
                   "print the timeline of a trace (repeatable)");
  flags.Bool("raw", &f.raw, "with --timeline: show each event's raw line");
  flags.Bool("stats", &f.stats, "print the ingest counters");
  flags.Bool("json", &f.json,
             "print JSON Lines: timelines, findings, then a {\"kind\":\"summary\"} line");
  flags.Bool("findings", &f.findings, "print every finding with its evidence lines");
  flags.Bool("unstructured", &f.unstructured,
             "list plain-text errors with the trace each is attributed to");
  flags.Bool("ungrouped", &f.ungrouped,
             "with --unstructured: list each error, not one line per log template");
  flags.Bool("final", &f.final,
             "judge every trace, even those quiet for less than trace_idle (default for "
             "files; stdin: off)");
  absl::Duration trace_idle;
  flags.Duration("trace-idle", &trace_idle, "DURATION",
                 "judge a trace once quiet this long in event time (default 30s)");
  flags.Bool("copy-lines", &f.copy_lines,
             "keep a compressed copy of every line instead of reading the lines of plain files "
             "back from them when shown (index.lines_in_files: false; for files that may change "
             "before the output is written)");
  flags.Bool("quiet", &f.quiet, "no progress on stderr");
  flags.Bool("progress", &f.progress, "progress on stderr even when it is not a terminal");

  std::vector<std::string> paths;
  if (int code = flags.ParseCommand(args, &paths); code >= 0) return code;
  // Files are complete: judge all of them at their end, unless told
  // otherwise; stdin keeps the streaming rule (its data may go on).
  const bool final_given = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--final" || absl::StartsWith(a, "--final=");
  });
  if (!final_given) f.final = std::find(paths.begin(), paths.end(), "-") == paths.end();
  if (paths.empty()) {
    std::fprintf(stderr,
                 "logweave replay: no PATH given; name log files or directories, or - for "
                 "stdin (e.g. 'logweave replay logs/'); see 'logweave replay --help'\n");
    return kExitUsage;
  }

  RuntimeOptions runtime_options;
  PipelineOptions& options = runtime_options.pipeline;
  std::vector<actions::ConfiguredAction> action_config;
  runtime_options.track_changes = false;  // one analysis, read whole
  // The errors' whole texts are printed only with --unstructured; the findings show first lines.
  runtime_options.unstructured_whole_texts = f.unstructured;
  // Nothing reads the index after the analysis but --timeline: without it,
  // each shard is freed once judged, and the analysis's peak is its own.
  runtime_options.keep_index_after_analysis = !f.timelines.empty();
  bool max_bytes_given = false;
  bool otlp_lines = true;  // otlp.enabled: read the Collector's file exporter lines
  if (!f.config.empty()) {
    // The same loader as serve's, so that both accept the same file.
    absl::StatusOr<CommandConfig> loaded = LoadCommandConfig(f.config);
    if (!loaded.ok()) {
      std::fprintf(stderr, "logweave replay: %s\n", std::string(loaded.status().message()).c_str());
      return kExitUsage;  // a config that cannot be read or is invalid is a usage error
    }
    options = loaded->pipeline;
    action_config = loaded->actions;
    max_bytes_given = loaded->index_max_bytes_given;
    otlp_lines = loaded->otlp.enabled;
  }
  // Its analysis takes the plain-text errors over: under a budget they may borrow the index's
  // unused room.
  options.plain_text_borrows_index_room = true;
  if (f.threads) options.threads = static_cast<uint32_t>(f.threads);
  if (f.shards) options.index.shards = static_cast<uint32_t>(f.shards);
  if (f.max_line_bytes != UINT64_MAX) {
    if (f.max_line_bytes == 0 || f.max_line_bytes > LineBatcherOptions::kMaxLineBytesLimit) {
      std::fprintf(stderr, "logweave replay: --max-line-bytes must be from 1 to 1GiB (got %s)\n",
                   std::to_string(f.max_line_bytes).c_str());
      return kExitUsage;
    }
    options.batching.max_line_bytes = static_cast<uint32_t>(f.max_line_bytes);
  }
  // As serve: without index.max_bytes the index keeps at most half of the
  // memory this process may use, evicting (and counting) its oldest lines
  // beyond it, rather than growing until the machine kills the process.
  if (!max_bytes_given) options.index.max_bytes = DefaultIndexBudget(options);
  // A replay's files are read once and complete: their lines stay in them
  // (index.lines_in_files, default on) unless --copy-lines.
  if (f.copy_lines) options.index.lines_in_files = false;
  if (trace_idle > absl::ZeroDuration()) {
    options.detectors.trace_idle_ns = absl::ToInt64Nanoseconds(trace_idle);
  }
  absl::StatusOr<std::unique_ptr<Runtime>> created = Runtime::Create(runtime_options);
  if (!created.ok()) {
    std::fprintf(stderr, "logweave replay: %s\n", std::string(created.status().message()).c_str());
    return kExitUsage;
  }
  Runtime& runtime = **created;
  Pipeline& pipeline = runtime.pipeline();
  const otlp::OtlpLineExpander otlp_expander;
  if (otlp_lines) pipeline.SetBatchTransform([&](RawBatch* b) { otlp_expander.Expand(b); });

  int exit_code = kExitOk;
  const absl::Time start = absl::Now();
  ReplaySource files(paths, options.batching, &pipeline);
  // Files too large for the budget are read side by side, and eviction takes the oldest traces:
  // the settled ones are judged while reading, before they go, and their findings are kept.
  files.set_between_turns(runtime.AnalysisBeforeEviction());
  const bool show_progress = !f.quiet && (f.progress || isatty(2));
  {
    ProgressReporter progress(&pipeline, show_progress);
    runtime.ReadToEnd(files).IgnoreError();  // its errors are the files' below
  }
  const std::vector<std::string>& errors = files.errors();
  if (!errors.empty()) exit_code = kExitRuntimeError;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const auto& e : errors) std::fprintf(stderr, "logweave replay: %s\n", Printable(e).c_str());

  IngestStats stats = pipeline.Stats();
  stats.binary_files = files.binary_files();
  pipeline.EndOfInput();  // its dedupe windows are memory the analysis can use
  // The analysis reads every trace twice (learn, then judge): on a large
  // replay it takes longer than the ingest, so say that it is running.
  if (show_progress) {
    std::fprintf(stderr, "\ranalysing %s traces ...\033[K", Thousands(stats.traces).c_str());
  }
  // The summary's suggestion of a trace to look at, when no finding names one, is the busiest:
  // picked now, before the analysis frees the index.
  const bool summary_only =
      !f.json && f.timelines.empty() && !f.findings && !f.unstructured && !f.stats;
  const std::string busiest_trace = summary_only ? BusiestTrace(pipeline.index()) : "";
  const absl::Time analysis_start = absl::Now();
  const std::shared_ptr<const AnalysisSnapshot> snapshot = runtime.AnalyzeNow(f.final);
  const AnalysisReport& report = snapshot->report;
  const double analysis_seconds = absl::ToDoubleSeconds(absl::Now() - analysis_start);
  if (show_progress) {
    std::fprintf(stderr, "\ranalysed %s traces in %.1f s\033[K\n", Thousands(stats.traces).c_str(),
                 analysis_seconds);
  }
  const std::vector<actions::ActionRun> action_runs = RunReplayActions(action_config, report);
  std::string out;
  for (const std::string& id : f.timelines) {
    absl::StatusOr<Timeline> timeline =
        pipeline.index().GetTimeline(id, TimelineOptions{.with_raw = f.raw});
    if (!timeline.ok()) {
      exit_code = kExitRuntimeError;
      if (f.json) {
        JsonWriter w;
        w.StartObject();
        w.Field("kind", "error");
        w.Field("error", timeline.status().code() == absl::StatusCode::kNotFound
                             ? "not_found"
                             : "invalid_argument");
        w.Field("trace_id", id);
        w.Field("message", std::string(timeline.status().message()));
        w.EndObject();
        absl::StrAppend(&out, w.str(), "\n");
      } else {
        std::fprintf(stderr, "logweave replay: %s\n",
                     Printable(std::string(timeline.status().message())).c_str());
      }
      continue;
    }
    if (f.json) {
      absl::StrAppend(&out, FormatTimelineJson(*timeline, f.raw), "\n");
    } else {
      absl::StrAppend(&out, FormatTimelineText(*timeline, f.raw));
      bool any = false;
      ForEachFinding(report, [&](const Finding& finding) {
        if (finding.trace_id != id) return;
        if (!any) absl::StrAppend(&out, "findings of this trace:\n");
        any = true;
        absl::StrAppend(&out, FormatFindingText(finding, true));
      });
      absl::StrAppend(&out, "\n");
    }
  }
  // Lines read back from their files for the analysis' evidence and the timelines.
  stats.unreadable_lines = pipeline.index().Counters().unreadable_lines;
  if (stats.unreadable_lines > 0) {
    std::fprintf(stderr,
                 "logweave replay: %s lines could not be read back from their files, which "
                 "changed after they were read; they show as empty (--copy-lines keeps copies)\n",
                 Thousands(stats.unreadable_lines).c_str());
  }
  const uint32_t threads = options.EffectiveThreads();
  const uint32_t shards = options.EffectiveShards();
  // Written as it is made, a MiB at a time: a replay can have a finding for
  // every tenth line.
  auto spill = [&out] {
    if (out.size() < (1 << 20)) return;
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  if (f.json) {
    AppendFindingsJson(report, threads, &out, spill);
    if (f.unstructured) {
      for (const auto& entry : report.unstructured) {
        absl::StrAppend(&out, FormatUnstructuredJson(entry), "\n");
        spill();
      }
    }
    for (const actions::ActionRun& run : action_runs) {
      absl::StrAppend(&out, FormatActionRunJson(run), "\n");
    }
    absl::StrAppend(&out,
                    SummaryJson(stats, seconds, analysis_seconds, files.files(), errors, threads,
                                shards, report, options.index.max_bytes),
                    "\n");
  } else {
    if (f.findings) {
      absl::StrAppend(&out, FindingCount(report), " findings\n");
      ForEachFinding(report, [&](const Finding& finding) {
        absl::StrAppend(&out, FormatFindingText(finding, true));
        spill();
      });
    }
    if (f.unstructured) {
      absl::StrAppend(&out, f.ungrouped
                                ? FormatUnstructuredText(report.unstructured, true)
                                : FormatUnstructuredGroupsText(report.unstructured, SIZE_MAX));
    }
    if (f.stats) absl::StrAppend(&out, FormatStatsText(stats, seconds));
    if (summary_only) {
      absl::StrAppend(&out, SummaryText(stats, seconds, files.files(), busiest_trace, report,
                                        options.detectors.trace_idle_ns, options.index.max_bytes));
    }
    if (!action_config.empty()) {
      absl::StrAppend(&out, "\nactions: ", action_runs.size(), " run",
                      action_runs.size() == 1 ? "" : "s", "\n");
      for (const actions::ActionRun& run : action_runs) {
        absl::StrAppend(&out, FormatActionRunText(run));
      }
    }
  }
  // The formatters repair log text already; this catches what they may miss
  // (a trace id or kind quoted in the summary) at the cost of one check.
  if (!IsValidUtf8(out)) out = ValidUtf8(out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return EndReplay(exit_code);
}

}  // namespace logweave::cli

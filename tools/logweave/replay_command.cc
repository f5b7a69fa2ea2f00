// logweave replay: batch ingest of log files, then answers about them.
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "file/file_source.h"
#include "logweave/commands.h"
#include "logweave/config.h"
#include "logweave/flags.h"
#include "logweave/json_writer.h"
#include "logweave/output.h"
#include "logweave/pipeline.h"

namespace logweave::cli {
namespace {

constexpr char kDescription[] =
    "Ingests log files as fast as the machine allows, indexes every line by trace id,\n"
    "and then prints what was asked: a summary (default), timelines, counters, or JSON.\n"
    "\n"
    "PATH is a file, a directory (every *.log, *.json, *.ndjson, *.jsonl below it,\n"
    "also .gz / .zst compressed) or - for stdin. Lines without a service field take\n"
    "their service from the file name (payments.log -> payments).\n"
    "\n"
    "Exit codes: 0 ok; 1 a file could not be read or a trace was not found (the\n"
    "other files are still read); 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave replay logs/\n"
    "  logweave replay logs/*.log --timeline 4bf92f3577b34da6a3ce929d0e0e4736\n"
    "  zcat app.log.gz | logweave replay - --stats\n"
    "  logweave replay logs/ --json | jq 'select(.kind==\"summary\")'\n";

struct ReplayFlags {
  std::string config;
  uint64_t threads = 0;
  uint64_t shards = 0;
  uint64_t max_line_bytes = 0;
  std::vector<std::string> timelines;
  bool raw = false;
  bool stats = false;
  bool json = false;
  bool quiet = false;
  bool progress = false;
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

std::string SummaryJson(const IngestStats& s, double seconds, size_t files,
                        const std::vector<std::string>& errors, uint32_t threads, uint32_t shards) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "summary");
  w.Field("files", static_cast<uint64_t>(files));
  w.Field("lines", s.lines);
  w.Field("bytes", s.bytes);
  w.Field("json_lines", s.json_lines);
  w.Field("unstructured_lines", s.unstructured_lines);
  w.Field("empty_lines", s.empty_lines);
  w.Field("traces", s.traces);
  w.Field("indexed_events", s.indexed_events);
  w.Field("no_trace_id_lines", s.no_trace_id_lines);
  w.Field("duplicate_lines", s.duplicate_lines);
  w.Field("bad_time_lines", s.bad_time_lines);
  w.Field("no_time_lines", s.no_time_lines);
  w.Field("invalid_utf8_lines", s.invalid_utf8_lines);
  w.Field("truncated_lines", s.truncated_lines);
  w.Field("bom_lines", s.bom_lines);
  w.Field("crlf_lines", s.crlf_lines);
  w.Field("index_bytes", s.index_bytes);
  w.Field("seconds", seconds);
  w.Field("lines_per_second", seconds > 0 ? s.lines / seconds : 0.0);
  w.Field("mb_per_second", seconds > 0 ? s.bytes / seconds / 1e6 : 0.0);
  w.Field("threads", static_cast<uint64_t>(threads));
  w.Field("shards", static_cast<uint64_t>(shards));
  w.Key("errors");
  w.StartArray();
  for (const auto& e : errors) w.String(e);
  w.EndArray();
  w.EndObject();
  return w.str();
}

// The trace with the most events: a good first timeline to look at.
std::string BusiestTrace(const Index& index) {
  std::string best;
  uint32_t best_count = 0;
  index.ForEachTrace([&](std::string_view id, uint32_t count) {
    if (count > best_count || (count == best_count && id < best)) {
      best_count = count;
      best = std::string(id);
    }
  });
  return best;
}

std::string SummaryText(const IngestStats& s, double seconds, size_t files, const Index& index) {
  std::string out = absl::StrFormat(
      "logweave replay: %d file%s, %s lines (%s) in %.2f s: %s lines/s, %.1f MB/s\n", files,
      files == 1 ? "" : "s", Thousands(s.lines), HumanBytes(static_cast<double>(s.bytes)), seconds,
      Thousands(static_cast<uint64_t>(seconds > 0 ? s.lines / seconds : 0)),
      seconds > 0 ? s.bytes / seconds / 1e6 : 0.0);
  absl::StrAppend(&out, "  traces             ", Thousands(s.traces), "\n");
  absl::StrAppend(&out, "  json lines         ", Thousands(s.json_lines), "\n");
  absl::StrAppend(&out, "  plain-text lines   ", Thousands(s.unstructured_lines),
                  "   (not JSON: invisible to trace search)\n");
  std::string notes;
  auto note = [&notes](uint64_t n, absl::string_view what) {
    if (n > 0) absl::StrAppend(&notes, "  ", Thousands(n), " ", what, "\n");
  };
  note(s.duplicate_lines, "duplicate lines kept once");
  note(s.bad_time_lines, "lines with an unparseable time (placed by file order)");
  note(s.invalid_utf8_lines, "lines with invalid UTF-8 (kept as bytes)");
  note(s.truncated_lines, "lines longer than max_line_bytes (head kept)");
  note(s.no_trace_id_lines, "JSON lines without a trace id");
  if (!notes.empty()) absl::StrAppend(&out, "noticed:\n", notes);
  std::string example = BusiestTrace(index);
  absl::StrAppend(&out, "\nnext:\n");
  if (!example.empty()) {
    absl::StrAppend(&out, "  --timeline ", example, "   one trace across services\n");
  }
  absl::StrAppend(&out, "  --stats                 every counter\n",
                  "  --json                  machine-readable output\n");
  return out;
}

}  // namespace

int RunReplay(const std::vector<std::string>& args) {
  ReplayFlags f;
  FlagSet flags("logweave replay", "[flags] PATH...", kDescription);
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
  flags.Bool("quiet", &f.quiet, "no progress on stderr");
  flags.Bool("progress", &f.progress, "progress on stderr even when it is not a terminal");

  std::vector<std::string> paths;
  if (absl::Status s = flags.Parse(args, &paths); !s.ok()) {
    std::fprintf(stderr, "logweave replay: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    return kExitOk;
  }
  if (paths.empty()) {
    std::fprintf(stderr,
                 "logweave replay: no PATH given; name log files or directories, or - for "
                 "stdin (e.g. 'logweave replay logs/'); see 'logweave replay --help'\n");
    return kExitUsage;
  }

  PipelineOptions options;
  if (!f.config.empty()) {
    absl::StatusOr<PipelineOptions> loaded = LoadConfigFile(f.config);
    if (!loaded.ok()) {
      std::fprintf(stderr, "logweave replay: %s\n", std::string(loaded.status().message()).c_str());
      return loaded.status().code() == absl::StatusCode::kNotFound ? kExitRuntimeError : kExitUsage;
    }
    options = *loaded;
  }
  if (f.threads) options.threads = static_cast<uint32_t>(f.threads);
  if (f.shards) options.index.shards = static_cast<uint32_t>(f.shards);
  if (f.max_line_bytes) options.batching.max_line_bytes = static_cast<uint32_t>(f.max_line_bytes);
  absl::StatusOr<std::unique_ptr<Pipeline>> created = Pipeline::Create(options);
  if (!created.ok()) {
    std::fprintf(stderr, "logweave replay: %s\n", std::string(created.status().message()).c_str());
    return kExitUsage;
  }
  Pipeline& pipeline = **created;

  int exit_code = kExitOk;
  std::vector<std::string> errors;
  ExpandedPaths expanded = ExpandReplayPaths(paths);
  for (const absl::Status& e : expanded.errors) {
    errors.push_back(std::string(e.message()));
    exit_code = kExitRuntimeError;
  }
  const absl::Time start = absl::Now();
  {
    ProgressReporter progress(&pipeline, !f.quiet && (f.progress || isatty(2)));
    for (const std::string& path : expanded.files) {
      uint32_t source = pipeline.AddSource(path);
      absl::Status s = ReadSource(path, options.batching, source,
                                  [&pipeline](RawBatch&& b) { pipeline.Submit(std::move(b)); });
      if (!s.ok()) {
        errors.push_back(std::string(s.message()));
        exit_code = kExitRuntimeError;
      }
    }
    pipeline.Flush();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const auto& e : errors) std::fprintf(stderr, "logweave replay: %s\n", e.c_str());

  IngestStats stats = pipeline.Stats();
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
                     std::string(timeline.status().message()).c_str());
      }
      continue;
    }
    if (f.json) {
      absl::StrAppend(&out, FormatTimelineJson(*timeline, f.raw), "\n");
    } else {
      absl::StrAppend(&out, FormatTimelineText(*timeline, f.raw), "\n");
    }
  }
  const uint32_t threads = options.EffectiveThreads();
  const uint32_t shards = options.EffectiveShards();
  if (f.json) {
    absl::StrAppend(
        &out, SummaryJson(stats, seconds, expanded.files.size(), errors, threads, shards), "\n");
  } else if (f.stats) {
    absl::StrAppend(&out, FormatStatsText(stats, seconds));
  } else if (f.timelines.empty()) {
    absl::StrAppend(&out, SummaryText(stats, seconds, expanded.files.size(), pipeline.index()));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace logweave::cli

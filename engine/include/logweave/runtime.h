// The engine's runtime: sources -> parse -> index -> analysis -> findings.
// `logweave replay` and `logweave serve` are thin commands over it, and the
// gRPC service only queries it.
//
//   auto runtime = Runtime::Create(options).value();
//   FileSource files({"logs/"}, batching, &runtime->pipeline());
//   runtime->ReadToEnd(files);                         // the initial replay, on this thread
//   auto snapshot = runtime->AnalyzeNow(/*final=*/true);  // judge every trace
//   runtime->Start(std::move(follow));                 // streaming sources, each on a thread
//   runtime->StartAnalysisLoop();                      // analysis every analysis_interval
//   ...
//   runtime->Stop();                                   // sources drain; the loop stops
//
// Threads: the pipeline's workers (ingest), one per streaming source, one for
// the periodic analysis; the analysis itself runs on `threads` threads shard
// by shard. Thread-safe unless noted.
#ifndef LOGWEAVE_RUNTIME_H_
#define LOGWEAVE_RUNTIME_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "logweave/findings_hub.h"
#include "logweave/options.h"
#include "logweave/pipeline.h"
#include "logweave/report.h"
#include "logweave/source.h"
#include "logweave/trace_lookup.h"

namespace logweave {

class Analyzer;  // engine-internal: the detectors and the rule plugins' evaluation

// The latest analysis, indexed for queries. Immutable once published.
struct AnalysisSnapshot {
  AnalysisReport report;
  // Open findings by trace, in the report's order, as positions for FindingAt: those of
  // report.findings and, when the report defers them, the plain-text errors' findings.
  absl::flat_hash_map<std::string, std::vector<size_t>> findings_by_trace;
  absl::flat_hash_map<std::string, std::vector<size_t>> unstructured_by_trace;  // attributed

  // With `by_trace` false the two maps stay empty (a one-shot replay reads the report whole).
  static std::shared_ptr<const AnalysisSnapshot> Make(AnalysisReport report, bool by_trace = true);

  // The finding at a position of findings_by_trace (Build() it to have it).
  FindingRef FindingAt(size_t position) const;
};

// How long the analyses took, since the runtime started. Plain values.
struct AnalysisRunStats {
  uint64_t runs = 0;          // AnalyzeNow calls completed
  absl::Duration total = {};  // wall time of all of them
  absl::Duration last = {};   // wall time of the latest
};

struct RuntimeOptions {
  PipelineOptions pipeline;
  // How often the periodic analysis (StartAnalysisLoop) runs, wall clock; a
  // run that took long waits twice its duration instead (NextAnalysisWait).
  // Default 1 s. Must be positive.
  absl::Duration analysis_interval = absl::Seconds(1);
  // Nice value (0-19) of the threads of streaming sources and of the periodic
  // analysis: above 0, queries get the cores first. Default 0.
  int background_nice = 0;
  // Whether analyses report what changed since the previous one (findings
  // published to findings() and counted late). Off for a one-shot replay,
  // which reads each report whole; off, an analysis also takes the plain-text
  // error entries over instead of copying them (a later one sees only those
  // that came after), and its snapshot has no by-trace maps. Default on.
  bool track_changes = true;
  // Whether a report's unstructured_error findings are built only as they are read
  // (ForEachFinding, AnalysisSnapshot::FindingAt; AnalysisReport::unstructured_findings_deferred)
  // instead of all at once in its `findings`, beside the entries they are built from: a
  // plain-text error then costs its entry only (about a third of entry and finding together).
  // The changes published to findings() are built as before. Default on; off, `findings` holds
  // every finding.
  bool defer_unstructured_findings = true;
  // Whether a report's plain-text error entries (AnalysisReport::unstructured)
  // carry their whole text, every line of the block, or only its first line:
  // all that their findings and groups show. Off for a replay that prints
  // findings only, so that a block's stack trace is not held while they are
  // written. Default on.
  bool unstructured_whole_texts = true;
  // Whether the index keeps its traces once an analysis has read them. Off
  // for a one-shot replay that asks for no timeline: each shard's traces,
  // events and stored lines are freed as soon as the analysis has judged
  // them (Index::ReleaseShard), so that they and the analysis's own state
  // are not held at once; later queries of those traces are NOT_FOUND. For
  // the first analysis only, of an input that has ended (no source running:
  // ReadToEnd, then Pipeline::EndOfInput); only with track_changes off.
  // Default on.
  bool keep_index_after_analysis = true;
  // With track_changes: whether a finding of a trace the index has since evicted whole stays in
  // the reports (its trace was judged in full before it went) instead of being dropped with it.
  // On for a replay under a budget smaller than its files, whose output is its last report:
  // each analysis while it reads judges the settled traces before eviction takes them.
  // Default off (serve streams each finding once, and its reports hold what the index holds).
  bool keep_findings_of_evicted_traces = false;
  // Findings kept for subscribers that read behind (FindingsHub capacity). Default 100000.
  size_t findings_kept = 100000;

  absl::Status Validate() const;
};

// The wait before the next periodic analysis: `interval`, or twice the last
// run's duration when that is longer, so that on a large index the analysis
// takes at most a third of a core instead of running back to back.
absl::Duration NextAnalysisWait(absl::Duration interval, absl::Duration last_run);

class Runtime {
 public:
  // Starts the pipeline's workers. INVALID_ARGUMENT for bad options; a rule
  // plugin's error (NOT_FOUND for a file it cannot read, ...).
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(const RuntimeOptions& options);
  // Stop().
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Where sources submit their lines and queries read the index. Owned by the runtime.
  Pipeline& pipeline() { return *pipeline_; }
  const Pipeline& pipeline() const { return *pipeline_; }
  const RuntimeOptions& options() const { return options_; }

  // Runs a source that ends on its own (files) on the calling thread until
  // its data ends, then waits until all of it is indexed. Returns its status.
  absl::Status ReadToEnd(Source& source);

  // Runs `source` on a thread of its own (at background_nice) until its data
  // ends or Stop() is called. A source that fails is reported on stderr
  // with its name and the status; the others go on.
  void Start(std::unique_ptr<Source> source);

  // Runs the detectors and the rule plugins now, on event time: every trace
  // quiet for trace_idle before the watermark is judged — every trace once
  // `final` was given (the data is complete; it sticks for later runs, which
  // then keep judging every trace rather than retracting the recent ones).
  // Publishes the changes to findings() (the snapshot's report.changes stays
  // empty) and the new snapshot, and returns it.
  std::shared_ptr<const AnalysisSnapshot> AnalyzeNow(bool final = false);
  // For a runtime made with track_changes off, before its first analysis: the analyses from
  // now on track changes, copy the plain-text errors instead of taking them, keep the index,
  // and keep the findings of traces since evicted (keep_findings_of_evicted_traces). A replay
  // switches so once its files turn out larger than the budget, to judge the settled traces
  // while it reads, before eviction takes them. Any thread; not during an analysis.
  void TrackChangesFromNow();
  // For files read side by side on the calling thread (ReplaySource::set_between_turns): once
  // the index holds 7/8 of its share of index.max_bytes (eviction is near), switches to tracking
  // changes (TrackChangesFromNow: a no-op for serve, which tracks them already) and analyses at
  // the watermark then and after every half share of raw bytes read, so that the settled traces
  // are judged, at a few analyses' notice, before eviction takes them. An index that stays below
  // costs one check a turn. The runtime must outlive the function. `share`: the index bytes to
  // watch instead of the budget's share (tests).
  std::function<void()> AnalysisBeforeEviction(uint64_t share = 0);

  // Starts analysing every analysis_interval on a thread of its own, when
  // something new was indexed since the last run (whoever ran it) or the
  // watermark moved without new lines (a lagging source went idle). Once.
  void StartAnalysisLoop();

  // The latest analysis (empty before the first). Never null.
  std::shared_ptr<const AnalysisSnapshot> snapshot() const;

  // How many analyses ran and how long they took (metrics).
  AnalysisRunStats analysis_runs() const;

  // From the next analysis on, missing-service and incomplete-sequence
  // findings are checked with `lookup` (the other instances of a deployment)
  // before they are reported, and an analysis whose lookup was incomplete is
  // run again after analysis_interval even without new lines. Null: not
  // checked. Not owned: set null (waits for a running analysis) before it goes.
  void SetTraceLookup(TraceLookup* lookup);

  // Every finding change published by the analyses, for subscribers.
  FindingsHub& findings() { return hub_; }

  // Asks every streaming source to stop and waits for it (each submits what
  // it read and commits or checkpoints it), waits until it is indexed, stops
  // the analysis loop and closes findings() (subscribers return). Idempotent.
  void Stop();

 private:
  Runtime(const RuntimeOptions& options, std::unique_ptr<Pipeline> pipeline);
  void AnalysisLoop();
  // True when an analysis now would see what the last one saw: the same lines, all indexed,
  // and the same watermark.
  bool NothingNewToAnalyze();

  RuntimeOptions options_;  // track_changes may turn on (TrackChangesFromNow)
  std::unique_ptr<Pipeline> pipeline_;
  FindingsHub hub_;

  absl::Mutex analysis_mu_;  // one analysis at a time
  std::unique_ptr<Analyzer> analyzer_ ABSL_GUARDED_BY(analysis_mu_);
  bool final_ ABSL_GUARDED_BY(analysis_mu_) = false;  // AnalyzeNow(true) happened
  // What the last analysis saw: the lines parsed (UINT64_MAX: some were still in flight, not
  // all indexed) and the watermark.
  uint64_t analyzed_lines_ ABSL_GUARDED_BY(analysis_mu_) = UINT64_MAX;
  int64_t analyzed_watermark_ ABSL_GUARDED_BY(analysis_mu_) = INT64_MIN;
  mutable absl::Mutex snapshot_mu_;
  std::shared_ptr<const AnalysisSnapshot> snapshot_ ABSL_GUARDED_BY(snapshot_mu_);
  AnalysisRunStats runs_ ABSL_GUARDED_BY(snapshot_mu_);

  // Streaming sources and their threads; stop_sources_ ends their Run.
  struct Running {
    std::unique_ptr<Source> source;
    std::thread thread;
  };
  absl::Mutex sources_mu_;
  std::vector<Running> running_ ABSL_GUARDED_BY(sources_mu_);
  std::atomic<bool> stop_sources_{false};

  absl::Notification stop_analysis_;
  std::thread analysis_thread_;
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
};

}  // namespace logweave

#endif  // LOGWEAVE_RUNTIME_H_

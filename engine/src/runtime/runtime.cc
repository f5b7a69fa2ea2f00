#include "logweave/runtime.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "analysis/analyzer.h"
#include "analysis/plain_text_findings.h"
#include "internal/thread_priority.h"
#include "logweave/log.h"

namespace logweave {

std::shared_ptr<const AnalysisSnapshot> AnalysisSnapshot::Make(AnalysisReport report,
                                                               bool by_trace) {
  auto s = std::make_shared<AnalysisSnapshot>();
  s->report = std::move(report);
  if (!by_trace) return s;
  for (size_t i = 0; i < s->report.findings.size(); ++i) {
    const Finding& f = s->report.findings[i];
    if (!f.trace_id.empty()) s->findings_by_trace[f.trace_id].push_back(i);
  }
  for (size_t i = 0; i < s->report.unstructured.size(); ++i) {
    const auto& a = s->report.unstructured[i];
    if (a.candidates.empty()) continue;
    s->unstructured_by_trace[a.candidates.front().trace_id].push_back(i);
    // A deferred error's finding concerns its attributed trace: after the stored ones.
    if (s->report.unstructured_findings_deferred) {
      s->findings_by_trace[a.candidates.front().trace_id].push_back(s->report.findings.size() + i);
    }
  }
  if (s->report.unstructured_findings_deferred) {
    // Each trace's positions in the report's order (ForEachFinding's: time, kind, id).
    auto key = [&s](size_t position) {
      const size_t stored = s->report.findings.size();
      if (position < stored) {
        const Finding& f = s->report.findings[position];
        return internal::FindingOrderKey(f.time_ns, f.kind, f.id);
      }
      return internal::EntryOrderKey(s->report.unstructured[position - stored]);
    };
    for (auto& [trace, positions] : s->findings_by_trace) {
      std::stable_sort(positions.begin(), positions.end(),
                       [&](size_t x, size_t y) { return key(x) < key(y); });
    }
  }
  return s;
}

FindingRef AnalysisSnapshot::FindingAt(size_t position) const {
  if (position < report.findings.size()) return FindingRef(report.findings[position]);
  return FindingRef(report.unstructured[position - report.findings.size()]);
}

absl::Status RuntimeOptions::Validate() const {
  if (analysis_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("serve.analysis_interval must be a positive duration");
  }
  if (background_nice < 0 || background_nice > 19) {
    return absl::InvalidArgumentError(
        absl::StrCat("serve.ingest_nice must be between 0 and 19 (got ", background_nice, ")"));
  }
  if (!keep_index_after_analysis && track_changes) {
    return absl::InvalidArgumentError(
        "keep_index_after_analysis may be off only for one analysis (track_changes off)");
  }
  if (findings_kept == 0) return absl::InvalidArgumentError("findings_kept must be at least 1");
  return pipeline.Validate();
}

absl::Duration NextAnalysisWait(absl::Duration interval, absl::Duration last_run) {
  return std::max(interval, 2 * last_run);
}

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(const RuntimeOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Pipeline>> pipeline = Pipeline::Create(options.pipeline);
  if (!pipeline.ok()) return pipeline.status();
  return std::unique_ptr<Runtime>(new Runtime(options, std::move(*pipeline)));
}

Runtime::Runtime(const RuntimeOptions& options, std::unique_ptr<Pipeline> pipeline)
    : options_(options),
      pipeline_(std::move(pipeline)),
      hub_(options.findings_kept),
      analyzer_(std::make_unique<Analyzer>(options.pipeline.detectors, pipeline_->index(),
                                           pipeline_->unstructured(), pipeline_->plugins(),
                                           options.pipeline.threads)),
      snapshot_(AnalysisSnapshot::Make(AnalysisReport())) {
  if (!options.track_changes) {
    analyzer_->DisableChangeTracking();
    analyzer_->TakeUnstructured(pipeline_->mutable_unstructured());
  }
  if (options.defer_unstructured_findings) analyzer_->DeferUnstructuredFindings();
  if (options.keep_findings_of_evicted_traces) analyzer_->KeepFindingsOfEvictedTraces();
  if (!options.unstructured_whole_texts) analyzer_->KeepUnstructuredFirstLines();
  if (!options.keep_index_after_analysis) {
    analyzer_->ReleaseShardsOnceRead(
        [pipeline = pipeline_.get()](uint32_t shard) { pipeline->ReleaseIndexShard(shard); });
  }
}

Runtime::~Runtime() { Stop(); }

absl::Status Runtime::ReadToEnd(Source& source) {
  static const std::atomic<bool> kNeverStop{false};
  absl::Status status = source.Run(kNeverStop);
  pipeline_->Flush();
  return status;
}

void Runtime::Start(std::unique_ptr<Source> source) {
  absl::MutexLock lock(&sources_mu_);
  if (stop_sources_.load()) return;  // stopping: the source is not started
  Source* s = source.get();
  const int nice = options_.background_nice;
  running_.push_back(Running{std::move(source), std::thread([this, s, nice] {
                               // Validated with the options; a refusal keeps the priority.
                               if (nice > 0) LowerThisThreadsPriority(nice).IgnoreError();
                               if (absl::Status st = s->Run(stop_sources_); !st.ok()) {
                                 Log(LogLevel::kError, absl::StrCat(s->name(), ": ", st.message()));
                               }
                             })});
}

std::shared_ptr<const AnalysisSnapshot> Runtime::AnalyzeNow(bool final) {
  absl::MutexLock lock(&analysis_mu_);
  const absl::Time start = absl::Now();
  final_ = final_ || final;
  // Lines are counted when parsed, before the shards index them: only a run with nothing in
  // flight saw them all.
  const IngestStats seen = pipeline_->Stats();  // its watermark_ns is Pipeline::Watermark()
  const int64_t watermark = final_ ? INT64_MAX : seen.watermark_ns;
  analyzed_lines_ = seen.queued_bytes == 0 ? seen.lines : UINT64_MAX;
  analyzed_watermark_ = watermark;
  // The last report's findings are the analyzer's "before": it keeps no copy of its own. Only
  // this function (under analysis_mu_) replaces the snapshot.
  const std::shared_ptr<const AnalysisSnapshot> last = snapshot();
  AnalysisReport report =
      analyzer_->Run(watermark, &last->report.findings, &last->report.unstructured);
  // The changes go to the hub, not into the snapshot as well (nothing reads them there).
  std::vector<Finding> changes = std::move(report.changes);
  const std::vector<size_t> new_unstructured = std::move(report.new_unstructured);
  report.changes = std::vector<Finding>();
  report.new_unstructured = std::vector<size_t>();
  std::shared_ptr<const AnalysisSnapshot> snapshot =
      AnalysisSnapshot::Make(std::move(report), options_.track_changes);
  if (options_.track_changes) {
    // New plain-text errors go in as references to the snapshot's entries (their findings
    // are built as they are read): the hub shares them instead of copying them.
    hub_.Publish(std::move(changes),
                 std::shared_ptr<const std::vector<AttributedEntry>>(
                     snapshot, &snapshot->report.unstructured),
                 new_unstructured);
  }
  const absl::Duration took = absl::Now() - start;
  absl::MutexLock snapshot_lock(&snapshot_mu_);
  snapshot_ = snapshot;
  ++runs_.runs;
  runs_.total += took;
  runs_.last = took;
  return snapshot;
}

void Runtime::TrackChangesFromNow() {
  absl::MutexLock lock(&analysis_mu_);
  if (options_.track_changes) return;
  options_.track_changes = true;
  options_.keep_index_after_analysis = true;
  options_.keep_findings_of_evicted_traces = true;
  analyzer_->TrackChanges();
  analyzer_->KeepFindingsOfEvictedTraces();
}

std::function<void()> Runtime::AnalysisBeforeEviction(uint64_t share) {
  if (share == 0) share = options_.pipeline.IndexMemoryBytes();
  return [this, share, analysed_at = uint64_t{0}]() mutable {
    if (share == 0) return;
    if (analysed_at == 0 && pipeline_->index().Counters().bytes < share / 8 * 7) return;
    const uint64_t read = pipeline_->Stats().bytes;
    if (analysed_at != 0 && read < analysed_at + share / 2) return;
    analysed_at = std::max<uint64_t>(read, 1);
    pipeline_->Flush();
    TrackChangesFromNow();
    AnalyzeNow(/*final=*/false);
  };
}

void Runtime::SetTraceLookup(TraceLookup* lookup) {
  absl::MutexLock lock(&analysis_mu_);
  analyzer_->set_trace_lookup(lookup);
}

AnalysisRunStats Runtime::analysis_runs() const {
  absl::MutexLock lock(&snapshot_mu_);
  return runs_;
}

std::shared_ptr<const AnalysisSnapshot> Runtime::snapshot() const {
  absl::MutexLock lock(&snapshot_mu_);
  return snapshot_;
}

void Runtime::StartAnalysisLoop() {
  absl::MutexLock lock(&stop_mu_);
  if (stopped_ || analysis_thread_.joinable()) return;
  analysis_thread_ = std::thread([this] { AnalysisLoop(); });
}

bool Runtime::NothingNewToAnalyze() {
  absl::MutexLock lock(&analysis_mu_);
  const IngestStats stats = pipeline_->Stats();
  return stats.lines == analyzed_lines_ && (final_ || stats.watermark_ns == analyzed_watermark_);
}

void Runtime::AnalysisLoop() {
  const int nice = options_.background_nice;
  if (nice > 0) LowerThisThreadsPriority(nice).IgnoreError();
  absl::Duration wait = options_.analysis_interval;
  while (!stop_analysis_.WaitForNotificationWithTimeout(wait)) {
    // The answer would be the same, unless some peer could not be asked about the last run's
    // findings.
    if (NothingNewToAnalyze() && !snapshot()->report.lookup_incomplete) continue;
    const absl::Time start = absl::Now();
    AnalyzeNow();
    wait = NextAnalysisWait(options_.analysis_interval, absl::Now() - start);
  }
}

void Runtime::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_sources_.store(true);
  std::vector<Running> running;
  {
    absl::MutexLock lock(&sources_mu_);
    running.swap(running_);
  }
  for (Running& r : running) r.thread.join();
  pipeline_->Flush();
  stop_analysis_.Notify();
  if (analysis_thread_.joinable()) analysis_thread_.join();
  hub_.Close();
}

}  // namespace logweave

// The built-in detectors: what plain tracing tools miss.
//
//  - missing_service: a trace lacks a service that traces of its kind (its
//    route, or the event that started it at its entry service) nearly always
//    pass through. Learned per kind, or declared in the config.
//  - incomplete_sequence: in a service, an event that is nearly always
//    followed by another (email_send_attempt -> email_queued) was not.
//  - unstructured_error: a plain-text error block, attributed to the trace it
//    most likely belongs to: an open request of the same service shortly
//    before it (one left incomplete first), with a confidence and runners-up.
//
// Detection runs on event time: a trace is judged once it has been quiet for
// trace_idle before the watermark, so replaying the same lines in any order
// of files gives the same findings, and so does streaming them.
//
//   Analyzer analyzer(options, pipeline.index(), pipeline.unstructured());
//   AnalysisReport report = analyzer.Run(pipeline.Stats().max_time_ns);
#ifndef LOGWEAVE_ANALYSIS_ANALYZER_H_
#define LOGWEAVE_ANALYSIS_ANALYZER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "analysis/peer_check.h"
#include "analysis/unstructured.h"
#include "logweave/finding.h"
#include "logweave/index.h"
#include "logweave/options.h"
#include "logweave/plugin.h"
#include "logweave/report.h"
#include "logweave/trace_lookup.h"

namespace logweave {

namespace internal {
class Model;

// A trace the analysis judged, and how many of its events it had then (the ones indexed
// later are late). 16 bytes an entry; the hash map before took about 36 at its load.
struct JudgedCount {
  uint64_t trace_hash;
  uint32_t events;

  bool operator<(const JudgedCount& o) const { return trace_hash < o.trace_hash; }
};
}  // namespace internal

// Thread-compatible: one thread calls Run; the index may be written meanwhile
// (each trace is read under its shard's reader lock).
class Analyzer {
 public:
  // `plugins` (Pipeline::plugins()) are evaluated by each Run, their findings
  // reported with the detectors'; they must outlive the analyzer. Run reads
  // and judges the index's shards on `threads` threads (0: one per core),
  // which it starts and joins; the findings do not depend on their number.
  Analyzer(const DetectorOptions& options, const Index& index,
           const UnstructuredCollector& unstructured, std::vector<RulePlugin*> plugins = {},
           uint32_t threads = 0);

  // Judges every trace whose last event is at or before watermark - trace_idle
  // (pass INT64_MAX to judge all: the data is complete) and attributes every
  // plain-text error. Re-running with more data updates the findings.
  // `previous`: the findings of the report the last Run returned, when the
  // caller keeps that report (the analyzer then keeps no copy of them); pass
  // it on every run or on none. Without it the analyzer keeps a copy. With
  // deferred unstructured findings, `previous_unstructured` is that report's
  // plain-text errors, on the same terms: a new error's finding goes into
  // `changes`, and one that is gone, resolved.
  AnalysisReport Run(int64_t watermark_ns, const std::vector<Finding>* previous = nullptr,
                     const std::vector<AttributedEntry>* previous_unstructured = nullptr);

  // For one run only (a replay): reports no changes and keeps no copy of
  // the findings for the next run.
  void DisableChangeTracking() { track_changes_ = false; }
  // With change tracking: a finding of a trace since evicted whole is kept in later reports
  // instead of dropped (RuntimeOptions::keep_findings_of_evicted_traces).
  void KeepFindingsOfEvictedTraces() { keep_evicted_findings_ = true; }
  // Undoes DisableChangeTracking, TakeUnstructured and ReleaseShardsOnceRead, between runs.
  void TrackChanges() {
    track_changes_ = true;
    take_unstructured_ = nullptr;
    release_shard_ = nullptr;
  }
  // For one run only (a replay): Run takes the plain-text error entries out
  // of `collector` (the one given to the constructor, which must outlive the
  // analyzer) instead of copying them, so they are not held twice.
  void TakeUnstructured(UnstructuredCollector* collector) { take_unstructured_ = collector; }
  // Leaves the unstructured_error findings out of `findings`: they are built from the entries as
  // they are read (ForEachFinding, AnalysisReport::unstructured_findings_deferred), so that a
  // report of many plain-text errors does not hold each one twice. With change tracking, only
  // the changes build them (the errors new since the previous run, and those gone).
  void DeferUnstructuredFindings() { defer_unstructured_findings_ = true; }
  // Reports' plain-text error entries keep the first line of their text
  // only: all that their findings show (RuntimeOptions::unstructured_whole_texts).
  void KeepUnstructuredFirstLines() { first_lines_only_ = true; }
  // Pass 2 reads every trace, even those whose signature an earlier trace of the run was judged
  // clean by (TraceSignatures): the same report, slower; for comparing.
  void ReadEveryTrace() { by_signature_ = false; }
  // For the next run only (a replay that asks for no timeline, once its
  // input has ended): Run calls `release(shard)` once it has read each shard
  // for the last time (its findings' evidence too), so that the index's
  // memory is freed while the analysis's own grows. Called from Run's
  // threads, concurrently for different shards. Later runs release nothing.
  void ReleaseShardsOnceRead(std::function<void(uint32_t)> release) {
    release_shard_ = std::move(release);
  }
  // From the next Run on, missing-service and incomplete-sequence findings
  // are checked with `lookup` (other instances) before they are reported;
  // null: not. Not owned; must outlive its use.
  void set_trace_lookup(TraceLookup* lookup) { lookup_ = lookup; }
  // Calls `fn` in each Run between the pass that learns from the traces and
  // the pass that judges them, on Run's thread: for tests of lines indexed
  // meanwhile, as in serve.
  void set_between_passes_for_testing(std::function<void()> fn) { between_passes_ = std::move(fn); }

 private:
  // Names in report.new_unstructured the errors new since `before` (the previous run's). Errors
  // no longer reported were dropped by the collector's limits: they are not resolved.
  void NoteNewUnstructured(const std::vector<AttributedEntry>& before,
                           AnalysisReport& report) const;
  // The report's counters and watermark.
  void FillCounts(int64_t watermark_ns, uint64_t judged, uint64_t waiting,
                  const internal::Model& model, AnalysisReport* report) const;

  const DetectorOptions options_;
  const Index& index_;
  const UnstructuredCollector& unstructured_;
  const std::vector<RulePlugin*> plugins_;
  const uint32_t threads_;
  bool track_changes_ = true;
  bool keep_evicted_findings_ = false;
  bool by_signature_ = true;
  bool defer_unstructured_findings_ = false;
  bool first_lines_only_ = false;
  UnstructuredCollector* take_unstructured_ = nullptr;
  TraceLookup* lookup_ = nullptr;
  std::function<void()> between_passes_;
  std::function<void(uint32_t)> release_shard_;
  internal::PeerCheck peer_check_;
  std::vector<Finding> previous_;  // the last Run's findings, when its caller passes none
  // The last Run's plain-text errors, when deferred and its caller passes none.
  std::vector<AttributedEntry> previous_unstructured_;
  // The traces judged by the last run: hash of the id, events then; sorted by hash.
  std::vector<internal::JudgedCount> judged_counts_;
  uint64_t late_events_ = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_ANALYSIS_ANALYZER_H_

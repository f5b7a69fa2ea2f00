#include "analysis/analyzer.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "analysis/attribution.h"
#include "analysis/detectors.h"
#include "analysis/parallel.h"
#include "analysis/parked_texts.h"
#include "analysis/plain_text_findings.h"
#include "analysis/trace_facts.h"
#include "analysis/trace_signatures.h"
#include "internal/arena.h"
#include "internal/free_memory.h"
#include "internal/permute.h"
#include "internal/strings.h"
#include "xxhash.h"

namespace logweave {

using internal::AnalysisNames;
using internal::Av;
using internal::Candidate;
using internal::FactBuilder;
using internal::FactStore;
using internal::FindingBefore;
using internal::kNoId;
using internal::LearnCounts;
using internal::Model;
using internal::RunOnThreads;
using internal::TraceFacts;
using internal::TraceJudge;

namespace {

uint64_t Hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

// Events whose facts a thread holds at once in the judging pass (24 bytes
// each, with their traces' records): a shard is read in slices of this many.
constexpr uint64_t kFactSliceEvents = 1 << 16;

// The newest time a trace may end at to be judged: watermark - trace_idle,
// without overflow; INT64_MAX judges every trace.
int64_t JudgeUntil(int64_t watermark, int64_t idle) {
  if (watermark == INT64_MAX) return INT64_MAX;
  return watermark < INT64_MIN + idle ? INT64_MIN : watermark - idle;
}

// One analysis thread: the traces it read and what it found in them.
struct Worker {
  explicit Worker(AnalysisNames* names) : builder(names) {}

  FactBuilder builder;
  LearnCounts counts;
  std::vector<internal::JudgedCount> judged_counts;  // of the traces it judged, unsorted
  uint64_t late_events = 0;
  uint64_t judged_by_signature = 0;  // pass 2's traces passed over (TraceSignatures)
  // Of pass 1, by the signature ids it gave: the judged part of the counts of the first trace
  // of each, and how many more traces had it.
  std::vector<LearnCounts::JudgedPart> signature_parts;
  std::vector<uint64_t> signature_repeats;
  std::vector<std::string> partial;  // traces that lost older events
  std::vector<Finding> findings, weak;
  // Of pass 1: the traces each service (by id) has logged in.
  std::vector<uint64_t> service_traces;
  // Of pass 2: candidates that found no room sized by pass 1 (traces indexed in between).
  std::vector<internal::CandidateList> overflow;  // per service
  internal::Arena candidate_ids{64 << 10};        // the candidates' trace ids and times
  std::vector<std::string> named;                 // trace ids that errors' texts name

  // Copies `n` times into candidate_ids (aligned for int64_t).
  const int64_t* CopyTimes(const int64_t* times, int n) {
    const size_t bytes = sizeof(int64_t) * n;
    char* raw = candidate_ids.Allocate(bytes + alignof(int64_t) - 1);
    auto* aligned = reinterpret_cast<int64_t*>(
        (reinterpret_cast<uintptr_t>(raw) + alignof(int64_t) - 1) & ~(alignof(int64_t) - 1));
    std::memcpy(aligned, times, bytes);
    return aligned;
  }
};

}  // namespace

Analyzer::Analyzer(const DetectorOptions& options, const Index& index,
                   const UnstructuredCollector& unstructured, std::vector<RulePlugin*> plugins,
                   uint32_t threads)
    : options_(options),
      index_(index),
      unstructured_(unstructured),
      plugins_(std::move(plugins)),
      threads_(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())) {}

AnalysisReport Analyzer::Run(int64_t watermark_ns, const std::vector<Finding>* previous,
                             const std::vector<AttributedEntry>* previous_unstructured) {
  const int64_t judge_until = JudgeUntil(watermark_ns, options_.trace_idle_ns);
  const uint32_t threads = std::min(threads_, std::max(1u, index_.shard_count()));
  AnalysisNames names;
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(&names));

  // Pass 1, on every thread, a shard at a time: read each trace's facts and
  // learn from the judged ones. Traces whose oldest events were evicted
  // (index.max_bytes) are neither learned from nor judged: what is missing
  // from them may just be gone. The facts are not kept: pass 2 reads them
  // again, so that they never all sit in memory beside the index. Each judged
  // trace's signature is noted: a thread learns the sequences of the first
  // trace of a signature it meets and counts the others as that one, and
  // pass 2 passes over the traces of a signature once one gave nothing (their
  // event counts, for late arrivals, are the index's).
  std::optional<internal::TraceSignatures> signatures;
  if (by_signature_) signatures.emplace(index_.shard_count(), threads);
  std::atomic<uint32_t> next_shard{0};
  RunOnThreads(threads, [&](uint32_t t) {
    Worker& w = *workers[t];
    for (uint32_t shard; (shard = next_shard.fetch_add(1)) < index_.shard_count();) {
      index_.ForEachTraceWithEventsInShard(shard, [&](const TraceView& view) {
        if (view.evicted > 0) {
          w.partial.emplace_back(view.trace_id);
          return;
        }
        const TraceFacts f = w.builder.Build(shard, view);
        const bool judged = f.end <= judge_until;
        const auto [sig, first] = signatures && judged
                                      ? signatures->Record(t, shard, view.number, f)
                                      : std::pair(internal::TraceSignatures::kNone, false);
        if (sig == internal::TraceSignatures::kNone) {
          w.counts.Learn(f, judged);
        } else if (first) {
          w.signature_parts.resize(sig + 1);
          w.signature_repeats.resize(sig + 1);
          w.counts.Learn(f, judged, &w.signature_parts[sig]);
        } else {
          w.counts.LearnActivity(f);
          ++w.signature_repeats[sig];
        }
        for (uint32_t s : f.services) {
          if (s >= w.service_traces.size()) w.service_traces.resize(s + 1);
          ++w.service_traces[s];
        }
      });
    }
  });
  // The traces that repeated a signature a thread had met, counted as their first.
  for (auto& w : workers) {
    for (size_t sig = 0; sig < w->signature_parts.size(); ++sig) {
      w->counts.Repeat(w->signature_parts[sig], w->signature_repeats[sig]);
    }
    w->signature_parts = {};
    w->signature_repeats = {};
  }
  // What the traces of each kind are expected to hold, from all threads' counts.
  // The first thread's are taken over, not copied (its activity map alone has
  // an entry per service and second of the input).
  LearnCounts counts = std::move(workers.front()->counts);
  absl::flat_hash_set<std::string> partial;
  for (auto& w : workers) {
    if (w != workers.front()) counts.Merge(w->counts);
    w->counts = LearnCounts();
    for (std::string& id : w->partial) partial.insert(std::move(id));
  }
  const uint64_t traces_judged = counts.judged(), traces_waiting = counts.waiting();
  if (signatures) signatures->Seal();
  const Model model(options_, std::move(counts), &names);

  // The services whose plain-text errors need candidates, and the words of
  // the errors that could name a trace. Their texts are parked until the
  // findings, so that they and the candidates are not held at once. A one-shot
  // run takes the entries over instead of copying them, once pass 2 has read
  // (and freed) the index: only their words before.
  EntriesToAttribute taken;
  WordsToTake early;
  absl::flat_hash_set<uint32_t> wanted_services;
  if (take_unstructured_ != nullptr) {
    early = take_unstructured_->CloseAndFindWords(threads);
    for (const std::string& service : early.timed_services) {
      if (uint32_t s = names.services.Find(0, service); s != kNoId) wanted_services.insert(s);
    }
  } else {
    taken = unstructured_.SnapshotToAttribute(threads);
    for (const AttributedEntry& a : taken.entries) {
      if (!a.entry.time_known) continue;
      if (uint32_t s = names.services.Find(0, a.entry.service); s != kNoId) {
        wanted_services.insert(s);
      }
    }
  }
  absl::flat_hash_set<uint64_t> mentioned;
  for (const std::vector<std::string>& entry_words :
       take_unstructured_ != nullptr ? early.words : taken.words) {
    for (const std::string& w : entry_words) mentioned.insert(Hash(w));
  }

  // Each wanted service's candidates, one per trace it logged in: their room
  // is made now, from pass 1's counts, and pass 2's threads fill it (so that
  // the lists are neither grown by doubling nor gathered from the threads').
  std::vector<uint64_t> service_traces;
  for (auto& w : workers) {
    if (w->service_traces.size() > service_traces.size()) {
      service_traces.resize(w->service_traces.size());
    }
    for (size_t s = 0; s < w->service_traces.size(); ++s) service_traces[s] += w->service_traces[s];
    w->service_traces = std::vector<uint64_t>();
  }
  std::vector<internal::CandidateList> candidates(service_traces.size());
  for (uint32_t s : wanted_services) {
    if (s < candidates.size()) candidates[s].resize(service_traces[s]);
  }
  std::unique_ptr<std::atomic<uint64_t>[]> filled(new std::atomic<uint64_t>[candidates.size()]());

  if (between_passes_) between_passes_();

  // Pass 2, on every thread, a shard at a time, reading the facts again:
  // findings of the judged traces, and late arrivals in those judged before;
  // attribution candidates of every trace (an error may belong to a request
  // that is still open). Lines indexed since pass 1 may be in the facts now.
  next_shard = 0;
  RunOnThreads(threads, [&](uint32_t t) {
    Worker& w = *workers[t];
    TraceJudge judge(options_, model, names, index_);
    std::vector<uint32_t> incomplete;
    // A judged trace's events, against the previous run's count (late arrivals need the counts
    // of a previous run: none in a one-shot run).
    auto note_judged = [&](std::string_view trace_id, uint32_t events) {
      if (!track_changes_) return;
      const uint64_t h = Hash(trace_id);
      auto it = std::lower_bound(judged_counts_.begin(), judged_counts_.end(),
                                 internal::JudgedCount{h, 0});
      if (it != judged_counts_.end() && it->trace_hash == h && events > it->events) {
        w.late_events += events - it->events;
      }
      w.judged_counts.push_back({h, events});
    };
    auto visit = [&](const TraceFacts& f, uint32_t signature) {
      const bool judged = f.end <= judge_until;
      const size_t findings_before = w.findings.size(), weak_before = w.weak.size();
      bool candidate = false;
      if (judged) note_judged(f.trace_id, f.indexed_events);
      const bool is_mentioned = !mentioned.empty() && mentioned.contains(Hash(f.trace_id));
      if (is_mentioned) w.named.emplace_back(f.trace_id);
      judge.Judge(f, judged, &w.findings, &w.weak, &incomplete);
      std::string_view id;  // copied once the trace is some service's candidate
      for (uint32_t s : f.services) {
        if (!wanted_services.contains(s)) continue;
        candidate = true;
        Candidate c{};
        if (id.empty()) id = w.candidate_ids.Copy(f.trace_id);
        c.set_trace_id(id);
        // Its first kMaxTimes - 1 times there, and the last in the last slot.
        int64_t times[Candidate::kMaxTimes];
        int count = 0;
        for (const internal::Ev& e : f.events) {
          if (e.service != s) continue;
          times[std::min(count, Candidate::kMaxTimes - 1)] = e.time;
          count = std::min(count + 1, Candidate::kMaxTimes);
        }
        if (count > 0) {
          c.first = times[0];
          c.last = times[count - 1];
          c.count = static_cast<uint8_t>(count);
          if (count > 2) c.middle = w.CopyTimes(times + 1, count - 2);
        }
        c.incomplete = std::find(incomplete.begin(), incomplete.end(), s) != incomplete.end();
        c.mentioned = is_mentioned;
        if (s < candidates.size()) {
          const uint64_t slot = filled[s].fetch_add(1, std::memory_order_relaxed);
          if (slot < candidates[s].size()) {
            candidates[s][slot] = c;
            continue;
          }
        }
        if (s >= w.overflow.size()) w.overflow.resize(s + 1);
        w.overflow[s].push_back(c);
      }
      if (signatures) {
        signatures->Judged(signature, judged && !candidate &&
                                          w.findings.size() == findings_before &&
                                          w.weak.size() == weak_before);
      }
    };
    // A slice of a shard's facts at a time, judged outside the shard's lock
    // (the evidence reads timelines from the index).
    FactStore facts;
    std::vector<uint32_t> fact_signatures;
    for (uint32_t shard; (shard = next_shard.fetch_add(1)) < index_.shard_count();) {
      SkipTrace skip;
      if (signatures) {
        skip = [&](uint64_t number, uint32_t events, std::string_view trace_id) {
          const bool skipped = signatures->Clean(signatures->Of(shard, number, events)) &&
                               (mentioned.empty() || !mentioned.contains(Hash(trace_id)));
          if (skipped) {
            ++w.judged_by_signature;
            note_judged(trace_id, events);  // judged: recorded in pass 1 as judged, unchanged
          }
          return skipped;
        };
      }
      for (Index::SliceCursor slice; !slice.done;) {
        facts.Clear();
        fact_signatures.clear();
        index_.ForEachTraceWithEventsInShard(
            shard,
            [&](const TraceView& view) {
              if (view.evicted != 0) return;
              facts.Add(w.builder.Build(shard, view));
              fact_signatures.push_back(
                  signatures ? signatures->Of(shard, view.number, static_cast<uint32_t>(view.count))
                             : internal::TraceSignatures::kNone);
            },
            &slice, kFactSliceEvents, skip);
        for (size_t i = 0; i < facts.size(); ++i) visit(facts.Get(i), fact_signatures[i]);
      }
      if (release_shard_) release_shard_(shard);
    }
  });
  release_shard_ = nullptr;  // for one run only
  // Only pass 2 needed these: freed before the attribution's peak.
  signatures.reset();
  mentioned = decltype(mentioned)();
  wanted_services = decltype(wanted_services)();
  if (take_unstructured_ != nullptr) {
    taken = take_unstructured_->Take(threads, std::move(early.words));
    // The collector's own records of the entries, made on the workers, were freed into their
    // malloc arenas, where the allocations of this thread cannot reuse them.
    internal::ReturnFreeMemoryToSystem();
  }
  std::vector<AttributedEntry>& entries = taken.entries;
  internal::EntryWords& words = taken.words;
  // Rebuilt each run, so that traces the index evicted are forgotten here too. The previous
  // run's counts are freed first (pass 2 was their last reader) and the new ones gathered into
  // a vector sized once, each worker's freed as it is copied, then sorted for lookups.
  judged_counts_ = decltype(judged_counts_)();
  size_t judged_total = 0;
  for (auto& w : workers) judged_total += w->judged_counts.size();
  judged_counts_.reserve(judged_total);
  uint64_t judged_by_signature = 0;
  for (auto& w : workers) {
    late_events_ += w->late_events;
    judged_by_signature += w->judged_by_signature;
    judged_counts_.insert(judged_counts_.end(), w->judged_counts.begin(), w->judged_counts.end());
    w->judged_counts = decltype(w->judged_counts)();
  }
  std::sort(judged_counts_.begin(), judged_counts_.end());
  std::vector<Finding> findings, weak;
  // Room pass 2 did not fill (traces evicted in between) is dropped; candidates
  // that found none (traces indexed in between) join their lists.
  for (size_t s = 0; s < candidates.size(); ++s) {
    candidates[s].resize(std::min<uint64_t>(candidates[s].size(), filled[s].load()));
  }
  filled.reset();
  for (auto& w : workers) {
    if (w->overflow.size() > candidates.size()) candidates.resize(w->overflow.size());
    for (size_t s = 0; s < w->overflow.size(); ++s) {
      candidates[s].insert(candidates[s].end(), w->overflow[s].begin(), w->overflow[s].end());
    }
    w->overflow = decltype(w->overflow)();
  }
  absl::flat_hash_set<std::string> named;
  for (auto& w : workers) {
    std::move(w->findings.begin(), w->findings.end(), std::back_inserter(findings));
    std::move(w->weak.begin(), w->weak.end(), std::back_inserter(weak));
    w->findings = std::vector<Finding>();
    w->weak = std::vector<Finding>();
    for (std::string& id : w->named) named.insert(std::move(id));
  }

  AnalysisReport report;
  report.traces_partly_evicted = partial.size();
  // A gap that another instance holds the rest of is no gap.
  if (lookup_ != nullptr) peer_check_.Filter(*lookup_, absl::Now(), &findings, &report);
  report.unstructured = internal::Attribute(options_, std::move(entries), std::move(words),
                                            candidates, names.services, named, threads);
  candidates = decltype(candidates)();  // freed before the findings are built
  named = decltype(named)();
  // The former report's entries lend the texts they share with this one.
  const std::vector<AttributedEntry>* before_unstructured = !track_changes_ ? nullptr
                                                            : previous_unstructured != nullptr
                                                                ? previous_unstructured
                                                                : &previous_unstructured_;
  taken.texts.Restore(report.unstructured,
                      first_lines_only_ ? internal::ParkedTexts::Restored::kFirstLines
                                        : internal::ParkedTexts::Restored::kWhole,
                      before_unstructured);
  internal::AddUnstructuredFindings(report.unstructured, std::move(weak),
                                    /*build=*/!defer_unstructured_findings_, &findings);
  report.unstructured_findings_deferred = defer_unstructured_findings_;
  internal::MarkPlainTextConsequences(report.unstructured, &findings);
  for (RulePlugin* plugin : plugins_) plugin->Evaluate(watermark_ns, &findings);
  std::sort(findings.begin(), findings.end(), FindingBefore);
  internal::SortMovingOnce(report.unstructured, internal::EntryOrderKey);

  report.traces_judged_by_signature = judged_by_signature;
  if (!track_changes_) {
    report.findings = std::move(findings);
    FillCounts(watermark_ns, traces_judged, traces_waiting, model, &report);
    return report;
  }
  // Changes since the previous run, against the findings of its report (the
  // caller's or, without one, the analyzer's copy). Ids are views into
  // `before` and `findings` (not grown while `now` lives).
  const std::vector<Finding>& before = previous != nullptr ? *previous : previous_;
  absl::flat_hash_set<absl::string_view> before_ids, now;
  for (const Finding& old : before) before_ids.insert(old.id);
  for (const Finding& fd : findings) {
    now.insert(fd.id);
    if (!before_ids.contains(fd.id)) report.changes.push_back(fd);
  }
  std::vector<Finding> kept;
  for (const Finding& old : before) {
    if (!now.insert(old.id).second) continue;  // found again, or a repeated id
    // A plain-text error leaves only when the collector's limits drop it (counted in
    // unstructured_dropped): no later data disproved it, and it is not kept.
    if (old.kind == "unstructured_error") continue;
    if (!old.trace_id.empty()) {
      // Its trace was not judged again because the index evicted (some of)
      // its events: keep the finding while the trace is partly there, drop it
      // quietly once it is gone; it was not resolved by later data.
      if (partial.contains(old.trace_id)) {
        kept.push_back(old);
        continue;
      }
      // Gone: its record too (NOT_FOUND), or all its events (pass 1 did not see it).
      const absl::StatusOr<Timeline> timeline = index_.GetTimeline(old.trace_id);
      if (absl::IsNotFound(timeline.status()) ||
          (timeline.ok() && timeline->events.empty() && timeline->evicted_events > 0)) {
        // Judged in full before it went, unless told to forget it with its trace.
        if (keep_evicted_findings_) kept.push_back(old);
        continue;
      }
    }
    Finding resolved = old;
    resolved.resolved = true;
    resolved.summary = absl::StrCat("Resolved by later data: ", old.summary);
    report.changes.push_back(std::move(resolved));
  }
  now = decltype(now)();
  if (defer_unstructured_findings_) {
    NoteNewUnstructured(
        previous_unstructured != nullptr ? *previous_unstructured : previous_unstructured_, report);
    previous_unstructured_ =
        previous_unstructured != nullptr ? std::vector<AttributedEntry>() : report.unstructured;
  }
  std::move(kept.begin(), kept.end(), std::back_inserter(findings));
  std::sort(report.changes.begin(), report.changes.end(), FindingBefore);
  std::sort(findings.begin(), findings.end(), FindingBefore);
  // The caller keeps the report: no second copy here.
  previous_ = previous != nullptr ? std::vector<Finding>() : findings;

  report.findings = std::move(findings);
  FillCounts(watermark_ns, traces_judged, traces_waiting, model, &report);
  return report;
}

void Analyzer::NoteNewUnstructured(const std::vector<AttributedEntry>& before,
                                   AnalysisReport& report) const {
  // As for the other findings: an id not seen before is new.
  absl::flat_hash_set<absl::string_view> before_ids;
  before_ids.reserve(before.size());
  for (const AttributedEntry& old : before) before_ids.insert(Av(old.entry.id));
  for (size_t i = 0; i < report.unstructured.size(); ++i) {
    const absl::string_view id = Av(report.unstructured[i].entry.id);
    if (!before_ids.contains(id)) report.new_unstructured.push_back(i);
  }
  // An error no longer reported was dropped by the collector's limits (unstructured_dropped):
  // no later data disproved it, so it is not reported resolved.
}

void Analyzer::FillCounts(int64_t watermark_ns, uint64_t judged, uint64_t waiting,
                          const internal::Model& model, AnalysisReport* report) const {
  report->watermark_ns = watermark_ns;
  report->traces_judged = judged;
  report->traces_waiting = waiting;
  report->kinds = model.kinds_seen();
  report->kinds_learned = model.kinds_learned();
  report->sequences_learned = model.sequences_learned();
  report->late_events = late_events_;
}

}  // namespace logweave

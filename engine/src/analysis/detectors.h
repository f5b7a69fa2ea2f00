// The trace detectors: missing services and incomplete sequences.
//
// They learn in one pass and judge in a second. The learning pass runs on
// several threads, each counting what its traces show (LearnCounts); the
// counts are added up into a Model (what each kind of trace is expected to
// contain), which is then read-only while the threads judge their traces
// against it (TraceJudge).
#ifndef LOGWEAVE_ANALYSIS_DETECTORS_H_
#define LOGWEAVE_ANALYSIS_DETECTORS_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analysis/trace_facts.h"
#include "logweave/finding.h"
#include "logweave/index.h"
#include "logweave/options.h"

namespace logweave::internal {

// (kind of trace, service, event, what followed it). Whether an event is
// followed depends on the kind of request: a lookup may end where an order
// goes on.
using SequenceKey = std::array<uint32_t, 4>;

// A SequenceKey hashed and compared as two 64-bit words: the maps keyed by it
// are probed for every event of every trace in each analysis, and absl's hash
// of an array mixes its four values in turn, std::array's == calls memcmp.
struct SequenceKeyHash {
  size_t operator()(const SequenceKey& k) const {
    uint64_t a, b;
    std::memcpy(&a, k.data(), sizeof(a));
    std::memcpy(&b, k.data() + 2, sizeof(b));
    // Two odd multipliers and a fold: every input bit reaches the high and the low bits (absl's
    // table takes both).
    uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};
struct SequenceKeyEq {
  bool operator()(const SequenceKey& x, const SequenceKey& y) const {
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
  }
};
template <typename Value>
using SequenceMap = absl::flat_hash_map<SequenceKey, Value, SequenceKeyHash, SequenceKeyEq>;

struct KindStats {
  uint32_t traces = 0;
  absl::flat_hash_map<uint32_t, uint32_t> service_traces;  // service -> traces with it
};

// What one thread's traces show. Thread-compatible; Merge adds another's.
class LearnCounts {
 public:
  // What a judged trace adds besides its activity: its kind, services and sequences. The same
  // for every trace of a signature (TraceSignatures), so kept for the first and added again for
  // the others (Repeat) instead of worked out again.
  struct JudgedPart {
    uint32_t kind = 0;
    std::vector<uint32_t> services;
    std::vector<SequenceKey> seen, successors;
  };

  // Counts a trace: its services' activity always; its services and
  // sequences for learning only when it is judged (and then, with `part`,
  // writes them there too).
  void Learn(const TraceFacts& f, bool judged, JudgedPart* part = nullptr);
  // Counts a judged trace's activity only: its part is counted by Repeat.
  void LearnActivity(const TraceFacts& f);
  // Counts `times` more judged traces whose part is `part`.
  void Repeat(const JudgedPart& part, uint64_t times);
  void Merge(const LearnCounts& other);

  uint64_t judged() const { return judged_; }
  uint64_t waiting() const { return waiting_; }

 private:
  friend class Model;
  KindStats& KindOf(uint32_t kind) {
    if (kind >= kinds_.size()) kinds_.resize(kind + 1);
    return kinds_[kind];
  }
  std::vector<KindStats> kinds_;                      // by kind id
  absl::flat_hash_map<uint64_t, uint32_t> activity_;  // (service, second) -> lines
  SequenceMap<uint32_t> seen_, successors_;
  uint64_t judged_ = 0, waiting_ = 0;
  std::vector<uint32_t> sequence_;  // scratch
};

// What is expected of each kind of trace and of each event, learned from
// the counts and declared in the options. Immutable once made: thread-safe.
class Model {
 public:
  struct Rule {
    std::vector<std::pair<uint32_t, uint32_t>> follows;  // (traces, event) that came next
    uint32_t count;  // traces where something followed (0: declared in the config)
    uint32_t seen;   // traces with the event
    // At least follow_share: a trace without a follow-up is reported. Otherwise
    // (at least weak_follow_share) only when a plain-text error is attributed to it.
    bool strong;
  };

  // Interns the names the options declare into `names`.
  Model(const DetectorOptions& options, LearnCounts counts, AnalysisNames* names);

  // Services expected in a kind (ascending ids); empty if none.
  const std::vector<uint32_t>& Expected(uint32_t kind) const;
  const KindStats* Kind(uint32_t kind) const;
  // The rule of an event in a kind (or declared for any kind), or null.
  const Rule* FindRule(uint32_t kind, uint32_t service, uint32_t event) const;
  // Lines of `service` from `from` to `to` (whole seconds, at most an hour).
  uint64_t Activity(uint32_t service, int64_t from, int64_t to) const;

  uint64_t kinds_seen() const { return kinds_seen_; }
  uint64_t kinds_learned() const { return kinds_learned_; }
  uint64_t sequences_learned() const { return rules_.size(); }

 private:
  LearnCounts counts_;
  std::vector<std::vector<uint32_t>> expected_;  // per kind
  SequenceMap<Rule> rules_;                      // (kind, service, event, 0) -> follow-ups
  uint64_t kinds_seen_ = 0, kinds_learned_ = 0;
};

// Judges traces against a Model. One per thread; thread-compatible.
class TraceJudge {
 public:
  // Evidence lines read their text from `index`.
  TraceJudge(const DetectorOptions& options, const Model& model, const AnalysisNames& names,
             const Index& index);

  // Notes in *incomplete the services `f` left an expected sequence
  // unfinished in. If `judged`, also reports its findings: into *findings,
  // and incomplete sequences of weak rules into *weak (reported only when a
  // plain-text error backs them up).
  void Judge(const TraceFacts& f, bool judged, std::vector<Finding>* findings,
             std::vector<Finding>* weak, std::vector<uint32_t>* incomplete);

 private:
  void JudgeMissing(const TraceFacts& f, std::vector<Finding>* findings);
  void ReportIncomplete(const TraceFacts& f, uint32_t service, uint32_t event,
                        const Model::Rule& rule, std::vector<Finding>* findings);
  EvidenceLine Evidence(const TraceFacts& f, const Ev& e);
  // Reads f's timeline from the index into timeline_, unless it is already there.
  void LoadTimeline(const TraceFacts& f);
  // The trace's first error-level event (from the index), or null. Valid until the next
  // trace's timeline is read.
  const TimelineEvent* UpstreamError(const TraceFacts& f);
  std::string ServiceList(std::span<const uint32_t> services) const;

  const DetectorOptions& options_;
  const Model& model_;
  const AnalysisNames& names_;
  const Index& index_;
  std::vector<uint32_t> sequence_;  // scratch
  std::string timeline_id_;         // the trace whose timeline is cached
  absl::StatusOr<Timeline> timeline_ = absl::NotFoundError("");
};

// Marks a missing_service finding as the consequence of an upstream error (its service, time,
// message, "source:line", and the id of its finding when it has one): severity info,
// details consequence=true and cause_* (the error), and a sentence in the summary.
void MarkConsequence(std::string_view service, int64_t time_ns, std::string_view message,
                     std::string_view line, std::string_view finding_id, Finding* fd);

// The named events of service `s` in `f`, in time order (at most 64).
void NamedSequence(const TraceFacts& f, uint32_t s, std::vector<uint32_t>* out);

// A time's whole second, rounded down.
int64_t FloorSecond(int64_t ns);

// "2026-11-23T10:00:00.123456Z".
std::string FormatTime(int64_t ns);

// s cut to at most `max` bytes on a UTF-8 boundary, with "..." if cut.
std::string Shorten(std::string_view s, size_t max);

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_DETECTORS_H_

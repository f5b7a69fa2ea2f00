#include "analysis/detectors.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "internal/strings.h"
#include "parse/time_parse.h"

namespace logweave::internal {
namespace {

constexpr size_t kMaxSequence = 64;        // events per service and trace used for sequences
constexpr uint32_t kAnyKind = UINT32_MAX;  // declared sequences apply to every kind
constexpr uint32_t kEnded = UINT32_MAX;    // nothing followed
constexpr int64_t kSecond = 1'000'000'000;

uint64_t ActivityKey(uint32_t service, int64_t second) {
  return (static_cast<uint64_t>(service) << 40) ^ static_cast<uint64_t>(second);
}

std::string Percent(double share) { return absl::StrFormat("%.0f%%", share * 100); }

bool FirstOccurrence(const std::vector<uint32_t>& seq, size_t i) {
  return std::find(seq.begin(), seq.begin() + i, seq[i]) == seq.begin() + i;
}

size_t LastOccurrence(const std::vector<uint32_t>& seq, uint32_t e) {
  size_t last = 0;
  for (size_t j = 0; j < seq.size(); ++j) {
    if (seq[j] == e) last = j;
  }
  return last;
}

// The first event other than e after e's last occurrence, or kNoId.
uint32_t Successor(const std::vector<uint32_t>& seq, uint32_t e) {
  for (size_t j = LastOccurrence(seq, e) + 1; j < seq.size(); ++j) {
    if (seq[j] != e) return seq[j];
  }
  return kNoId;
}

}  // namespace

int64_t FloorSecond(int64_t ns) { return ns >= 0 ? ns / kSecond : (ns - kSecond + 1) / kSecond; }

std::string FormatTime(int64_t ns) {
  char buf[48];
  return std::string(buf, FormatTimestamp(ns, buf));
}

void MarkConsequence(std::string_view service, int64_t time_ns, std::string_view message,
                     std::string_view line, std::string_view finding_id, Finding* fd) {
  fd->severity = Severity::kInfo;
  const std::string text = Shorten(message, 200);
  fd->details.push_back({"consequence", "true"});
  fd->details.push_back({"cause_service", std::string(service)});
  fd->details.push_back({"cause_time", FormatTime(time_ns)});
  fd->details.push_back({"cause_error", text});
  fd->details.push_back({"cause_line", std::string(line)});
  if (!finding_id.empty()) fd->details.push_back({"cause_finding", std::string(finding_id)});
  absl::StrAppend(&fd->summary, " The request failed before: ", Av(service), " logged an error at ",
                  FormatTime(time_ns), " (\"", text,
                  "\"), so this gap is its consequence, not a problem of its own.");
}

std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(Av(s.substr(0, cut)), "...");
}

void NamedSequence(const TraceFacts& f, uint32_t s, std::vector<uint32_t>* out) {
  out->clear();
  for (const Ev& e : f.events) {
    if (e.service == s && e.name != kNoId && out->size() < kMaxSequence) out->push_back(e.name);
  }
}

void LearnCounts::Learn(const TraceFacts& f, bool judged, JudgedPart* part) {
  LearnActivity(f);
  if (!judged) {
    ++waiting_;
    return;
  }
  ++judged_;
  KindStats& k = KindOf(f.kind);
  ++k.traces;
  for (uint32_t s : f.services) ++k.service_traces[s];
  if (part != nullptr) {
    part->kind = f.kind;
    part->services.assign(f.services.begin(), f.services.end());
  }
  for (uint32_t s : f.services) {
    NamedSequence(f, s, &sequence_);
    for (size_t i = 0; i < sequence_.size(); ++i) {
      if (!FirstOccurrence(sequence_, i)) continue;
      // What came next in the service after the event's last occurrence:
      // another event, or nothing.
      const uint32_t e = sequence_[i];
      const uint32_t next = Successor(sequence_, e);
      const SequenceKey seen{f.kind, s, e, 0},
          successor{f.kind, s, e, next == kNoId ? kEnded : next};
      ++seen_[seen];
      ++successors_[successor];
      if (part != nullptr) {
        part->seen.push_back(seen);
        part->successors.push_back(successor);
      }
    }
  }
}

void LearnCounts::Repeat(const JudgedPart& part, uint64_t times) {
  if (times == 0) return;
  const auto n = static_cast<uint32_t>(times);
  judged_ += times;
  KindStats& k = KindOf(part.kind);
  k.traces += n;
  for (uint32_t s : part.services) k.service_traces[s] += n;
  for (const SequenceKey& key : part.seen) seen_[key] += n;
  for (const SequenceKey& key : part.successors) successors_[key] += n;
}

void LearnCounts::LearnActivity(const TraceFacts& f) {
  // One update per run of events of a service within a second (a trace's
  // events are in time order), not one per event.
  uint64_t run_key = 0;
  uint32_t run = 0;
  for (const Ev& e : f.events) {
    const uint64_t key = ActivityKey(e.service, FloorSecond(e.time));
    if (run > 0 && key != run_key) {
      activity_[run_key] += run;
      run = 0;
    }
    run_key = key;
    ++run;
  }
  if (run > 0) activity_[run_key] += run;
}

void LearnCounts::Merge(const LearnCounts& other) {
  if (other.kinds_.size() > kinds_.size()) kinds_.resize(other.kinds_.size());
  for (size_t k = 0; k < other.kinds_.size(); ++k) {
    kinds_[k].traces += other.kinds_[k].traces;
    for (const auto& [s, n] : other.kinds_[k].service_traces) kinds_[k].service_traces[s] += n;
  }
  for (const auto& [key, n] : other.activity_) activity_[key] += n;
  for (const auto& [key, n] : other.seen_) seen_[key] += n;
  for (const auto& [key, n] : other.successors_) successors_[key] += n;
  judged_ += other.judged_;
  waiting_ += other.waiting_;
}

Model::Model(const DetectorOptions& options, LearnCounts counts, AnalysisNames* names)
    : counts_(std::move(counts)) {
  const std::vector<KindStats>& kinds = counts_.kinds_;
  expected_.assign(std::max(kinds.size(), names->kinds.size()), {});
  for (uint32_t kind = 0; kind < kinds.size(); ++kind) {
    const KindStats& k = kinds[kind];
    if (k.traces == 0) continue;
    ++kinds_seen_;
    if (k.traces < options.min_traces) continue;
    ++kinds_learned_;
    for (const auto& [service, n] : k.service_traces) {
      if (static_cast<double>(n) / k.traces >= options.expected_share) {
        expected_[kind].push_back(service);
      }
    }
  }
  for (const auto& [kind_name, services] : options.expected_services) {
    const uint32_t kind = names->kinds.Id(0, kind_name);
    if (kind >= expected_.size()) expected_.resize(kind + 1);
    for (const auto& name : services) expected_[kind].push_back(names->services.Id(0, name));
  }
  for (auto& e : expected_) {
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
  }
  // An event is expected to be followed (by something) when it was the last
  // event of its service in at most 1 - follow_share of the traces that had it.
  for (const auto& [event_key, seen] : counts_.seen_) {
    if (seen < options.min_event_traces) continue;
    SequenceKey end_key = event_key;
    end_key[3] = kEnded;
    auto end = counts_.successors_.find(end_key);
    const uint32_t ended = end == counts_.successors_.end() ? 0 : end->second;
    const double share = static_cast<double>(seen - ended) / seen;
    if (share < options.weak_follow_share) continue;
    rules_[event_key] = Rule{{}, seen - ended, seen, share >= options.follow_share};
  }
  for (const auto& [key, n] : counts_.successors_) {
    const uint32_t next = key[3];
    SequenceKey event_key = key;
    event_key[3] = 0;
    auto rule = rules_.find(event_key);
    if (next == kEnded || rule == rules_.end()) continue;
    rule->second.follows.push_back({n, next});
  }
  // The three most frequent follow-ups; ties by name, so that the choice does
  // not depend on which thread saw a name first.
  for (auto& [key, rule] : rules_) {
    std::sort(rule.follows.begin(), rule.follows.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first > b.first;
      return names->events.Name(a.second) < names->events.Name(b.second);
    });
    if (rule.follows.size() > 3) rule.follows.resize(3);
  }
  for (const auto& seq : options.expected_sequences) {
    const uint32_t s = names->services.Id(0, seq.service);
    const uint32_t e = names->events.Id(s, seq.event);
    const uint32_t f = names->events.Id(s, seq.follow);
    if (e == kNoId || f == kNoId) continue;  // the service has too many names
    rules_[SequenceKey{kAnyKind, s, e, 0}] = Rule{{{0, f}}, 0, 0, true};
  }
}

const std::vector<uint32_t>& Model::Expected(uint32_t kind) const {
  static const std::vector<uint32_t> kNone;
  return kind < expected_.size() ? expected_[kind] : kNone;
}

const KindStats* Model::Kind(uint32_t kind) const {
  return kind < counts_.kinds_.size() ? &counts_.kinds_[kind] : nullptr;
}

const Model::Rule* Model::FindRule(uint32_t kind, uint32_t service, uint32_t event) const {
  auto rule = rules_.find(SequenceKey{kind, service, event, 0});
  if (rule == rules_.end()) rule = rules_.find(SequenceKey{kAnyKind, service, event, 0});
  return rule == rules_.end() ? nullptr : &rule->second;
}

uint64_t Model::Activity(uint32_t service, int64_t from, int64_t to) const {
  uint64_t n = 0;
  const int64_t last = FloorSecond(to);
  for (int64_t sec = FloorSecond(from), steps = 0; sec <= last && steps < 3600; ++sec, ++steps) {
    auto it = counts_.activity_.find(ActivityKey(service, sec));
    if (it != counts_.activity_.end()) n += it->second;
  }
  return n;
}

TraceJudge::TraceJudge(const DetectorOptions& options, const Model& model,
                       const AnalysisNames& names, const Index& index)
    : options_(options), model_(model), names_(names), index_(index) {}

void TraceJudge::Judge(const TraceFacts& f, bool judged, std::vector<Finding>* findings,
                       std::vector<Finding>* weak, std::vector<uint32_t>* incomplete) {
  incomplete->clear();
  if (judged) JudgeMissing(f, findings);
  // Events left without their follow-up. Learned: the service's last event
  // is one that is nearly always followed. Declared: the event's declared
  // follow-up never came after it.
  for (uint32_t s : f.services) {
    NamedSequence(f, s, &sequence_);
    for (size_t i = 0; i < sequence_.size(); ++i) {
      if (!FirstOccurrence(sequence_, i)) continue;
      const uint32_t e = sequence_[i];
      const Model::Rule* r = model_.FindRule(f.kind, s, e);
      if (r == nullptr) continue;
      bool complete;
      if (r->seen == 0) {  // declared: its follow-up must come after it
        complete = std::find(sequence_.begin() + LastOccurrence(sequence_, e) + 1, sequence_.end(),
                             r->follows.front().second) != sequence_.end();
      } else {
        complete = Successor(sequence_, e) != kNoId;
      }
      if (complete) continue;
      incomplete->push_back(s);
      if (judged) ReportIncomplete(f, s, e, *r, r->strong ? findings : weak);
    }
  }
}

void TraceJudge::JudgeMissing(const TraceFacts& f, std::vector<Finding>* findings) {
  const std::vector<uint32_t>& expected = model_.Expected(f.kind);
  if (expected.empty()) return;
  std::vector<uint32_t> missing;
  std::set_difference(expected.begin(), expected.end(), f.services.begin(), f.services.end(),
                      std::back_inserter(missing));
  if (missing.empty()) return;
  // By name: ids depend on which thread saw a service first.
  std::sort(missing.begin(), missing.end(), [&](uint32_t a, uint32_t b) {
    return names_.services.Name(a) < names_.services.Name(b);
  });
  const KindStats* k = model_.Kind(f.kind);
  Finding& fd = findings->emplace_back();
  fd.kind = "missing_service";
  fd.severity = Severity::kWarning;
  fd.trace_id = std::string(f.trace_id);
  fd.time_ns = f.start;
  std::vector<std::string> names, causes, shares;
  std::string sentence;
  for (uint32_t s : missing) {
    const std::string name(names_.services.Name(s));
    names.push_back(name);
    const uint64_t other = model_.Activity(s, f.start - options_.activity_margin_ns,
                                           f.end + options_.activity_margin_ns);
    std::string share = "declared";
    if (k != nullptr && k->traces > 0) {
      auto it = k->service_traces.find(s);
      double p = it == k->service_traces.end() ? 0 : static_cast<double>(it->second) / k->traces;
      share = absl::StrCat(Percent(p), " of ", k->traces);
    }
    shares.push_back(share);
    if (other == 0) {
      causes.push_back("silent");
      absl::StrAppend(&sentence, " ", name, " logged nothing at all from ",
                      FormatTime(f.start - options_.activity_margin_ns), " to ",
                      FormatTime(f.end + options_.activity_margin_ns),
                      ": it was down or its logs were not shipped.");
    } else {
      causes.push_back("not_reached");
      absl::StrAppend(&sentence, " ", name, " logged ", other,
                      " lines of other traces meanwhile: the call never reached it.");
    }
  }
  // The request failed upstream before it could reach a service that was up: the gap is a
  // consequence of that error, not a problem of its own (a silent service may be the cause
  // of the error: it stays a gap).
  const TimelineEvent* upstream = nullptr;
  if (std::find(causes.begin(), causes.end(), "not_reached") != causes.end()) {
    upstream = UpstreamError(f);
  }
  if (upstream != nullptr) {
    for (std::string& cause : causes) {
      if (cause == "not_reached") cause = "upstream_error";
    }
  }
  const std::string kind(names_.kinds.Name(f.kind));
  fd.subject = absl::StrJoin(names, ",");
  fd.id = FindingId(fd.kind, {fd.trace_id, fd.subject});
  fd.summary = absl::StrCat("Trace ", fd.trace_id, " (", kind, ") has no lines from ",
                            absl::StrJoin(names, ", "), ", expected in this kind of trace (",
                            absl::StrJoin(shares, "; "), " traces).", sentence);
  fd.details = {{"trace_kind", kind},
                {"missing", absl::StrJoin(names, ",")},
                {"cause", absl::StrJoin(causes, ",")},
                {"expected_share", absl::StrJoin(shares, ",")},
                {"services_present", ServiceList(f.services)}};
  fd.evidence.push_back(Evidence(f, f.events.front()));
  if (f.events.size() > 1) fd.evidence.push_back(Evidence(f, f.events.back()));
  if (upstream != nullptr) {
    MarkConsequence(upstream->service, upstream->time_ns, upstream->message,
                    absl::StrCat(upstream->source, ":", upstream->line_no), "", &fd);
    fd.evidence.push_back(EvidenceLine{upstream->source, upstream->line_no, upstream->time_ns,
                                       Shorten(upstream->message, 200)});
  }
}

void TraceJudge::LoadTimeline(const TraceFacts& f) {
  if (timeline_id_ != f.trace_id) {
    timeline_id_ = std::string(f.trace_id);
    timeline_ = index_.GetTimeline(f.trace_id);
  }
}

const TimelineEvent* TraceJudge::UpstreamError(const TraceFacts& f) {
  LoadTimeline(f);
  if (!timeline_.ok()) return nullptr;
  for (const TimelineEvent& e : timeline_->events) {  // by time: the first error
    if (e.level >= Level::kError) return &e;
  }
  return nullptr;
}

void TraceJudge::ReportIncomplete(const TraceFacts& f, uint32_t s, uint32_t e, const Model::Rule& r,
                                  std::vector<Finding>* findings) {
  const std::string service(names_.services.Name(s));
  const std::string event(names_.events.Name(e));
  std::vector<std::string> follows;
  for (const auto& [n, next] : r.follows) follows.emplace_back(names_.events.Name(next));
  const Ev* at = nullptr;
  for (const Ev& ev : f.events) {
    if (ev.service == s && ev.name == e) at = &ev;  // its last occurrence
  }
  Finding& fd = findings->emplace_back();
  fd.kind = "incomplete_sequence";
  fd.severity = Severity::kWarning;
  fd.trace_id = std::string(f.trace_id);
  fd.subject = absl::StrCat(service, ":", event);
  fd.time_ns = at != nullptr ? at->time : f.start;
  fd.id = FindingId(fd.kind, {fd.trace_id, service, event});
  const std::string basis =
      r.seen == 0
          ? std::string("declared in the config")
          : absl::StrCat("something follows it in ", Percent(static_cast<double>(r.count) / r.seen),
                         " of ", r.seen, " traces");
  fd.summary = absl::StrCat("In trace ", fd.trace_id, ", ", service, " logged ", event,
                            " and then nothing more (expected: ", absl::StrJoin(follows, " or "),
                            "; ", basis, ").");
  fd.details = {{"service", service},
                {"event", event},
                {"missing", absl::StrJoin(follows, ",")},
                {"basis", basis}};
  if (at != nullptr) fd.evidence.push_back(Evidence(f, *at));
}

EvidenceLine TraceJudge::Evidence(const TraceFacts& f, const Ev& e) {
  // The facts keep no messages: the text comes from the index, whose
  // timeline of the trace is read once for all of the trace's evidence.
  LoadTimeline(f);
  // Its place (source, line) too: the facts keep only its arrival order. An
  // event evicted since the facts were read has neither.
  EvidenceLine line{"", 0, e.time, ""};
  if (timeline_.ok()) {
    for (const TimelineEvent& te : timeline_->events) {
      if (te.seq == e.seq) {
        line.source = te.source;
        line.line_no = te.line_no;
        line.text = Shorten(te.message, 200);
        break;
      }
    }
  }
  return line;
}

std::string TraceJudge::ServiceList(std::span<const uint32_t> services) const {
  std::vector<std::string> names;
  for (uint32_t s : services) names.emplace_back(names_.services.Name(s));
  std::sort(names.begin(), names.end());
  return absl::StrJoin(names, ",");
}

}  // namespace logweave::internal

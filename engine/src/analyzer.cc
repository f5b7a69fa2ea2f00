#include "logweave/analyzer.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "internal/strings.h"
#include "logweave/time_parse.h"
#include "xxhash.h"

namespace logweave {

using internal::Av;

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kMaxEventName = 80;  // longer messages are free text, not event names
constexpr size_t kMaxNamesPerService = 10000;
constexpr size_t kMaxSequence = 64;  // events per service and trace used for sequences
constexpr int kMaxCandidateTimes = 8;
constexpr int64_t kSecond = 1'000'000'000;

// Interns strings to dense ids. Thread-compatible.
class Names {
 public:
  uint32_t Id(std::string_view s) {
    auto it = ids_.find(Av(s));
    if (it != ids_.end()) return it->second;
    names_.emplace_back(s);
    ids_.emplace(names_.back(), static_cast<uint32_t>(names_.size() - 1));
    return static_cast<uint32_t>(names_.size() - 1);
  }
  uint32_t Find(std::string_view s) const {
    auto it = ids_.find(Av(s));
    return it == ids_.end() ? kNone : it->second;
  }
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

struct Ev {
  int64_t time;
  uint64_t seq;
  bool has_time;
  uint32_t service;
  uint32_t name;  // event name id in the service's table, or kNone for free text
  uint32_t source_id;
  uint64_t line_no;
  std::string_view message;
};

// A trace reduced to what the detectors need; rebuilt per trace in a reused buffer.
struct TraceFacts {
  std::string_view trace_id;
  uint32_t kind = kNone;
  int64_t start = 0, end = 0;
  std::vector<Ev> events;          // by event time; ties keep arrival order
  std::vector<uint32_t> services;  // distinct, ascending
};

struct KindStats {
  uint32_t traces = 0;
  absl::flat_hash_map<uint32_t, uint32_t> service_traces;
};

// A trace's activity in one service, for attribution.
struct Candidate {
  std::string trace_id;
  int64_t times[kMaxCandidateTimes];
  int count = 0;
  int64_t first = 0, last = 0;
  bool incomplete = false;
};

std::string Time(int64_t ns) {
  char buf[48];
  return std::string(buf, FormatTimestamp(ns, buf));
}

std::string Percent(double share) { return absl::StrFormat("%.0f%%", share * 100); }

std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(Av(s.substr(0, cut)), "...");
}

uint64_t ActivityKey(uint32_t service, int64_t second) {
  return (static_cast<uint64_t>(service) << 40) ^ static_cast<uint64_t>(second);
}

// (kind of trace, service, event, what followed it). Whether an event is followed
// depends on the kind of request: a lookup may end where an order goes on.
// The words of a plain-text error that could be trace ids: runs of letters,
// digits, '_' and '-' of 6 to 128 bytes with at least one digit (so
// "exception" is not one, "pay-abc123" and a UUID are), and the '-'-separated
// parts of such a run (a W3C traceparent "00-TRACE-SPAN-01" names TRACE).
// Looks at the first kMaxScan bytes and keeps the first kMaxWords such words.
// Views into `text`; distinct, in order.
std::vector<std::string_view> TraceIdWords(std::string_view text) {
  constexpr size_t kMaxScan = 4096;
  constexpr size_t kMaxWords = 64;
  text = text.substr(0, kMaxScan);
  std::vector<std::string_view> words;
  absl::flat_hash_set<absl::string_view> seen;
  auto consider = [&](std::string_view w) {
    if (words.size() >= kMaxWords || w.size() < 6 || w.size() > 128) return;
    if (std::none_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) return;
    if (seen.insert(Av(w)).second) words.push_back(w);
  };
  auto is_word_byte = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-';
  };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && is_word_byte(text[i])) ++i;
    const std::string_view run = text.substr(start, i - start);
    consider(run);
    if (run.find('-') != std::string_view::npos) {
      for (size_t p = 0; p <= run.size();) {
        const size_t dash = std::min(run.find('-', p), run.size());
        consider(run.substr(p, dash - p));
        p = dash + 1;
      }
    }
  }
  return words;
}

using SequenceKey = std::array<uint32_t, 4>;
constexpr uint32_t kAnyKind = UINT32_MAX;  // declared sequences apply to every kind
constexpr uint32_t kEnded = UINT32_MAX;    // nothing followed

// All the state of one Run.
class RunState {
 public:
  RunState(const DetectorOptions& options, const SourceNames& sources, int64_t watermark)
      : options_(options), sources_(sources) {
    // Judge traces whose end <= watermark - idle, without overflow.
    judge_until_ = watermark == INT64_MAX ? INT64_MAX
                   : watermark < INT64_MIN + options.trace_idle_ns
                       ? INT64_MIN
                       : watermark - options.trace_idle_ns;
  }

  // Reduces a trace view to facts (events in timeline order, kind, services).
  void BuildFacts(const TraceView& view, TraceFacts* f) {
    f->trace_id = view.trace_id;
    f->events.clear();
    for (size_t i = 0; i < view.count; ++i) {
      const EventView& e = view.events[i];
      uint32_t service = services_.Id(e.service);
      if (service >= event_names_.size()) event_names_.resize(service + 1);
      uint32_t name = kNone;
      if (e.kind == RecordKind::kJson && !e.message.empty() && e.message.size() <= kMaxEventName) {
        Names& names = event_names_[service];
        name = names.Find(e.message);
        if (name == kNone && names.size() < kMaxNamesPerService) name = names.Id(e.message);
      }
      f->events.push_back(Ev{e.time_ns, e.seq,
                             (e.flags & (kRecordHasTime | kRecordTimeInferred)) != 0, service, name,
                             e.source_id, e.line_no, e.message});
    }
    std::sort(f->events.begin(), f->events.end(),
              [](const Ev& a, const Ev& b) { return a.seq < b.seq; });
    int64_t carry = 0;
    for (const Ev& e : f->events) {
      if (e.has_time) {
        carry = e.time;
        break;
      }
    }
    for (Ev& e : f->events) {
      if (e.has_time) {
        carry = e.time;
      } else {
        e.time = carry;
      }
    }
    std::stable_sort(f->events.begin(), f->events.end(),
                     [](const Ev& a, const Ev& b) { return a.time < b.time; });
    f->services.clear();
    for (const Ev& e : f->events) f->services.push_back(e.service);
    std::sort(f->services.begin(), f->services.end());
    f->services.erase(std::unique(f->services.begin(), f->services.end()), f->services.end());
    f->start = f->events.empty() ? 0 : f->events.front().time;
    f->end = f->events.empty() ? 0 : f->events.back().time;
    if (!view.route.empty()) {
      f->kind = kinds_.Id(view.route);
    } else if (!f->events.empty()) {
      const Ev& entry = f->events.front();
      f->kind = kinds_.Id(entry.name == kNone ? services_.Name(entry.service)
                                              : absl::StrCat(services_.Name(entry.service), ": ",
                                                             Av(entry.message)));
    }
  }

  bool Judged(const TraceFacts& f) const { return f.end <= judge_until_; }

  // Pass 1: counts for learning, and every service's activity over time.
  void Learn(const TraceFacts& f) {
    for (const Ev& e : f.events) ++activity_[ActivityKey(e.service, FloorSecond(e.time))];
    if (!Judged(f)) {
      ++waiting_;
      return;
    }
    ++judged_;
    if (f.kind >= kind_stats_.size()) kind_stats_.resize(f.kind + 1);
    KindStats& k = kind_stats_[f.kind];
    ++k.traces;
    for (uint32_t s : f.services) ++k.service_traces[s];
    for (uint32_t s : f.services) {
      Sequence(f, s, &sequence_);
      for (size_t i = 0; i < sequence_.size(); ++i) {
        if (!FirstOccurrence(i)) continue;
        // What came next in the service after the event's last occurrence: another
        // event, or nothing (kNone).
        uint32_t e = sequence_[i];
        uint32_t next = Successor(e);
        ++seen_[SequenceKey{f.kind, s, e, 0}];
        ++successors_[SequenceKey{f.kind, s, e, next == kNone ? kEnded : next}];
      }
    }
  }

  // Between the passes: what is expected of each kind and each event.
  void Expect() {
    expected_.assign(kinds_.size(), {});
    for (uint32_t kind = 0; kind < kind_stats_.size(); ++kind) {
      const KindStats& k = kind_stats_[kind];
      if (k.traces == 0) continue;
      ++kinds_seen_;
      if (k.traces < options_.min_traces) continue;
      ++kinds_learned_;
      for (const auto& [service, n] : k.service_traces) {
        if (static_cast<double>(n) / k.traces >= options_.expected_share) {
          expected_[kind].push_back(service);
        }
      }
    }
    for (const auto& [kind_name, names] : options_.expected_services) {
      uint32_t kind = kinds_.Id(kind_name);
      if (kind >= expected_.size()) expected_.resize(kind + 1);
      for (const auto& name : names) expected_[kind].push_back(services_.Id(name));
    }
    for (auto& e : expected_) {
      std::sort(e.begin(), e.end());
      e.erase(std::unique(e.begin(), e.end()), e.end());
    }
    // An event is expected to be followed (by something) when it was the last event
    // of its service in at most 1 - follow_share of the traces that had it.
    for (const auto& [event_key, seen] : seen_) {
      if (seen < options_.min_event_traces) continue;
      SequenceKey end_key = event_key;
      end_key[3] = kEnded;
      auto end = successors_.find(end_key);
      uint32_t ended = end == successors_.end() ? 0 : end->second;
      double share = static_cast<double>(seen - ended) / seen;
      if (share < options_.weak_follow_share) continue;
      rules_[event_key] = Rule{{}, seen - ended, seen, share >= options_.follow_share};
    }
    for (const auto& [key, n] : successors_) {
      uint32_t next = key[3];
      SequenceKey event_key = key;
      event_key[3] = 0;
      auto rule = rules_.find(event_key);
      if (next == kEnded || rule == rules_.end()) continue;
      rule->second.follows.push_back({n, next});
    }
    for (auto& [key, rule] : rules_) {
      std::sort(rule.follows.begin(), rule.follows.end(), std::greater<>());
      if (rule.follows.size() > 3) rule.follows.resize(3);
    }
    for (const auto& seq : options_.expected_sequences) {
      uint32_t s = services_.Id(seq.service);
      if (s >= event_names_.size()) event_names_.resize(s + 1);
      uint32_t e = event_names_[s].Id(seq.event);
      uint32_t f = event_names_[s].Id(seq.follow);
      rules_[SequenceKey{kAnyKind, s, e, 0}] = Rule{{{0, f}}, 0, 0, true};
    }
  }

  // Services whose plain-text errors need attribution candidates.
  // Also collects the words of their text that could name a trace.
  void WantCandidates(const std::vector<UnstructuredEntry>& entries) {
    for (const auto& e : entries) {
      if (e.time_known) wanted_services_.insert(services_.Id(e.service));
      for (std::string_view w : TraceIdWords(e.text)) mentioned_.insert(WordHash(w));
    }
  }

  // Pass 2: findings of a judged trace; attribution candidates of every trace
  // (an error may belong to a request that is still open).
  void Judge(const TraceFacts& f, std::vector<Finding>* findings) {
    if (!mentioned_.empty() && mentioned_.contains(WordHash(f.trace_id))) {
      named_.insert(std::string(f.trace_id));
    }
    incomplete_services_.clear();
    if (Judged(f)) {
      JudgeMissing(f, findings);
      JudgeSequences(f, findings);
    } else {
      JudgeSequences(f, nullptr);  // only marks the services left incomplete so far
    }
    for (uint32_t s : f.services) {
      if (!wanted_services_.contains(s)) continue;
      Candidate c;
      c.trace_id = std::string(f.trace_id);
      for (const Ev& e : f.events) {
        if (e.service != s) continue;
        if (c.count == 0) c.first = e.time;
        c.last = e.time;
        if (c.count < kMaxCandidateTimes)
          c.times[c.count++] = e.time;
        else
          c.times[kMaxCandidateTimes - 1] = e.time;  // keep the last one
      }
      c.incomplete = std::find(incomplete_services_.begin(), incomplete_services_.end(), s) !=
                     incomplete_services_.end();
      if (s >= candidates_.size()) candidates_.resize(s + 1);
      candidates_[s].push_back(std::move(c));
    }
  }

  // Attributes each plain-text error to the trace it most likely belongs to.
  //
  // Candidates are the service's requests with an event at most
  // attribution_window before the line. A request left incomplete (its last
  // event is one that is nearly always followed) is the strongest sign: a
  // failure explains the missing follow-up; then one still in progress (it
  // logged again after the line); then one that merely ended before it.
  // Errors of a service tend to come a fixed delay after the event they
  // interrupt (a timeout): that delay is learned from the errors with a single
  // incomplete candidate and scores the others. An incomplete request explains
  // one error only, so errors are assigned one to one, best pairs first.
  std::vector<AttributedEntry> Attribute(std::vector<UnstructuredEntry> entries) {
    for (auto& list : candidates_) {
      std::sort(list.begin(), list.end(), [](const Candidate& a, const Candidate& b) {
        return a.first != b.first ? a.first < b.first : a.trace_id < b.trace_id;
      });
    }
    // The longest and the median time a request spends in each service.
    std::vector<int64_t> max_span(candidates_.size(), 0), median_span(candidates_.size(), 0);
    for (size_t s = 0; s < candidates_.size(); ++s) {
      std::vector<int64_t> spans;
      for (const auto& c : candidates_[s]) spans.push_back(c.last - c.first);
      if (spans.empty()) continue;
      std::nth_element(spans.begin(), spans.begin() + spans.size() / 2, spans.end());
      median_span[s] = spans[spans.size() / 2];
      max_span[s] = *std::max_element(spans.begin(), spans.end());
    }
    struct Option {
      const Candidate* c;
      int64_t gap;
      bool after;
      double weight = 0;
    };
    std::vector<std::vector<Option>> options(entries.size());
    std::vector<uint32_t> entry_service(entries.size(), kNone);
    for (size_t i = 0; i < entries.size(); ++i) {
      const UnstructuredEntry& e = entries[i];
      uint32_t s = services_.Find(e.service);
      if (!e.time_known || s == kNone || s >= candidates_.size()) continue;
      entry_service[i] = s;
      const int64_t t = e.time_ns;
      const auto& list = candidates_[s];
      const int64_t earliest = t - options_.attribution_window_ns - max_span[s];
      auto end = std::upper_bound(list.begin(), list.end(), t,
                                  [](int64_t v, const Candidate& c) { return v < c.first; });
      for (auto it = end; it != list.begin();) {
        --it;
        if (it->first < earliest) break;
        int64_t before = INT64_MIN;
        bool after = it->last > t;
        for (int k = 0; k < it->count; ++k) {
          if (it->times[k] <= t) before = std::max(before, it->times[k]);
        }
        if (before == INT64_MIN || t - before > options_.attribution_window_ns) continue;
        options[i].push_back(Option{&*it, t - before, after});
      }
    }
    // An error whose text names a trace's id belongs to that trace, whatever
    // the timing says; it takes no incomplete request from the others.
    std::vector<std::vector<std::string>> named(entries.size());
    if (!named_.empty()) {
      for (size_t i = 0; i < entries.size(); ++i) {
        for (std::string_view w : TraceIdWords(entries[i].text)) {
          if (named_.contains(Av(w))) named[i].emplace_back(w);
        }
      }
    }
    // Delays of errors after the event they interrupt, per service: a histogram
    // (quarter-octave bins) of the gaps between each error and its incomplete
    // candidates. The true pairs pile up at the service's typical delays (a
    // 5 s timeout, an immediate refusal); the wrong ones spread out.
    auto bin_of = [](int64_t gap) {
      double ms = static_cast<double>(std::max<int64_t>(gap, 0)) / 1e6;
      return std::min(127, static_cast<int>(std::log2(ms + 1) * 4));
    };
    // Separate histograms for incomplete requests and requests in progress.
    absl::flat_hash_map<uint64_t, std::array<uint32_t, 128>> delay_bins;
    auto hist_key = [](uint32_t s, bool incomplete) { return (uint64_t{s} << 1) | incomplete; };
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!named[i].empty()) continue;  // its delay says nothing about the service's
      for (const Option& o : options[i]) {
        if (!o.c->incomplete && !o.after) continue;
        auto [it, inserted] = delay_bins.try_emplace(hist_key(entry_service[i], o.c->incomplete));
        if (inserted) it->second.fill(0);
        ++it->second[bin_of(o.gap)];
      }
    }
    // How much likelier a gap is than chance: the bin's pairs per millisecond
    // against the service's pairs per millisecond over the whole window.
    auto bin_width_ms = [](int b) {
      return std::max(1.0, std::exp2((b + 1) / 4.0) - std::exp2(b / 4.0));
    };
    auto delay_score = [&](uint32_t s, bool incomplete, int64_t gap) {
      auto it = delay_bins.find(hist_key(s, incomplete));
      if (it == delay_bins.end()) return 0.0;
      uint64_t total = 0;
      for (uint32_t n : it->second) total += n;
      double background =
          static_cast<double>(total) / (static_cast<double>(options_.attribution_window_ns) / 1e6);
      int b = bin_of(gap);
      double density = it->second[b] / bin_width_ms(b);
      return density / (density + background);
    };
    struct Pair {
      double weight;
      size_t entry;
      size_t option;
    };
    std::vector<Pair> pairs;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!named[i].empty()) continue;
      for (size_t k = 0; k < options[i].size(); ++k) {
        Option& o = options[i][k];
        double gap_s = static_cast<double>(o.gap) / kSecond;
        // An incomplete request stays the strongest sign even at an unusual delay.
        // A request in progress that took unusually long in the service (an error,
        // then a retry) is likelier than one that went at the usual pace.
        double slow = std::clamp(
            static_cast<double>(o.c->last - o.c->first) /
                std::max<double>(static_cast<double>(median_span[entry_service[i]]), 1e6),
            0.5, 20.0);
        const uint32_t s = entry_service[i];
        o.weight = o.c->incomplete ? 100.0 * (0.2 + 0.8 * delay_score(s, true, o.gap))
                   : o.after       ? 3.0 * slow * (0.1 + delay_score(s, false, o.gap))
                                   : 1.0 / (1.0 + gap_s);
        pairs.push_back(Pair{o.weight, i, k});
      }
    }
    std::sort(pairs.begin(), pairs.end(), [&](const Pair& x, const Pair& y) {
      if (x.weight != y.weight) return x.weight > y.weight;
      if (x.entry != y.entry) return x.entry < y.entry;
      return options[x.entry][x.option].c->trace_id < options[y.entry][y.option].c->trace_id;
    });
    std::vector<const Option*> chosen(entries.size(), nullptr);
    absl::flat_hash_set<const Candidate*> taken;  // incomplete requests already explained
    // A named trace's incomplete request is explained by the error naming it.
    auto named_option = [&](size_t i, std::string_view trace) -> const Option* {
      for (const Option& o : options[i]) {
        if (o.c->trace_id == trace) return &o;
      }
      return nullptr;
    };
    for (size_t i = 0; i < entries.size(); ++i) {
      for (const std::string& trace : named[i]) {
        const Option* o = named_option(i, trace);
        if (o != nullptr && o->c->incomplete) taken.insert(o->c);
      }
    }
    for (const Pair& p : pairs) {
      if (chosen[p.entry] != nullptr) continue;
      const Option& o = options[p.entry][p.option];
      if (o.c->incomplete && taken.contains(o.c)) continue;
      chosen[p.entry] = &o;
      if (o.c->incomplete) taken.insert(o.c);
    }
    std::vector<AttributedEntry> out;
    for (size_t i = 0; i < entries.size(); ++i) {
      AttributedEntry& a = out.emplace_back();
      a.entry = std::move(entries[i]);
      if (!named[i].empty()) {
        for (size_t k = 0; k < named[i].size() && k < 4; ++k) {
          AttributionCandidate c;
          if (const Option* o = named_option(i, named[i][k])) {
            c.gap_ns = o->gap;
            c.incomplete = o->c->incomplete;
          }
          c.trace_id = std::move(named[i][k]);
          c.confidence = 1.0 / static_cast<double>(named[i].size());
          c.named = true;
          a.candidates.push_back(std::move(c));
        }
        continue;
      }
      if (chosen[i] == nullptr) continue;
      double total = 0;
      for (const Option& o : options[i]) {
        // An incomplete request that explains another error counts for little here.
        total += (o.c->incomplete && taken.contains(o.c) && &o != chosen[i]) ? 0 : o.weight;
      }
      std::vector<const Option*> ranked;
      for (const Option& o : options[i]) {
        if (&o != chosen[i]) ranked.push_back(&o);
      }
      std::sort(ranked.begin(), ranked.end(), [](const Option* x, const Option* y) {
        return x->weight != y->weight ? x->weight > y->weight : x->c->trace_id < y->c->trace_id;
      });
      ranked.insert(ranked.begin(), chosen[i]);
      for (size_t k = 0; k < ranked.size() && k < 4; ++k) {
        const Option& o = *ranked[k];
        bool explained_elsewhere = o.c->incomplete && taken.contains(o.c) && k > 0;
        a.candidates.push_back(AttributionCandidate{
            o.c->trace_id, total > 0 && !explained_elsewhere ? o.weight / total : 0, o.gap,
            o.c->incomplete});
      }
    }
    return out;
  }

  // Incomplete sequences of rules too weak to report alone: reported only
  // when a plain-text error of the service was attributed to the trace.
  std::vector<Finding>& weak_findings() { return weak_findings_; }

  uint64_t judged() const { return judged_; }
  uint64_t waiting() const { return waiting_; }
  uint64_t kinds_seen() const { return kinds_seen_; }
  uint64_t kinds_learned() const { return kinds_learned_; }
  uint64_t sequences_learned() const { return rules_.size(); }

 private:
  struct Rule {
    std::vector<std::pair<uint32_t, uint32_t>> follows;  // (traces, event) that came next
    uint32_t count;  // traces where something followed (0: declared in the config)
    uint32_t seen;   // traces with the event
    // At least follow_share: a trace without a follow-up is reported. Otherwise (at
    // least weak_follow_share) only when a plain-text error is attributed to it.
    bool strong;
  };

  static int64_t FloorSecond(int64_t ns) {
    return ns >= 0 ? ns / kSecond : (ns - kSecond + 1) / kSecond;
  }

  // The named events of service s in the trace, in time order (at most kMaxSequence).
  void Sequence(const TraceFacts& f, uint32_t s, std::vector<uint32_t>* out) const {
    out->clear();
    for (const Ev& e : f.events) {
      if (e.service == s && e.name != kNone && out->size() < kMaxSequence) out->push_back(e.name);
    }
  }
  bool FirstOccurrence(size_t i) const {
    return std::find(sequence_.begin(), sequence_.begin() + i, sequence_[i]) ==
           sequence_.begin() + i;
  }
  size_t LastOccurrence(uint32_t e) const {
    size_t last = 0;
    for (size_t j = 0; j < sequence_.size(); ++j) {
      if (sequence_[j] == e) last = j;
    }
    return last;
  }

  // The first event other than e after e's last occurrence in sequence_, or kNone.
  uint32_t Successor(uint32_t e) const {
    for (size_t j = LastOccurrence(e) + 1; j < sequence_.size(); ++j) {
      if (sequence_[j] != e) return sequence_[j];
    }
    return kNone;
  }

  uint64_t Activity(uint32_t service, int64_t from, int64_t to) const {
    uint64_t n = 0;
    int64_t last = FloorSecond(to);
    for (int64_t sec = FloorSecond(from), steps = 0; sec <= last && steps < 3600; ++sec, ++steps) {
      auto it = activity_.find(ActivityKey(service, sec));
      if (it != activity_.end()) n += it->second;
    }
    return n;
  }

  EvidenceLine Evidence(const Ev& e) const {
    return EvidenceLine{std::string(sources_.Name(e.source_id)), e.line_no, e.time,
                        Shorten(e.message, 200)};
  }

  void JudgeMissing(const TraceFacts& f, std::vector<Finding>* findings) {
    if (f.kind >= expected_.size() || expected_[f.kind].empty()) return;
    std::vector<uint32_t> missing;
    std::set_difference(expected_[f.kind].begin(), expected_[f.kind].end(), f.services.begin(),
                        f.services.end(), std::back_inserter(missing));
    if (missing.empty()) return;
    const KindStats* k = f.kind < kind_stats_.size() ? &kind_stats_[f.kind] : nullptr;
    Finding& fd = findings->emplace_back();
    fd.kind = "missing_service";
    fd.severity = Severity::kWarning;
    fd.trace_id = std::string(f.trace_id);
    fd.time_ns = f.start;
    std::vector<std::string> names, causes, shares;
    std::string sentence;
    for (uint32_t s : missing) {
      const std::string& name = services_.Name(s);
      names.push_back(name);
      uint64_t other =
          Activity(s, f.start - options_.activity_margin_ns, f.end + options_.activity_margin_ns);
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
                        Time(f.start - options_.activity_margin_ns), " to ",
                        Time(f.end + options_.activity_margin_ns),
                        ": it was down or its logs were not shipped.");
      } else {
        causes.push_back("not_reached");
        absl::StrAppend(&sentence, " ", name, " logged ", other,
                        " lines of other traces meanwhile: the call never reached it.");
      }
    }
    const std::string& kind = kinds_.Name(f.kind);
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
    fd.evidence.push_back(Evidence(f.events.front()));
    if (f.events.size() > 1) fd.evidence.push_back(Evidence(f.events.back()));
  }

  // Finds events left without their follow-up, notes their services in
  // incomplete_services_ and, unless `findings` is null, reports them. Learned:
  // the service's last event is one that is nearly always followed. Declared:
  // the event's declared follow-up never came after it.
  void JudgeSequences(const TraceFacts& f, std::vector<Finding>* findings) {
    for (uint32_t s : f.services) {
      Sequence(f, s, &sequence_);
      for (size_t i = 0; i < sequence_.size(); ++i) {
        if (!FirstOccurrence(i)) continue;
        uint32_t e = sequence_[i];
        auto rule = rules_.find(SequenceKey{f.kind, s, e, 0});
        if (rule == rules_.end()) rule = rules_.find(SequenceKey{kAnyKind, s, e, 0});
        if (rule == rules_.end()) continue;
        const Rule& r = rule->second;
        bool complete;
        if (r.seen == 0) {  // declared: its follow-up must come after it
          complete = std::find(sequence_.begin() + LastOccurrence(e) + 1, sequence_.end(),
                               r.follows.front().second) != sequence_.end();
        } else {
          complete = Successor(e) != kNone;
        }
        if (complete) continue;
        incomplete_services_.push_back(s);
        if (findings == nullptr) continue;
        ReportIncomplete(f, s, e, r, r.strong ? findings : &weak_findings_);
      }
    }
  }

  void ReportIncomplete(const TraceFacts& f, uint32_t s, uint32_t e, const Rule& r,
                        std::vector<Finding>* findings) {
    const std::string& service = services_.Name(s);
    const std::string& event = event_names_[s].Name(e);
    std::vector<std::string> follows;
    for (const auto& [n, next] : r.follows) follows.push_back(event_names_[s].Name(next));
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
    std::string basis = r.seen == 0 ? std::string("declared in the config")
                                    : absl::StrCat("something follows it in ",
                                                   Percent(static_cast<double>(r.count) / r.seen),
                                                   " of ", r.seen, " traces");
    fd.summary = absl::StrCat("In trace ", fd.trace_id, ", ", service, " logged ", event,
                              " and then nothing more (expected: ", absl::StrJoin(follows, " or "),
                              "; ", basis, ").");
    fd.details = {{"service", service},
                  {"event", event},
                  {"missing", absl::StrJoin(follows, ",")},
                  {"basis", basis}};
    if (at != nullptr) fd.evidence.push_back(Evidence(*at));
  }

  std::string ServiceList(const std::vector<uint32_t>& services) const {
    std::vector<std::string> names;
    for (uint32_t s : services) names.push_back(services_.Name(s));
    std::sort(names.begin(), names.end());
    return absl::StrJoin(names, ",");
  }

  const DetectorOptions& options_;
  const SourceNames& sources_;
  int64_t judge_until_;
  Names services_, kinds_;
  std::vector<Names> event_names_;  // per service
  std::vector<KindStats> kind_stats_;
  absl::flat_hash_map<uint64_t, uint32_t> activity_;
  absl::flat_hash_map<SequenceKey, uint32_t> seen_, successors_;
  absl::flat_hash_map<SequenceKey, Rule> rules_;  // (kind, service, event, 0) -> follow-ups
  std::vector<std::vector<uint32_t>> expected_;   // per kind, ascending service ids
  absl::flat_hash_set<uint32_t> wanted_services_;
  // XXH3 of the words of plain-text errors that could be trace ids (TraceIdWords).
  static uint64_t WordHash(std::string_view w) { return XXH3_64bits(w.data(), w.size()); }
  absl::flat_hash_set<uint64_t> mentioned_;
  absl::flat_hash_set<std::string> named_;          // ... that are the ids of traces
  std::vector<std::vector<Candidate>> candidates_;  // per service
  std::vector<uint32_t> sequence_, distinct_, incomplete_services_;
  std::vector<Finding> weak_findings_;
  uint64_t judged_ = 0, waiting_ = 0, kinds_seen_ = 0, kinds_learned_ = 0;
};

bool FindingBefore(const Finding& a, const Finding& b) {
  if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.id < b.id;
}

}  // namespace

Analyzer::Analyzer(const DetectorOptions& options, const Index& index,
                   const UnstructuredCollector& unstructured, const SourceNames& sources,
                   std::vector<RulePlugin*> plugins)
    : options_(options),
      index_(index),
      unstructured_(unstructured),
      sources_(sources),
      plugins_(std::move(plugins)) {}

AnalysisReport Analyzer::Run(int64_t watermark_ns) {
  RunState state(options_, sources_, watermark_ns);
  TraceFacts facts;
  // Pass 1: learn from the judged traces; count late arrivals.
  // Traces whose oldest events were evicted (index.max_bytes) are neither
  // learned from nor judged: what is missing from them may just be gone.
  // Event counts of the judged traces, rebuilt each run so that traces the
  // index evicted are forgotten here too.
  absl::flat_hash_map<uint64_t, uint32_t> judged_counts;
  judged_counts.reserve(judged_counts_.size());
  absl::flat_hash_set<std::string> partial;  // traces that lost older events
  index_.ForEachTraceWithEvents([&](const TraceView& view) {
    if (view.evicted > 0) {
      partial.emplace(view.trace_id);
      return;
    }
    state.BuildFacts(view, &facts);
    state.Learn(facts);
    if (state.Judged(facts)) {
      const uint64_t h = XXH3_64bits(view.trace_id.data(), view.trace_id.size());
      const uint32_t count = static_cast<uint32_t>(view.count);
      if (auto it = judged_counts_.find(h); it != judged_counts_.end() && count > it->second) {
        late_events_ += count - it->second;
      }
      judged_counts.emplace(h, count);
    }
  });
  judged_counts_ = std::move(judged_counts);
  state.Expect();
  std::vector<UnstructuredEntry> entries = unstructured_.Snapshot();
  state.WantCandidates(entries);
  // Pass 2: judge.
  std::vector<Finding> findings;
  index_.ForEachTraceWithEvents([&](const TraceView& view) {
    if (view.evicted > 0) return;
    state.BuildFacts(view, &facts);
    state.Judge(facts, &findings);
  });

  AnalysisReport report;
  report.unstructured = state.Attribute(std::move(entries));
  // Plain-text errors become findings; link them with the sequences they cut short.
  absl::flat_hash_map<std::string, size_t> by_trace_service;  // "trace\0service" -> entry
  for (size_t i = 0; i < report.unstructured.size(); ++i) {
    AttributedEntry& a = report.unstructured[i];
    const UnstructuredEntry& e = a.entry;
    Finding& fd = findings.emplace_back();
    fd.kind = "unstructured_error";
    // A logged-and-handled exception under a WARN line is reported as a warning.
    fd.severity = e.level == Level::kFatal  ? Severity::kCritical
                  : e.level == Level::kWarn ? Severity::kWarning
                                            : Severity::kError;
    fd.subject = absl::StrCat(e.source, ":", e.line_no);
    fd.id = e.id;
    a.finding_id = fd.id;
    fd.time_ns = e.time_ns;
    std::string head = absl::StrCat("Plain-text error in ", fd.subject, " (", e.service, ", ",
                                    e.line_count, e.line_count == 1 ? " line" : " lines",
                                    "; not JSON, so invisible to trace search): \"",
                                    Shorten(e.first_line, 160), "\"");
    fd.details = {{"service", e.service},
                  {"lines", absl::StrCat(e.line_count)},
                  {"time_inferred", e.time_inferred ? "true" : "false"}};
    if (a.candidates.empty()) {
      fd.summary =
          absl::StrCat(head, "; unattributed: ",
                       e.time_known ? "no open request of " + e.service + " in the window before it"
                                    : std::string("its time is unknown"),
                       ".");
      fd.details.push_back({"attribution", "unattributed"});
    } else {
      const AttributionCandidate& best = a.candidates.front();
      fd.trace_id = best.trace_id;
      fd.summary = absl::StrCat(head, "; most likely trace ", best.trace_id,
                                absl::StrFormat(" (confidence %.2f", best.confidence),
                                best.named        ? ", named in the line"
                                : best.incomplete ? ", left incomplete"
                                                  : "",
                                ").");
      std::vector<std::string> others;
      for (size_t j = 1; j < a.candidates.size(); ++j) {
        others.push_back(
            absl::StrFormat("%s:%.2f", a.candidates[j].trace_id, a.candidates[j].confidence));
      }
      fd.details.push_back({"attribution", best.trace_id});
      fd.details.push_back({"confidence", absl::StrFormat("%.2f", best.confidence)});
      fd.details.push_back({"runners_up", absl::StrJoin(others, ",")});
      by_trace_service[absl::StrCat(best.trace_id, std::string(1, '\0'), e.service)] = i;
    }
    fd.evidence.push_back(EvidenceLine{e.source, e.line_no, e.time_ns, Shorten(e.first_line, 200)});
  }
  for (Finding& weak : state.weak_findings()) {
    if (by_trace_service.contains(
            absl::StrCat(weak.trace_id, std::string(1, '\0'), weak.Detail("service")))) {
      weak.details.push_back({"corroborated_by", "unstructured_error"});
      findings.push_back(std::move(weak));
    }
  }
  for (Finding& fd : findings) {
    if (fd.kind != "incomplete_sequence") continue;
    auto it = by_trace_service.find(
        absl::StrCat(fd.trace_id, std::string(1, '\0'), fd.Detail("service")));
    if (it == by_trace_service.end()) continue;
    const AttributedEntry& a = report.unstructured[it->second];
    fd.details.push_back({"related_unstructured", a.finding_id});
    fd.summary +=
        absl::StrCat(" A plain-text error follows in ", a.entry.source, ":", a.entry.line_no, ".");
    fd.evidence.push_back(EvidenceLine{a.entry.source, a.entry.line_no, a.entry.time_ns,
                                       Shorten(a.entry.first_line, 200)});
  }
  for (Finding& fd : findings) {
    if (fd.kind != "unstructured_error" || fd.trace_id.empty()) continue;
    for (const Finding& other : findings) {
      if (other.kind == "incomplete_sequence" && other.trace_id == fd.trace_id &&
          other.Detail("related_unstructured") == fd.id) {
        fd.details.push_back({"related_incomplete_sequence", other.id});
      }
    }
  }
  for (RulePlugin* plugin : plugins_) plugin->Evaluate(watermark_ns, &findings);
  std::sort(findings.begin(), findings.end(), FindingBefore);
  std::sort(report.unstructured.begin(), report.unstructured.end(),
            [](const AttributedEntry& a, const AttributedEntry& b) {
              return a.entry.time_ns != b.entry.time_ns ? a.entry.time_ns < b.entry.time_ns
                                                        : a.entry.id < b.entry.id;
            });

  // Changes since the previous run.
  absl::flat_hash_map<std::string, Finding> current;
  for (const Finding& fd : findings) {
    current.emplace(fd.id, fd);
    if (!active_.contains(fd.id)) report.changes.push_back(fd);
  }
  for (const auto& [id, old] : active_) {
    if (current.contains(id)) continue;
    if (!old.trace_id.empty() && old.kind != "unstructured_error") {
      // Its trace was not judged again because the index evicted (some of)
      // its events: keep the finding while the trace is partly there, drop it
      // quietly once it is gone; it was not resolved by later data.
      if (partial.contains(old.trace_id)) {
        current.emplace(id, old);
        findings.push_back(old);
        continue;
      }
      if (absl::IsNotFound(index_.GetTraceInfo(old.trace_id).status())) continue;
    }
    Finding resolved = old;
    resolved.resolved = true;
    resolved.summary = absl::StrCat("Resolved by later data: ", old.summary);
    report.changes.push_back(std::move(resolved));
  }
  std::sort(report.changes.begin(), report.changes.end(), FindingBefore);
  std::sort(findings.begin(), findings.end(), FindingBefore);
  active_ = std::move(current);

  report.findings = std::move(findings);
  report.watermark_ns = watermark_ns;
  report.traces_judged = state.judged();
  report.traces_waiting = state.waiting();
  report.kinds = state.kinds_seen();
  report.kinds_learned = state.kinds_learned();
  report.sequences_learned = state.sequences_learned();
  report.late_events = late_events_;
  return report;
}

}  // namespace logweave

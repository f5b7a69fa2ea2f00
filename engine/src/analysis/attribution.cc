#include "analysis/attribution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "analysis/attribution_options.h"
#include "analysis/parallel.h"
#include "internal/strings.h"

namespace logweave::internal {
namespace {

// Delays of errors after the event they interrupt, per service and kind of
// candidate: quarter-octave bins of milliseconds.
struct Histogram {
  std::array<uint32_t, 128> bins{};
  uint64_t total = 0;
};
using Histograms = absl::flat_hash_map<uint64_t, Histogram>;
// A histogram's score of each bin.
using DelayScores = std::array<double, 128>;

uint64_t HistogramKey(uint32_t s, bool incomplete) { return (uint64_t{s} << 1) | incomplete; }

int DelayBin(int64_t gap) {
  const double ms = static_cast<double>(std::max<int64_t>(gap, 0)) / 1e6;
  return std::min(127, static_cast<int>(std::log2(ms + 1) * 4));
}

double BinWidthMs(int b) { return std::max(1.0, std::exp2((b + 1) / 4.0) - std::exp2(b / 4.0)); }

// The open (not incomplete) options an entry keeps: its best few, enough for
// the assignment (the best) and the runners-up (three more).
constexpr size_t kKeptOpen = 4;

bool Better(const RequestOption& x, const RequestOption& y) {
  return x.weight != y.weight ? x.weight > y.weight : IdLess(*x.c, *y.c);
}

// One error's options, reduced to what the assignment and the report need.
// Held inline: an error has a few incomplete requests at most, as a rule, and made
// on one thread and freed on another, heap vectors cost a contended free each.
struct EntryOptions {
  // Every incomplete request (they compete between errors).
  absl::InlinedVector<RequestOption, 2> incomplete;
  absl::InlinedVector<RequestOption, kKeptOpen> open;  // the kKeptOpen best others, best first
  double open_total = 0;                               // the weights of all the others
  std::vector<RequestOption> named;                    // options of the traces the error names

  // Frees what the lists hold outside the object.
  void Free() {
    incomplete.clear();
    incomplete.shrink_to_fit();
    named = std::vector<RequestOption>();
  }
};

// Entries are handed out to the threads in runs of this many.
constexpr size_t kEntriesPerTake = 64;

// The attribution of a group of services' errors: their options, weights and
// assignment are made and dropped group by group (an error's options are all
// of its own service), so that only one group's sit in memory at a time.
class GroupAttribution {
 public:
  // `out`, `entry_service` and `named` are by entry; `candidates` by service.
  GroupAttribution(const DetectorOptions& opts, std::vector<AttributedEntry>& out,
                   const std::vector<uint32_t>& entry_service,
                   std::vector<std::vector<std::string>>& named,
                   std::vector<CandidateList>& candidates, uint32_t threads)
      : opts_(opts),
        out_(out),
        entry_service_(entry_service),
        named_(named),
        candidates_(candidates),
        threads_(threads) {}

  // Attributes the entries `group` (indices into out, ascending), whose
  // services are among `services` (or none), and frees those services'
  // candidates and the entries' named ids.
  void Run(const std::vector<uint32_t>& services, const std::vector<size_t>& group);

 private:
  // The candidates whose ids some error's text may name, by service and id:
  // an error that names a trace looks its candidate up instead of walking all.
  // Keyed by absl::string_view, which absl hashes itself (Debian's absl sends a
  // std::string_view to std::hash).
  using NamedKey = std::pair<uint32_t, absl::string_view>;
  // The option of the named trace `id` for entry i, if it has one.
  std::optional<RequestOption> NamedOption(size_t i, std::string_view id) const;
  // The delays' scores of each service of the group and kind of candidate.
  void LearnDelays(const std::vector<size_t>& group);
  // A service's scores for one kind of candidate; nullptr: no pairs, every score 0.
  const DelayScores* ScoresOf(uint32_t s, bool incomplete) const {
    auto it = delay_scores_.find(HistogramKey(s, incomplete));
    return it == delay_scores_.end() ? nullptr : &it->second;
  }
  // Entry i's options, with their weights.
  void Weigh(size_t i, std::vector<double>& scratch, EntryOptions& eo) const;
  // The options chosen for the group's entries (by position in `group`):
  // pairs best first; an incomplete request explains one error only.
  std::vector<const RequestOption*> Assign(const std::vector<size_t>& group,
                                           const std::vector<EntryOptions>& options);
  // What entry i reports: its trace and the runners-up, with confidences.
  void Answer(size_t i, const EntryOptions& eo, const RequestOption* chosen);

  const DetectorOptions& opts_;
  std::vector<AttributedEntry>& out_;
  const std::vector<uint32_t>& entry_service_;
  std::vector<std::vector<std::string>>& named_;
  std::vector<CandidateList>& candidates_;
  const uint32_t threads_;
  // The group's, made by Run.
  std::vector<ServiceCandidates> arranged_;  // by service
  absl::flat_hash_map<NamedKey, const Candidate*> named_candidates_;
  absl::flat_hash_map<uint64_t, DelayScores> delay_scores_;
  absl::flat_hash_set<const Candidate*> taken_;  // incomplete requests already explained
};

std::optional<RequestOption> GroupAttribution::NamedOption(size_t i, std::string_view id) const {
  const uint32_t s = entry_service_[i];
  if (s == kNoId) return std::nullopt;
  auto it = named_candidates_.find(NamedKey(s, Av(id)));
  if (it == named_candidates_.end()) return std::nullopt;
  return OptionAt(*it->second, out_[i].entry.time_ns, opts_.attribution_window_ns);
}

// Delays: the gaps between each error and its incomplete candidates, and
// (apart) its candidates in progress. The true pairs pile up at the
// service's typical delays (a 5 s timeout, an immediate refusal); the
// wrong ones spread out.
void GroupAttribution::LearnDelays(const std::vector<size_t>& group) {
  std::vector<Histograms> thread_bins(threads_);
  ForEachIndexOnThreads(threads_, group.size(), kEntriesPerTake, [&](uint32_t t, size_t k) {
    const size_t i = group[k];
    if (!named_[i].empty()) return;  // its delay says nothing about the service's
    const uint32_t s = entry_service_[i];
    if (s == kNoId) return;
    auto count = [&](const RequestOption& o) {
      Histogram& h = thread_bins[t][HistogramKey(s, o.c->incomplete)];
      ++h.bins[DelayBin(o.gap)];
      ++h.total;
    };
    const int64_t time = out_[i].entry.time_ns;
    ForEachIncompleteOption(candidates_[s], arranged_[s], time, opts_.attribution_window_ns, count);
    ForEachInProgressOption(candidates_[s], arranged_[s], time, opts_.attribution_window_ns, count);
  });
  Histograms delay_bins = std::move(thread_bins[0]);
  for (uint32_t t = 1; t < threads_; ++t) {
    for (const auto& [key, h] : thread_bins[t]) {
      Histogram& into = delay_bins[key];
      for (size_t b = 0; b < h.bins.size(); ++b) into.bins[b] += h.bins[b];
      into.total += h.total;
    }
  }
  // How much likelier a gap is than chance, per bin: the bin's pairs per
  // millisecond against the service's pairs per millisecond over the whole
  // window. Worked out once per histogram, not per option.
  delay_scores_.clear();
  for (const auto& [key, h] : delay_bins) {
    DelayScores& scores = delay_scores_[key];
    const double background =
        static_cast<double>(h.total) / (static_cast<double>(opts_.attribution_window_ns) / 1e6);
    for (size_t b = 0; b < h.bins.size(); ++b) {
      const double density = h.bins[b] / BinWidthMs(static_cast<int>(b));
      scores[b] = density / (density + background);
    }
  }
}

// Weights, keeping of each error's options only those that can matter.
void GroupAttribution::Weigh(size_t i, std::vector<double>& scratch, EntryOptions& eo) const {
  if (!named_[i].empty()) {
    for (const std::string& id : named_[i]) {
      if (std::optional<RequestOption> o = NamedOption(i, id)) eo.named.push_back(*o);
    }
    return;
  }
  const uint32_t s = entry_service_[i];
  if (s == kNoId) return;
  auto delay_score = [](const DelayScores* scores, int64_t gap) {
    return scores == nullptr ? 0.0 : (*scores)[DelayBin(gap)];
  };
  const DelayScores* incomplete_scores = ScoresOf(s, true);
  const DelayScores* open_scores = ScoresOf(s, false);
  const ServiceCandidates& sc = arranged_[s];
  const CandidateList& list = candidates_[s];
  const double typical_span = std::max<double>(static_cast<double>(sc.median_span), 1e6);
  const int64_t t = out_[i].entry.time_ns;
  const int64_t window = opts_.attribution_window_ns;
  auto keep_open = [&eo](const RequestOption& o) {
    if (eo.open.size() == kKeptOpen && !Better(o, eo.open.back())) return;
    if (eo.open.size() == kKeptOpen) eo.open.pop_back();
    eo.open.insert(std::upper_bound(eo.open.begin(), eo.open.end(), o, Better), o);
  };
  // An incomplete request stays the strongest sign even at an unusual delay.
  ForEachIncompleteOption(list, sc, t, window, [&](RequestOption o) {
    o.weight = 100.0 * (0.2 + 0.8 * delay_score(incomplete_scores, o.gap));
    eo.incomplete.push_back(o);
  });
  // A request in progress that took unusually long in the service (an
  // error, then a retry) is likelier than one that went at the usual pace.
  ForEachInProgressOption(list, sc, t, window, [&](RequestOption o) {
    const double slow = std::clamp(static_cast<double>(Span(*o.c)) / typical_span, 0.5, 20.0);
    o.weight = 3.0 * slow * (0.1 + delay_score(open_scores, o.gap));
    eo.open_total += o.weight;
    keep_open(o);
  });
  // The requests that merely ended before it, often thousands: summed in
  // one pass over their last times; the best are the latest, so only the
  // few from the end that can be kept are made options.
  const auto [lo, hi] = EndedRange(sc, t, window);
  scratch.resize(hi - lo);
  eo.open_total += EndedWeights(sc.lasts.data() + lo, hi - lo, t, window, scratch.data());
  for (size_t k = hi; k > lo;) {
    --k;
    const RequestOption o{&list[sc.open_begin + k], t - sc.lasts[k], false, scratch[k - lo]};
    // Weights only fall from here on: none can be kept once one falls short.
    if (eo.open.size() == kKeptOpen && o.weight < eo.open.back().weight) break;
    keep_open(o);
  }
}

std::vector<const RequestOption*> GroupAttribution::Assign(
    const std::vector<size_t>& group, const std::vector<EntryOptions>& options) {
  // Only incomplete requests can be taken by another error, so of an error's
  // other options only its best can be reached.
  struct Pair {
    double weight;
    size_t entry;  // position in the group, which is in the entries' order
    const RequestOption* option;
  };
  std::vector<Pair> pairs;
  size_t pair_count = 0;
  for (size_t k = 0; k < group.size(); ++k) {
    if (named_[group[k]].empty()) {
      pair_count += options[k].incomplete.size() + !options[k].open.empty();
    }
  }
  pairs.reserve(pair_count);
  for (size_t k = 0; k < group.size(); ++k) {
    if (!named_[group[k]].empty()) continue;
    for (const RequestOption& o : options[k].incomplete) pairs.push_back(Pair{o.weight, k, &o});
    if (!options[k].open.empty()) {
      pairs.push_back(Pair{options[k].open[0].weight, k, &options[k].open[0]});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [&](const Pair& x, const Pair& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.entry != y.entry) return x.entry < y.entry;
    return IdLess(*x.option->c, *y.option->c);
  });
  std::vector<const RequestOption*> chosen(group.size(), nullptr);
  taken_.clear();
  // A named trace's incomplete request is explained by the error naming it.
  for (const EntryOptions& eo : options) {
    for (const RequestOption& o : eo.named) {
      if (o.c->incomplete) taken_.insert(o.c);
    }
  }
  for (const Pair& p : pairs) {
    if (chosen[p.entry] != nullptr) continue;
    const RequestOption& o = *p.option;
    if (o.c->incomplete && taken_.contains(o.c)) continue;
    chosen[p.entry] = &o;
    if (o.c->incomplete) taken_.insert(o.c);
  }
  return chosen;
}

void GroupAttribution::Answer(size_t i, const EntryOptions& eo, const RequestOption* chosen) {
  AttributedEntry& a = out_[i];
  std::vector<std::string>& named = named_[i];
  if (!named.empty()) {
    a.candidates.reserve(std::min<size_t>(named.size(), 4));
    for (size_t k = 0; k < named.size() && k < 4; ++k) {
      AttributionCandidate c;
      for (const RequestOption& o : eo.named) {
        if (o.c->trace_id() != named[k]) continue;
        c.gap_ns = o.gap;
        c.incomplete = o.c->incomplete;
        break;
      }
      c.trace_id = std::move(named[k]);
      c.confidence = 1.0 / static_cast<double>(named.size());
      c.named = true;
      a.candidates.push_back(std::move(c));
    }
    return;
  }
  if (chosen == nullptr) return;
  // An incomplete request that explains another error counts for little here.
  double total = eo.open_total;
  absl::InlinedVector<const RequestOption*, kKeptOpen + 4> ranked;
  for (const RequestOption& o : eo.incomplete) {
    const bool elsewhere = taken_.contains(o.c) && &o != chosen;
    if (!elsewhere) total += o.weight;
    if (&o != chosen) ranked.push_back(&o);
  }
  for (const RequestOption& o : eo.open) {
    if (&o != chosen) ranked.push_back(&o);
  }
  // The runners-up: the three best of the others.
  const size_t shown = std::min<size_t>(ranked.size(), 3);
  std::partial_sort(ranked.begin(), ranked.begin() + shown, ranked.end(),
                    [](const RequestOption* x, const RequestOption* y) { return Better(*x, *y); });
  ranked.resize(shown);
  ranked.insert(ranked.begin(), chosen);
  a.candidates.reserve(ranked.size());
  for (size_t k = 0; k < ranked.size(); ++k) {
    const RequestOption& o = *ranked[k];
    const bool explained_elsewhere = o.c->incomplete && taken_.contains(o.c) && k > 0;
    a.candidates.push_back(AttributionCandidate{
        std::string(o.c->trace_id()), total > 0 && !explained_elsewhere ? o.weight / total : 0,
        o.gap, o.c->incomplete});
  }
}

void GroupAttribution::Run(const std::vector<uint32_t>& services,
                           const std::vector<size_t>& group) {
  // Each service's candidates arranged for the walks, and the median time a
  // request spends there.
  arranged_.assign(candidates_.size(), ServiceCandidates());
  std::vector<std::vector<int64_t>> spans(threads_);  // each thread's scratch
  ForEachIndexOnThreads(threads_, services.size(), 1, [&](uint32_t t, size_t k) {
    arranged_[services[k]] = ArrangeCandidates(candidates_[services[k]], spans[t]);
  });
  spans = {};
  named_candidates_.clear();
  size_t mentioned = 0;
  for (uint32_t s : services) {
    for (const Candidate& c : candidates_[s]) mentioned += c.mentioned;
  }
  named_candidates_.reserve(mentioned);
  for (uint32_t s : services) {
    for (const Candidate& c : candidates_[s]) {
      // A trace has one candidate per service: the first is the only one.
      if (c.mentioned) named_candidates_.try_emplace(NamedKey(s, Av(c.trace_id())), &c);
    }
  }
  LearnDelays(group);
  std::vector<EntryOptions> options(group.size());
  std::vector<std::vector<double>> scratch(threads_);
  ForEachIndexOnThreads(threads_, group.size(), kEntriesPerTake,
                        [&](uint32_t t, size_t k) { Weigh(group[k], scratch[t], options[k]); });
  scratch = {};
  arranged_ = {};
  named_candidates_ = {};
  const std::vector<const RequestOption*> chosen = Assign(group, options);
  ForEachIndexOnThreads(threads_, group.size(), kEntriesPerTake, [&](uint32_t, size_t k) {
    Answer(group[k], options[k], chosen[k]);
    // Only this entry reads them: freed as its answer is made, so that they
    // and the answers do not all sit in memory at once.
    options[k].Free();
    named_[group[k]] = std::vector<std::string>();
  });
  taken_.clear();
  for (uint32_t s : services) candidates_[s] = CandidateList();
}

// Groups of services are attributed in turn, each with at least this many
// errors (or all that are left), and about an eighth of all errors.
constexpr size_t kMinGroupEntries = 4096;
constexpr size_t kGroups = 8;

}  // namespace

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
//
// An error can have thousands of candidates (a busy service, a long
// window), nearly all of them requests that ended before it. Those are only
// summed (their weight falls with the time since they ended), in one pass
// over their last times kept apart; the requests still in progress and the
// incomplete ones are found by walks that skip the others, to learn the
// delays and then to weigh them, on every thread. Of an error's options only
// the few that can matter are kept.
std::vector<AttributedEntry> Attribute(const DetectorOptions& opts,
                                       std::vector<AttributedEntry> out, EntryWords words,
                                       std::vector<CandidateList>& candidates,
                                       const SharedNames& services,
                                       const absl::flat_hash_set<std::string>& named_traces,
                                       uint32_t threads) {
  // Each entry's service, and the ids of the traces its text names: an
  // error whose text names a trace's id belongs to that trace, whatever the
  // timing says; it takes no incomplete request from the others.
  std::vector<uint32_t> entry_service(out.size(), kNoId);
  std::vector<std::vector<std::string>> named(out.size());
  ForEachIndexOnThreads(threads, out.size(), 256, [&](uint32_t, size_t i) {
    const UnstructuredEntry& e = out[i].entry;
    const uint32_t s = services.Find(0, e.service);
    if (e.time_known && s != kNoId && s < candidates.size()) entry_service[i] = s;
    if (named_traces.empty()) return;
    for (std::string& w : words[i]) {
      if (named_traces.contains(Av(w))) named[i].push_back(std::move(w));
    }
  });
  words = EntryWords();  // only the named words were needed

  // The entries of each service (the last list: of none), attributed a group
  // of services at a time.
  std::vector<std::vector<size_t>> by_service(candidates.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) {
    by_service[entry_service[i] == kNoId ? candidates.size() : entry_service[i]].push_back(i);
  }
  GroupAttribution attribution(opts, out, entry_service, named, candidates, threads);
  const size_t group_entries = std::max(kMinGroupEntries, out.size() / kGroups);
  std::vector<uint32_t> group_services;
  std::vector<size_t> group;
  for (size_t s = 0; s < by_service.size(); ++s) {
    if (s < candidates.size()) group_services.push_back(static_cast<uint32_t>(s));
    group.insert(group.end(), by_service[s].begin(), by_service[s].end());
    by_service[s] = std::vector<size_t>();
    if (group.size() < group_entries && s + 1 < by_service.size()) continue;
    std::sort(group.begin(), group.end());
    attribution.Run(group_services, group);
    group_services.clear();
    group.clear();
  }
  return out;
}

}  // namespace logweave::internal

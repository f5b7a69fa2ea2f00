#include "analysis/attribution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "analysis/parallel.h"
#include "internal/strings.h"

namespace logweave::internal {
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
  auto consider = [&](std::string_view w) {
    if (words.size() >= kMaxWords || w.size() < 6 || w.size() > 128) return;
    if (std::none_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) return;
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
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

EntryWords FindTraceIdWords(const std::vector<UnstructuredEntry>& entries, uint32_t threads) {
  EntryWords words(entries.size());
  ForEachIndexOnThreads(threads, entries.size(), 256, [&](uint32_t, size_t i) {
    const std::string_view text = entries[i].text;
    for (std::string_view w : TraceIdWords(text)) {
      words[i].push_back(
          WordSpan{static_cast<uint32_t>(w.data() - text.data()), static_cast<uint32_t>(w.size())});
    }
  });
  return words;
}

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// A candidate for one error: a request of its service with an event at
// most attribution_window before it.
struct Option {
  const Candidate* c;
  int64_t gap;  // from the request's last event at or before the error
  bool after;   // the request logged again after the error
  double weight = 0;
};

// The option `c` is for an error at `t`: it has an event at most `window`
// before t. None if it has not.
std::optional<Option> OptionAt(const Candidate& c, int64_t t, int64_t window) {
  if (c.first > t) return std::nullopt;
  const int64_t before = c.LatestAtOrBefore(t);
  if (before == INT64_MIN || t - before > window) return std::nullopt;
  return Option{&c, t - before, c.last > t};
}

// `a - b` and `a + b`, saturated at int64_t's ends.
int64_t SubSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? (b > 0 ? INT64_MIN : INT64_MAX) : r;
}
int64_t AddSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

// The weight of a request that ended `gap` before the error: the weaker the
// longer ago. The same for every such request of every error, so that a
// service's ended requests can be summed in one tight loop.
double EndedWeight(int64_t gap) { return 1.0 / (1.0 + static_cast<double>(gap) / kNsPerSecond); }

// Requests of the open part of a service's candidates are grouped in blocks
// of this many, with their least first time, so that a walk for those still in
// progress at a time skips the blocks that all started after it.
constexpr size_t kBlock = 32;

// One service's candidates, arranged for the three kinds of option an error
// has. The service's list is reordered: [0, open_begin) the incomplete
// requests by (first, id); [open_begin, end) the others by (last, id).
struct ServiceCandidates {
  size_t open_begin = 0;
  std::vector<int64_t> lasts;            // of the others, in their order
  std::vector<int64_t> block_min_first;  // of the others, per kBlock of them
  int64_t max_span_incomplete = 0, max_span_open = 0;
  int64_t median_span = 0;  // of all of them
};

// Arranges `list` and describes it.
ServiceCandidates ArrangeCandidates(std::vector<Candidate>& list, std::vector<int64_t>& spans) {
  ServiceCandidates sc;
  spans.clear();
  for (const Candidate& c : list) spans.push_back(c.last - c.first);
  if (!spans.empty()) {
    std::nth_element(spans.begin(), spans.begin() + spans.size() / 2, spans.end());
    sc.median_span = spans[spans.size() / 2];
  }
  const auto open =
      std::partition(list.begin(), list.end(), [](const Candidate& c) { return c.incomplete; });
  std::sort(list.begin(), open, [](const Candidate& a, const Candidate& b) {
    return a.first != b.first ? a.first < b.first : IdLess(a, b);
  });
  std::sort(open, list.end(), [](const Candidate& a, const Candidate& b) {
    return a.last != b.last ? a.last < b.last : IdLess(a, b);
  });
  sc.open_begin = static_cast<size_t>(open - list.begin());
  for (auto it = list.begin(); it != open; ++it) {
    sc.max_span_incomplete = std::max(sc.max_span_incomplete, it->last - it->first);
  }
  sc.lasts.reserve(list.end() - open);
  for (auto it = open; it != list.end(); ++it) {
    sc.max_span_open = std::max(sc.max_span_open, it->last - it->first);
    const size_t k = sc.lasts.size();
    if (k % kBlock == 0) sc.block_min_first.push_back(it->first);
    sc.block_min_first.back() = std::min(sc.block_min_first.back(), it->first);
    sc.lasts.push_back(it->last);
  }
  return sc;
}

// Calls fn(option) for each incomplete request of `list` that is an option
// for an error at `t`.
template <typename Fn>
void ForEachIncompleteOption(const std::vector<Candidate>& list, const ServiceCandidates& sc,
                             int64_t t, int64_t window, const Fn& fn) {
  const auto begin = list.begin(), end = list.begin() + static_cast<ptrdiff_t>(sc.open_begin);
  const int64_t earliest = SubSat(SubSat(t, window), sc.max_span_incomplete);
  auto it =
      std::upper_bound(begin, end, t, [](int64_t v, const Candidate& c) { return v < c.first; });
  while (it != begin) {
    --it;
    if (it->first < earliest) break;
    if (std::optional<Option> o = OptionAt(*it, t, window)) fn(*o);
  }
}

// Calls fn(option) for each other request of `list` still in progress at `t`
// (it started by then and logs again after) that is an option for an error
// there.
template <typename Fn>
void ForEachInProgressOption(const std::vector<Candidate>& list, const ServiceCandidates& sc,
                             int64_t t, int64_t window, const Fn& fn) {
  const size_t n = sc.lasts.size();
  size_t k =
      static_cast<size_t>(std::upper_bound(sc.lasts.begin(), sc.lasts.end(), t) - sc.lasts.begin());
  // A request that started by t ends at most its span after it.
  const int64_t latest_last = AddSat(t, sc.max_span_open);
  while (k < n && sc.lasts[k] <= latest_last) {
    if (k % kBlock == 0 && sc.block_min_first[k / kBlock] > t) {
      k += kBlock;
      continue;
    }
    const Candidate& c = list[sc.open_begin + k];
    if (c.first <= t) {
      if (std::optional<Option> o = OptionAt(c, t, window)) fn(*o);
    }
    ++k;
  }
}

// The other requests of `list` that ended at most `window` before `t`:
// [begin, end) of sc.lasts (and of list from open_begin), weights falling
// from end - 1 down.
std::pair<size_t, size_t> EndedRange(const ServiceCandidates& sc, int64_t t, int64_t window) {
  const auto lo = std::lower_bound(sc.lasts.begin(), sc.lasts.end(), SubSat(t, window));
  const auto hi = std::upper_bound(lo, sc.lasts.end(), t);
  return {static_cast<size_t>(lo - sc.lasts.begin()), static_cast<size_t>(hi - sc.lasts.begin())};
}

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

bool Better(const Option& x, const Option& y) {
  return x.weight != y.weight ? x.weight > y.weight : IdLess(*x.c, *y.c);
}

// One error's options, reduced to what the assignment and the report need.
struct EntryOptions {
  std::vector<Option> incomplete;  // every incomplete request (they compete between errors)
  std::vector<Option> open;        // the kKeptOpen best others, best first
  double open_total = 0;           // the weights of all the others
  std::vector<Option> named;       // options of the traces the error names
};

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
                                       std::vector<UnstructuredEntry> input, EntryWords words,
                                       std::vector<std::vector<Candidate>>& candidates,
                                       const SharedNames& services,
                                       const absl::flat_hash_set<std::string>& named_traces,
                                       uint32_t threads) {
  // The result holds the entries from the start, and their vector is freed before the options
  // are built: the two buffers never sit beside the options.
  std::vector<AttributedEntry> out(input.size());
  for (size_t i = 0; i < input.size(); ++i) out[i].entry = std::move(input[i]);
  input = std::vector<UnstructuredEntry>();
  // Each service's candidates arranged for the walks, and the median time a
  // request spends there.
  std::vector<ServiceCandidates> arranged(candidates.size());
  RunOnThreads(threads, [&](uint32_t t) {
    std::vector<int64_t> spans;
    for (size_t s = t; s < candidates.size(); s += threads) {
      arranged[s] = ArrangeCandidates(candidates[s], spans);
    }
  });
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
    for (const WordSpan& span : words[i]) {
      const std::string_view w = span.In(e.text);
      if (named_traces.contains(Av(w))) named[i].emplace_back(w);
    }
  });
  words = EntryWords();  // only the named words were needed
  // The candidates of the traces some error names, sorted by service and id:
  // an error that names a trace looks its candidate up instead of walking all.
  struct NamedCandidate {
    uint32_t service;
    const Candidate* c;
  };
  auto named_before = [](const NamedCandidate& x, const NamedCandidate& y) {
    return x.service != y.service ? x.service < y.service : IdLess(*x.c, *y.c);
  };
  std::vector<NamedCandidate> named_candidates;
  if (!named_traces.empty()) {
    for (size_t s = 0; s < candidates.size(); ++s) {
      for (const Candidate& c : candidates[s]) {
        if (c.mentioned) named_candidates.push_back({static_cast<uint32_t>(s), &c});
      }
    }
    std::sort(named_candidates.begin(), named_candidates.end(), named_before);
  }
  // The option of the named trace `id` for entry i, if it has one.
  auto named_option = [&](size_t i, std::string_view id) -> std::optional<Option> {
    const uint32_t s = entry_service[i];
    if (s == kNoId) return std::nullopt;
    Candidate key;
    key.set_trace_id(id);
    auto it = std::lower_bound(named_candidates.begin(), named_candidates.end(),
                               NamedCandidate{s, &key}, named_before);
    if (it == named_candidates.end() || it->service != s || it->c->trace_id() != id) {
      return std::nullopt;
    }
    return OptionAt(*it->c, out[i].entry.time_ns, opts.attribution_window_ns);
  };
  // Entries are handed out to the threads in runs of this many.
  constexpr size_t kEntriesPerTake = 64;

  // Delays: the gaps between each error and its incomplete candidates, and
  // (apart) its candidates in progress. The true pairs pile up at the
  // service's typical delays (a 5 s timeout, an immediate refusal); the
  // wrong ones spread out.
  std::vector<Histograms> thread_bins(threads);
  ForEachIndexOnThreads(threads, out.size(), kEntriesPerTake, [&](uint32_t t, size_t i) {
    if (!named[i].empty()) return;  // its delay says nothing about the service's
    const uint32_t s = entry_service[i];
    if (s == kNoId) return;
    auto count = [&](const Option& o) {
      Histogram& h = thread_bins[t][HistogramKey(s, o.c->incomplete)];
      ++h.bins[DelayBin(o.gap)];
      ++h.total;
    };
    const int64_t time = out[i].entry.time_ns;
    ForEachIncompleteOption(candidates[s], arranged[s], time, opts.attribution_window_ns, count);
    ForEachInProgressOption(candidates[s], arranged[s], time, opts.attribution_window_ns, count);
  });
  Histograms delay_bins = std::move(thread_bins[0]);
  for (uint32_t t = 1; t < threads; ++t) {
    for (const auto& [key, h] : thread_bins[t]) {
      Histogram& into = delay_bins[key];
      for (size_t b = 0; b < h.bins.size(); ++b) into.bins[b] += h.bins[b];
      into.total += h.total;
    }
  }
  // How much likelier a gap is than chance, per bin: the bin's pairs per
  // millisecond against the service's pairs per millisecond over the whole
  // window. Worked out once per histogram, not per option.
  absl::flat_hash_map<uint64_t, DelayScores> delay_scores;
  for (const auto& [key, h] : delay_bins) {
    DelayScores& scores = delay_scores[key];
    const double background =
        static_cast<double>(h.total) / (static_cast<double>(opts.attribution_window_ns) / 1e6);
    for (size_t b = 0; b < h.bins.size(); ++b) {
      const double density = h.bins[b] / BinWidthMs(static_cast<int>(b));
      scores[b] = density / (density + background);
    }
  }
  delay_bins = Histograms();
  // A service's scores for one kind of candidate; nullptr: no pairs, every score 0.
  auto scores_of = [&](uint32_t s, bool incomplete) -> const DelayScores* {
    auto it = delay_scores.find(HistogramKey(s, incomplete));
    return it == delay_scores.end() ? nullptr : &it->second;
  };
  auto delay_score = [](const DelayScores* scores, int64_t gap) {
    return scores == nullptr ? 0.0 : (*scores)[DelayBin(gap)];
  };

  // Weights, keeping of each error's options only those that can matter.
  std::vector<EntryOptions> options(out.size());
  std::vector<std::vector<double>> thread_weights(threads);  // each thread's scratch
  ForEachIndexOnThreads(threads, out.size(), kEntriesPerTake, [&](uint32_t thread, size_t i) {
    EntryOptions& eo = options[i];
    if (!named[i].empty()) {
      for (const std::string& id : named[i]) {
        if (std::optional<Option> o = named_option(i, id)) eo.named.push_back(*o);
      }
      return;
    }
    const uint32_t s = entry_service[i];
    if (s == kNoId) return;
    const DelayScores* incomplete_scores = scores_of(s, true);
    const DelayScores* open_scores = scores_of(s, false);
    const double typical_span = std::max<double>(static_cast<double>(arranged[s].median_span), 1e6);
    const int64_t t = out[i].entry.time_ns;
    const int64_t window = opts.attribution_window_ns;
    auto keep_open = [&eo](const Option& o) {
      if (eo.open.size() == kKeptOpen && !Better(o, eo.open.back())) return;
      if (eo.open.size() == kKeptOpen) eo.open.pop_back();
      eo.open.insert(std::upper_bound(eo.open.begin(), eo.open.end(), o, Better), o);
    };
    // An incomplete request stays the strongest sign even at an unusual delay.
    ForEachIncompleteOption(candidates[s], arranged[s], t, window, [&](Option o) {
      o.weight = 100.0 * (0.2 + 0.8 * delay_score(incomplete_scores, o.gap));
      eo.incomplete.push_back(o);
    });
    // A request in progress that took unusually long in the service (an
    // error, then a retry) is likelier than one that went at the usual pace.
    ForEachInProgressOption(candidates[s], arranged[s], t, window, [&](Option o) {
      const double slow =
          std::clamp(static_cast<double>(o.c->last - o.c->first) / typical_span, 0.5, 20.0);
      o.weight = 3.0 * slow * (0.1 + delay_score(open_scores, o.gap));
      eo.open_total += o.weight;
      keep_open(o);
    });
    // The requests that merely ended before it, often thousands: summed in
    // one pass over their last times; the best are the latest, so only the
    // few from the end that can be kept are made options.
    const ServiceCandidates& sc = arranged[s];
    const auto [lo, hi] = EndedRange(sc, t, window);
    // The weights first (independent divisions the compiler can do several at
    // a time), then their sum in order.
    std::vector<double>& ended_weights = thread_weights[thread];
    ended_weights.resize(hi - lo);
    for (size_t k = lo; k < hi; ++k) ended_weights[k - lo] = EndedWeight(t - sc.lasts[k]);
    double ended_total = 0;
    for (double w : ended_weights) ended_total += w;
    eo.open_total += ended_total;
    for (size_t k = hi; k > lo;) {
      --k;
      const Option o{&candidates[s][sc.open_begin + k], t - sc.lasts[k], false,
                     EndedWeight(t - sc.lasts[k])};
      // Weights only fall from here on: none can be kept once one falls short.
      if (eo.open.size() == kKeptOpen && o.weight < eo.open.back().weight) break;
      keep_open(o);
    }
  });

  named_candidates = decltype(named_candidates)();  // only the weights needed them
  arranged = decltype(arranged)();

  // The assignment: pairs best first. Only incomplete requests can be taken
  // by another error, so of an error's other options only its best can be
  // reached.
  struct Pair {
    double weight;
    size_t entry;
    const Option* option;
  };
  std::vector<Pair> pairs;
  size_t pair_count = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (named[i].empty()) pair_count += options[i].incomplete.size() + !options[i].open.empty();
  }
  pairs.reserve(pair_count);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!named[i].empty()) continue;
    for (const Option& o : options[i].incomplete) pairs.push_back(Pair{o.weight, i, &o});
    if (!options[i].open.empty())
      pairs.push_back(Pair{options[i].open[0].weight, i, &options[i].open[0]});
  }
  std::sort(pairs.begin(), pairs.end(), [&](const Pair& x, const Pair& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.entry != y.entry) return x.entry < y.entry;
    return IdLess(*x.option->c, *y.option->c);
  });
  std::vector<const Option*> chosen(out.size(), nullptr);
  absl::flat_hash_set<const Candidate*> taken;  // incomplete requests already explained
  // A named trace's incomplete request is explained by the error naming it.
  for (size_t i = 0; i < out.size(); ++i) {
    for (const Option& o : options[i].named) {
      if (o.c->incomplete) taken.insert(o.c);
    }
  }
  for (const Pair& p : pairs) {
    if (chosen[p.entry] != nullptr) continue;
    const Option& o = *p.option;
    if (o.c->incomplete && taken.contains(o.c)) continue;
    chosen[p.entry] = &o;
    if (o.c->incomplete) taken.insert(o.c);
  }
  pairs = std::vector<Pair>();  // freed before the answers are made

  // What each entry reports: its trace and the runners-up, with confidences.
  ForEachIndexOnThreads(threads, out.size(), kEntriesPerTake, [&](uint32_t, size_t i) {
    AttributedEntry& a = out[i];
    const EntryOptions& eo = options[i];
    // Only this entry reads its options and named ids from here on: freed as its answer is
    // made, so that they and the answers do not all sit in memory at once.
    absl::Cleanup release = [&options, &named, i] {
      options[i] = EntryOptions();
      named[i] = std::vector<std::string>();
    };
    if (!named[i].empty()) {
      a.candidates.reserve(std::min<size_t>(named[i].size(), 4));
      for (size_t k = 0; k < named[i].size() && k < 4; ++k) {
        AttributionCandidate c;
        for (const Option& o : eo.named) {
          if (o.c->trace_id() != named[i][k]) continue;
          c.gap_ns = o.gap;
          c.incomplete = o.c->incomplete;
          break;
        }
        c.trace_id = std::move(named[i][k]);
        c.confidence = 1.0 / static_cast<double>(named[i].size());
        c.named = true;
        a.candidates.push_back(std::move(c));
      }
      return;
    }
    if (chosen[i] == nullptr) return;
    // An incomplete request that explains another error counts for little here.
    double total = eo.open_total;
    std::vector<const Option*> ranked;
    for (const Option& o : eo.incomplete) {
      const bool elsewhere = taken.contains(o.c) && &o != chosen[i];
      if (!elsewhere) total += o.weight;
      if (&o != chosen[i]) ranked.push_back(&o);
    }
    for (const Option& o : eo.open) {
      if (&o != chosen[i]) ranked.push_back(&o);
    }
    // The runners-up: the three best of the others.
    const size_t shown = std::min<size_t>(ranked.size(), 3);
    std::partial_sort(ranked.begin(), ranked.begin() + shown, ranked.end(),
                      [](const Option* x, const Option* y) { return Better(*x, *y); });
    ranked.resize(shown);
    ranked.insert(ranked.begin(), chosen[i]);
    a.candidates.reserve(ranked.size());
    for (size_t k = 0; k < ranked.size(); ++k) {
      const Option& o = *ranked[k];
      const bool explained_elsewhere = o.c->incomplete && taken.contains(o.c) && k > 0;
      a.candidates.push_back(AttributionCandidate{
          std::string(o.c->trace_id()), total > 0 && !explained_elsewhere ? o.weight / total : 0,
          o.gap, o.c->incomplete});
    }
  });
  return out;
}

}  // namespace logweave::internal

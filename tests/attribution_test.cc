// Tests for the attribution's walks over a service's requests (analysis/attribution.h):
// which requests an error sees as options, checked against a plain scan of all of them, on
// layouts where the walks' shortcuts (blocks skipped, a sum instead of options, a stop once
// weights fall short) could miss one.
#include "analysis/attribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <deque>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "analysis/attribution_options.h"

namespace logweave::internal {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSecond = 1'000'000'000;

// Services' requests and errors, handed to Attribute (one service, "svc", unless named).
class ServiceFixture {
 public:
  explicit ServiceFixture(std::vector<std::string> names = {"svc"}) : names_(std::move(names)) {
    for (const std::string& name : names_) services_.Id(0, name);
    per_service_.resize(names_.size());
  }

  // A request with events at `times` (in order) in service number `service`.
  void Request(std::vector<int64_t> times, bool incomplete = false, size_t service = 0) {
    ids_.push_back(absl::StrFormat("%s-%06d", names_[service], per_service_[service]++));
    times_.push_back(std::move(times));
    incomplete_.push_back(incomplete);
    request_service_.push_back(service);
  }
  void Error(int64_t t, size_t service = 0) { errors_.push_back({t, service}); }

  std::vector<AttributedEntry> Run() {
    std::vector<CandidateList> candidates(names_.size());
    for (size_t r = 0; r < ids_.size(); ++r) {
      const std::vector<int64_t>& t = times_[r];
      Candidate c{};
      c.set_trace_id(ids_[r]);
      // As the analyzer keeps them: the first kMaxTimes - 1 times and the last.
      const size_t kept = std::min<size_t>(t.size(), Candidate::kMaxTimes);
      c.first = t.front();
      c.last = t.back();
      c.count = static_cast<uint8_t>(kept);
      middles_.emplace_back();
      for (size_t k = 1; k + 1 < kept; ++k) middles_.back().push_back(t[k]);
      c.middle = middles_.back().data();
      c.incomplete = incomplete_[r];
      candidates[services_.Find(0, names_[request_service_[r]])].push_back(c);
    }
    std::vector<AttributedEntry> entries(errors_.size());
    for (size_t i = 0; i < errors_.size(); ++i) {
      UnstructuredEntry& e = entries[i].entry;
      e.service = names_[errors_[i].second];
      e.line_no = i + 1;
      e.time_ns = errors_[i].first;
      e.time_known = true;
      e.text = "ERROR something failed";
    }
    EntryWords words(entries.size());
    DetectorOptions options;
    options.attribution_window_ns = window_;
    return Attribute(options, std::move(entries), std::move(words), candidates, services_, {},
                     /*threads=*/2);
  }

  // What a plain scan of every request says about an error at `t` in
  // service 0: the requests with an event at most the window before it, by kind.
  struct Expected {
    std::set<std::string> in_progress, ended, incomplete;
  };
  Expected Scan(int64_t t) const {
    Expected x;
    for (size_t r = 0; r < ids_.size(); ++r) {
      if (request_service_[r] != 0) continue;  // for service 0's errors
      const std::vector<int64_t>& times = times_[r];
      // Only the kept times count, as in the analyzer.
      std::vector<int64_t> kept(
          times.begin(), times.begin() + std::min<size_t>(times.size(), Candidate::kMaxTimes - 1));
      if (times.size() >= Candidate::kMaxTimes) kept.push_back(times.back());
      int64_t before = INT64_MIN;
      for (int64_t v : kept) {
        if (v <= t) before = v;
      }
      if (before == INT64_MIN || t - before > window_) continue;
      if (incomplete_[r]) {
        x.incomplete.insert(ids_[r]);
      } else if (kept.back() > t) {
        x.in_progress.insert(ids_[r]);
      } else {
        x.ended.insert(ids_[r]);
      }
    }
    return x;
  }
  const std::vector<std::string>& ids() const { return ids_; }
  int64_t window() const { return window_; }

 private:
  std::vector<std::string> names_;
  std::vector<int> per_service_;
  SharedNames services_;
  int64_t window_ = 60 * kSecond;
  std::vector<std::string> ids_;
  std::vector<std::vector<int64_t>> times_;
  std::vector<bool> incomplete_;
  std::vector<size_t> request_service_;
  std::deque<std::vector<int64_t>> middles_;
  std::vector<std::pair<int64_t, size_t>> errors_;  // time, service
};

std::vector<std::string> Shown(const AttributedEntry& a) {
  std::vector<std::string> ids;
  for (const AttributionCandidate& c : a.candidates) ids.push_back(c.trace_id);
  return ids;
}

// Many short requests before and after each error and a few long ones still in progress at
// it, which land anywhere among the walk's blocks (most blocks hold only requests that start
// after the error, and are skipped): the errors' shown candidates start with exactly the
// requests in progress (they outweigh the ended ones), as a scan of all requests finds them.
TEST(AttributionTest, RequestsInProgressAreFoundWhereverTheyStandAmongEndedOnes) {
  for (int seed = 0; seed < 40; ++seed) {
    std::mt19937_64 rng(seed);
    ServiceFixture f;
    // Short requests: 50 ms each, started every 100 ms over 0..100 s.
    for (int i = 0; i < 1000; ++i) f.Request({i * 100 * kMs, i * 100 * kMs + 50 * kMs});
    // 1 to 3 long requests (30 s, an event every 5 s) that start at random points.
    const int long_ones = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < long_ones; ++k) {
      const int64_t start = static_cast<int64_t>(rng() % (60 * kSecond));
      std::vector<int64_t> times;
      for (int64_t t = start; t <= start + 30 * kSecond; t += 5 * kSecond) times.push_back(t);
      f.Request(times);
    }
    // Errors between two short requests (none of those is in progress then).
    for (int e = 0; e < 8; ++e)
      f.Error(static_cast<int64_t>(100 + rng() % 800) * 100 * kMs + 75 * kMs);
    const std::vector<AttributedEntry> out = f.Run();
    ASSERT_EQ(out.size(), 8u);
    for (const AttributedEntry& a : out) {
      const ServiceFixture::Expected x = f.Scan(a.entry.time_ns);
      const std::vector<std::string> shown = Shown(a);
      const std::set<std::string> shown_set(shown.begin(), shown.end());
      if (x.in_progress.empty()) {
        // Only ended ones: the latest four that are within the window.
        EXPECT_LE(shown.size(), std::min<size_t>(4, x.ended.size())) << "seed " << seed;
        for (const std::string& id : shown) EXPECT_TRUE(x.ended.count(id)) << id;
        continue;
      }
      std::set<std::string> in_progress_shown;
      for (const std::string& id : shown) {
        if (x.in_progress.count(id)) in_progress_shown.insert(id);
      }
      EXPECT_EQ(in_progress_shown, x.in_progress) << "seed " << seed << " t " << a.entry.time_ns;
      // They come first: none of the ended ones outranks them.
      for (size_t k = 0; k < x.in_progress.size() && k < shown.size(); ++k) {
        EXPECT_TRUE(x.in_progress.count(shown[k])) << "seed " << seed << " rank " << k;
      }
    }
  }
}

// Requests that all ended before the error, several at the same instant: the shown ones are
// the latest, ties broken by id, and the confidences are each one's weight over the sum of
// every ended request's within the window (1 / (1 + seconds since it ended)).
TEST(AttributionTest, EndedRequestsShowTheLatestAndWeighEveryOneInTheWindow) {
  ServiceFixture f;
  // 6 requests ending at 10 s (a tie), 300 more ending every 100 ms from 0 to 29.9 s, and 50
  // that ended more than the window before the error (not options).
  for (int i = 0; i < 6; ++i) f.Request({9 * kSecond, 10 * kSecond});
  for (int i = 0; i < 300; ++i) f.Request({i * 100 * kMs, i * 100 * kMs});
  const int64_t error_at = 70 * kSecond;
  for (int i = 0; i < 50; ++i) f.Request({i * 10 * kMs, i * 10 * kMs + 1 * kMs});
  f.Error(error_at);
  const std::vector<AttributedEntry> out = f.Run();
  ASSERT_EQ(out.size(), 1u);
  const ServiceFixture::Expected x = f.Scan(error_at);
  ASSERT_TRUE(x.in_progress.empty());
  // The latest to end: the requests ending at 29.9, 29.8, 29.7 and 29.6 s.
  const std::vector<std::string>& ids = f.ids();
  EXPECT_EQ(Shown(out[0]),
            (std::vector<std::string>{ids[6 + 299], ids[6 + 298], ids[6 + 297], ids[6 + 296]}));
  double total = 0;
  for (const std::string& id : x.ended) {
    const size_t r = static_cast<size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
    const int64_t last = r < 6 ? 10 * kSecond : static_cast<int64_t>(r - 6) * 100 * kMs;
    total += 1.0 / (1.0 + static_cast<double>(error_at - last) / kSecond);
  }
  const AttributionCandidate& best = out[0].candidates.front();
  EXPECT_EQ(best.gap_ns, error_at - 29'900 * kMs);
  EXPECT_NEAR(best.confidence, (1.0 / (1.0 + 40.1)) / total, 1e-12);

  // Alone, the six tied at 10 s (60 s before the error: just within the window) are the only
  // options: four shown, the lowest ids first, each as likely as the others.
  ServiceFixture tie;
  for (int i = 0; i < 6; ++i) tie.Request({9 * kSecond, 10 * kSecond});
  tie.Error(70 * kSecond);
  tie.Request({0, kSecond});  // ended 69 s before: outside the window
  const std::vector<AttributedEntry> tied = tie.Run();
  ASSERT_EQ(tied.size(), 1u);
  EXPECT_EQ(Shown(tied[0]),
            (std::vector<std::string>{tie.ids()[0], tie.ids()[1], tie.ids()[2], tie.ids()[3]}));
  for (const AttributionCandidate& c : tied[0].candidates)
    EXPECT_NEAR(c.confidence, 1.0 / 6, 1e-12);
}

// The ended requests' weights are made in a loop the compiler vectorizes,
// converting each gap to a double by hand: every one must be EndedWeight's,
// bit for bit, and their sum the one added in order, at the ends of the window and of the exact
// range, and beyond it (a window of 2^52 ns or more takes the plain conversion).
TEST(AttributionTest, EndedWeightsAreEndedWeightBitForBit) {
  std::mt19937_64 rng(7);
  const int64_t t = 1'795'428'000'008'000'000;  // an error in 2026, in ns
  for (const int64_t window : {int64_t{1}, int64_t{60'000'000'000}, (int64_t{1} << 52) - 1,
                               int64_t{1} << 52, int64_t{1} << 60}) {
    std::vector<int64_t> gaps = {0, 1, 2, 999'999'999, 1'000'000'000, window - 1, window};
    for (int k = 0; k < 2000; ++k) gaps.push_back(static_cast<int64_t>(rng() % uint64_t(window)));
    std::vector<int64_t> lasts;
    for (int64_t g : gaps) lasts.push_back(t - g);
    std::vector<double> out(lasts.size());
    const double total = EndedWeights(lasts.data(), lasts.size(), t, window, out.data());
    double want_total = 0;
    for (size_t k = 0; k < gaps.size(); ++k) {
      const double want = EndedWeight(gaps[k]);
      ASSERT_EQ(std::bit_cast<uint64_t>(out[k]), std::bit_cast<uint64_t>(want))
          << "window " << window << " gap " << gaps[k] << ": " << out[k] << " vs " << want;
      want_total += want;
    }
    // The sum too, added in the same order.
    EXPECT_EQ(std::bit_cast<uint64_t>(total), std::bit_cast<uint64_t>(want_total))
        << "window " << window << ": " << total << " vs " << want_total;
  }
}

// Incomplete requests are options wherever they end, however long they ran; and one left
// incomplete just before the error wins it.
TEST(AttributionTest, IncompleteRequestsAreFoundHoweverLongTheyRan) {
  ServiceFixture f;
  for (int i = 0; i < 1000; ++i) f.Request({i * 100 * kMs, i * 100 * kMs + 20 * kMs});
  // A long incomplete request (from 0 s to 95 s: it started more than the window before the
  // error; kept times 0..30 s and its last) and a short one that stopped at 99.9 s.
  std::vector<int64_t> long_times;
  for (int64_t t = 0; t <= 95 * kSecond; t += 5 * kSecond) long_times.push_back(t);
  f.Request(long_times, /*incomplete=*/true);
  f.Request({99 * kSecond, 99'900 * kMs}, /*incomplete=*/true);
  f.Error(100'050 * kMs);
  const std::vector<AttributedEntry> out = f.Run();
  ASSERT_EQ(out.size(), 1u);
  const ServiceFixture::Expected x = f.Scan(100'050 * kMs);
  EXPECT_EQ(x.incomplete, (std::set<std::string>{f.ids()[1000], f.ids()[1001]}));
  ASSERT_FALSE(out[0].candidates.empty());
  std::set<std::string> incomplete_shown;
  for (const AttributionCandidate& c : out[0].candidates) {
    if (c.incomplete) incomplete_shown.insert(c.trace_id);
  }
  EXPECT_EQ(incomplete_shown, x.incomplete);
  EXPECT_TRUE(out[0].candidates.front().incomplete);
}

// The edges of the three kinds of option: a request whose last event is at the error's instant
// ended (gap 0), one whose first event is then is in progress, an incomplete one ending then is
// incomplete.
TEST(AttributionTest, RequestsAtTheErrorsInstantAreOptionsOfTheRightKind) {
  const int64_t t = 100 * kSecond;
  ServiceFixture f;
  f.Request({t - 10 * kSecond, t});                       // ended at t
  f.Request({t, t + 5 * kSecond});                        // started at t
  f.Request({t - 20 * kSecond, t}, /*incomplete=*/true);  // stopped at t, unfinished
  f.Error(t);
  const std::vector<AttributedEntry> out = f.Run();
  ASSERT_EQ(out.size(), 1u);
  const ServiceFixture::Expected x = f.Scan(t);
  EXPECT_EQ(x.ended, (std::set<std::string>{f.ids()[0]}));
  EXPECT_EQ(x.in_progress, (std::set<std::string>{f.ids()[1]}));
  EXPECT_EQ(x.incomplete, (std::set<std::string>{f.ids()[2]}));
  ASSERT_EQ(out[0].candidates.size(), 3u);
  // The incomplete one first, then the one in progress, then the one that ended.
  EXPECT_EQ(out[0].candidates[0].trace_id, f.ids()[2]);
  EXPECT_TRUE(out[0].candidates[0].incomplete);
  EXPECT_EQ(out[0].candidates[1].trace_id, f.ids()[1]);
  EXPECT_EQ(out[0].candidates[2].trace_id, f.ids()[0]);
  for (const AttributionCandidate& c : out[0].candidates) EXPECT_EQ(c.gap_ns, 0) << c.trace_id;
}

// Errors of two busy services, attributed together (a group of services at a time, more than
// one group here) and each service alone: every error gets the same answer, to the last bit.
TEST(AttributionTest, EachServicesErrorsAreAnsweredAsIfItWereAlone) {
  auto fill = [](ServiceFixture& f, size_t service, uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 6000; ++i) {
      const int64_t start = i * 10 * kMs;
      const int64_t length = static_cast<int64_t>(rng() % 400) * kMs;
      f.Request({start, start + length / 2, start + length}, i % 37 == 0, service);
    }
    for (int e = 0; e < 5000; ++e) f.Error(static_cast<int64_t>(rng() % (60 * kSecond)), service);
  };
  ServiceFixture both({"alpha", "beta"}), alpha({"alpha"}), beta({"beta"});
  fill(both, 0, 1);
  fill(both, 1, 2);
  fill(alpha, 0, 1);
  fill(beta, 0, 2);
  const std::vector<AttributedEntry> together = both.Run();
  std::vector<AttributedEntry> apart = alpha.Run();
  for (AttributedEntry& a : beta.Run()) apart.push_back(std::move(a));
  ASSERT_EQ(together.size(), 10000u);
  ASSERT_EQ(apart.size(), 10000u);
  size_t attributed = 0;
  for (size_t i = 0; i < together.size(); ++i) {
    const auto& x = together[i].candidates;
    const auto& y = apart[i].candidates;
    ASSERT_EQ(x.size(), y.size()) << i;
    attributed += !x.empty();
    for (size_t k = 0; k < x.size(); ++k) {
      EXPECT_EQ(x[k].trace_id, y[k].trace_id) << i;
      EXPECT_EQ(x[k].confidence, y[k].confidence) << i;
      EXPECT_EQ(x[k].gap_ns, y[k].gap_ns) << i;
      EXPECT_EQ(x[k].incomplete, y[k].incomplete) << i;
    }
  }
  EXPECT_GT(attributed, 9000u);  // nearly every error has a request before it
}

}  // namespace
}  // namespace logweave::internal

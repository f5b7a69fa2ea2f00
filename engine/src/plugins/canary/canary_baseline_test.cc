// The canary rule with canary and stable as separate services (nginx-style
// JSON access logs without a version field, one file per service): the
// baseline by name and by config, its figures in the finding, and the
// relative criteria.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "analysis/analyzer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "plugins/canary/canary.h"
#include "testdata/invalid_argument.h"
#include "testdata/plugin_pipeline.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// One service's access log: a request every 250 ms for 120 s;
// `fails(t_s, i)` and `latency_ms(t_s, i)` shape it. No service or version
// field: the service is the file's name.
std::vector<std::string> AccessLog(const std::function<bool(double, int)>& fails,
                                   const std::function<double(double, int)>& latency_ms) {
  std::vector<std::string> out;
  for (int i = 0; i < 480; ++i) {
    const double t = i * 0.25 + 0.1;
    const int ms = static_cast<int>((t - static_cast<int>(t)) * 1000 + 0.5);
    out.push_back(absl::StrFormat(
        R"({"time_iso8601":"2026-11-23T10:%02d:%02d.%03d+00:00","remote_addr":"10.0.1.%d","request":"GET /cart HTTP/1.1","status":"%d","request_time":"%.3f"})",
        static_cast<int>(t) / 60, static_cast<int>(t) % 60, ms, i % 200, fails(t, i) ? 502 : 200,
        latency_ms(t, i) / 1000));
  }
  return out;
}
auto Never() {
  return [](double, int) { return false; };
}
auto Every(int n, double after_s = 0) {
  return [n, after_s](double t, int i) { return t > after_s && i % n == 0; };
}
auto Flat(double ms) {
  return [ms](double, int) { return ms; };
}

class CanaryBaselineTest : public ::testing::Test {
 protected:
  // Replays the files and returns the rollbacks of one final analysis.
  static std::vector<Finding> Rollbacks(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& files,
      const CanaryOptions& canary = {}) {
    auto p = testdata::PluginPipeline(std::make_shared<const CanaryConfig>(canary));
    for (const auto& [name, lines] : files) {
      testdata::SubmitLines(p.get(), p->AddSource(name), lines, 50);
    }
    p->Flush();
    Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
    return testdata::FindingsOfKind(analyzer.Run(INT64_MAX).findings, "canary_rollback");
  }
};

TEST_F(CanaryBaselineTest, TheStableServiceByNameIsTheBaselineOfAFailingCanary) {
  // The canary fails 1 in 5 from 30 s on; the stable service 1 in 100.
  std::vector<Finding> found =
      Rollbacks({{"checkout-canary.log", AccessLog(Every(5, 30), Flat(40))},
                 {"checkout-stable.log", AccessLog(Every(100), Flat(25))},
                 {"checkout-primary.log", AccessLog(Never(), Flat(10))}});
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0];
  EXPECT_EQ(f.subject, "checkout-canary");
  EXPECT_EQ(f.Detail("service"), "checkout-canary");
  EXPECT_EQ(f.Detail("version"), "");
  EXPECT_EQ(f.Detail("baseline_service"), "checkout-stable");  // the first suffix that has requests
  EXPECT_EQ(f.Detail("baseline_requests"), "240");
  EXPECT_EQ(f.Detail("baseline_error_rate"), "0.0083");  // 2 of the 240 requests of (15 s, 75 s]
  EXPECT_EQ(f.Detail("baseline_p99_ms"), "25.0");
  EXPECT_EQ(f.Detail("p99_ms"), "40.0");
  EXPECT_EQ(f.time_ns, 1795428000 * kSecond + 75 * kSecond);
  EXPECT_NE(f.summary.find("baseline checkout-stable error rate 0.8%"), std::string::npos)
      << f.summary;
  EXPECT_EQ(f.Detail("failed_criteria"), "");  // no relative criteria configured: no such key
  ASSERT_FALSE(f.evidence.empty());
  EXPECT_EQ(f.evidence.back().source, "checkout-canary.log");
}

TEST_F(CanaryBaselineTest, ThePlainNameIsTheLastBaselineCandidate) {
  std::vector<Finding> found = Rollbacks({{"cart-canary.log", AccessLog(Every(4, 30), Flat(40))},
                                          {"cart.log", AccessLog(Never(), Flat(25))}});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("baseline_service"), "cart");
  EXPECT_EQ(found[0].Detail("baseline_error_rate"), "0.0000");
}

TEST_F(CanaryBaselineTest, TheBaselineByConfigPairsServicesOfAnyName) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> files = {
      {"web-next.log", AccessLog(Every(4, 30), Flat(40))},
      {"web.log", AccessLog(Every(50), Flat(25))}};
  // Not a canary by its name, and no version field: not watched.
  EXPECT_TRUE(Rollbacks(files).empty());
  CanaryOptions o;
  o.baseline = {{"web-next", "web"}};
  o.services = {"web-next"};  // its baseline is watched with it
  std::vector<Finding> found = Rollbacks(files, o);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "web-next");
  EXPECT_EQ(found[0].Detail("baseline_service"), "web");
  EXPECT_EQ(found[0].Detail("baseline_error_rate"), "0.0167");  // 4 of 240
}

TEST_F(CanaryBaselineTest, StreamingDecidesAsReplayDoesWithTheSameBaselineFigures) {
  const auto canary = AccessLog(Every(5, 30), Flat(40));
  const auto stable = AccessLog(Every(100), Flat(25));
  std::vector<Finding> replayed =
      Rollbacks({{"checkout-canary.log", canary}, {"checkout-stable.log", stable}});
  ASSERT_EQ(replayed.size(), 1u);
  auto p = testdata::PluginPipeline(std::make_shared<const CanaryConfig>(CanaryOptions{}));
  const uint32_t a = p->AddSource("checkout-canary.log"), b = p->AddSource("checkout-stable.log");
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  std::vector<Finding> decided;
  for (size_t from = 0; from < canary.size(); from += 40) {  // 10 s of each at a time
    testdata::SubmitLines(p.get(), a, canary, 40, from, from + 40);
    testdata::SubmitLines(p.get(), b, stable, 40, from, from + 40);
    p->Flush();
    for (const Finding& f : analyzer.Run(p->Stats().max_time_ns).changes) {
      if (f.kind == "canary_rollback") decided.push_back(f);
    }
  }
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].id, replayed[0].id);
  EXPECT_EQ(decided[0].details, replayed[0].details);
}

TEST_F(CanaryBaselineTest, WithoutABaselineServiceTheFindingIsAsBefore) {
  std::vector<Finding> found = Rollbacks({{"pay-canary.log", AccessLog(Every(4, 30), Flat(40))}});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("baseline_requests"), "0");
  EXPECT_EQ(found[0].Detail("baseline_error_rate"), "");
  EXPECT_EQ(found[0].Detail("baseline_p99_ms"), "");
  for (const auto& [key, value] : found[0].details) EXPECT_NE(key, "baseline_service");
}

TEST_F(CanaryBaselineTest, ErrorRateAboveTheBaselinesByMoreThanNPoints) {
  // The canary fails 1 in 25 (4%: below the absolute 5%) from 30 s on.
  const auto canary = AccessLog(Every(25, 30), Flat(40));
  const auto calm = AccessLog(Never(), Flat(25));
  const auto as_bad = AccessLog(Every(25), Flat(25));
  EXPECT_TRUE(Rollbacks({{"checkout-canary.log", canary}, {"checkout-stable.log", calm}}).empty());
  CanaryOptions o;
  o.max_error_rate_above_baseline = 0.02;
  std::vector<Finding> found =
      Rollbacks({{"checkout-canary.log", canary}, {"checkout-stable.log", calm}}, o);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("failed_criteria"), "error_rate_above_baseline");
  EXPECT_EQ(found[0].Detail("max_error_rate_above_baseline"), "0.0200");
  EXPECT_NE(found[0].summary.find("+ 2.0 points"), std::string::npos) << found[0].summary;
  // The stable service fails as often: the canary is no worse.
  EXPECT_TRUE(
      Rollbacks({{"checkout-canary.log", canary}, {"checkout-stable.log", as_bad}}, o).empty());
  // Too few baseline requests to compare with: no relative judgement.
  o.min_baseline_requests = 1000;
  EXPECT_TRUE(
      Rollbacks({{"checkout-canary.log", canary}, {"checkout-stable.log", calm}}, o).empty());
}

TEST_F(CanaryBaselineTest, P99AboveKTimesTheBaselines) {
  // The canary's slowest 4% take 600 ms (below the absolute 2 s); the stable's 100 ms.
  auto slow = [](double t, int i) { return t > 30 && i % 25 == 0 ? 600.0 : 30.0; };
  auto usual = [](double, int i) { return i % 25 == 0 ? 100.0 : 20.0; };
  const std::vector<std::pair<std::string, std::vector<std::string>>> files = {
      {"search-canary.log", AccessLog(Never(), slow)},
      {"search-stable.log", AccessLog(Never(), usual)}};
  EXPECT_TRUE(Rollbacks(files).empty());
  CanaryOptions o;
  o.max_p99_ratio_to_baseline = 3;
  std::vector<Finding> found = Rollbacks(files, o);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("failed_criteria"), "p99_ratio_to_baseline");
  EXPECT_EQ(found[0].Detail("p99_ms"), "600.0");
  EXPECT_EQ(found[0].Detail("baseline_p99_ms"), "100.0");
  o.max_p99_ratio_to_baseline = 10;
  EXPECT_TRUE(Rollbacks(files, o).empty());
  // Relative only: a canary over the absolute limits but no worse than its
  // baseline is left alone.
  o.absolute = false;
  o.max_p99_ratio_to_baseline = 3;
  auto both_slow = [](double, int i) { return i % 25 == 0 ? 2500.0 : 30.0; };
  EXPECT_TRUE(Rollbacks({{"search-canary.log", AccessLog(Never(), both_slow)},
                         {"search-stable.log", AccessLog(Never(), both_slow)}},
                        o)
                  .empty());
  o.absolute = true;
  EXPECT_EQ(Rollbacks({{"search-canary.log", AccessLog(Never(), both_slow)},
                       {"search-stable.log", AccessLog(Never(), both_slow)}},
                      o)
                .size(),
            1u);
}

TEST_F(CanaryBaselineTest, VersionlessLinesDoNotChangeAVersionedServicesBaseline) {
  // api logs v1 and v2 requests, and health checks without a version that fail.
  std::vector<std::string> api;
  for (int i = 0; i < 480; ++i) {
    const double t = i * 0.25 + 0.1;
    const bool fails = t > 30 && i % 5 == 0;
    api.push_back(
        absl::StrFormat(R"({"ts":%.3f,"service":"api","status":%d,"latency_ms":15,"version":"%s"})",
                        1795428000 + t, fails && i % 2 == 0 ? 503 : 200, i % 2 == 0 ? "v2" : "v1"));
    api.push_back(absl::StrFormat(R"({"ts":%.3f,"service":"api","status":500,"latency_ms":1})",
                                  1795428000 + t));
  }
  std::vector<Finding> found = Rollbacks({{"api.log", api}});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "api@v2");
  EXPECT_EQ(found[0].Detail("baseline_requests"), "120");
  EXPECT_EQ(found[0].Detail("baseline_error_rate"), "0.0000");
}

TEST(CanaryBaselineConfigTest, ReadsTheBaselineKeys) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString(R"(
plugins:
  canary:
    baseline: {web-next: web, api-canary: api-blue}
    canary_suffixes: [-canary, -preview]
    baseline_suffixes: [-stable, ""]
    max_error_rate_above_baseline: 0.02
    max_p99_ratio_to_baseline: 1.5
    min_baseline_requests: 50
    absolute: false
)");
  ASSERT_TRUE(o.ok()) << o.status();
  const CanaryOptions* c = internal::FindPluginOptions<CanaryConfig>(o->plugins);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->baseline, (std::vector<std::pair<std::string, std::string>>{
                             {"web-next", "web"}, {"api-canary", "api-blue"}}));
  EXPECT_EQ(c->canary_suffixes, (std::vector<std::string>{"-canary", "-preview"}));
  EXPECT_EQ(c->baseline_suffixes, (std::vector<std::string>{"-stable", ""}));
  EXPECT_DOUBLE_EQ(c->max_error_rate_above_baseline, 0.02);
  EXPECT_DOUBLE_EQ(c->max_p99_ratio_to_baseline, 1.5);
  EXPECT_EQ(c->min_baseline_requests, 50u);
  EXPECT_FALSE(c->absolute);
  // Defaults: the names of Argo Rollouts and the handbook; relative criteria off.
  absl::StatusOr<PipelineOptions> d = LoadConfigString("plugins:\n  canary: {}\n");
  ASSERT_TRUE(d.ok()) << d.status();
  const CanaryOptions* e = internal::FindPluginOptions<CanaryConfig>(d->plugins);
  EXPECT_TRUE(e->baseline.empty());
  EXPECT_EQ(e->canary_suffixes, (std::vector<std::string>{"-canary"}));
  EXPECT_EQ(e->baseline_suffixes, (std::vector<std::string>{"-stable", "-primary", ""}));
  EXPECT_LT(e->max_error_rate_above_baseline, 0);
  EXPECT_EQ(e->max_p99_ratio_to_baseline, 0);
  EXPECT_TRUE(e->absolute);
}

TEST(CanaryBaselineConfigTest, BadValuesNameTheKey) {
  testdata::ExpectMessagesContain<PipelineOptions>({
      {LoadConfigString("plugins:\n  canary: {absolute: false}\n"), "plugins.canary.absolute"},
      {LoadConfigString("plugins:\n  canary: {max_p99_ratio_to_baseline: 0.5}\n"),
       "plugins.canary.max_p99_ratio_to_baseline"},
      {LoadConfigString("plugins:\n  canary: {baseline: [a, b]}\n"), "plugins.canary.baseline"},
      {LoadConfigString("plugins:\n  canary: {baseline: {a: a}}\n"), "plugins.canary.baseline"},
      {LoadConfigString("plugins:\n  canary: {canary_suffixes: ['']}\n"), "canary_suffixes"},
  });
}

}  // namespace
}  // namespace logweave

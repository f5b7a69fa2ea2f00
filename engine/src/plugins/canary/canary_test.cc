// The canary rule plugin: reading requests from log lines, and the rollback
// decision over event time, through the pipeline and the analyzer.
#include "plugins/canary/canary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "analysis/analyzer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "testdata/finding_details.h"
#include "testdata/invalid_argument.h"
#include "testdata/plugin_pipeline.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

// The canary options a config gave, or null when it has no plugins.canary section.
const CanaryOptions* CanaryOf(const PipelineOptions& o) {
  return internal::FindPluginOptions<CanaryConfig>(o.plugins);
}

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1795428000 * kSecond;  // 2026-11-23T10:00:00Z, a multiple of 15 s

bool Read(const std::string& line, CanaryRequest* q, const CanaryOptions& o = {}) {
  return ReadCanaryRequest(line, o, q);
}

TEST(ReadCanaryRequestTest, ZapStyleLineWithStatusAndLatency) {
  CanaryRequest q;
  ASSERT_TRUE(Read(
      R"({"level":"error","ts":1795428022.4,"msg":"request completed","status":503,"latency_ms":2.5,"version":"v2"})",
      &q));
  EXPECT_EQ(q.version, "v2");
  EXPECT_TRUE(q.failed);
  EXPECT_EQ(q.latency_ns, 2'500'000);
}

TEST(ReadCanaryRequestTest, EcsNestedFieldsWithDurationInNanoseconds) {
  CanaryRequest q;
  ASSERT_TRUE(Read(
      R"({"@timestamp":"2026-11-23T10:00:00Z","service":{"name":"api","version":"2.1.0"},"ecs.version":"1.2.0","http":{"response":{"status_code":200}},"event":{"duration":1500000000}})",
      &q));
  EXPECT_EQ(q.version, "2.1.0");  // not ecs.version
  EXPECT_FALSE(q.failed);
  EXPECT_EQ(q.latency_ns, 3 * kSecond / 2);
}

TEST(ReadCanaryRequestTest, GoDurationStringsAndPinoHttpStatus) {
  CanaryRequest q;
  ASSERT_TRUE(Read(R"({"app.version":"v2","latency":"2.5s","msg":"done"})", &q));
  EXPECT_EQ(q.latency_ns, 5 * kSecond / 2);
  ASSERT_TRUE(Read(R"({"version":"v1","res":{"statusCode":502},"responseTime":12})", &q));
  EXPECT_TRUE(q.failed);
  EXPECT_EQ(q.latency_ns, 12'000'000);
}

TEST(ReadCanaryRequestTest, NumbersAndStringsOfEitherTypeAreRead) {
  CanaryRequest q;
  ASSERT_TRUE(Read(R"({"version":2,"status":"500","duration_s":"0.25"})", &q));
  EXPECT_EQ(q.version, "2");
  EXPECT_TRUE(q.failed);
  EXPECT_EQ(q.latency_ns, kSecond / 4);
}

TEST(ReadCanaryRequestTest, LinesThatAreNotRequestsAreDeclined) {
  CanaryRequest q;
  EXPECT_FALSE(Read(R"({"version":"v2","msg":"cache warmed"})", &q));      // no latency/status
  EXPECT_FALSE(Read(R"({"status":500,"latency_ms":3})", &q));              // no version
  EXPECT_FALSE(Read(R"({"ecs.version":"1.2.0","status":200})", &q));       // schema version
  EXPECT_FALSE(Read(R"({"version":"v2","status":"ok"})", &q));             // not a code
  EXPECT_FALSE(Read(R"({"version":"v2","items":[{"status":500}]})", &q));  // inside an array
  EXPECT_FALSE(Read(R"({"version":"v2","latency_ms":-4})", &q));           // negative
  EXPECT_FALSE(Read("not json at all", &q));
  EXPECT_FALSE(Read("", &q));
}

TEST(ReadCanaryRequestTest, ACutLineKeepsWhatCameBeforeTheCut) {
  CanaryRequest q;
  ASSERT_TRUE(Read(R"({"version":"v2","status":503,"msg":"upstream fail)", &q));
  EXPECT_TRUE(q.failed);
}

TEST(ReadCanaryRequestTest, HostileNestingEndsTheReadWithoutCrashing) {
  std::string line = R"({"version":"v2","status":503,"deep":)";
  line += std::string(200000, '[') + std::string(200000, ']') + "}";
  CanaryPlugin::Request q;
  ASSERT_TRUE(Read(line, &q));  // what came before the depth limit
  EXPECT_TRUE(q.failed);
  std::string objects = R"({"version":"v2",)";
  for (int i = 0; i < 100000; ++i) objects += R"("a":{)";
  EXPECT_FALSE(Read(objects, &q));  // no status or latency before the cut
}

TEST(ReadCanaryRequestTest, ConfiguredFieldsComeFirstWithTheirUnits) {
  CanaryOptions o;
  o.version_fields = {"build"};
  o.latency_fields = {"rt", "took_us"};
  o.latency_unit_ns = kSecond;
  CanaryRequest q;
  ASSERT_TRUE(Read(R"({"build":"canary-7","version":"v1","rt":"0.5"})", &q, o));
  EXPECT_EQ(q.version, "canary-7");
  EXPECT_EQ(q.latency_ns, kSecond / 2);  // a bare number in latency_unit
  ASSERT_TRUE(Read(R"({"build":"b","took_us":250})", &q, o));
  EXPECT_EQ(q.latency_ns, 250'000);  // the suffix names the unit
}

// Requests of one service every 250 ms, alternately v1 and v2, for
// `seconds`; `v2_fails(t_s, i)` and `v2_latency_ms(t_s, i)` shape the canary.
struct Traffic {
  std::string service = "api";
  int seconds = 120;
  std::function<bool(double, int)> v2_fails = [](double, int) { return false; };
  std::function<double(double, int)> v2_latency_ms = [](double, int) { return 20.0; };

  // The lines of version v1 and of v2, each in time order.
  std::pair<std::vector<std::string>, std::vector<std::string>> Lines() const {
    std::vector<std::string> v1, v2;
    for (int i = 0; i < seconds * 4; ++i) {
      const double t = i * 0.25 + 0.1;
      v1.push_back(absl::StrFormat(
          R"({"ts":%.3f,"service":"%s","msg":"request completed","status":200,"latency_ms":15,"version":"v1"})",
          1795428000 + t, service));
      const bool fails = v2_fails(t, i);
      v2.push_back(absl::StrFormat(
          R"({"ts":%.3f,"service":"%s","level":"%s","msg":"request completed","status":%d,"latency_ms":%.1f,"version":"v2"})",
          1795428000 + t, service, fails ? "error" : "info", fails ? 503 : 200,
          v2_latency_ms(t, i)));
    }
    return {v1, v2};
  }
};

class CanaryPluginTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> NewPipeline(const CanaryOptions& canary = {}) {
    return testdata::PluginPipeline(std::make_shared<const CanaryConfig>(canary));
  }
  static void Add(Pipeline* p, const std::string& name, const std::vector<std::string>& lines,
                  size_t from = 0, size_t to = SIZE_MAX) {
    testdata::SubmitLines(p, p->AddSource(name), lines, 50, from, to);
  }
  // Replays the traffic (v2's file first when `v2_first`) and returns the
  // rollback findings of one final analysis.
  std::vector<Finding> Rollbacks(const Traffic& traffic, const CanaryOptions& canary = {},
                                 bool v2_first = false) {
    auto p = NewPipeline(canary);
    auto [v1, v2] = traffic.Lines();
    if (v2_first) std::swap(v1, v2);
    Add(p.get(), "a.log", v1);
    Add(p.get(), "b.log", v2);
    p->Flush();
    return Of(Analyze(*p, INT64_MAX));
  }
  static AnalysisReport Analyze(const Pipeline& p, int64_t watermark) {
    Analyzer analyzer(DetectorOptions{}, p.index(), p.unstructured(), p.plugins());
    return analyzer.Run(watermark);
  }
  static std::vector<Finding> Of(const AnalysisReport& r) {
    return testdata::FindingsOfKind(r.findings, "canary_rollback");
  }
};

TEST_F(CanaryPluginTest, AHealthyCanaryIsLeftAlone) { EXPECT_TRUE(Rollbacks(Traffic{}).empty()); }

TEST_F(CanaryPluginTest, ErrorRateAboveFivePercentForThreeChecksRollsBack) {
  Traffic t;
  t.v2_fails = [](double s, int i) { return s > 30 && i % 5 == 0; };  // 20% from 30 s on
  std::vector<Finding> found = Rollbacks(t);
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0];
  // Checks at 45 s (12 of 180 failed: 6.7%), 60 s and 75 s: the third strike decides.
  EXPECT_EQ(f.time_ns, kStart + 75 * kSecond);
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.subject, "api@v2");
  testdata::ExpectDetails(
      f, {"action=rollback", "service=api", "version=v2",
          "first_failed_check=2026-11-23T10:00:45.000Z", "baseline_error_rate=0.0000"});
  EXPECT_NE(f.summary.find("error rate"), std::string::npos) << f.summary;
  ASSERT_FALSE(f.evidence.empty());
  EXPECT_NE(f.evidence.back().text.find("503"), std::string::npos);
  EXPECT_EQ(f.evidence.back().source, "b.log");
}

TEST_F(CanaryPluginTest, FileOrderDoesNotChangeTheDecision) {
  Traffic t;
  t.v2_fails = [](double s, int i) { return s > 30 && i % 5 == 0; };
  std::vector<Finding> a = Rollbacks(t, {}, false);
  std::vector<Finding> b = Rollbacks(t, {}, true);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].id, b[0].id);
  EXPECT_EQ(a[0].time_ns, b[0].time_ns);
  EXPECT_EQ(a[0].details, b[0].details);
}

TEST_F(CanaryPluginTest, P99AboveTwoSecondsRollsBackWithoutErrors) {
  Traffic t;
  t.v2_latency_ms = [](double s, int i) { return s > 30 && i % 25 == 0 ? 2500.0 : 30.0; };
  std::vector<Finding> found = Rollbacks(t);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("error_rate"), "0.0000");
  EXPECT_EQ(found[0].Detail("p99_ms"), "2500.0");
  EXPECT_NE(found[0].summary.find("p99"), std::string::npos);
  // Slow, but below the limit: no decision.
  t.v2_latency_ms = [](double s, int i) { return s > 30 && i % 25 == 0 ? 1900.0 : 30.0; };
  EXPECT_TRUE(Rollbacks(t).empty());
}

TEST_F(CanaryPluginTest, APassingCheckBreaksTheRunOfStrikes) {
  CanaryOptions o;
  o.window_ns = 15 * kSecond;  // checks over disjoint windows
  Traffic t;
  // Fails in (15, 45] and (60, 90]: strikes at 30, 45, pass at 60, strikes at 75, 90.
  t.v2_fails = [](double s, int) { return (s > 15 && s <= 45) || (s > 60 && s <= 90); };
  EXPECT_TRUE(Rollbacks(t, o).empty());
  // One more failing window makes three in a row.
  t.v2_fails = [](double s, int) { return (s > 15 && s <= 45) || (s > 60 && s <= 105); };
  std::vector<Finding> found = Rollbacks(t, o);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].time_ns, kStart + 105 * kSecond);
}

// The finding carries every check that decided, passed or failed, with the
// canary's and the baseline's figures and the strikes: a series to draw.
TEST_F(CanaryPluginTest, TheFindingCarriesTheSeriesOfChecksWithTheBaseline) {
  Traffic t;
  t.v2_fails = [](double s, int i) { return s > 30 && i % 5 == 0; };  // 20% from 30 s on
  t.v2_latency_ms = [](double s, int) { return s > 30 ? 40.0 : 20.0; };
  std::vector<Finding> found = Rollbacks(t);
  ASSERT_EQ(found.size(), 1u);
  const std::vector<std::string> checks = absl::StrSplit(found[0].Detail("checks"), "; ");
  // Checks at 15, 30 (pass), 45, 60, 75 s (fail): up to the decision.
  ASSERT_EQ(checks.size(), 5u) << found[0].Detail("checks");
  EXPECT_EQ(found[0].Detail("checks_omitted"), "0");
  EXPECT_EQ(checks[0], "2026-11-23T10:00:15.000Z pass 0 0.0000 20.0 60 0.0000 15.0 60");
  EXPECT_THAT(checks[1], ::testing::StartsWith("2026-11-23T10:00:30.000Z pass 0 0.0000 20.0 120 "));
  // 12 of the 180 canary requests of (-15 s, 45 s] failed; 4 of them in (30, 45].
  EXPECT_THAT(checks[2], ::testing::StartsWith("2026-11-23T10:00:45.000Z fail 1 0.0667 40.0 180 "
                                               "0.0000 15.0 180"));
  EXPECT_THAT(checks[3], ::testing::StartsWith("2026-11-23T10:01:00.000Z fail 2 "));
  EXPECT_THAT(checks[4], ::testing::StartsWith("2026-11-23T10:01:15.000Z fail 3 "));
  // Its last check is the deciding one: the finding's own figures.
  EXPECT_THAT(checks[4], ::testing::HasSubstr(absl::StrCat(" ", found[0].Detail("error_rate"), " ",
                                                           found[0].Detail("p99_ms"), " ",
                                                           found[0].Detail("requests"), " ")));
}

TEST_F(CanaryPluginTest, TheSeriesKeepsTheLastFortyChecksAndCountsTheOthers) {
  CanaryOptions o;
  o.window_ns = 15 * kSecond;
  Traffic t;
  t.seconds = 15 * 50;                                     // 50 checks
  t.v2_fails = [](double s, int) { return s > 15 * 47; };  // the last three fail
  std::vector<Finding> found = Rollbacks(t, o);
  ASSERT_EQ(found.size(), 1u);
  const std::vector<std::string> checks = absl::StrSplit(found[0].Detail("checks"), "; ");
  ASSERT_EQ(checks.size(), 40u);
  EXPECT_EQ(found[0].Detail("checks_omitted"), "10");
  EXPECT_THAT(checks[0], ::testing::StartsWith("2026-11-23T10:02:45.000Z pass 0 "));  // the 11th
  EXPECT_THAT(checks[39], ::testing::StartsWith("2026-11-23T10:12:30.000Z fail 3 1.0000 "));
}

TEST_F(CanaryPluginTest, TooFewCanaryRequestsDecideNothing) {
  CanaryOptions o;
  o.min_requests = 300;  // more than a window's 240 canary requests
  Traffic t;
  t.v2_fails = [](double, int) { return true; };
  EXPECT_TRUE(Rollbacks(t, o).empty());
  o.min_requests = 20;
  EXPECT_EQ(Rollbacks(t, o).size(), 1u);
}

TEST_F(CanaryPluginTest, OnlyTheConfiguredServicesAndVersionsAreWatched) {
  Traffic t;
  t.v2_fails = [](double, int) { return true; };
  CanaryOptions o;
  o.services = {"payments"};
  EXPECT_TRUE(Rollbacks(t, o).empty());
  o.services = {"api"};
  o.canary_versions = {"V1"};  // ignoring case; v1 is healthy
  EXPECT_TRUE(Rollbacks(t, o).empty());
}

TEST_F(CanaryPluginTest, StreamingInTimeOrderDecidesAsReplayDoes) {
  Traffic t;
  t.v2_fails = [](double s, int i) { return s > 30 && i % 5 == 0; };
  auto [v1, v2] = t.Lines();
  auto p = NewPipeline();
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  std::vector<Finding> decided;
  for (size_t from = 0; from < v1.size(); from += 40) {  // 10 s of traffic at a time
    Add(p.get(), "a.log", v1, from, from + 40);
    Add(p.get(), "b.log", v2, from, from + 40);
    p->Flush();
    AnalysisReport r = analyzer.Run(p->Stats().max_time_ns);
    for (const Finding& f : r.changes) {
      if (f.kind == "canary_rollback") decided.push_back(f);
    }
  }
  ASSERT_EQ(decided.size(), 1u);  // reported once, as a change
  std::vector<Finding> replayed = Rollbacks(t);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(decided[0].id, replayed[0].id);
  EXPECT_EQ(decided[0].time_ns, replayed[0].time_ns);
}

TEST_F(CanaryPluginTest, AFailureAtTheEndOfAFinalReplayIsDecidedAsStreamingWould) {
  // v2 fails from 100 s to the end (120 s): checks at 105 and 120 fail in
  // the data; 135, whose window still holds the failing requests, decides.
  Traffic t;
  t.v2_fails = [](double s, int) { return s > 100; };
  std::vector<Finding> found = Rollbacks(t);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].time_ns, kStart + 135 * kSecond);
}

TEST_F(CanaryPluginTest, RequestsBeforeTheFirstCheckAreNotLate) {
  CanaryOptions o;
  o.lateness_ns = 5 * kSecond;
  auto p = NewPipeline(o);
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  auto line = [](double t) {
    return absl::StrFormat(
        R"({"ts":%.3f,"service":"api","status":200,"latency_ms":5,"version":"v2"})",
        1795428000 + t);
  };
  Add(p.get(), "a.log", {line(106)});
  p->Flush();
  (void)analyzer.Run(p->Stats().max_time_ns);  // no check made yet: 120 s is ahead
  Add(p.get(), "b.log", {line(102), line(103), line(105)});
  p->Flush();
  (void)analyzer.Run(p->Stats().max_time_ns);
  auto* canary = dynamic_cast<CanaryPlugin*>(p->plugins()[0]);
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->counters().requests, 4u);
  EXPECT_EQ(canary->counters().late, 0u);
}

TEST_F(CanaryPluginTest, RequestsOverTheLimitAreDroppedAndCounted) {
  CanaryOptions o;
  o.max_pending_requests = 10;
  auto p = NewPipeline(o);
  auto [v1, v2] = Traffic{}.Lines();
  Add(p.get(), "a.log", v1, 0, 50);  // one batch of 50 requests: over the limit
  p->Flush();
  EXPECT_EQ(p->Stats().plugin_dropped, 50u);
  Add(p.get(), "a.log", v1, 50, 55);  // 5 fit
  p->Flush();
  EXPECT_EQ(p->Stats().plugin_dropped, 50u);
}

TEST(CanaryConfigTest, SectionEnablesThePluginAndReadsEveryKey) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString(R"(
plugins:
  canary:
    canary_versions: [v2, canary]
    services: [gateway]
    version_fields: [build]
    latency_fields: rt
    status_fields: [code]
    latency_unit: 1s
    max_error_rate: 0.1
    max_p99: 500ms
    interval: 10s
    window: 30s
    strikes: 2
    min_requests: 5
    lateness: 0
    max_pending_requests: 1000
    action: page
)");
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_NE(CanaryOf(*o), nullptr);
  const CanaryOptions& c = *CanaryOf(*o);
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.canary_versions, (std::vector<std::string>{"v2", "canary"}));
  EXPECT_EQ(c.services, (std::vector<std::string>{"gateway"}));
  EXPECT_EQ(c.version_fields, (std::vector<std::string>{"build"}));
  EXPECT_EQ(c.latency_fields, (std::vector<std::string>{"rt"}));
  EXPECT_EQ(c.status_fields, (std::vector<std::string>{"code"}));
  EXPECT_EQ(c.latency_unit_ns, kSecond);
  EXPECT_DOUBLE_EQ(c.max_error_rate, 0.1);
  EXPECT_EQ(c.max_p99_ns, kSecond / 2);
  EXPECT_EQ(c.interval_ns, 10 * kSecond);
  EXPECT_EQ(c.window_ns, 30 * kSecond);
  EXPECT_EQ(c.strikes, 2u);
  EXPECT_EQ(c.min_requests, 5u);
  EXPECT_EQ(c.lateness_ns, 0);
  EXPECT_EQ(c.max_pending_requests, 1000u);
  EXPECT_EQ(c.action, "page");
}

TEST(CanaryConfigTest, DefaultsAreTheRuleOfTheBook) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString("plugins:\n  canary: {}\n");
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_NE(CanaryOf(*o), nullptr);
  const CanaryOptions& c = *CanaryOf(*o);
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.canary_versions, (std::vector<std::string>{"v2"}));
  EXPECT_DOUBLE_EQ(c.max_error_rate, 0.05);
  EXPECT_EQ(c.max_p99_ns, 2 * kSecond);
  EXPECT_EQ(c.interval_ns, 15 * kSecond);
  EXPECT_EQ(c.window_ns, 60 * kSecond);
  EXPECT_EQ(c.strikes, 3u);
  EXPECT_EQ(CanaryOf(*LoadConfigString("threads: 1\n")), nullptr);
  absl::StatusOr<PipelineOptions> off = LoadConfigString("plugins:\n  canary: {enabled: false}\n");
  ASSERT_TRUE(off.ok()) << off.status();
  ASSERT_NE(CanaryOf(*off), nullptr);
  EXPECT_FALSE(CanaryOf(*off)->enabled);
  off->threads = 1;
  EXPECT_TRUE((*Pipeline::Create(*off))->plugins().empty());  // configured, but off
}

TEST(CanaryConfigTest, BadValuesNameTheKey) {
  testdata::ExpectMessagesContain<PipelineOptions>({
      {LoadConfigString("plugins:\n  canary: {max_error_rate: 5}\n"),
       "plugins.canary.max_error_rate"},
      {LoadConfigString("plugins:\n  canary: {interval: 1m, window: 15s}\n"),
       "plugins.canary.window"},
      {LoadConfigString("plugins:\n  canary: {strikes: 0}\n"), "strikes"},
      {LoadConfigString("plugins:\n  canary: {treshold: 1}\n"),
       "unknown key \"plugins.canary.treshold\""},
      {LoadConfigString("plugins:\n  rogue: {}\n"), "unknown key \"plugins.rogue\""},
      {LoadConfigString("plugins:\n  rogue: {}\n"),
       "known keys here: canary, cost, drift, rotation"},
  });
}

}  // namespace
}  // namespace logweave

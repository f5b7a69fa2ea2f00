// The cost-anomaly rule plugin: reading costs from billing and application
// lines, and the daily judgement, through the pipeline and the analyzer.
#include "plugins/cost/cost.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "analysis/analyzer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "testdata/finding_details.h"
#include "testdata/invalid_argument.h"
#include "testdata/plugin_pipeline.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;
constexpr int64_t kNov23 = 20780;  // 2026-11-23 as days since 1970-01-01

bool Read(const std::string& line, CostLine* c, const CostOptions& o = {},
          std::string_view service = "app", int64_t time_ns = -1) {
  return CostLineReader(o).Read(line, service, time_ns >= 0, time_ns, c);
}

// What a test expects of a CostLine read; an unset field is not checked.
struct WantCost {
  std::optional<std::string> service = {};
  std::optional<int64_t> day = {};
  std::optional<double> amount = {};
  std::optional<std::string> currency = {};
};

void ExpectCost(const CostLine& c, const WantCost& want) {
  if (want.service) {
    EXPECT_EQ(c.service, *want.service);
  }
  if (want.day) {
    EXPECT_EQ(c.day, *want.day);
  }
  if (want.amount) {
    EXPECT_DOUBLE_EQ(c.amount, *want.amount);
  }
  if (want.currency) {
    EXPECT_EQ(c.currency, *want.currency);
  }
}

TEST(CostLineReaderTest, AwsCurLine) {
  CostLine c;
  ASSERT_TRUE(Read(
      R"({"lineItem/UsageStartDate":"2026-11-23T05:00:00Z","lineItem/ProductCode":"AmazonEC2","lineItem/UnblendedCost":"12.5","lineItem/CurrencyCode":"USD"})",
      &c));
  ExpectCost(c, {.service = "AmazonEC2", .day = kNov23, .amount = 12.5, .currency = "USD"});
}

TEST(CostLineReaderTest, GcpBillingExportLineWithNestedService) {
  CostLine c;
  ASSERT_TRUE(Read(
      R"({"service":{"id":"6F81-5844-456A","description":"Compute Engine"},"usage_start_time":"2026-11-22T23:00:00-02:00","cost":3.25,"currency":"EUR"})",
      &c));
  ExpectCost(c, {.service = "Compute Engine", .day = kNov23 /* 01:00 UTC */, .amount = 3.25});
}

TEST(CostLineReaderTest, ApplicationLineUsesItsOwnServiceAndTime) {
  CostLine c;
  const int64_t t = kNov23 * kDayNs + 3600 * 1'000'000'000LL;
  ASSERT_TRUE(Read(R"({"msg":"llm call","cost_usd":0.0042})", &c, {}, "chatbot", t));
  ExpectCost(c, {.service = "chatbot", .day = kNov23, .amount = 0.0042, .currency = ""});
}

TEST(CostLineReaderTest, BareDatesCreditsAndConfiguredKeys) {
  CostLine c;
  ASSERT_TRUE(Read(R"({"usage_date":"2026-11-23","cost":-4.0})", &c));  // a credit
  ExpectCost(c, {.day = kNov23, .amount = -4.0});
  CostOptions o;
  o.cost_fields = {"spend"};
  o.service_fields = {"team"};
  o.time_fields = {"when"};
  ASSERT_TRUE(Read(R"({"when":1795392000,"team":"search","spend":"7","cost":1})", &c, o));
  // The configured key comes first.
  ExpectCost(c, {.service = "search", .day = kNov23, .amount = 7});
}

TEST(CostLineReaderTest, LinesWithoutAUsableCostOrTimeAreDeclined) {
  CostLine c;
  EXPECT_FALSE(Read(R"({"msg":"hello","usage_date":"2026-11-23"})", &c));  // no cost
  EXPECT_FALSE(Read(R"({"cost":"low","usage_date":"2026-11-23"})", &c));   // not a number
  EXPECT_FALSE(Read(R"({"cost":"nan","usage_date":"2026-11-23"})", &c));
  EXPECT_FALSE(Read(R"({"cost":1e300,"usage_date":"2026-11-23"})", &c));
  EXPECT_FALSE(Read(R"({"cost":5})", &c));  // no time at all
  EXPECT_FALSE(Read(R"({"items":[{"cost":5}],"usage_date":"2026-11-23"})", &c));
  EXPECT_FALSE(Read("[1,2,3]", &c));
}

// Daily cost lines of `service`: day k (k = 0..days-1, ending on 2026-11-23)
// costs totals[k], split over `lines_per_day` lines.
std::vector<std::string> DailyLines(const std::string& service, const std::vector<double>& totals,
                                    int lines_per_day = 4) {
  std::vector<std::string> out;
  const int64_t first = kNov23 - static_cast<int64_t>(totals.size()) + 1;
  for (size_t k = 0; k < totals.size(); ++k) {
    for (int i = 0; i < lines_per_day; ++i) {
      const int64_t t = (first + static_cast<int64_t>(k)) * 86400 + i * 3600;
      out.push_back(absl::StrFormat(
          R"({"time":%d,"service":"%s","msg":"usage","cost_usd":%.4f,"currency":"USD"})", t * 1000,
          service, totals[k] / lines_per_day));
    }
  }
  return out;
}

class CostPluginTest : public ::testing::Test {
 protected:
  std::vector<Finding> Anomalies(const std::vector<std::vector<std::string>>& files,
                                 const CostOptions& cost = {}, int64_t watermark = INT64_MAX) {
    auto p = testdata::PluginPipeline(std::make_shared<const CostConfig>(cost));
    for (size_t f = 0; f < files.size(); ++f) Add(p.get(), absl::StrFormat("f%d.log", f), files[f]);
    p->Flush();
    Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
    return testdata::FindingsOfKind(analyzer.Run(watermark).findings, "cost_anomaly");
  }
  static void Add(Pipeline* p, const std::string& name, const std::vector<std::string>& lines) {
    testdata::SubmitLines(p, p->AddSource(name), lines, 16);
  }
};

// Seven days of 100 +- 2: mean 100, sample stdev exactly 2 (squares 24 over 6): threshold 104.
const std::vector<double> kWeek = {98, 102, 98, 102, 98, 102, 100};

std::vector<double> WeekThen(double last) {
  std::vector<double> v = kWeek;
  v.push_back(last);
  return v;
}

TEST_F(CostPluginTest, ADayAboveMeanPlusTwoStdevsIsReported) {
  std::vector<Finding> found = Anomalies({DailyLines("payments", WeekThen(180))});
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0];
  EXPECT_EQ(f.subject, "payments");
  EXPECT_EQ(f.time_ns, kNov23 * kDayNs);
  testdata::ExpectDetails(f, {"day=2026-11-23", "cost=180.00", "mean=100.00", "stdev=2.00",
                              "threshold=104.00", "currency=USD", "lines=4"});
  EXPECT_NE(f.summary.find("+80%"), std::string::npos) << f.summary;
  EXPECT_EQ(f.evidence.size(), 3u);
}

TEST_F(CostPluginTest, TheThresholdIsMeanPlusTwoSampleStdevs) {
  EXPECT_EQ(Anomalies({DailyLines("payments", WeekThen(104.0))}).size(), 0u);  // not above
  EXPECT_EQ(Anomalies({DailyLines("payments", WeekThen(104.2))}).size(), 1u);
  CostOptions three;
  three.stdevs = 3;
  EXPECT_EQ(Anomalies({DailyLines("payments", WeekThen(105.5))}, three).size(), 0u);
  EXPECT_EQ(Anomalies({DailyLines("payments", WeekThen(106.5))}, three).size(), 1u);
}

TEST_F(CostPluginTest, EveryServiceIsJudgedOnItsOwnHistory) {
  std::vector<Finding> found = Anomalies({DailyLines("payments", WeekThen(101)),
                                          DailyLines("search", {10, 11, 9, 10, 10, 11, 9, 30})});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "search");
}

TEST_F(CostPluginTest, TooLittleHistoryDecidesNothing) {
  EXPECT_TRUE(Anomalies({DailyLines("payments", {100, 100, 101, 99, 500})}).empty());
  CostOptions o;
  o.min_history_days = 4;
  EXPECT_EQ(Anomalies({DailyLines("payments", {100, 100, 101, 99, 500})}, o).size(), 1u);
}

TEST_F(CostPluginTest, AnEarlierSpikeIsReportedOnItsOwnDay) {
  std::vector<double> days = {98, 102, 98, 102, 98, 102, 100, 200, 100, 99, 101};
  std::vector<Finding> found = Anomalies({DailyLines("payments", days)});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("day"), "2026-11-20");  // three days before the last
}

TEST_F(CostPluginTest, StreamingJudgesADayOnlyOnceItIsOver) {
  const std::vector<std::string> lines = DailyLines("payments", WeekThen(180));
  CostOptions o;
  o.lateness_ns = 0;
  // The watermark inside the spiking day: not judged yet.
  EXPECT_TRUE(Anomalies({lines}, o, kNov23 * kDayNs + 23 * 3600 * 1'000'000'000LL).empty());
  // Once the day is over, it is.
  EXPECT_EQ(Anomalies({lines}, o, (kNov23 + 1) * kDayNs).size(), 1u);
  // With an hour of lateness, an hour after midnight.
  o.lateness_ns = 3600 * 1'000'000'000LL;
  EXPECT_TRUE(Anomalies({lines}, o, (kNov23 + 1) * kDayNs).empty());
  EXPECT_EQ(Anomalies({lines}, o, (kNov23 + 1) * kDayNs + o.lateness_ns).size(), 1u);
}

TEST_F(CostPluginTest, LinesInAnyFileOrderGiveTheSameJudgement) {
  std::vector<std::string> lines = DailyLines("payments", WeekThen(180));
  std::vector<std::string> reversed(lines.rbegin(), lines.rend());
  std::vector<Finding> a = Anomalies({lines});
  std::vector<Finding> b = Anomalies({reversed});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].id, b[0].id);
  EXPECT_EQ(a[0].details, b[0].details);
}

TEST_F(CostPluginTest, RepeatedLinesAreCountedOnce) {
  // A shipper's retry sends every billing line twice: the totals stay.
  std::vector<std::string> lines = DailyLines("payments", WeekThen(180));
  std::vector<std::string> twice = lines;
  twice.insert(twice.end(), lines.begin(), lines.end());
  std::vector<Finding> found = Anomalies({twice});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Detail("cost"), "180.00");
  EXPECT_EQ(found[0].Detail("lines"), "4");
}

TEST_F(CostPluginTest, TotalsAreExactWhateverTheOrderOfTheLines) {
  // 0.1 + 0.2 + 0.3 in floating point depends on the order; in millionths not.
  std::vector<std::string> lines;
  for (int day = 0; day < 8; ++day) {
    for (double amount :
         day == 7 ? std::vector<double>{0.1, 0.2, 0.3} : std::vector<double>{0.3, 0.2, 0.1}) {
      lines.push_back(absl::StrFormat(
          R"({"time":%d,"service":"flat","cost":%.1f,"sku":"%.1f"})",
          ((kNov23 - 7 + day) * 86400 + static_cast<int64_t>(amount * 10) * 60) * 1000, amount,
          amount));
    }
  }
  EXPECT_TRUE(Anomalies({lines}).empty());  // the same 0.60 every day
}

TEST_F(CostPluginTest, OnlyTheConfiguredServicesAreWatched) {
  CostOptions o;
  o.services = {"search"};
  EXPECT_TRUE(Anomalies({DailyLines("payments", WeekThen(180))}, o).empty());
}

TEST(CostConfigTest, SectionEnablesThePluginAndReadsEveryKey) {
  absl::StatusOr<PipelineOptions> o = LoadConfigString(R"(
plugins:
  cost:
    services: [payments]
    cost_fields: spend
    service_fields: [team]
    time_fields: [when]
    history_days: 14
    min_history_days: 10
    stdevs: 3
    lateness: 2h
    max_pending_lines: 5000
)");
  ASSERT_TRUE(o.ok()) << o.status();
  const CostOptions* read = internal::FindPluginOptions<CostConfig>(o->plugins);
  ASSERT_NE(read, nullptr);
  const CostOptions& c = *read;
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.services, (std::vector<std::string>{"payments"}));
  EXPECT_EQ(c.cost_fields, (std::vector<std::string>{"spend"}));
  EXPECT_EQ(c.service_fields, (std::vector<std::string>{"team"}));
  EXPECT_EQ(c.time_fields, (std::vector<std::string>{"when"}));
  EXPECT_EQ(c.history_days, 14u);
  EXPECT_EQ(c.min_history_days, 10u);
  EXPECT_DOUBLE_EQ(c.stdevs, 3);
  EXPECT_EQ(c.lateness_ns, 7200 * 1'000'000'000LL);
  EXPECT_EQ(c.max_pending_lines, 5000u);
  absl::StatusOr<PipelineOptions> d = LoadConfigString("plugins:\n  cost: {}\n");
  ASSERT_TRUE(d.ok()) << d.status();
  const CostOptions* defaults = internal::FindPluginOptions<CostConfig>(d->plugins);
  ASSERT_NE(defaults, nullptr);
  EXPECT_TRUE(defaults->enabled);
  EXPECT_EQ(defaults->history_days, 7u);
  EXPECT_EQ(defaults->min_history_days, 7u);
  EXPECT_DOUBLE_EQ(defaults->stdevs, 2);
}

TEST(CostConfigTest, BadValuesNameTheKey) {
  testdata::ExpectMessagesContain<PipelineOptions>({
      {LoadConfigString("plugins:\n  cost: {min_history_days: 9}\n"), "min_history_days"},
      {LoadConfigString("plugins:\n  cost: {stdevs: -1}\n"), "plugins.cost.stdevs"},
      {LoadConfigString("plugins:\n  cost: {history: 7}\n"),
       "unknown key \"plugins.cost.history\""},
  });
}

}  // namespace
}  // namespace logweave

// The cost rule's documents: format detection and the readers' edge cases
// (the fixtures' end-to-end runs are in tests/oneshot_cli_test.cc).
#include "plugins/cost/cost_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/cost/cost_rule.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

TEST(DetectCostFormatTest, FromTheContent) {
  EXPECT_EQ(DetectCostFormat("{\n    \"ResultsByTime\": []\n}\n"), CostFormat::kCostExplorer);
  EXPECT_EQ(DetectCostFormat("\xEF\xBB\xBF{\"GroupDefinitions\":[],\"ResultsByTime\":[]}"),
            CostFormat::kCostExplorer);
  EXPECT_EQ(DetectCostFormat("{\"cost\":1,\"timestamp\":\"2026-11-01T00:00:00Z\"}\n{\"cost\":2}\n"),
            CostFormat::kJsonLines);
  EXPECT_EQ(DetectCostFormat("identity/LineItemId,lineItem/UnblendedCost\n"), CostFormat::kCurCsv);
  EXPECT_FALSE(ParseCostFormat("xml").ok());
  EXPECT_EQ(*ParseCostFormat("cur"), CostFormat::kCurCsv);
}

TEST(CostDocumentReaderTest, CsvFieldsMayHoldLineBreaksQuotesAndCommas) {
  const CostDocumentReader reader{CostOptions{}};
  std::vector<CostLine> lines;
  CostReadCounts counts;
  const absl::Status s = reader.Read(
      "lineItem/LineItemDescription,lineItem/UsageStartDate,product/ProductName,"
      "lineItem/UnblendedCost\r\n"
      "\"line one,\r\nline \"\"two\"\"\",2026-11-01T00:00:00Z,\"Amazon Simple Queue Service, "
      "FIFO\",0.25\r\n"
      "tax,2026-11-01T00:00:00Z,\"Amazon Simple Queue Service, FIFO\",0.05\r\n"
      "no cost,2026-11-01T00:00:00Z,AWS Lambda,\r\n",
      CostFormat::kAuto, "", &lines, &counts);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].service, "Amazon Simple Queue Service, FIFO");
  EXPECT_EQ(lines[0].micros + lines[1].micros, 300'000);
  EXPECT_EQ(lines[0].line_no, 2u);  // rows counted from the header, a line break inside one
  EXPECT_EQ(counts.skipped, 1u);    // the row without a cost
}

TEST(CostDocumentReaderTest, CostExplorerAmountsAndTheirErrors) {
  const CostDocumentReader reader{CostOptions{}};
  std::vector<CostLine> lines;
  CostReadCounts counts;
  // Two group keys (SERVICE, then LINKED_ACCOUNT) name one series.
  ASSERT_TRUE(
      reader
          .Read(R"({"ResultsByTime":[{"TimePeriod":{"Start":"2026-11-03","End":"2026-11-04"},
                  "Total":{},"Groups":[{"Keys":["Amazon Route 53","210987654321"],
                  "Metrics":{"UnblendedCost":{"Amount":"-0.5","Unit":"USD"}}}]}]})",
                CostFormat::kAuto, "", &lines, &counts)
          .ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].service, "Amazon Route 53 / 210987654321");
  EXPECT_EQ(lines[0].micros, -500'000);  // a credit counts
  EXPECT_EQ(lines[0].day, 20'760);       // 2026-11-03
  const absl::Status bad_date =
      reader.Read(R"({"ResultsByTime":[{"TimePeriod":{"Start":"yesterday"},"Total":{}}]})",
                  CostFormat::kAuto, "", &lines, &counts);
  EXPECT_THAT(std::string(bad_date.message()), HasSubstr("ResultsByTime[0].TimePeriod.Start"));
  const absl::Status no_metric = reader.Read(
      R"({"ResultsByTime":[{"TimePeriod":{"Start":"2026-11-01"},"Groups":[{"Keys":["x"],"Metrics":{}}]}]})",
      CostFormat::kAuto, "", &lines, &counts);
  EXPECT_THAT(std::string(no_metric.message()), HasSubstr("Groups[0].Metrics: no UnblendedCost"));
}

TEST(JudgeCostDayTest, ThresholdIsMeanPlusKSampleStdevs) {
  const std::map<int64_t, double> days = {{1, 10}, {2, 12}, {3, 14}, {5, 100}};
  std::vector<CostDayTotal> prior = PriorCostDays(days, 5, 3, [](double t) { return t; });
  ASSERT_EQ(prior.size(), 2u);  // days 2 and 3: day 1 is 4 days back, day 4 has no cost
  const CostJudgement j = JudgeCostDay(std::move(prior), 100, 2);
  EXPECT_DOUBLE_EQ(j.mean, 13);
  EXPECT_DOUBLE_EQ(j.stdev, std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(j.threshold, 13 + 2 * std::sqrt(2.0));
  EXPECT_TRUE(j.anomaly);
  EXPECT_FALSE(JudgeCostDay({{2, 12}, {3, 14}}, 15.8, 2).anomaly);
}

}  // namespace
}  // namespace logweave

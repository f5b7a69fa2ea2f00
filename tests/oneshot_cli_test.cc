// The one-shot checks as a cron job or a CI step runs them: `logweave cost`
// and `logweave drift` over the fixtures in tests/testdata/{cost,drift}
// (AWS's and Terraform's own formats), their exit codes (0 nothing, 3 found,
// 1 a bad file, 2 usage) and their --json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "testdata/json_lines.h"
#include "testdata/run_command.h"
#include "testdata/test_dir.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

const std::string kCost = std::string(LOGWEAVE_SOURCE_DIR) + "/tests/testdata/cost/";
const std::string kDrift = std::string(LOGWEAVE_SOURCE_DIR) + "/tests/testdata/drift/";

// A directory of the test's own, removed after it.
class TempDir {
 public:
  TempDir() : path_(testdata::MakeTestDir("oneshot")) {}
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class OneshotCliTest : public ::testing::Test {
 protected:
  testdata::CommandResult Run(const std::string& args) {
    return testdata::RunCommand(absl::StrCat(LOGWEAVE_BIN, " ", args, " </dev/null"),
                                dir_ / "stderr.txt");
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  // `logweave cost --json <files>` when it reports exactly one anomaly (exit code 3): that
  // anomaly's JSON; an empty object, with a test failure, otherwise.
  rapidjson::Document OneCostAnomaly(const std::string& files) {
    testdata::CommandResult r = Run("cost --json " + files);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    std::vector<rapidjson::Document> docs = testdata::JsonLines(r.out);
    EXPECT_EQ(docs.size(), 1u) << r.out;
    if (r.exit_code == 3 && docs.size() == 1) return std::move(docs[0]);
    rapidjson::Document none;
    none.SetObject();
    return none;
  }
  TempDir dir_;
};

std::string Str(const rapidjson::Value& doc, const char* key) {
  return doc.HasMember(key) && doc[key].IsString() ? doc[key].GetString() : "<missing>";
}
double Num(const rapidjson::Value& doc, const char* key) {
  return doc.HasMember(key) && doc[key].IsNumber() ? doc[key].GetDouble() : -1e300;
}

double Mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}
double SampleStdev(const std::vector<double>& v) {
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

TEST_F(OneshotCliTest, CostExplorerPagesAreMergedAndTheSpikeIsReported) {
  // The EC2 total of 2026-11-09 is on page 2 only, and 2026-11-05's groups
  // are split over both pages.
  const rapidjson::Document a =
      OneCostAnomaly(absl::StrCat(kCost, "ce_page1.json ", kCost, "ce_page2.json"));
  EXPECT_EQ(Str(a, "service"), "Amazon Elastic Compute Cloud - Compute");
  EXPECT_EQ(Str(a, "date"), "2026-11-09");
  EXPECT_NEAR(Num(a, "actual"), 185.3389123456, 1e-6);
  // The 7 days before it, as the pages give them (2026-11-02 .. 2026-11-08).
  const std::vector<double> prior = {101.5012345678, 99.8023456789,  100.4034567891, 102.1045678912,
                                     98.9056789123,  100.7067891234, 101.2078912345};
  EXPECT_NEAR(Num(a, "baseline_avg"), Mean(prior), 1e-5);
  EXPECT_NEAR(Num(a, "stdev"), SampleStdev(prior), 1e-5);
  EXPECT_NEAR(Num(a, "threshold"), Mean(prior) + 2 * SampleStdev(prior), 1e-5);

  // Page 1 alone ends on 2026-11-05: nothing to report.
  testdata::CommandResult one = Run(absl::StrCat("cost ", kCost, "ce_page1.json"));
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("no cost anomaly"));
}

TEST_F(OneshotCliTest, UngroupedTotalIsTheServiceTotal) {
  const rapidjson::Document a = OneCostAnomaly(kCost + "ce_total.json");
  EXPECT_EQ(Str(a, "service"), "total");
  EXPECT_EQ(Str(a, "date"), "2026-11-09");
  EXPECT_NEAR(Num(a, "actual"), 2417.09, 1e-9);
  // A higher bar leaves it out: the flag reaches the rule.
  EXPECT_EQ(Run(absl::StrCat("cost --stdevs 90 ", kCost, "ce_total.json")).exit_code, 0);
}

TEST_F(OneshotCliTest, CurCsvWithQuotedCommasIsReadByColumn) {
  // Descriptions and tags hold commas and doubled quotes inside quoted
  // fields; a split on commas would shift every later column.
  const rapidjson::Document a = OneCostAnomaly(kCost + "cur.csv");
  EXPECT_EQ(Str(a, "service"), "AmazonS3");
  EXPECT_EQ(Str(a, "date"), "2026-11-08");
  EXPECT_NEAR(Num(a, "actual"), 9.87, 1e-9);
  EXPECT_NEAR(Num(a, "baseline_avg"), Mean({1.15, 1.17, 1.14, 1.16, 1.18, 1.15, 1.16}), 1e-9);
  EXPECT_EQ(Str(a, "currency"), "USD");
}

TEST_F(OneshotCliTest, JsonLinesAndTheTable) {
  testdata::CommandResult r = Run(absl::StrCat("cost ", kCost, "costs.ndjson"));
  ASSERT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SERVICE"));
  EXPECT_THAT(r.out, HasSubstr("checkout"));
  EXPECT_THAT(r.out, HasSubstr("2026-11-08"));
  EXPECT_THAT(r.out, HasSubstr("690.50"));
}

TEST_F(OneshotCliTest, RecentDaysLimitsTheReport) {
  // The spike is on the last day of the data: one day back still sees it;
  // the CUR's S3 spike (its last day) too, and a cap of history leaves too
  // few prior days to judge anything.
  EXPECT_EQ(Run(absl::StrCat("cost --recent-days 1 ", kCost, "ce_total.json")).exit_code, 3);
  const std::string shifted = Write("older_spike.ndjson", [] {
    std::string text;
    const double costs[] = {100, 101, 99, 100, 102, 98, 100, 300, 100, 101};
    for (int i = 0; i < 10; ++i) {
      absl::StrAppend(&text, "{\"timestamp\":\"2026-11-", i < 9 ? "0" : "", i + 1,
                      "T06:00:00Z\",\"service\":\"billing\",\"cost_service\":\"search\",\"cost\":",
                      costs[i], "}\n");
    }
    return text;
  }());
  EXPECT_EQ(Run("cost " + shifted).exit_code, 3);                  // 2026-11-08
  EXPECT_EQ(Run("cost --recent-days 2 " + shifted).exit_code, 0);  // 11-09, 11-10 only
  EXPECT_EQ(Run("cost --recent-days 3 " + shifted).exit_code, 3);
}

TEST_F(OneshotCliTest, CostFormatFlagOverridesDetection) {
  testdata::CommandResult r = Run(absl::StrCat("cost --format cur ", kCost, "ce_total.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("ce_total.json (CUR CSV)"));
  EXPECT_EQ(Run(absl::StrCat("cost --format xml ", kCost, "ce_total.json")).exit_code, 2);
}

TEST_F(OneshotCliTest, CostBadFilesNameTheFileAndTheProblem) {
  // `logweave cost FLAGS FILE` with `text` in FILE: exit 1, the file and `problem` on stderr.
  auto expect_error = [&](const std::string& file, const std::string& text,
                          const std::string& flags, const std::string& problem) {
    testdata::CommandResult r = Run(absl::StrCat("cost ", flags, " ", Write(file, text)));
    EXPECT_EQ(r.exit_code, 1) << file;
    EXPECT_THAT(r.err, HasSubstr(file));
    EXPECT_THAT(r.err, HasSubstr(problem));
  };
  testdata::CommandResult missing = Run("cost " + (dir_ / "nope.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.json"));
  EXPECT_THAT(missing.err, HasSubstr("No such file"));

  expect_error("bad_amount.json",
               R"({"ResultsByTime":[{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-02"},)"
               R"("Total":{},"Groups":[{"Keys":["AWS Lambda"],"Metrics":{"UnblendedCost":)"
               R"({"Amount":"twelve","Unit":"USD"}}}]}]})",
               "", "ResultsByTime[0].Groups[0].Metrics.UnblendedCost.Amount");
  expect_error("cut.json", R"({"ResultsByTime":[{"TimePeriod":)", "--format ce",
               "not a JSON object");
  const std::string header =
      "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n";
  expect_error("short.csv",
               header + "2026-11-01T00:00:00Z,AmazonEC2,1.5\n2026-11-02T00:00:00Z,AmazonEC2\n", "",
               "row 3: 2 fields where the header has 3");
  expect_error("quote.csv", header + "2026-11-01T00:00:00Z,\"AmazonEC2,1.5\n", "", "not valid CSV");
  expect_error("no_cost.csv", "a,b\n1,2\n", "", "no row has a cost");
  expect_error("empty.json", "", "", "empty");
}

TEST_F(OneshotCliTest, CostUsage) {
  EXPECT_EQ(Run("cost").exit_code, 2);
  EXPECT_EQ(Run(absl::StrCat("cost --history-days 1 ", kCost, "ce_total.json")).exit_code, 2);
  EXPECT_EQ(Run(absl::StrCat("cost --bogus ", kCost, "ce_total.json")).exit_code, 2);
  testdata::CommandResult help = Run("cost --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--recent-days"));
  EXPECT_THAT(help.out, HasSubstr("Exit codes"));
}

// The fixture: module.web's aws_security_group.this (for_each: "public",
// "internal"), module.bastion's group with an aws_vpc_security_group_ingress_rule
// (count), a top-level group with an aws_security_group_rule; the live
// snapshot has one extra rule and a group Terraform does not know; CloudTrail
// adds a rule, edits the bastion's declared rule in place
// (ModifySecurityGroupRules) and revokes the db rule by its rule id.
TEST_F(OneshotCliTest, DriftFromStateSnapshotAndCloudTrail) {
  testdata::CommandResult r =
      Run(absl::StrCat("drift --json --state ", kDrift, "state.json --live ", kDrift,
                       "live.json --cloudtrail ", kDrift, "cloudtrail.json"));
  ASSERT_EQ(r.exit_code, 3) << r.err;
  std::vector<rapidjson::Document> docs = testdata::JsonLines(r.out);
  std::vector<std::string> got;
  for (const auto& d : docs) {
    got.push_back(absl::StrCat(Str(d, "kind"), " ", Str(d, "group"), " ", Str(d, "direction"), " ",
                               Str(d, "protocol"), " ", Num(d, "from_port"), "-", Num(d, "to_port"),
                               " ", Str(d, "source"), " ", Str(d, "source_kind"), " | ",
                               Str(d, "event"), " ", Str(d, "changed_by"), " ",
                               Str(d, "changed_at")));
  }
  const std::string alice = "arn:aws:iam::123456789012:user/alice";
  const std::string bob = "arn:aws:iam::123456789012:user/bob";
  const std::string carol = "arn:aws:iam::123456789012:user/carol";
  EXPECT_THAT(
      got, ::testing::UnorderedElementsAre(
               "unmanaged_rule sg-0a1b2c3d4e5f60001 ingress tcp 22-22 198.51.100.7/32 cidr | "
               "AuthorizeSecurityGroupIngress " +
                   alice + " 2026-11-20T09:14:03.000Z",
               "unmanaged_rule sg-0a1b2c3d4e5f60002 ingress tcp 9090-9090 10.0.0.0/16 cidr |   ",
               "unmanaged_rule sg-0a1b2c3d4e5f60003 ingress tcp 22-22 0.0.0.0/0 cidr | "
               "ModifySecurityGroupRules " +
                   bob + " 2026-11-20T11:02:47.000Z",
               "missing_rule sg-0a1b2c3d4e5f60003 ingress tcp 22-22 203.0.113.0/24 cidr | "
               "ModifySecurityGroupRules " +
                   bob + " 2026-11-20T11:02:47.000Z",
               "missing_rule sg-0a1b2c3d4e5f60004 ingress tcp 5432-5432 sg-0a1b2c3d4e5f60002 sg | "
               "RevokeSecurityGroupIngress " +
                   carol + " 2026-11-20T13:30:00.000Z",
               "unmanaged_group sg-0feedface0000099 ingress tcp 3389-3389 0.0.0.0/0 cidr |   ",
               "unmanaged_group sg-0feedface0000099 egress all -1--1 0.0.0.0/0 cidr |   "))
      << r.out;
  for (const auto& d : docs) {
    const bool open = Str(d, "source") == "0.0.0.0/0" && Str(d, "direction") == "ingress";
    EXPECT_EQ(d["open_to_internet"].GetBool(), open) << Str(d, "group");
  }
  // Without CloudTrail only the snapshot's differences remain, unattributed.
  testdata::CommandResult snapshot =
      Run(absl::StrCat("drift --json --state ", kDrift, "state.json --live ", kDrift, "live.json"));
  EXPECT_EQ(snapshot.exit_code, 3);
  EXPECT_EQ(testdata::JsonLines(snapshot.out).size(), 3u) << snapshot.out;
  EXPECT_THAT(snapshot.out, ::testing::Not(HasSubstr("user/")));
}

TEST_F(OneshotCliTest, DriftReadsLookupEventsOutput) {
  testdata::CommandResult r =
      Run(absl::StrCat("drift --json --state ", kDrift, "state.json --live ", kDrift,
                       "live.json --cloudtrail ", kDrift, "lookup_events.json"));
  ASSERT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("source":"198.51.100.7/32")"));
  EXPECT_THAT(r.out, HasSubstr(R"("changed_by":"arn:aws:iam::123456789012:user/alice")"));
  EXPECT_EQ(testdata::JsonLines(r.out).size(), 4u) << r.out;
}

TEST_F(OneshotCliTest, DriftCleanIsExitZeroAndTheTableSaysSo) {
  const std::string state = Write("state.json", R"({"version":4,"resources":[
    {"module":"module.app","mode":"managed","type":"aws_security_group","name":"app",
     "instances":[{"index_key":"blue","attributes":{"id":"sg-1","name":"app-blue",
       "ingress":[{"cidr_blocks":["10.0.0.0/8"],"from_port":80,"to_port":80,"protocol":"tcp",
                   "ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[],"self":false}],
       "egress":[]}}]}]})");
  const std::string live = Write("live.json", R"({"SecurityGroups":[{"GroupId":"sg-1",
    "GroupName":"app-blue","IpPermissions":[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,
    "IpRanges":[{"CidrIp":"10.0.0.0/8"}],"Ipv6Ranges":[],"PrefixListIds":[],
    "UserIdGroupPairs":[]}],"IpPermissionsEgress":[]}]})");
  testdata::CommandResult r = Run("drift --state " + state + " --live " + live);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no drift\n");
  // --ignore-group drops the unknown group of the fixture.
  testdata::CommandResult ignored =
      Run(absl::StrCat("drift --json --ignore-group sg-0feedface0000099 --state ", kDrift,
                       "state.json --live ", kDrift, "live.json"));
  EXPECT_EQ(testdata::JsonLines(ignored.out).size(), 1u) << ignored.out;
}

TEST_F(OneshotCliTest, DriftBadFilesAndUsage) {
  testdata::CommandResult missing =
      Run(absl::StrCat("drift --state ", dir_ / "nope.tfstate", " --live ", kDrift, "live.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.tfstate"));
  // The state given as --live: named, and what it is not.
  testdata::CommandResult swapped =
      Run(absl::StrCat("drift --state ", kDrift, "state.json --live ", kDrift, "state.json"));
  EXPECT_EQ(swapped.exit_code, 1);
  EXPECT_THAT(swapped.err, HasSubstr("state.json: no \"SecurityGroups\" array"));
  const std::string garbage = Write("trail.json", "not json at all");
  testdata::CommandResult trail = Run(absl::StrCat("drift --state ", kDrift, "state.json --live ",
                                                   kDrift, "live.json --cloudtrail ", garbage));
  EXPECT_EQ(trail.exit_code, 1);
  EXPECT_THAT(trail.err, HasSubstr("trail.json: not CloudTrail events"));
  EXPECT_EQ(Run("drift --state x.json").exit_code, 2);
  EXPECT_EQ(Run("drift").exit_code, 2);
  testdata::CommandResult help = Run("drift --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--cloudtrail"));
}

}  // namespace
}  // namespace logweave

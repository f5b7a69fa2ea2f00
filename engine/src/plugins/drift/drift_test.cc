// The drift rule plugin: Terraform state, live security groups and the
// CloudTrail stream, read and compared.
#include "plugins/drift/drift.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "testdata/finding_details.h"
#include "testdata/plugin_pipeline.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

// sg-web: 443 from anywhere (inline), 80 from anywhere (a separate rule);
// sg-db: 5432 from sg-web (a vpc ingress rule), all egress (inline, -1).
constexpr char kState[] = R"({
  "version": 4, "terraform_version": "1.6.0",
  "resources": [
    {"mode": "managed", "type": "aws_security_group", "name": "web", "instances": [{"attributes": {
      "id": "sg-web", "name": "web",
      "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
                   "ipv6_cidr_blocks": [], "security_groups": [], "self": false}],
      "egress": []}}]},
    {"mode": "managed", "type": "aws_security_group_rule", "name": "http", "instances": [{"attributes": {
      "security_group_id": "sg-web", "type": "ingress", "from_port": 80, "to_port": 80,
      "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "self": false,
      "source_security_group_id": null}}]},
    {"mode": "managed", "type": "aws_security_group", "name": "db", "instances": [{"attributes": {
      "id": "sg-db", "name": "db", "ingress": [],
      "egress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]}}]},
    {"mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "pg", "instances": [{"attributes": {
      "security_group_id": "sg-db", "from_port": 5432, "to_port": 5432, "ip_protocol": "tcp",
      "referenced_security_group_id": "sg-web", "cidr_ipv4": null}}]},
    {"mode": "data", "type": "aws_security_group", "name": "default", "instances": [{"attributes": {
      "id": "sg-default", "name": "default", "ingress": [], "egress": []}}]}
  ]})";

// Live: sg-web also has 22 from anywhere; sg-db lost its 5432 rule; sg-rogue
// is not Terraform's.
constexpr char kLive[] = R"({"SecurityGroups": [
  {"GroupId": "sg-web", "GroupName": "web", "IpPermissions": [
     {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "debug"}]}],
   "IpPermissionsEgress": []},
  {"GroupId": "sg-db", "GroupName": "db", "IpPermissions": [],
   "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
  {"GroupId": "sg-rogue", "GroupName": "launch-wizard-1", "IpPermissions": [
     {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
   "IpPermissionsEgress": []}]})";

std::string CloudTrail(const std::string& time, const std::string& name, const std::string& group,
                       int port, const std::string& cidr, const std::string& extra = "") {
  return R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},"eventTime":")" +
         time + R"(","eventSource":"ec2.amazonaws.com","eventName":")" + name +
         R"(","awsRegion":"eu-west-1","requestParameters":{"groupId":")" + group +
         R"(","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":)" + std::to_string(port) +
         R"(,"toPort":)" + std::to_string(port) +
         R"(,"groups":{},"ipRanges":{"items":[{"cidrIp":")" + cidr +
         R"("}]},"ipv6Ranges":{},"prefixListIds":{}}]}})" + extra + "}";
}

TEST(ParseTerraformStateTest, ReadsInlineSeparateAndVpcRulesOfManagedGroups) {
  absl::StatusOr<TerraformRules> tf = ParseTerraformState(kState);
  ASSERT_TRUE(tf.ok()) << tf.status();
  EXPECT_EQ(tf->groups.size(), 2u);  // the data source is not managed
  EXPECT_EQ(tf->groups.at("sg-web"), "web");
  std::vector<std::string> rules;
  for (const auto& r : tf->rules) rules.push_back(r.Text());
  EXPECT_THAT(rules, ::testing::UnorderedElementsAre("sg-web ingress tcp 443 from 0.0.0.0/0",
                                                     "sg-web ingress tcp 80 from 0.0.0.0/0",
                                                     "sg-db egress all all to 0.0.0.0/0",
                                                     "sg-db ingress tcp 5432 from sg-web"));
}

TEST(ParseTerraformStateTest, SomethingElseIsRejectedWithWhatToDo) {
  EXPECT_THAT(std::string(ParseTerraformState(R"({"SecurityGroups":[]})").status().message()),
              HasSubstr("terraform state pull"));
  EXPECT_FALSE(ParseTerraformState("not json").ok());
}

TEST(ParseDescribeSecurityGroupsTest, ReadsEveryPermissionAndSource) {
  absl::StatusOr<LiveRules> live = ParseDescribeSecurityGroups(kLive);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->groups.size(), 3u);
  EXPECT_EQ(live->rules.size(), 5u);
  EXPECT_TRUE(live->rules.count(SecurityGroupRule{"sg-db", false, "all", -1, -1, "0.0.0.0/0"}));
  EXPECT_FALSE(ParseDescribeSecurityGroups(R"({"resources":[]})").ok());
}

TEST(ParseDescribeSecurityGroupsTest, DescribeSecurityGroupRulesGivesRuleIds) {
  absl::StatusOr<LiveRules> live = ParseDescribeSecurityGroups(R"({"SecurityGroupRules": [
    {"SecurityGroupRuleId": "sgr-01", "GroupId": "sg-web", "GroupOwnerId": "123456789012",
     "IsEgress": false, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"},
    {"SecurityGroupRuleId": "sgr-02", "GroupId": "sg-db", "IsEgress": false, "IpProtocol": "tcp",
     "FromPort": 5432, "ToPort": 5432, "ReferencedGroupInfo": {"GroupId": "sg-web", "UserId": "123456789012"}},
    {"SecurityGroupRuleId": "sgr-03", "GroupId": "sg-db", "IsEgress": true, "IpProtocol": "-1",
     "FromPort": -1, "ToPort": -1, "CidrIpv6": "::/0"}]})");
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->rule_ids.size(), 3u);
  EXPECT_EQ(live->rule_ids.at("sgr-01").Text(), "sg-web ingress tcp 443 from 0.0.0.0/0");
  EXPECT_EQ(live->rule_ids.at("sgr-02").Text(), "sg-db ingress tcp 5432 from sg-web");
  EXPECT_EQ(live->rule_ids.at("sgr-03").Text(), "sg-db egress all all to ::/0");
  EXPECT_EQ(live->rules.size(), 3u);
}

TEST(ReadCloudTrailChangeTest, AuthorizeRevokeCreateAndDelete) {
  SecurityGroupChange c;
  ASSERT_TRUE(
      ReadCloudTrailChange(CloudTrail("2026-11-23T10:00:05Z", "AuthorizeSecurityGroupIngress",
                                      "sg-db", 6379, "0.0.0.0/0"),
                           &c));
  EXPECT_EQ(c.kind, SecurityGroupChange::kAddRules);
  EXPECT_EQ(c.actor, "arn:aws:iam::123456789012:user/alice");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].Text(), "sg-db ingress tcp 6379 from 0.0.0.0/0");
  ASSERT_TRUE(ReadCloudTrailChange(
      CloudTrail("2026-11-23T10:00:05Z", "RevokeSecurityGroupEgress", "sg-db", 53, "10.0.0.2/32"),
      &c));
  EXPECT_EQ(c.kind, SecurityGroupChange::kRemoveRules);
  EXPECT_FALSE(c.rules[0].ingress);
  ASSERT_TRUE(ReadCloudTrailChange(
      R"({"eventSource":"ec2.amazonaws.com","eventName":"CreateSecurityGroup","requestParameters":{"groupName":"tmp","groupDescription":"x"},"responseElements":{"_return":true,"groupId":"sg-new"}})",
      &c));
  EXPECT_EQ(c.kind, SecurityGroupChange::kCreateGroup);
  EXPECT_EQ(c.group_id, "sg-new");
  ASSERT_TRUE(ReadCloudTrailChange(
      R"({"eventSource":"ec2.amazonaws.com","eventName":"DeleteSecurityGroup","requestParameters":{"groupId":"sg-new"}})",
      &c));
  EXPECT_EQ(c.kind, SecurityGroupChange::kDeleteGroup);
}

TEST(ReadCloudTrailChangeTest, FailedCallsAndOtherEventsAreNotChanges) {
  SecurityGroupChange c;
  EXPECT_FALSE(ReadCloudTrailChange(
      CloudTrail("2026-11-23T10:00:05Z", "AuthorizeSecurityGroupIngress", "sg-db", 22, "0.0.0.0/0",
                 R"(,"errorCode":"Client.UnauthorizedOperation")"),
      &c));
  EXPECT_FALSE(ReadCloudTrailChange(
      R"({"eventSource":"s3.amazonaws.com","eventName":"PutObject","requestParameters":{"bucketName":"SecurityGroup"}})",
      &c));
  EXPECT_FALSE(ReadCloudTrailChange(
      R"({"eventSource":"ec2.amazonaws.com","eventName":"DescribeSecurityGroups","requestParameters":{}})",
      &c));
  EXPECT_FALSE(ReadCloudTrailChange(R"({"msg":"ec2.amazonaws.com SecurityGroup"})", &c));
  EXPECT_FALSE(ReadCloudTrailChange("{\"eventSource\":\"ec2.amazonaws.com\",\"SecurityGroup", &c));
}

TEST(ReadCloudTrailChangeTest, HostileNestingIsNotAChangeAndDoesNotCrash) {
  std::string line =
      R"({"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","x":)";
  line += std::string(300000, '[') + std::string(300000, ']') + "}";
  SecurityGroupChange c;
  EXPECT_FALSE(ReadCloudTrailChange(line, &c));
}

TEST(ParseTerraformStateTest, PortsOnlyForProtocolsThatHaveThemAndTheDefaultGroup) {
  absl::StatusOr<TerraformRules> tf = ParseTerraformState(R"({"version":4,"resources":[
    {"mode":"managed","type":"aws_default_security_group","name":"default","instances":[{"attributes":{
      "id":"sg-default","name":"default","egress":[],
      "ingress":[{"from_port":0,"to_port":0,"protocol":"50","cidr_blocks":["10.0.0.0/8"]}]}}]}]})");
  ASSERT_TRUE(tf.ok()) << tf.status();
  ASSERT_EQ(tf->rules.size(), 1u);
  EXPECT_EQ(tf->rules.begin()->Text(),
            "sg-default ingress 50 all from 10.0.0.0/8");  // ESP: no ports
  absl::StatusOr<LiveRules> live = ParseDescribeSecurityGroups(
      R"({"SecurityGroups":[{"GroupId":"sg-default","IpPermissions":[{"IpProtocol":"50","IpRanges":[{"CidrIp":"10.0.0.0/8"}]}]}]})");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->rules, tf->rules);  // the same rule, as AWS describes it
}

class DriftPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("drift_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "state.json") << kState;
    std::ofstream(dir_ / "live.json") << kLive;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  DriftOptions Options(bool live) const {
    DriftOptions o;
    o.enabled = true;
    o.terraform_state = (dir_ / "state.json").string();
    if (live) o.live_rules = (dir_ / "live.json").string();
    return o;
  }
  std::unique_ptr<Pipeline> NewPipeline(const DriftOptions& drift) {
    return testdata::PluginPipeline(std::make_shared<const DriftConfig>(drift), /*threads=*/1);
  }
  static void Add(Pipeline* p, const std::vector<std::string>& lines) {
    testdata::SubmitLines(p, p->AddSource("cloudtrail.log"), lines, lines.size());
    p->Flush();
  }
  // The report over `lines` of the stream alone (no live rules).
  AnalysisReport AnalyseStreamOnly(const std::vector<std::string>& lines) {
    auto p = NewPipeline(Options(false));
    Add(p.get(), lines);
    return Analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins()).Run(INT64_MAX);
  }
  // "drift-kind: rule" of every drift finding.
  static std::vector<std::string> Drifts(const AnalysisReport& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings) {
      if (f.kind == "drift") out.push_back(f.Detail("drift") + ": " + f.subject);
    }
    return out;
  }
  // With the live rules read: the one unmanaged rule `unmanaged`, the missing
  // database rule and the rogue group, nothing else.
  static void ExpectLiveDrifts(const AnalysisReport& r, const std::string& unmanaged) {
    EXPECT_THAT(Drifts(r),
                ::testing::UnorderedElementsAre("unmanaged_rule: " + unmanaged,
                                                "missing_rule: sg-db ingress tcp 5432 from sg-web",
                                                "unmanaged_group: sg-rogue"));
  }
  static const Finding* Find(const AnalysisReport& r, const std::string& subject) {
    for (const Finding& f : r.findings) {
      if (f.subject == subject) return &f;
    }
    return nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(DriftPluginTest, LiveRulesAgainstTerraformIncludingUnknownGroups) {
  auto p = NewPipeline(Options(true));
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  AnalysisReport r = analyzer.Run(INT64_MAX);
  ExpectLiveDrifts(r, "sg-web ingress tcp 22 from 0.0.0.0/0");
  const Finding* ssh = Find(r, "sg-web ingress tcp 22 from 0.0.0.0/0");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->severity, Severity::kError);  // open to the internet
  EXPECT_THAT(ssh->summary, HasSubstr("whole internet"));
  const Finding* rogue = Find(r, "sg-rogue");
  ASSERT_NE(rogue, nullptr);
  EXPECT_EQ(rogue->Detail("group_name"), "launch-wizard-1");
  EXPECT_EQ(rogue->Detail("rules"), "sg-rogue ingress tcp 3389 from 10.0.0.0/8");
  EXPECT_EQ(rogue->severity, Severity::kWarning);  // not open to the internet

  // CloudTrail: someone removes the ssh rule and opens redis on the database.
  Add(p.get(),
      {CloudTrail("2026-11-23T10:00:05Z", "RevokeSecurityGroupIngress", "sg-web", 22, "0.0.0.0/0"),
       R"({"msg":"unrelated app line","level":"info"})",
       CloudTrail("2026-11-23T10:00:09Z", "AuthorizeSecurityGroupIngress", "sg-db", 6379,
                  "0.0.0.0/0")});
  AnalysisReport later = analyzer.Run(INT64_MAX);
  ExpectLiveDrifts(later, "sg-db ingress tcp 6379 from 0.0.0.0/0");
  const Finding* redis = Find(later, "sg-db ingress tcp 6379 from 0.0.0.0/0");
  ASSERT_NE(redis, nullptr);
  testdata::ExpectDetails(
      *redis, {"changed_by=arn:aws:iam::123456789012:user/alice",
               "event=AuthorizeSecurityGroupIngress", "changed_at=2026-11-23T10:00:09.000Z"});
  ASSERT_EQ(redis->evidence.size(), 1u);
  EXPECT_EQ(redis->evidence[0].line_no, 3u);
  // The ssh drift is gone: reported as resolved.
  bool resolved = false;
  for (const Finding& f : later.changes) {
    resolved |= f.resolved && f.subject == "sg-web ingress tcp 22 from 0.0.0.0/0";
  }
  EXPECT_TRUE(resolved);
}

TEST_F(DriftPluginTest, WithoutASnapshotOnlyTheStreamsChangesDrift) {
  AnalysisReport r =
      AnalyseStreamOnly({CloudTrail("2026-11-23T10:00:09Z", "AuthorizeSecurityGroupIngress",
                                    "sg-web", 8080, "192.0.2.0/24"),
                         // Adding what Terraform declares anyway is no drift.
                         CloudTrail("2026-11-23T10:00:10Z", "AuthorizeSecurityGroupIngress",
                                    "sg-web", 443, "0.0.0.0/0")});
  EXPECT_THAT(Drifts(r),
              ::testing::ElementsAre("unmanaged_rule: sg-web ingress tcp 8080 from 192.0.2.0/24"));
  EXPECT_EQ(Find(r, "sg-web ingress tcp 8080 from 192.0.2.0/24")->severity, Severity::kWarning);
}

TEST_F(DriftPluginTest, ConsoleEditsByRuleIdApplyOnTheStream) {
  // The console's way: a rule added (AWS answers with its id), then edited in
  // place and revoked by that id.
  const std::string id =
      R"(,"responseElements":{"_return":true,"securityGroupRuleSet":{"items":[)"
      R"({"groupId":"sg-web","securityGroupRuleId":"sgr-0a1b","isEgress":false,)"
      R"("ipProtocol":"tcp","fromPort":8080,"toPort":8080,"cidrIpv4":"192.0.2.0/24"}]}})";
  const std::string modify =
      R"({"eventTime":"2026-11-23T10:01:00Z","eventSource":"ec2.amazonaws.com","eventName":"ModifySecurityGroupRules",)"
      R"("userIdentity":{"arn":"arn:aws:iam::123456789012:user/bob"},"requestParameters":{"ModifySecurityGroupRulesRequest":)"
      R"({"GroupId":"sg-web","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-0a1b","SecurityGroupRule":)"
      R"({"IpProtocol":"tcp","FromPort":8443,"ToPort":8443,"CidrIpv4":"192.0.2.0/24"}}}}})";
  auto p = NewPipeline(Options(false));
  Add(p.get(), {CloudTrail("2026-11-23T10:00:00Z", "AuthorizeSecurityGroupIngress", "sg-web", 8080,
                           "192.0.2.0/24", id),
                modify});
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  AnalysisReport r = analyzer.Run(INT64_MAX);
  EXPECT_THAT(Drifts(r),
              ::testing::ElementsAre("unmanaged_rule: sg-web ingress tcp 8443 from 192.0.2.0/24"));
  const Finding* edited = Find(r, "sg-web ingress tcp 8443 from 192.0.2.0/24");
  ASSERT_NE(edited, nullptr);
  EXPECT_EQ(edited->Detail("event"), "ModifySecurityGroupRules");
  EXPECT_EQ(edited->Detail("changed_by"), "arn:aws:iam::123456789012:user/bob");

  Add(p.get(),
      {R"({"eventTime":"2026-11-23T10:02:00Z","eventSource":"ec2.amazonaws.com","eventName":"RevokeSecurityGroupIngress",)"
       R"("userIdentity":{"arn":"arn:aws:iam::123456789012:user/bob"},"requestParameters":{"groupId":"sg-web",)"
       R"("securityGroupRuleIds":{"items":[{"securityGroupRuleId":"sgr-0a1b"}]}}})"});
  EXPECT_THAT(Drifts(analyzer.Run(INT64_MAX)), ::testing::IsEmpty());
}

TEST_F(DriftPluginTest, EventsInAnyOrderOfArrivalApplyInTimeOrder) {
  // Revoked at :20, authorized at :10: the revoke wins although it came first.
  EXPECT_TRUE(
      Drifts(AnalyseStreamOnly({CloudTrail("2026-11-23T10:00:20Z", "RevokeSecurityGroupIngress",
                                           "sg-web", 8080, "192.0.2.0/24"),
                                CloudTrail("2026-11-23T10:00:10Z", "AuthorizeSecurityGroupIngress",
                                           "sg-web", 8080, "192.0.2.0/24")}))
          .empty());
}

TEST_F(DriftPluginTest, IgnoredGroupsAreNotReported) {
  DriftOptions o = Options(true);
  o.ignore_groups = {"sg-rogue", "sg-web"};
  auto p = NewPipeline(o);
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured(), p->plugins());
  EXPECT_THAT(Drifts(analyzer.Run(INT64_MAX)),
              ::testing::ElementsAre("missing_rule: sg-db ingress tcp 5432 from sg-web"));
}

TEST_F(DriftPluginTest, UnreadableOrWrongFilesAreNamed) {
  PipelineOptions options;
  DriftOptions drift = Options(true);
  drift.terraform_state = (dir_ / "nope.json").string();
  options.plugins = {std::make_shared<const DriftConfig>(drift)};
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Create(options);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(absl::IsNotFound(p.status()));
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("nope.json"));
  drift.terraform_state = (dir_ / "live.json").string();  // the wrong file
  options.plugins = {std::make_shared<const DriftConfig>(drift)};
  p = Pipeline::Create(options);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("plugins.drift.terraform_state"));
  drift.terraform_state.clear();
  options.plugins = {std::make_shared<const DriftConfig>(drift)};
  EXPECT_THAT(std::string(Pipeline::Create(options).status().message()),
              HasSubstr("terraform_state must name"));
}

TEST_F(DriftPluginTest, ConfigPathsAreRelativeToTheConfigFile) {
  std::ofstream(dir_ / "logweave.yaml")
      << "plugins:\n  drift:\n    terraform_state: state.json\n    live_rules: live.json\n"
         "    ignore_groups: [sg-rogue]\n";
  absl::StatusOr<PipelineOptions> o = LoadConfigFile((dir_ / "logweave.yaml").string());
  ASSERT_TRUE(o.ok()) << o.status();
  const DriftOptions* drift = internal::FindPluginOptions<DriftConfig>(o->plugins);
  ASSERT_NE(drift, nullptr);
  EXPECT_TRUE(drift->enabled);
  EXPECT_EQ(drift->terraform_state, (dir_ / "state.json").lexically_normal().string());
  EXPECT_EQ(drift->live_rules, (dir_ / "live.json").lexically_normal().string());
  EXPECT_EQ(drift->ignore_groups, std::vector<std::string>{"sg-rogue"});
  EXPECT_TRUE(Pipeline::Create(*o).ok());
}

}  // namespace
}  // namespace logweave

// Security groups as the drift rule reads them: Terraform's state, an
// `aws ec2 describe-security-groups` (or `describe-security-group-rules`)
// snapshot and CloudTrail's security-group changes, all normalized into
// SecurityGroupRule values that compare equal when AWS and Terraform mean
// the same rule. Shared by the streaming plugin (drift.h) and the one-shot
// `logweave drift` command (CheckDrift in logweave/checks.h).
#ifndef LOGWEAVE_PLUGINS_DRIFT_SECURITY_GROUPS_H_
#define LOGWEAVE_PLUGINS_DRIFT_SECURITY_GROUPS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace logweave {

// One security-group rule, normalized: protocol "tcp", "udp", "icmp", "all"
// or a number; ports -1 when the protocol has none; source a CIDR or a
// group id.
struct SecurityGroupRule {
  std::string group_id;
  bool ingress = true;
  std::string protocol;
  int from_port = -1;
  int to_port = -1;
  std::string source;

  auto operator<=>(const SecurityGroupRule&) const = default;
  // "sg-1 ingress tcp 22-22 from 0.0.0.0/0".
  std::string Text() const;
  // "22", "8000-8080" or "all".
  std::string Ports() const;
  // Ingress from 0.0.0.0/0 or ::/0.
  bool OpenToTheInternet() const;
  // What the source is: "cidr", "ipv6", "sg" or "prefix_list".
  std::string_view SourceKind() const;
};

// Security groups and their rules.
struct SecurityGroups {
  std::map<std::string, std::string> groups;  // group id -> name
  std::set<SecurityGroupRule> rules;
  // Rule ids (sgr-...) where the document names them: the state's rule
  // resources, describe-security-group-rules.
  std::map<std::string, SecurityGroupRule> rule_ids;
};
using TerraformRules = SecurityGroups;  // the groups a Terraform state manages
using LiveRules = SecurityGroups;       // the groups of a describe-security-groups snapshot

// Reads a terraform.tfstate (format version 4), modules and count/for_each
// instances included. INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<TerraformRules> ParseTerraformState(std::string_view json);
// Reads `aws ec2 describe-security-groups` output, or that of
// `describe-security-group-rules` (with rule ids). INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<LiveRules> ParseDescribeSecurityGroups(std::string_view json);

// A security-group change from one CloudTrail event.
struct SecurityGroupChange {
  enum Kind { kAddRules, kRemoveRules, kCreateGroup, kDeleteGroup, kModifyRules } kind = kAddRules;
  std::string group_id;
  std::string group_name;                // kCreateGroup
  std::vector<SecurityGroupRule> rules;  // kAddRules, kRemoveRules
  // kAddRules: the ids AWS gave the new rules; kModifyRules: each rule id's
  // new form (its direction is the old rule's).
  std::vector<std::pair<std::string, SecurityGroupRule>> rules_by_id;
  std::vector<std::string> removed_ids;  // kRemoveRules by securityGroupRuleIds
  int64_t time_ns = 0;
  std::string event_name, actor;  // "AuthorizeSecurityGroupIngress", the caller's ARN
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t line_hash = 0;  // of the raw line: a repeated event is applied once
  std::string text;        // the event line, shortened
};
// Reads a CloudTrail event (one JSON object): false if it is not a
// security-group change. Thread-safe.
bool ReadCloudTrailChange(std::string_view json, SecurityGroupChange* out);

// Reads a CloudTrail document: a log file ({"Records": [...]}), `aws
// cloudtrail lookup-events` output ({"Events": [{"CloudTrailEvent": "..."}]})
// or one event per line. Appends its security-group changes with their
// eventTime, the event as text and line_no its position (from 1).
// INVALID_ARGUMENT naming what is wrong.
absl::Status ReadCloudTrailDocument(std::string_view text, std::vector<SecurityGroupChange>* out);

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_DRIFT_SECURITY_GROUPS_H_

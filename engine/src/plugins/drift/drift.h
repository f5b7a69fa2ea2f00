// The drift rule plugin: security-group rules that are not what Terraform
// says they should be.
//
// Desired: the `aws_security_group` (inline ingress/egress),
// `aws_security_group_rule` and `aws_vpc_security_group_ingress_rule` /
// `_egress_rule` resources of a Terraform state file. Actual: the groups of
// an `aws ec2 describe-security-groups` snapshot, then the CloudTrail events
// on the stream applied in event time (AuthorizeSecurityGroupIngress/Egress
// add rules, Revoke* remove them, CreateSecurityGroup/DeleteSecurityGroup add
// and remove groups). Without a snapshot, the actual state starts as the
// desired one. Each difference is a `drift` finding: a rule in place that
// Terraform does not declare (`unmanaged_rule`; an error when it opens
// ingress to 0.0.0.0/0 or ::/0), a declared rule that is gone
// (`missing_rule`), and a rule of a group Terraform does not know at all
// (`unmanaged_group`), with the CloudTrail event that made it, if one did.
// A later event that undoes the change resolves the finding.
#ifndef LOGWEAVE_PLUGINS_DRIFT_DRIFT_H_
#define LOGWEAVE_PLUGINS_DRIFT_DRIFT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/index.h"
#include "plugins/drift/drift_options.h"
#include "plugins/queued_plugin.h"

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
};

// Security groups and their rules.
struct SecurityGroups {
  std::map<std::string, std::string> groups;  // group id -> name
  std::set<SecurityGroupRule> rules;
};
using TerraformRules = SecurityGroups;  // the groups a Terraform state manages
using LiveRules = SecurityGroups;       // the groups of a describe-security-groups snapshot

// Reads a terraform.tfstate (format version 4). INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<TerraformRules> ParseTerraformState(std::string_view json);
// Reads `aws ec2 describe-security-groups` output. INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<LiveRules> ParseDescribeSecurityGroups(std::string_view json);

// A security-group change from one CloudTrail event.
struct SecurityGroupChange {
  enum Kind { kAddRules, kRemoveRules, kCreateGroup, kDeleteGroup } kind = kAddRules;
  std::string group_id;
  std::string group_name;                // kCreateGroup
  std::vector<SecurityGroupRule> rules;  // kAddRules, kRemoveRules
  int64_t time_ns = 0;
  std::string event_name, actor;  // "AuthorizeSecurityGroupIngress", the caller's ARN
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t line_hash = 0;  // of the raw line: a repeated event is applied once
  std::string text;        // the event line, shortened
};
// Reads a CloudTrail event (one JSON object): false if it is not a
// security-group change. Immutable helper; thread-safe.
bool ReadCloudTrailChange(std::string_view json, SecurityGroupChange* out);

// Observe and dropped(): thread-safe, lock-free (QueuedRulePlugin). Absorb
// and Evaluate: thread-safe, under one mutex.
class DriftPlugin : public internal::QueuedRulePlugin<SecurityGroupChange> {
 public:
  static constexpr std::string_view kName = "drift";

  // Reads the files. NOT_FOUND / INVALID_ARGUMENT naming the file and what is wrong.
  static absl::StatusOr<std::unique_ptr<DriftPlugin>> Create(const DriftOptions& options,
                                                             const SourceNames& sources);
  ~DriftPlugin() override;

  std::string_view name() const override { return kName; }

 private:
  DriftPlugin(const DriftOptions& options, const SourceNames& sources, TerraformRules desired,
              LiveRules live, int64_t snapshot_ns);
  bool Take(const Record& record, SecurityGroupChange* out) const override;
  void Keep(SecurityGroupChange&& change) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Decide(int64_t watermark_ns, std::vector<Finding>* out) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DriftOptions options_;
  const SourceNames& sources_;
  const TerraformRules desired_;
  const LiveRules live_;
  const bool have_live_;       // options_.live_rules names a snapshot
  const int64_t snapshot_ns_;  // its file's time: when it was taken
  // Every change so far (security-group changes are rare: a few a day).
  std::vector<SecurityGroupChange> changes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_DRIFT_DRIFT_H_

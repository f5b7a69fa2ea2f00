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
// A later event that undoes the change resolves the finding. The groups'
// reading is in security_groups.h, the comparison in drift_compare.h (both
// shared with the one-shot `logweave drift`).
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
#include "plugins/drift/security_groups.h"
#include "plugins/queued_plugin.h"

namespace logweave {

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

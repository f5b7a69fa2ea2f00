// The drift rule's comparison, shared by the streaming plugin (drift.h) and
// the one-shot `logweave drift` command: the groups in place (a snapshot,
// then CloudTrail's changes in time order) against what Terraform declares.
#ifndef LOGWEAVE_PLUGINS_DRIFT_DRIFT_COMPARE_H_
#define LOGWEAVE_PLUGINS_DRIFT_DRIFT_COMPARE_H_

#include <string>
#include <vector>

#include "plugins/drift/security_groups.h"

namespace logweave {

// One difference.
struct SecurityGroupDrift {
  std::string kind;                      // "unmanaged_rule", "missing_rule" or "unmanaged_group"
  SecurityGroupRule rule;                // unmanaged_rule, missing_rule
  std::string group_id;                  // the rule's group; unmanaged_group: the group
  std::string group_name;                // "" if unknown
  std::vector<SecurityGroupRule> rules;  // unmanaged_group: all its rules
  // The change that made it (unmanaged_group: the latest one that made one
  // of its rules); null if none did. Points into the changes compared.
  const SecurityGroupChange* cause = nullptr;
  bool open_to_internet = false;  // ingress from 0.0.0.0/0 or ::/0 (never for missing_rule)
};

struct SecurityGroupComparison {
  // unmanaged_rule by rule, then missing_rule by rule, then unmanaged_group by group.
  std::vector<SecurityGroupDrift> drifts;
  // Changes that could not be applied (a rule id no document named), one line each.
  std::vector<std::string> notes;
};

// Sorts `changes` (by time; same time: by their text, so that the result
// does not depend on the order they were read in), applies them to `start`
// and compares the result with `desired`. Groups in `ignore_groups` are left out.
SecurityGroupComparison CompareSecurityGroups(const TerraformRules& desired,
                                              const SecurityGroups& start,
                                              std::vector<SecurityGroupChange>* changes,
                                              const std::vector<std::string>& ignore_groups);

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_DRIFT_DRIFT_COMPARE_H_

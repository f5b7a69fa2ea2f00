// The drift rule plugin's settings (plugins.drift in the config; every key
// with its default: README.md in this folder).
#ifndef LOGWEAVE_PLUGINS_DRIFT_DRIFT_OPTIONS_H_
#define LOGWEAVE_PLUGINS_DRIFT_DRIFT_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "plugins/plugin_config.h"

namespace logweave {

class DriftPlugin;

// Compares the security-group rules Terraform's state declares with the
// live rules (an `aws ec2 describe-security-groups` snapshot) as changed by
// the CloudTrail events on the stream, including groups Terraform does not know.
struct DriftOptions {
  bool enabled = true;                     // false: configured but off
  std::string terraform_state;             // path of a terraform.tfstate (JSON); required
  std::string live_rules;                  // path of describe-security-groups JSON; "" = none
  std::vector<std::string> ignore_groups;  // group ids never reported
  uint64_t max_pending_events = 100'000;   // CloudTrail events held at once; beyond, dropped

  // OK when off; else INVALID_ARGUMENT naming the key (plugins.drift.*).
  absl::Status Validate() const;
};

// What PipelineOptions::plugins holds for a drift rule.
using DriftConfig = internal::PluginConfig<DriftPlugin, DriftOptions>;

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_DRIFT_DRIFT_OPTIONS_H_

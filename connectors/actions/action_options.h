// The `actions:` section of the config file: one entry per action, its
// common keys here and its kind's keys read by the kind (exec/, webhook/).
// Keys and defaults: docs/config.md#actions.
//
//   actions:
//     - name: rollback
//       on: [canary_rollback]
//       exec: [kubectl, rollout, undo, "deployment/{service}"]
//       dry_run: false
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_ACTION_OPTIONS_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_ACTION_OPTIONS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "connectors/actions/action.h"
#include "logweave/config_section.h"
#include "logweave/finding.h"

namespace logweave::actions {

// The keys every action has, whatever its kind.
struct ActionOptions {
  std::string name;             // required, unique among the actions
  std::vector<std::string> on;  // finding kinds it acts on; required, each a known kind
  std::vector<std::string>
      services;  // only findings about these services (FindingService); empty: any
  Severity min_severity = Severity::kInfo;  // only findings at least this severe
  bool dry_run = true;                      // record what would run, run nothing
  int64_t timeout_ns = 30'000'000'000;      // per run (exec) or per request (webhook); default 30 s
  int64_t cooldown_ns = 0;                  // at most one run per subject within it; 0: no cooldown
  std::string kind;                         // the registered kind: "exec", "webhook"

  // INVALID_ARGUMENT for a missing name or `on`, an unknown kind in `on`.
  absl::Status Validate() const;
  // Whether a finding (open, not a resolved update) is one this action acts on.
  bool Matches(const Finding& finding) const;
};

// An action as configured: its options and the kind's implementation.
struct ConfiguredAction {
  ActionOptions options;
  std::shared_ptr<Action> action;  // shared: configs are copied
};

// Every finding kind a detector or rule plugin reports (docs/output.md):
// logweave::FindingKinds(), which reads the plugin registry.
const std::vector<std::string>& KnownFindingKinds();

// Reads `section` (actions:, a list) into `out`. Each kind checks what it
// can at once: a program that is not found, a URL that is not http(s), a
// ${VAR} that is not set. INVALID_ARGUMENT naming the entry and key
// (actions[0].exec), for an unknown placeholder too.
absl::Status ReadActionsSection(const ConfigSection& section, std::vector<ConfiguredAction>* out);

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_ACTION_OPTIONS_H_

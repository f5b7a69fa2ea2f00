// Actions: what logweave does about a finding (run a program, POST a webhook),
// configured in the `actions:` section (docs/config.md). This header is the
// interface every kind of action implements, one folder each (exec/,
// webhook/), registered in action_registry.cc.
//
//   absl::StatusOr<ActionRunner> runner = ActionRunner::Create(options);  // dispatcher.h
//   runner->Offer(finding);   // from the analysis' findings; never blocks
//
// Kinds only run one finding at a time on the dispatcher's worker thread;
// matching, dry runs, cooldowns and the record of runs are the dispatcher's.
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_ACTION_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_ACTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "logweave/finding.h"

namespace logweave::actions {

// How one run ended, as printed in `"outcome"`.
enum class ActionOutcome : uint8_t {
  kOk = 0,    // the program exited 0 / the webhook answered 2xx
  kFailed,    // non-zero exit, a signal, an HTTP error, unreachable
  kTimeout,   // killed (exec) or unanswered (webhook) after `timeout`
  kDryRun,    // dry_run: recorded what would run, ran nothing
  kCooldown,  // the same action ran for the same subject within `cooldown`
};

// "ok", "failed", "timeout", "dry_run", "cooldown".
const char* ActionOutcomeName(ActionOutcome outcome);

// What a kind reports about one run.
struct ActionResult {
  ActionOutcome outcome = ActionOutcome::kOk;
  int exit_code = -1;     // exec: the exit status, or -1 (killed, not started)
  int http_status = 0;    // webhook: the last answer's status, 0 none
  uint32_t attempts = 0;  // webhook: requests sent (1 + retries used)
  std::string output;     // exec: stdout and stderr, at most max_output_bytes; webhook: body
  bool output_truncated = false;
  std::string error;  // why it failed, for people; empty when ok
};

// One configured action of one kind. Implementations are thread-compatible:
// the dispatcher calls them from its one worker thread.
class Action {
 public:
  virtual ~Action() = default;
  // What the action does for `finding`, placeholders filled in, for the
  // record and dry runs: "kubectl rollout undo deployment/gateway",
  // "POST https://hooks.example.com/incident".
  virtual std::string Describe(const Finding& finding) const = 0;
  // Acts on `finding` (`json`: the finding as docs/output.md shows it) and
  // blocks until it is done, at most about `timeout` per attempt.
  virtual ActionResult Run(const Finding& finding, const std::string& json,
                           absl::Duration timeout) = 0;
};

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_ACTION_H_

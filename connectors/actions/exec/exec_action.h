// exec: runs a program for a finding, e.g. `kubectl rollout undo
// deployment/{service}`. Arguments are a list (never a shell); placeholders
// fill them in; the finding's JSON is its stdin; its output is kept (at most
// kMaxOutputBytes); at `timeout` its whole process group is killed.
//
//   - name: rollback
//     on: [canary_rollback]
//     exec: [kubectl, rollout, undo, "deployment/{service}"]
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_EXEC_EXEC_ACTION_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_EXEC_EXEC_ACTION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/actions/action.h"
#include "connectors/actions/action_registry.h"
#include "connectors/actions/template.h"

namespace logweave::actions {

// Thread-compatible (the dispatcher's worker runs it).
class ExecAction final : public Action {
 public:
  static constexpr size_t kMaxOutputBytes = 64 << 10;

  // `program`: the resolved executable; `args`: argv[1...] as templates;
  // `argv0`: argv[0] as configured.
  ExecAction(std::string program, std::string argv0, std::vector<Template> args)
      : program_(std::move(program)), argv0_(std::move(argv0)), args_(std::move(args)) {}

  std::string Describe(const Finding& finding) const override;
  ActionResult Run(const Finding& finding, const std::string& json,
                   absl::Duration timeout) override;

 private:
  std::vector<std::string> Argv(const Finding& finding) const;

  const std::string program_;
  const std::string argv0_;
  const std::vector<Template> args_;
};

// The kind's reader (action_registry.cc): `exec:` is a list of arguments
// whose first, the program, has no placeholder and is found at start (a path
// with '/' relative to the config file, else on $PATH).
absl::StatusOr<std::unique_ptr<Action>> ReadExecAction(const ConfigSection& entry,
                                                       const ActionContext& context);

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_EXEC_EXEC_ACTION_H_

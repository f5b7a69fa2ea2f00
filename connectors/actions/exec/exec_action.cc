#include "connectors/actions/exec/exec_action.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "connectors/actions/exec/subprocess.h"

namespace logweave::actions {

std::vector<std::string> ExecAction::Argv(const Finding& finding) const {
  std::vector<std::string> argv = {argv0_};
  for (const Template& t : args_) argv.push_back(t.Expand(finding));
  return argv;
}

std::string ExecAction::Describe(const Finding& finding) const {
  // Shown to people: arguments with spaces quoted so the words stay visible.
  std::vector<std::string> words;
  for (const std::string& a : Argv(finding)) {
    words.push_back(a.empty() || a.find_first_of(" \t\"'") != std::string::npos
                        ? absl::StrCat("'", a, "'")
                        : a);
  }
  return absl::StrJoin(words, " ");
}

ActionResult ExecAction::Run(const Finding& finding, const std::string& json,
                             absl::Duration timeout) {
  ActionResult result;
  result.attempts = 1;
  absl::StatusOr<SubprocessResult> run =
      RunSubprocess(program_, Argv(finding), json + "\n", timeout, kMaxOutputBytes);
  if (!run.ok()) {
    result.outcome = ActionOutcome::kFailed;
    result.error = std::string(run.status().message());
    return result;
  }
  result.exit_code = run->exit_code;
  result.output = std::move(run->output);
  result.output_truncated = run->output_truncated;
  if (run->timed_out) {
    result.outcome = ActionOutcome::kTimeout;
    result.error =
        absl::StrCat("killed (with its process group) after ", absl::FormatDuration(timeout));
  } else if (run->signal != 0) {
    result.outcome = ActionOutcome::kFailed;
    result.error = absl::StrCat("ended by signal ", run->signal);
  } else if (run->exit_code != 0) {
    result.outcome = ActionOutcome::kFailed;
    result.error = absl::StrCat("exited with status ", run->exit_code);
  } else {
    result.outcome = ActionOutcome::kOk;
  }
  return result;
}

absl::StatusOr<std::unique_ptr<Action>> ReadExecAction(const ConfigSection& entry,
                                                       const ActionContext& context) {
  const YAML::Node& node = entry.node()["exec"];
  if (!node.IsSequence() || node.size() == 0) {
    return entry.Error("exec",
                       "must be a list of arguments, the program first, e.g. [kubectl, rollout, "
                       "undo, \"deployment/{service}\"] (it is run directly, never by a shell)");
  }
  std::vector<std::string> words;
  for (const auto& item : node) {
    if (!item.IsScalar()) return entry.Error("exec", "must list its arguments as strings");
    words.push_back(item.Scalar());
  }
  std::vector<Template> args;
  for (size_t i = 0; i < words.size(); ++i) {
    absl::StatusOr<Template> t = Template::Parse(words[i]);
    if (!t.ok()) {
      return entry.ErrorAt(node[i], absl::StrCat(entry.prefix(), "exec[", i, "]"),
                           std::string(t.status().message()));
    }
    if (i == 0) {
      if (!t->literal()) {
        return entry.ErrorAt(node[0], absl::StrCat(entry.prefix(), "exec[0]"),
                             "(the program) cannot have placeholders");
      }
    } else {
      args.push_back(std::move(*t));
    }
  }
  const std::string& program = words[0];
  const std::string wanted = program.find('/') != std::string::npos && context.resolve_path
                                 ? context.resolve_path(program)
                                 : program;
  absl::StatusOr<std::string> found = FindProgram(wanted);
  if (!found.ok()) {
    return entry.ErrorAt(
        node[0], absl::StrCat(entry.prefix(), "exec[0]"),
        absl::StrCat("names a program that cannot be run: ", found.status().message()));
  }
  return std::make_unique<ExecAction>(*found, program, std::move(args));
}

}  // namespace logweave::actions

#include "connectors/grpc/actions_convert.h"

namespace logweave {

void ToProto(const actions::ActionRun& run, v1::ActionRun* out, WireText* text) {
  out->set_action(text->Utf8(run.action));
  out->set_action_kind(text->Utf8(run.action_kind));
  out->set_finding_id(text->Utf8(run.finding_id));
  out->set_finding_kind(text->Utf8(run.finding_kind));
  out->set_subject(text->Utf8(run.subject));
  out->set_service(text->Utf8(run.service));
  out->set_outcome(actions::ActionOutcomeName(run.result.outcome));
  out->set_command(text->Utf8(run.command));
  out->set_started_unix_nano(absl::ToUnixNanos(run.started));
  out->set_duration_seconds(absl::ToDoubleSeconds(run.duration));
  out->set_exit_code(run.result.exit_code);
  out->set_http_status(run.result.http_status);
  out->set_attempts(run.result.attempts);
  out->set_output(text->Utf8(run.result.output));
  out->set_output_truncated(run.result.output_truncated);
  out->set_error(text->Utf8(run.result.error));
}

actions::ActionRun FromProto(const v1::ActionRun& run) {
  actions::ActionRun out;
  out.action = run.action();
  out.action_kind = run.action_kind();
  out.finding_id = run.finding_id();
  out.finding_kind = run.finding_kind();
  out.subject = run.subject();
  out.service = run.service();
  out.result.outcome = actions::ActionOutcome::kFailed;
  for (auto o : {actions::ActionOutcome::kOk, actions::ActionOutcome::kFailed,
                 actions::ActionOutcome::kTimeout, actions::ActionOutcome::kDryRun,
                 actions::ActionOutcome::kCooldown}) {
    if (run.outcome() == actions::ActionOutcomeName(o)) out.result.outcome = o;
  }
  out.command = run.command();
  out.started = absl::FromUnixNanos(run.started_unix_nano());
  out.duration = absl::Seconds(run.duration_seconds());
  out.result.exit_code = run.exit_code();
  out.result.http_status = run.http_status();
  out.result.attempts = run.attempts();
  out.result.output = run.output();
  out.result.output_truncated = run.output_truncated();
  out.result.error = run.error();
  return out;
}

}  // namespace logweave

#include "tools/logweave/action_output.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {

std::string FormatActionRunJson(const actions::ActionRun& run) {
  const actions::ActionResult& r = run.result;
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "action");
  w.Field("action", run.action);
  w.Field("action_kind", run.action_kind);
  w.Field("finding_id", run.finding_id);
  w.Field("finding_kind", run.finding_kind);
  w.Field("subject", run.subject);
  w.Field("service", run.service);
  w.Field("outcome", actions::ActionOutcomeName(r.outcome));
  w.Field("command", run.command);
  w.Field("started", TimeString(absl::ToUnixNanos(run.started)));
  w.Field("duration_ms", absl::ToDoubleMilliseconds(run.duration));
  w.Field("exit_code", static_cast<int64_t>(r.exit_code));
  w.Field("http_status", static_cast<int64_t>(r.http_status));
  w.Field("attempts", static_cast<uint64_t>(r.attempts));
  w.Field("output", r.output);
  w.Field("output_truncated", r.output_truncated);
  w.Field("error", r.error);
  w.EndObject();
  return w.str();
}

std::string FormatActionRunText(const actions::ActionRun& run) {
  const actions::ActionResult& r = run.result;
  std::string facts;
  switch (r.outcome) {
    case actions::ActionOutcome::kDryRun:
      facts = "dry run: would run it; set dry_run: false to act";
      break;
    case actions::ActionOutcome::kCooldown:
      facts = "held back: it ran for this subject within its cooldown";
      break;
    default:
      if (run.action_kind == "webhook") {
        facts = absl::StrCat("HTTP ", r.http_status, ", ", r.attempts, " attempt",
                             r.attempts == 1 ? "" : "s");
      } else {
        facts = absl::StrCat("exit ", r.exit_code);
      }
      absl::StrAppend(&facts,
                      absl::StrFormat(", %.0f ms", absl::ToDoubleMilliseconds(run.duration)));
      if (!r.error.empty()) absl::StrAppend(&facts, "; ", r.error);
  }
  std::string out =
      absl::StrCat("  ", run.action, "  ", actions::ActionOutcomeName(r.outcome), "  ", run.command,
                   "\n      for ", run.finding_kind, " ", run.subject, " (", facts, ")\n");
  for (absl::string_view line : absl::StrSplit(r.output, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "      | ", line, "\n");
  }
  if (r.output_truncated) absl::StrAppend(&out, "      | ... (output cut)\n");
  return Printable(out);
}

}  // namespace logweave::cli

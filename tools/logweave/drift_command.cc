// logweave drift: the drift rule, once, over a Terraform state, a live
// describe-security-groups snapshot and CloudTrail files (CheckDrift in
// logweave/checks.h), with the exit codes of a CI step's check.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "logweave/checks.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"

namespace logweave::cli {
namespace {

constexpr char kDriftDescription[] =
    R"(Compares the security-group rules Terraform's state declares with those in
place, as the plugins.drift rule does on a stream:
  --state       `terraform state pull` output (state v4): aws_security_group
                (inline ingress/egress), aws_security_group_rule,
                aws_vpc_security_group_ingress_rule/_egress_rule, in modules and
                count/for_each instances too;
  --live        `aws ec2 describe-security-groups` output (repeat it to add
                `aws ec2 describe-security-group-rules` output: rule ids);
  --cloudtrail  CloudTrail events after the snapshot, applied in event time: a
                log file ({"Records":[...]}), `aws cloudtrail lookup-events`
                output, or one event per line. Authorize/RevokeSecurityGroup*
                (revokes by securityGroupRuleIds too), ModifySecurityGroupRules,
                Create/DeleteSecurityGroup; failed calls change nothing.

Each difference is a rule: unmanaged_rule (in place, not declared),
missing_rule (declared, not in place) or unmanaged_group (a rule of a group
Terraform does not know), with the CloudTrail event that made it, if one did.
--json prints one object per difference: {"kind","group","group_name",
"direction","protocol","from_port","to_port","source","source_kind",
"open_to_internet","changed_by","changed_at","event"} (ports -1: none).
)";

std::string Ports(const DriftDifference& d) {
  if (d.from_port < 0 && d.to_port < 0) return "all";
  return d.from_port == d.to_port ? absl::StrCat(d.from_port)
                                  : absl::StrCat(d.from_port, "-", d.to_port);
}

}  // namespace

int RunDrift(const std::vector<std::string>& args) {
  const std::string command = "logweave drift";
  DriftCheckOptions options;
  bool json = false;
  FlagSet flags(command, "--state FILE --live FILE [--cloudtrail FILE]...", kDriftDescription);
  flags.set_exit_codes(
      "Exit codes: 0 no drift; 3 drift found; 1 a file is missing or not of its\n"
      "format (the message names it); 2 usage error.\n");
  flags.set_examples(
      {"terraform state pull > state.json", "aws ec2 describe-security-groups > live.json",
       "logweave drift --state state.json --live live.json --cloudtrail trail.json --json"});
  flags.String("state", &options.state, "FILE", "`terraform state pull` output (required)");
  flags.StringList("live", &options.live, "FILE",
                   "`aws ec2 describe-security-groups` output (required; repeatable)");
  flags.StringList("cloudtrail", &options.cloudtrail, "FILE", "CloudTrail events (repeatable)");
  flags.StringList("ignore-group", &options.ignore_groups, "ID", "never report this group");
  flags.Bool("json", &json, "print one JSON object per difference");
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(command, absl::StrCat("unexpected argument \"", positional[0],
                                       "\"; name files with --state, --live, --cloudtrail"));
  }
  if (options.state.empty() || options.live.empty()) {
    return Usage(command, "--state and --live are required; see 'logweave drift --help'");
  }
  absl::StatusOr<DriftCheckResult> result = CheckDrift(options);
  if (!result.ok()) {
    PrintError(absl::StrCat(command, ": ", result.status().message()));
    return kExitRuntimeError;
  }
  std::string out;
  for (const DriftDifference& d : result->differences) {
    if (json) {
      JsonWriter w;
      w.StartObject();
      w.Field("kind", d.kind);
      w.Field("group", d.group);
      w.Field("group_name", d.group_name);
      w.Field("direction", d.direction);
      w.Field("protocol", d.protocol);
      w.Field("from_port", static_cast<int64_t>(d.from_port));
      w.Field("to_port", static_cast<int64_t>(d.to_port));
      w.Field("source", d.source);
      w.Field("source_kind", d.source_kind);
      w.Field("open_to_internet", d.open_to_internet);
      w.Field("changed_by", d.changed_by);
      w.Field("changed_at", d.changed_at);
      w.Field("event", d.event);
      w.EndObject();
      absl::StrAppend(&out, w.str(), "\n");
    } else {
      absl::StrAppend(
          &out, absl::StrFormat(
                    "%-15s %s%s %s %s %s %s%s%s\n", d.kind, d.group,
                    d.group_name.empty() ? "" : " (" + d.group_name + ")", d.direction, d.protocol,
                    Ports(d), (d.direction == "ingress" ? "from " : "to ") + d.source,
                    d.open_to_internet ? " [open to the internet]" : "",
                    d.event.empty() ? ""
                                    : absl::StrCat("; ", d.event, " by ",
                                                   d.changed_by.empty() ? "unknown" : d.changed_by,
                                                   " at ", d.changed_at)));
    }
  }
  if (!json && result->differences.empty()) out = "no drift\n";
  Print(out);
  for (const std::string& note : result->notes) PrintError(absl::StrCat(command, ": ", note));
  PrintError(absl::StrCat(command, ": ", result->events, " CloudTrail changes applied; ",
                          result->differences.size(), " differences"));
  return result->differences.empty() ? kExitOk : kExitFound;
}

}  // namespace logweave::cli

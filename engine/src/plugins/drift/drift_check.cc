// CheckDrift (logweave/checks.h): the drift rule over whole documents.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "logweave/checks.h"
#include "plugins/common.h"
#include "plugins/drift/drift_compare.h"
#include "plugins/drift/security_groups.h"

namespace logweave {
namespace {

// The file at `path` read by `parse`; errors name the file.
template <typename Parse>
auto ReadDocument(const std::string& path, Parse parse) -> decltype(parse(std::string_view())) {
  absl::StatusOr<std::string> text = internal::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto parsed = parse(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<DriftCheckResult> CheckDrift(const DriftCheckOptions& options) {
  if (options.state.empty()) return absl::InvalidArgumentError("no Terraform state given");
  if (options.live.empty()) return absl::InvalidArgumentError("no live snapshot given");
  absl::StatusOr<TerraformRules> desired = ReadDocument(options.state, ParseTerraformState);
  if (!desired.ok()) return desired.status();
  LiveRules live;
  for (const std::string& path : options.live) {
    absl::StatusOr<LiveRules> one = ReadDocument(path, ParseDescribeSecurityGroups);
    if (!one.ok()) return one.status();
    // describe-security-groups and describe-security-group-rules of the same
    // account: the union (the latter adds the rule ids).
    for (auto& [id, name] : one->groups) {
      if (live.groups[id].empty()) live.groups[id] = name;
    }
    live.rules.insert(one->rules.begin(), one->rules.end());
    live.rule_ids.insert(one->rule_ids.begin(), one->rule_ids.end());
  }
  std::vector<SecurityGroupChange> changes;
  for (const std::string& path : options.cloudtrail) {
    absl::StatusOr<bool> read =
        ReadDocument(path, [&](std::string_view text) -> absl::StatusOr<bool> {
          if (absl::Status s = ReadCloudTrailDocument(text, &changes); !s.ok()) return s;
          return true;
        });
    if (!read.ok()) return read.status();
  }
  DriftCheckResult result;
  result.events = changes.size();
  SecurityGroupComparison compared =
      CompareSecurityGroups(*desired, live, &changes, options.ignore_groups);
  result.notes = std::move(compared.notes);
  for (const SecurityGroupDrift& d : compared.drifts) {
    const std::vector<SecurityGroupRule> one = {d.rule};
    for (const SecurityGroupRule& r : d.kind == "unmanaged_group" ? d.rules : one) {
      DriftDifference out;
      out.kind = d.kind;
      out.group = r.group_id;
      out.group_name = d.group_name;
      out.direction = r.ingress ? "ingress" : "egress";
      out.protocol = r.protocol;
      out.from_port = r.from_port;
      out.to_port = r.to_port;
      out.source = r.source;
      out.source_kind = std::string(r.SourceKind());
      out.open_to_internet = d.kind != "missing_rule" && r.OpenToTheInternet();
      if (d.cause != nullptr) {
        out.changed_by = d.cause->actor;
        out.changed_at = internal::TimeText(d.cause->time_ns);
        out.event = d.cause->event_name;
      }
      result.differences.push_back(std::move(out));
    }
  }
  return result;
}

}  // namespace logweave

#include "plugins/drift/drift.h"

#include <chrono>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugins/common.h"
#include "plugins/drift/drift_compare.h"

namespace logweave {
namespace {

constexpr size_t kDriftEvidenceBytes = 400;

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* key) {
  absl::StatusOr<std::string> text = internal::ReadWholeFile(path);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat("plugins.drift.", key, ": ", text.status().message()));
  }
  return text;
}

// The change that made a finding (if any): who, what, when, and its line as evidence.
void AddCause(const SecurityGroupChange* why, const SourceNames& sources, Finding* f) {
  f->details.push_back({"changed_by", why != nullptr ? why->actor : ""});
  f->details.push_back({"event", why != nullptr ? why->event_name : ""});
  f->details.push_back({"changed_at", why != nullptr ? internal::TimeText(why->time_ns) : ""});
  if (why != nullptr) {
    f->evidence.push_back(
        internal::PluginEvidence(sources, why->source_id, why->line_no, why->time_ns, why->text));
  }
}

int64_t FileTimeNs(const std::string& path) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(path, ec);
  if (ec) return 0;
  const auto since_epoch = std::chrono::file_clock::to_sys(t).time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count();
}

}  // namespace

DriftPlugin::DriftPlugin(const DriftOptions& options, const SourceNames& sources,
                         TerraformRules desired, LiveRules live, int64_t snapshot_ns)
    : QueuedRulePlugin(options.max_pending_events),
      options_(options),
      sources_(sources),
      desired_(std::move(desired)),
      live_(std::move(live)),
      have_live_(!options.live_rules.empty()),
      snapshot_ns_(snapshot_ns) {}

DriftPlugin::~DriftPlugin() = default;

absl::StatusOr<std::unique_ptr<DriftPlugin>> DriftPlugin::Create(const DriftOptions& options,
                                                                 const SourceNames& sources) {
  absl::StatusOr<DriftOptions> enabled = internal::EnabledOptions(options);
  if (!enabled.ok()) return enabled.status();
  absl::StatusOr<std::string> state = ReadFile(options.terraform_state, "terraform_state");
  if (!state.ok()) return state.status();
  absl::StatusOr<TerraformRules> desired = ParseTerraformState(*state);
  if (!desired.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("plugins.drift.terraform_state ",
                                                   options.terraform_state, ": ",
                                                   desired.status().message()));
  }
  LiveRules live;
  int64_t snapshot_ns = 0;  // when the snapshot was taken: its file's time
  if (!options.live_rules.empty()) {
    absl::StatusOr<std::string> text = ReadFile(options.live_rules, "live_rules");
    if (!text.ok()) return text.status();
    absl::StatusOr<LiveRules> parsed = ParseDescribeSecurityGroups(*text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugins.drift.live_rules ", options.live_rules, ": ", parsed.status().message()));
    }
    live = std::move(*parsed);
    snapshot_ns = FileTimeNs(options.live_rules);
  }
  return std::unique_ptr<DriftPlugin>(
      new DriftPlugin(*enabled, sources, std::move(*desired), std::move(live), snapshot_ns));
}

bool DriftPlugin::Take(const Record& r, SecurityGroupChange* c) const {
  if (r.kind != RecordKind::kJson) return false;
  if (!ReadCloudTrailChange(internal::ServiceJson(r), c)) return false;
  c->time_ns = r.time_known() ? r.time_ns : 0;
  c->source_id = r.source_id;
  c->line_no = r.line_no;
  c->text.assign(r.raw.substr(0, kDriftEvidenceBytes));
  return true;
}

void DriftPlugin::Keep(SecurityGroupChange&& c) { changes_.push_back(std::move(c)); }

void DriftPlugin::Decide(int64_t, std::vector<Finding>* out) {
  // The actual state starts as the snapshot (or, without one, the declared state).
  const SecurityGroupComparison compared = CompareSecurityGroups(
      desired_, have_live_ ? live_ : desired_, &changes_, options_.ignore_groups);
  for (const SecurityGroupDrift& d : compared.drifts) {
    const SecurityGroupChange* why = d.cause;
    Finding f;
    f.kind = "drift";
    f.severity = d.open_to_internet ? Severity::kError : Severity::kWarning;
    f.time_ns = why != nullptr ? why->time_ns : snapshot_ns_;
    const std::string& group_name = d.group_name;
    if (d.kind == "unmanaged_group") {
      std::vector<std::string> texts;
      for (const SecurityGroupRule& r : d.rules) texts.push_back(r.Text());
      f.subject = d.group_id;
      f.id = FindingId(f.kind, {"unmanaged_group", d.group_id});
      f.summary = absl::StrCat(
          "Security group ", d.group_id,
          group_name.empty() ? "" : absl::StrCat(" (", group_name, ")"),
          " is not in Terraform's state; its rules: ", absl::StrJoin(texts, ", "),
          d.open_to_internet ? "; it opens ingress to the whole internet" : "",
          why != nullptr ? absl::StrCat("; last changed by ", why->event_name, " of ",
                                        why->actor.empty() ? "an unknown caller" : why->actor)
                         : "",
          ".");
      f.details = {{"drift", "unmanaged_group"},
                   {"group_id", d.group_id},
                   {"group_name", group_name},
                   {"rules", absl::StrJoin(texts, "; ")},
                   {"open_to_internet", d.open_to_internet ? "true" : "false"}};
    } else {
      const SecurityGroupRule& r = d.rule;
      f.subject = r.Text();
      f.id = FindingId(f.kind, {d.kind, r.Text()});
      f.summary = absl::StrCat(
          d.kind == "missing_rule" ? "Terraform declares a rule that is not in place: "
                                   : "A rule in place that Terraform does not declare: ",
          r.Text(), group_name.empty() ? "" : absl::StrCat(" (", group_name, ")"),
          d.open_to_internet ? "; it opens the port to the whole internet" : "",
          why != nullptr ? absl::StrCat("; ", why->event_name, " by ",
                                        why->actor.empty() ? "an unknown caller" : why->actor,
                                        " at ", internal::TimeText(why->time_ns))
          : have_live_   ? "; found in the live snapshot"
                         : "",
          ".");
      f.details = {{"drift", d.kind},          {"group_id", r.group_id},
                   {"group_name", group_name}, {"direction", r.ingress ? "ingress" : "egress"},
                   {"protocol", r.protocol},   {"ports", r.Ports()},
                   {"source", r.source}};
    }
    AddCause(why, sources_, &f);
    out->push_back(std::move(f));
  }
}

}  // namespace logweave

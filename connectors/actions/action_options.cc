#include "connectors/actions/action_options.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "connectors/actions/action_registry.h"
#include "connectors/actions/template.h"
#include "logweave/finding.h"

namespace logweave::actions {

const std::vector<std::string>& KnownFindingKinds() {
  static const std::vector<std::string>* const kinds = new std::vector<std::string>(FindingKinds());
  return *kinds;
}

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool ParseSeverity(std::string text, Severity* out) {
  text = absl::AsciiStrToLower(text);
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError, Severity::kCritical}) {
    if (text == SeverityName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

// Reads one entry of `actions:` (`entry`: actions[i].); `parent` resolves paths.
absl::Status ReadEntry(const ConfigSection& entry, const ConfigSection& parent,
                       ConfiguredAction* out) {
  std::vector<std::string> known = {"name",    "on",      "services", "min_severity",
                                    "dry_run", "timeout", "cooldown"};
  const ActionKindEntry* kind = nullptr;
  for (const ActionKindEntry& k : ActionKinds()) {
    known.emplace_back(k.name);
    for (absl::string_view key :
         absl::StrSplit(absl::string_view(k.keys.data(), k.keys.size()), ',', absl::SkipEmpty())) {
      known.emplace_back(key);
    }
    if (entry.Has(k.name)) {
      if (kind != nullptr) {
        return entry.Error(k.name, absl::StrCat("cannot be given beside ", std::string(kind->name),
                                                ": an action is of one kind"));
      }
      kind = &k;
    }
  }
  if (absl::Status s = entry.CheckKeys(known); !s.ok()) return s;
  ActionOptions& o = out->options;
  ConfigReader r(entry);
  r.Word("name", &o.name);
  r.Names("on", &o.on);
  r.Names("services", &o.services);
  std::string severity;
  r.Word("min_severity", &severity);
  r.Bool("dry_run", &o.dry_run);
  r.Duration("timeout", /*zero_ok=*/false, &o.timeout_ns);
  r.Duration("cooldown", /*zero_ok=*/true, &o.cooldown_ns);
  if (!r.status().ok()) return r.status();
  if (!severity.empty() && !ParseSeverity(severity, &o.min_severity)) {
    return entry.Error(
        "min_severity",
        absl::StrCat("must be info, warning, error or critical (got \"", severity, "\")"));
  }
  if (o.name.empty()) return entry.Error("", "needs a name: (unique among the actions)");
  if (o.on.empty()) {
    return entry.Error("on", "must list the finding kinds to act on, e.g. on: [canary_rollback]");
  }
  for (const std::string& k : o.on) {
    if (!Contains(KnownFindingKinds(), k)) {
      return entry.Error(
          "on", absl::StrCat("names the unknown finding kind \"", k,
                             "\"; known kinds: ", absl::StrJoin(KnownFindingKinds(), ", ")));
    }
  }
  if (kind == nullptr) {
    std::vector<std::string> names;
    for (const ActionKindEntry& k : ActionKinds()) names.emplace_back(k.name);
    return entry.Error("", absl::StrCat("needs what to do: one of ", absl::StrJoin(names, ", "),
                                        " (e.g. exec: [kubectl, rollout, undo, "
                                        "\"deployment/{service}\"])"));
  }
  o.kind = std::string(kind->name);
  ActionContext context;
  context.common = &o;
  context.resolve_path = [&parent](const std::string& path) { return parent.ResolvePath(path); };
  absl::StatusOr<std::unique_ptr<Action>> action = kind->read(entry, context);
  if (!action.ok()) return action.status();
  out->action = std::move(*action);
  return absl::OkStatus();
}

}  // namespace

absl::Status ActionOptions::Validate() const {
  if (name.empty()) return absl::InvalidArgumentError("an action needs a name");
  if (on.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("action ", name, ": on must list finding kinds"));
  }
  for (const std::string& k : on) {
    if (!Contains(KnownFindingKinds(), k)) {
      return absl::InvalidArgumentError(
          absl::StrCat("action ", name, ": unknown finding kind \"", k, "\""));
    }
  }
  if (timeout_ns <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("action ", name, ": timeout must be positive"));
  }
  if (cooldown_ns < 0) {
    return absl::InvalidArgumentError(absl::StrCat("action ", name, ": cooldown must be >= 0"));
  }
  return absl::OkStatus();
}

bool ActionOptions::Matches(const Finding& finding) const {
  if (finding.resolved) return false;
  if (!Contains(on, finding.kind)) return false;
  if (finding.severity < min_severity) return false;
  return services.empty() || Contains(services, FindingService(finding));
}

absl::Status ReadActionsSection(const ConfigSection& section, std::vector<ConfiguredAction>* out) {
  const YAML::Node& node = section.node();
  if (!node.IsSequence()) {
    return section.Error("",
                         "must be a list of actions, e.g. - {name: rollback, on: "
                         "[canary_rollback], exec: [...]}");
  }
  std::string base = section.prefix();  // "actions."
  if (!base.empty() && base.back() == '.') base.pop_back();
  std::vector<ConfiguredAction> actions;
  for (size_t i = 0; i < node.size(); ++i) {
    const ConfigSection entry(node[i], absl::StrCat(base, "[", i, "]."), section.origin());
    ConfiguredAction action;
    if (absl::Status s = ReadEntry(entry, section, &action); !s.ok()) return s;
    for (const ConfiguredAction& other : actions) {
      if (other.options.name == action.options.name) {
        return entry.Error("name", absl::StrCat("\"", action.options.name,
                                                "\" is taken by another action; names are unique"));
      }
    }
    actions.push_back(std::move(action));
  }
  *out = std::move(actions);
  return absl::OkStatus();
}

}  // namespace logweave::actions

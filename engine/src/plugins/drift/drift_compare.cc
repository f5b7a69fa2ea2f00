#include "plugins/drift/drift_compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "plugins/common.h"

namespace logweave {
namespace {

// A change that names a rule id nobody named before.
std::string UnknownId(const SecurityGroupChange& c, const std::string& id) {
  return absl::StrCat(c.event_name, " at ", internal::TimeText(c.time_ns), " by ",
                      c.actor.empty() ? "an unknown caller" : c.actor, ": rule ", id, " of ",
                      c.group_id,
                      " is named neither in the state, the live snapshot nor an earlier event; "
                      "not applied");
}

}  // namespace

SecurityGroupComparison CompareSecurityGroups(const TerraformRules& desired,
                                              const SecurityGroups& start,
                                              std::vector<SecurityGroupChange>* changes,
                                              const std::vector<std::string>& ignore_groups) {
  SecurityGroupComparison out;
  std::sort(changes->begin(), changes->end(),
            [](const SecurityGroupChange& a, const SecurityGroupChange& b) {
              return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.text < b.text;
            });
  // The actual state: the start, then every change in time order;
  // remembering which change made each rule.
  std::map<std::string, std::string> groups = start.groups;
  std::set<SecurityGroupRule> actual = start.rules;
  std::map<std::string, SecurityGroupRule> ids = start.rule_ids;
  ids.insert(desired.rule_ids.begin(), desired.rule_ids.end());  // the snapshot's win
  std::map<SecurityGroupRule, const SecurityGroupChange*> cause;
  for (const SecurityGroupChange& c : *changes) {
    switch (c.kind) {
      case SecurityGroupChange::kCreateGroup:
        groups[c.group_id] = c.group_name;
        break;
      case SecurityGroupChange::kDeleteGroup:
        groups.erase(c.group_id);
        for (auto it = actual.begin(); it != actual.end();) {
          if (it->group_id == c.group_id) {
            cause[*it] = &c;
            it = actual.erase(it);
          } else {
            ++it;
          }
        }
        break;
      case SecurityGroupChange::kAddRules:
      case SecurityGroupChange::kRemoveRules:
        for (const SecurityGroupRule& r : c.rules) {
          if (c.kind == SecurityGroupChange::kAddRules) {
            actual.insert(r);
          } else {
            actual.erase(r);
          }
          cause[r] = &c;
        }
        for (const auto& [id, rule] : c.rules_by_id) ids[id] = rule;
        for (const std::string& id : c.removed_ids) {
          auto known = ids.find(id);
          if (known == ids.end()) {
            out.notes.push_back(UnknownId(c, id));
            continue;
          }
          actual.erase(known->second);
          cause[known->second] = &c;
          ids.erase(known);
        }
        break;
      case SecurityGroupChange::kModifyRules:
        for (const auto& [id, changed] : c.rules_by_id) {
          auto known = ids.find(id);
          if (known == ids.end()) {
            out.notes.push_back(UnknownId(c, id));
            continue;
          }
          SecurityGroupRule now = changed;
          now.ingress = known->second.ingress;
          actual.erase(known->second);
          cause[known->second] = &c;
          actual.insert(now);
          cause[now] = &c;
          known->second = now;
        }
        break;
    }
  }
  auto ignored = [&](const std::string& group) { return internal::Listed(ignore_groups, group); };
  auto name_of = [&](const std::string& id) {
    auto d = desired.groups.find(id);
    if (d != desired.groups.end()) return d->second;
    auto g = groups.find(id);
    return g != groups.end() ? g->second : std::string();
  };
  auto report = [&](const SecurityGroupRule& r, const char* kind) {
    if (ignored(r.group_id)) return;
    SecurityGroupDrift d;
    d.kind = kind;
    d.rule = r;
    d.group_id = r.group_id;
    d.group_name = name_of(r.group_id);
    d.open_to_internet = r.OpenToTheInternet() && d.kind != "missing_rule";
    auto why = cause.find(r);
    d.cause = why != cause.end() ? why->second : nullptr;
    out.drifts.push_back(std::move(d));
  };
  std::map<std::string, std::vector<SecurityGroupRule>> unknown_groups;  // by group id
  for (const SecurityGroupRule& r : actual) {
    if (desired.rules.count(r)) continue;
    if (desired.groups.count(r.group_id)) {
      report(r, "unmanaged_rule");
    } else {
      unknown_groups[r.group_id].push_back(r);
    }
  }
  for (const SecurityGroupRule& r : desired.rules) {
    if (!actual.count(r)) report(r, "missing_rule");
  }
  // A group Terraform does not know: one difference with all its rules.
  for (auto& [group, rules] : unknown_groups) {
    if (ignored(group)) continue;
    SecurityGroupDrift d;
    d.kind = "unmanaged_group";
    d.group_id = group;
    auto name = groups.find(group);
    d.group_name = name != groups.end() ? name->second : "";
    for (const SecurityGroupRule& r : rules) {
      d.open_to_internet |= r.OpenToTheInternet();
      auto c = cause.find(r);
      if (c != cause.end() && (d.cause == nullptr || c->second->time_ns > d.cause->time_ns)) {
        d.cause = c->second;
      }
    }
    d.rules = std::move(rules);
    out.drifts.push_back(std::move(d));
  }
  return out;
}

}  // namespace logweave

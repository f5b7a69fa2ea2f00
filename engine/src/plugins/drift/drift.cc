#include "plugins/drift/drift.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugins/common.h"
#include "rapidjson/document.h"

namespace logweave {
namespace {

using Json = rapidjson::Value;

constexpr size_t kEvidenceBytes = 400;

// Parses `text` in situ into `doc` (a copy is kept in `buffer`, which must
// outlive the document). RapidJSON 1.1's copying reader does pointer
// arithmetic on a null stack (UB), so everything here parses in situ.
bool ParseCopy(std::string_view text, std::string* buffer, rapidjson::Document* doc) {
  buffer->assign(text);
  // Iterative: a hostile nesting depth cannot overflow the thread's stack.
  doc->ParseInsitu<rapidjson::kParseIterativeFlag>(buffer->data());
  return !doc->HasParseError() && doc->IsObject();
}

const Json* Member(const Json& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// The array under `key` of the JSON object `text` (parsed into `doc`, with
// `buffer` holding its bytes); INVALID_ARGUMENT saying the text is not `what`.
absl::StatusOr<const Json*> TopArray(std::string_view text, const char* key, const char* what,
                                     std::string* buffer, rapidjson::Document* doc) {
  if (!ParseCopy(text, buffer, doc)) {
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object (expected ", what, ")"));
  }
  const Json* array = Member(*doc, key);
  if (array == nullptr || !array->IsArray()) {
    return absl::InvalidArgumentError(absl::StrCat("no \"", key, "\" array: not ", what));
  }
  return array;
}

std::string String(const Json& v, const char* name) {
  const Json* m = Member(v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}
// An integer member (a number or a string of digits); `otherwise` if absent.
int Int(const Json& v, const char* name, int otherwise) {
  const Json* m = Member(v, name);
  if (m == nullptr) return otherwise;
  if (m->IsInt()) return m->GetInt();
  int n = 0;
  if (m->IsString() && absl::SimpleAtoi(m->GetString(), &n)) return n;
  return otherwise;
}
// The strings of an array member (or of {"items": [{key: ...}]} in CloudTrail's shape).
std::vector<std::string> Strings(const Json& v, const char* name, const char* item_key = nullptr) {
  std::vector<std::string> out;
  const Json* m = Member(v, name);
  if (m == nullptr) return out;
  if (m->IsObject()) m = Member(*m, "items");  // CloudTrail: {"items": [...]}
  if (m == nullptr || !m->IsArray()) return out;
  for (const Json& e : m->GetArray()) {
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
    if (item_key != nullptr && e.IsObject()) {
      std::string s = String(e, item_key);
      if (!s.empty()) out.push_back(std::move(s));
    }
  }
  return out;
}

std::string NormalProtocol(std::string p) {
  absl::AsciiStrToLower(&p);
  if (p == "-1" || p == "all") return "all";
  if (p == "6") return "tcp";
  if (p == "17") return "udp";
  if (p == "1") return "icmp";
  if (p == "58") return "icmpv6";
  return p;
}

// One rule per source of a permission.
void AddRules(const std::string& group, bool ingress, std::string protocol, int from, int to,
              const std::vector<std::string>& sources, std::vector<SecurityGroupRule>* out) {
  protocol = NormalProtocol(std::move(protocol));
  // Only these protocols have ports (ICMP: type and code); for the others
  // Terraform writes 0/0 where AWS gives none.
  if (protocol != "tcp" && protocol != "udp" && protocol != "icmp" && protocol != "icmpv6") {
    from = to = -1;
  }
  for (const std::string& source : sources) {
    out->push_back(SecurityGroupRule{group, ingress, protocol, from, to, source});
  }
}

// The sources of one describe-security-groups / CloudTrail permission.
std::vector<std::string> PermissionSources(const Json& p, bool cloudtrail) {
  std::vector<std::string> sources;
  for (auto [list, key] :
       cloudtrail
           ? std::vector<std::pair<const char*, const char*>>{{"ipRanges", "cidrIp"},
                                                              {"ipv6Ranges", "cidrIpv6"},
                                                              {"groups", "groupId"},
                                                              {"prefixListIds", "prefixListId"}}
           : std::vector<std::pair<const char*, const char*>>{{"IpRanges", "CidrIp"},
                                                              {"Ipv6Ranges", "CidrIpv6"},
                                                              {"UserIdGroupPairs", "GroupId"},
                                                              {"PrefixListIds", "PrefixListId"}}) {
    for (std::string& s : Strings(p, list, key)) sources.push_back(std::move(s));
  }
  return sources;
}

bool OpenToTheInternet(const SecurityGroupRule& r) {
  return r.ingress && (r.source == "0.0.0.0/0" || r.source == "::/0");
}

std::string Ports(const SecurityGroupRule& r) {
  if (r.from_port < 0 && r.to_port < 0) return "all";
  return r.from_port == r.to_port ? absl::StrCat(r.from_port)
                                  : absl::StrCat(r.from_port, "-", r.to_port);
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("plugins.drift.", key, ": cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
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

std::string SecurityGroupRule::Text() const {
  return absl::StrCat(group_id, ingress ? " ingress " : " egress ", protocol, " ", Ports(*this),
                      ingress ? " from " : " to ", source);
}

absl::StatusOr<TerraformRules> ParseTerraformState(std::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  absl::StatusOr<const Json*> resources = TopArray(
      json, "resources", "a Terraform state (version 4; `terraform state pull`)", &buffer, &doc);
  if (!resources.ok()) return resources.status();
  TerraformRules out;
  std::vector<SecurityGroupRule> rules;
  for (const Json& res : (*resources)->GetArray()) {
    const std::string type = String(res, "type");
    if (String(res, "mode") == "data") continue;
    const Json* instances = Member(res, "instances");
    if (instances == nullptr || !instances->IsArray()) continue;
    for (const Json& inst : instances->GetArray()) {
      const Json* a = Member(inst, "attributes");
      if (a == nullptr || !a->IsObject()) continue;
      if (type == "aws_security_group" || type == "aws_default_security_group") {
        const std::string id = String(*a, "id");
        if (id.empty()) continue;
        out.groups[id] = String(*a, "name");
        for (const char* direction : {"ingress", "egress"}) {
          const Json* list = Member(*a, direction);
          if (list == nullptr || !list->IsArray()) continue;
          for (const Json& p : list->GetArray()) {
            std::vector<std::string> sources = Strings(p, "cidr_blocks");
            for (auto& s : Strings(p, "ipv6_cidr_blocks")) sources.push_back(std::move(s));
            for (auto& s : Strings(p, "security_groups")) sources.push_back(std::move(s));
            for (auto& s : Strings(p, "prefix_list_ids")) sources.push_back(std::move(s));
            const Json* self = Member(p, "self");
            if (self != nullptr && self->IsTrue()) sources.push_back(id);
            AddRules(id, std::string_view(direction) == "ingress", String(p, "protocol"),
                     Int(p, "from_port", -1), Int(p, "to_port", -1), sources, &rules);
          }
        }
      } else if (type == "aws_security_group_rule") {
        const std::string group = String(*a, "security_group_id");
        std::vector<std::string> sources = Strings(*a, "cidr_blocks");
        for (auto& s : Strings(*a, "ipv6_cidr_blocks")) sources.push_back(std::move(s));
        for (auto& s : Strings(*a, "prefix_list_ids")) sources.push_back(std::move(s));
        if (std::string sg = String(*a, "source_security_group_id"); !sg.empty()) {
          sources.push_back(sg);
        }
        const Json* self = Member(*a, "self");
        if (self != nullptr && self->IsTrue()) sources.push_back(group);
        AddRules(group, String(*a, "type") != "egress", String(*a, "protocol"),
                 Int(*a, "from_port", -1), Int(*a, "to_port", -1), sources, &rules);
      } else if (type == "aws_vpc_security_group_ingress_rule" ||
                 type == "aws_vpc_security_group_egress_rule") {
        std::vector<std::string> sources;
        for (const char* key :
             {"cidr_ipv4", "cidr_ipv6", "referenced_security_group_id", "prefix_list_id"}) {
          if (std::string s = String(*a, key); !s.empty()) sources.push_back(s);
        }
        AddRules(String(*a, "security_group_id"), type == "aws_vpc_security_group_ingress_rule",
                 String(*a, "ip_protocol"), Int(*a, "from_port", -1), Int(*a, "to_port", -1),
                 sources, &rules);
      }
    }
  }
  out.rules.insert(rules.begin(), rules.end());
  return out;
}

absl::StatusOr<LiveRules> ParseDescribeSecurityGroups(std::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  absl::StatusOr<const Json*> groups =
      TopArray(json, "SecurityGroups", "`aws ec2 describe-security-groups` output", &buffer, &doc);
  if (!groups.ok()) return groups.status();
  LiveRules out;
  std::vector<SecurityGroupRule> rules;
  for (const Json& g : (*groups)->GetArray()) {
    const std::string id = String(g, "GroupId");
    if (id.empty()) continue;
    out.groups[id] = String(g, "GroupName");
    for (auto [key, ingress] : {std::pair{"IpPermissions", true}, {"IpPermissionsEgress", false}}) {
      const Json* list = Member(g, key);
      if (list == nullptr || !list->IsArray()) continue;
      for (const Json& p : list->GetArray()) {
        AddRules(id, ingress, String(p, "IpProtocol"), Int(p, "FromPort", -1), Int(p, "ToPort", -1),
                 PermissionSources(p, false), &rules);
      }
    }
  }
  out.rules.insert(rules.begin(), rules.end());
  return out;
}

bool ReadCloudTrailChange(std::string_view json, SecurityGroupChange* out) {
  // Cheap refusal of every other line before a full parse.
  if (json.find("ec2.amazonaws.com") == std::string_view::npos ||
      json.find("SecurityGroup") == std::string_view::npos) {
    return false;
  }
  std::string buffer;
  rapidjson::Document doc;
  if (!ParseCopy(json, &buffer, &doc)) return false;
  if (String(doc, "eventSource") != "ec2.amazonaws.com") return false;
  if (Member(doc, "errorCode") != nullptr) return false;  // the call failed: nothing changed
  const std::string name = String(doc, "eventName");
  const Json* request = Member(doc, "requestParameters");
  if (request == nullptr || !request->IsObject()) return false;
  out->event_name = name;
  const Json* identity = Member(doc, "userIdentity");
  out->actor = identity != nullptr ? String(*identity, "arn") : "";
  out->group_id = String(*request, "groupId");
  out->rules.clear();
  if (name == "CreateSecurityGroup") {
    const Json* response = Member(doc, "responseElements");
    if (response != nullptr) out->group_id = String(*response, "groupId");
    out->group_name = String(*request, "groupName");
    out->kind = SecurityGroupChange::kCreateGroup;
    return !out->group_id.empty();
  }
  if (name == "DeleteSecurityGroup") {
    out->kind = SecurityGroupChange::kDeleteGroup;
    return !out->group_id.empty();
  }
  const bool ingress =
      name == "AuthorizeSecurityGroupIngress" || name == "RevokeSecurityGroupIngress";
  const bool egress = name == "AuthorizeSecurityGroupEgress" || name == "RevokeSecurityGroupEgress";
  if (!ingress && !egress) return false;
  out->kind = name.rfind("Authorize", 0) == 0 ? SecurityGroupChange::kAddRules
                                              : SecurityGroupChange::kRemoveRules;
  const Json* perms = Member(*request, "ipPermissions");
  if (perms != nullptr && perms->IsObject()) perms = Member(*perms, "items");
  if (perms == nullptr || !perms->IsArray() || out->group_id.empty()) return false;
  for (const Json& p : perms->GetArray()) {
    AddRules(out->group_id, ingress, String(p, "ipProtocol"), Int(p, "fromPort", -1),
             Int(p, "toPort", -1), PermissionSources(p, true), &out->rules);
  }
  return !out->rules.empty();
}

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
  c->text.assign(r.raw.substr(0, kEvidenceBytes));
  return true;
}

void DriftPlugin::Keep(SecurityGroupChange&& c) { changes_.push_back(std::move(c)); }

void DriftPlugin::Decide(int64_t, std::vector<Finding>* out) {
  // The same result whatever order the lines came in: by time, then (same
  // second: CloudTrail's resolution) by the event's own bytes.
  std::sort(changes_.begin(), changes_.end(),
            [](const SecurityGroupChange& a, const SecurityGroupChange& b) {
              return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.text < b.text;
            });
  // The actual state: the snapshot (or, without one, the declared state),
  // then every change in time order; remembering which change made each rule.
  std::map<std::string, std::string> groups = have_live_ ? live_.groups : desired_.groups;
  std::set<SecurityGroupRule> actual = have_live_ ? live_.rules : desired_.rules;
  std::map<SecurityGroupRule, const SecurityGroupChange*> cause;
  for (const SecurityGroupChange& c : changes_) {
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
        break;
    }
  }
  auto ignored = [&](const std::string& group) {
    return internal::Listed(options_.ignore_groups, group);
  };
  auto report = [&](const SecurityGroupRule& r, const char* drift) {
    if (ignored(r.group_id)) return;
    Finding f;
    f.kind = "drift";
    const bool internet = OpenToTheInternet(r) && std::string_view(drift) != "missing_rule";
    f.severity = internet ? Severity::kError : Severity::kWarning;
    f.subject = r.Text();
    f.id = FindingId(f.kind, {drift, r.Text()});
    auto name_of = [&](const std::string& id) {
      auto d = desired_.groups.find(id);
      if (d != desired_.groups.end()) return d->second;
      auto g = groups.find(id);
      return g != groups.end() ? g->second : std::string();
    };
    const std::string group_name = name_of(r.group_id);
    const SecurityGroupChange* why = cause.count(r) ? cause.at(r) : nullptr;
    f.time_ns = why != nullptr ? why->time_ns : snapshot_ns_;
    const std::string_view what = drift;
    f.summary = absl::StrCat(
        what == "missing_rule" ? "Terraform declares a rule that is not in place: "
                               : "A rule in place that Terraform does not declare: ",
        r.Text(), group_name.empty() ? "" : absl::StrCat(" (", group_name, ")"),
        internet ? "; it opens the port to the whole internet" : "",
        why != nullptr ? absl::StrCat("; ", why->event_name, " by ",
                                      why->actor.empty() ? "an unknown caller" : why->actor, " at ",
                                      internal::TimeText(why->time_ns))
        : have_live_   ? "; found in the live snapshot"
                       : "",
        ".");
    f.details = {{"drift", std::string(drift)}, {"group_id", r.group_id},
                 {"group_name", group_name},    {"direction", r.ingress ? "ingress" : "egress"},
                 {"protocol", r.protocol},      {"ports", Ports(r)},
                 {"source", r.source}};
    AddCause(why, sources_, &f);
    out->push_back(std::move(f));
  };
  std::map<std::string, std::vector<SecurityGroupRule>> unknown_groups;  // by group id
  for (const SecurityGroupRule& r : actual) {
    if (desired_.rules.count(r)) continue;
    if (desired_.groups.count(r.group_id)) {
      report(r, "unmanaged_rule");
    } else {
      unknown_groups[r.group_id].push_back(r);
    }
  }
  for (const SecurityGroupRule& r : desired_.rules) {
    if (!actual.count(r)) report(r, "missing_rule");
  }
  // A group Terraform does not know: one finding with all its rules.
  for (const auto& [group, rules] : unknown_groups) {
    if (ignored(group)) continue;
    Finding f;
    f.kind = "drift";
    f.subject = group;
    f.id = FindingId(f.kind, {"unmanaged_group", group});
    auto name = groups.find(group);
    const std::string group_name = name != groups.end() ? name->second : "";
    bool internet = false;
    std::vector<std::string> texts;
    const SecurityGroupChange* why = nullptr;  // the latest change that made one of its rules
    for (const SecurityGroupRule& r : rules) {
      internet |= OpenToTheInternet(r);
      texts.push_back(r.Text());
      auto c = cause.find(r);
      if (c != cause.end() && (why == nullptr || c->second->time_ns > why->time_ns)) {
        why = c->second;
      }
    }
    f.severity = internet ? Severity::kError : Severity::kWarning;
    f.time_ns = why != nullptr ? why->time_ns : snapshot_ns_;
    f.summary = absl::StrCat(
        "Security group ", group, group_name.empty() ? "" : absl::StrCat(" (", group_name, ")"),
        " is not in Terraform's state; its rules: ", absl::StrJoin(texts, ", "),
        internet ? "; it opens ingress to the whole internet" : "",
        why != nullptr ? absl::StrCat("; last changed by ", why->event_name, " of ",
                                      why->actor.empty() ? "an unknown caller" : why->actor)
                       : "",
        ".");
    f.details = {{"drift", "unmanaged_group"},
                 {"group_id", group},
                 {"group_name", group_name},
                 {"rules", absl::StrJoin(texts, "; ")},
                 {"open_to_internet", internet ? "true" : "false"}};
    AddCause(why, sources_, &f);
    out->push_back(std::move(f));
  }
}

}  // namespace logweave

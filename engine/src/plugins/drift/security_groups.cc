#include "plugins/drift/security_groups.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/strings.h"
#include "logweave/timestamp.h"
#include "plugins/json_member.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave {
namespace {

using internal::JsonMember;

using Json = rapidjson::Value;

// Parses `text` in situ into `doc` (a copy is kept in `buffer`, which must
// outlive the document). RapidJSON 1.1's copying reader does pointer
// arithmetic on a null stack (UB), so everything here parses in situ.
bool ParseCopy(std::string_view text, std::string* buffer, rapidjson::Document* doc) {
  buffer->assign(text);
  // Iterative: a hostile nesting depth cannot overflow the thread's stack.
  doc->ParseInsitu<rapidjson::kParseIterativeFlag>(buffer->data());
  return !doc->HasParseError() && doc->IsObject();
}

std::string String(const Json& v, const char* name) {
  const Json* m = JsonMember(v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}
// An integer member (a number or a string of digits); `otherwise` if absent.
int Int(const Json& v, const char* name, int otherwise) {
  const Json* m = JsonMember(v, name);
  if (m == nullptr) return otherwise;
  if (m->IsInt()) return m->GetInt();
  int n = 0;
  if (m->IsString() && absl::SimpleAtoi(m->GetString(), &n)) return n;
  return otherwise;
}
// The strings of an array member (or of {"items": [{key: ...}]} in CloudTrail's shape).
std::vector<std::string> Strings(const Json& v, const char* name, const char* item_key = nullptr) {
  std::vector<std::string> out;
  const Json* m = JsonMember(v, name);
  if (m == nullptr) return out;
  if (m->IsObject()) m = JsonMember(*m, "items");  // CloudTrail: {"items": [...]}
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

// A member spelt `Name` (the AWS CLI's and the SDK's) or `name` (CloudTrail's).
const Json* AnyCase(const Json& v, std::string name) {
  if (const Json* m = JsonMember(v, name.c_str())) return m;
  name[0] = absl::ascii_tolower(static_cast<unsigned char>(name[0]));
  return JsonMember(v, name.c_str());
}
std::string AnyCaseString(const Json& v, const char* name) {
  const Json* m = AnyCase(v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}
int AnyCaseInt(const Json& v, const char* name) {
  const Json* m = AnyCase(v, name);
  if (m != nullptr && m->IsInt()) return m->GetInt();
  int n = -1;
  if (m != nullptr && m->IsString() && absl::SimpleAtoi(m->GetString(), &n)) return n;
  return -1;
}

// One rule as AWS writes a rule with an id (describe-security-group-rules,
// CloudTrail's securityGroupRuleSet, ModifySecurityGroupRules): one source
// among CidrIpv4, CidrIpv6, ReferencedGroupInfo.GroupId / ReferencedGroupId,
// PrefixListId. False if it names none.
bool ReadIdentifiedRule(const Json& r, const std::string& group, bool ingress,
                        SecurityGroupRule* out) {
  std::vector<std::string> sources;
  for (const char* key : {"CidrIpv4", "CidrIpv6", "ReferencedGroupId", "PrefixListId"}) {
    if (std::string s = AnyCaseString(r, key); !s.empty()) sources.push_back(s);
  }
  if (const Json* ref = AnyCase(r, "ReferencedGroupInfo"); ref != nullptr) {
    if (std::string s = AnyCaseString(*ref, "GroupId"); !s.empty()) sources.push_back(s);
  }
  std::vector<SecurityGroupRule> rules;
  AddRules(group, ingress, AnyCaseString(r, "IpProtocol"), AnyCaseInt(r, "FromPort"),
           AnyCaseInt(r, "ToPort"), sources, &rules);
  if (rules.empty()) return false;
  *out = rules.front();
  return true;
}

// The items of a CloudTrail list ({"items": [...]}) or of a plain array; an
// object alone is a list of one (ModifySecurityGroupRules with one rule).
std::vector<const Json*> Items(const Json* v) {
  std::vector<const Json*> out;
  if (v == nullptr) return out;
  if (v->IsObject() && JsonMember(*v, "items") != nullptr) v = JsonMember(*v, "items");
  if (v->IsArray()) {
    for (const Json& e : v->GetArray()) out.push_back(&e);
  } else if (v->IsObject()) {
    out.push_back(v);
  }
  return out;
}

// The id of the one rule a rule resource added (rules[before]), if it has one.
void NameRule(const std::string& id, const std::vector<SecurityGroupRule>& rules, size_t before,
              SecurityGroups* out) {
  if (!id.empty() && rules.size() == before + 1) out->rule_ids[id] = rules.back();
}

// ModifySecurityGroupRules (the console's edit of a rule in place):
// {"ModifySecurityGroupRulesRequest": {"GroupId": ..., "SecurityGroupRule":
// [{"SecurityGroupRuleId": ..., "SecurityGroupRule": {IpProtocol, FromPort,
// ToPort, CidrIpv4 | CidrIpv6 | ReferencedGroupId | PrefixListId}}]}}.
bool ReadModifyRules(const Json& request, SecurityGroupChange* out) {
  const Json* body = AnyCase(request, "ModifySecurityGroupRulesRequest");
  if (body == nullptr) body = &request;
  out->kind = SecurityGroupChange::kModifyRules;
  out->group_id = AnyCaseString(*body, "GroupId");
  out->rules.clear();
  out->removed_ids.clear();
  out->rules_by_id.clear();
  for (const Json* item : Items(AnyCase(*body, "SecurityGroupRule"))) {
    const std::string id = AnyCaseString(*item, "SecurityGroupRuleId");
    const Json* rule = AnyCase(*item, "SecurityGroupRule");
    SecurityGroupRule parsed;
    // The direction is the old rule's: the comparison takes it from there.
    if (!id.empty() && rule != nullptr && ReadIdentifiedRule(*rule, out->group_id, true, &parsed)) {
      out->rules_by_id.emplace_back(id, parsed);
    }
  }
  return !out->group_id.empty() && !out->rules_by_id.empty();
}

// Adds the security groups and rules of one resource of a Terraform state to
// `out` (its groups and rule ids) and `rules`.
void ReadTerraformResource(const Json& res, SecurityGroups* out,
                           std::vector<SecurityGroupRule>* rules) {
  const std::string type = String(res, "type");
  if (String(res, "mode") == "data") return;
  const Json* instances = JsonMember(res, "instances");
  if (instances == nullptr || !instances->IsArray()) return;
  for (const Json& inst : instances->GetArray()) {
    const Json* a = JsonMember(inst, "attributes");
    if (a == nullptr || !a->IsObject()) continue;
    if (type == "aws_security_group" || type == "aws_default_security_group") {
      const std::string id = String(*a, "id");
      if (id.empty()) continue;
      out->groups[id] = String(*a, "name");
      for (const char* direction : {"ingress", "egress"}) {
        const Json* list = JsonMember(*a, direction);
        if (list == nullptr || !list->IsArray()) continue;
        for (const Json& p : list->GetArray()) {
          std::vector<std::string> sources = Strings(p, "cidr_blocks");
          for (auto& s : Strings(p, "ipv6_cidr_blocks")) sources.push_back(std::move(s));
          for (auto& s : Strings(p, "security_groups")) sources.push_back(std::move(s));
          for (auto& s : Strings(p, "prefix_list_ids")) sources.push_back(std::move(s));
          const Json* self = JsonMember(p, "self");
          if (self != nullptr && self->IsTrue()) sources.push_back(id);
          AddRules(id, std::string_view(direction) == "ingress", String(p, "protocol"),
                   Int(p, "from_port", -1), Int(p, "to_port", -1), sources, rules);
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
      const Json* self = JsonMember(*a, "self");
      if (self != nullptr && self->IsTrue()) sources.push_back(group);
      const size_t before = rules->size();
      AddRules(group, String(*a, "type") != "egress", String(*a, "protocol"),
               Int(*a, "from_port", -1), Int(*a, "to_port", -1), sources, rules);
      NameRule(String(*a, "security_group_rule_id"), *rules, before, out);
    } else if (type == "aws_vpc_security_group_ingress_rule" ||
               type == "aws_vpc_security_group_egress_rule") {
      std::vector<std::string> sources;
      for (const char* key :
           {"cidr_ipv4", "cidr_ipv6", "referenced_security_group_id", "prefix_list_id"}) {
        if (std::string s = String(*a, key); !s.empty()) sources.push_back(s);
      }
      const size_t before = rules->size();
      AddRules(String(*a, "security_group_id"), type == "aws_vpc_security_group_ingress_rule",
               String(*a, "ip_protocol"), Int(*a, "from_port", -1), Int(*a, "to_port", -1), sources,
               rules);
      NameRule(String(*a, "security_group_rule_id"), *rules, before, out);
    }
  }
}

// One element of `aws ec2 describe-security-groups` output: a group with its
// permissions.
void ReadDescribedGroup(const Json& g, SecurityGroups* out, std::vector<SecurityGroupRule>* rules) {
  const std::string id = String(g, "GroupId");
  if (id.empty()) return;
  out->groups[id] = String(g, "GroupName");
  for (auto [key, ingress] : {std::pair{"IpPermissions", true}, {"IpPermissionsEgress", false}}) {
    const Json* list = JsonMember(g, key);
    if (list == nullptr || !list->IsArray()) continue;
    for (const Json& p : list->GetArray()) {
      AddRules(id, ingress, String(p, "IpProtocol"), Int(p, "FromPort", -1), Int(p, "ToPort", -1),
               PermissionSources(p, false), rules);
    }
  }
}

// One element of `aws ec2 describe-security-group-rules` output: a rule with
// its id.
void ReadDescribedRule(const Json& r, SecurityGroups* out, std::vector<SecurityGroupRule>* rules) {
  const std::string group = String(r, "GroupId");
  if (group.empty()) return;
  out->groups.emplace(group, "");
  const Json* egress = JsonMember(r, "IsEgress");
  SecurityGroupRule rule;
  if (!ReadIdentifiedRule(r, group, !(egress != nullptr && egress->IsTrue()), &rule)) return;
  rules->push_back(rule);
  if (std::string id = String(r, "SecurityGroupRuleId"); !id.empty()) out->rule_ids[id] = rule;
}

// Reads one element of a document's top array into `out` (its groups and rule
// ids) and `rules`.
using ReadGroupsItem = void (*)(const Json& item, SecurityGroups* out,
                                std::vector<SecurityGroupRule>* rules);

// The security groups and rules of the JSON object `text`: every element of
// its array under `key`, read by `read`. INVALID_ARGUMENT saying the text is
// not `what`.
absl::StatusOr<SecurityGroups> ReadSecurityGroups(std::string_view text, const char* key,
                                                  const char* what, ReadGroupsItem read) {
  std::string buffer;
  rapidjson::Document doc;
  if (!ParseCopy(text, &buffer, &doc)) {
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object (expected ", what, ")"));
  }
  const Json* array = JsonMember(doc, key);
  if (array == nullptr || !array->IsArray()) {
    return absl::InvalidArgumentError(absl::StrCat("no \"", key, "\" array: not ", what));
  }
  SecurityGroups out;
  std::vector<SecurityGroupRule> rules;
  for (const Json& item : array->GetArray()) read(item, &out, &rules);
  out.rules.insert(rules.begin(), rules.end());
  return out;
}

}  // namespace

std::string SecurityGroupRule::Ports() const {
  if (from_port < 0 && to_port < 0) return "all";
  return from_port == to_port ? absl::StrCat(from_port) : absl::StrCat(from_port, "-", to_port);
}

std::string SecurityGroupRule::Text() const {
  return absl::StrCat(group_id, ingress ? " ingress " : " egress ", protocol, " ", Ports(),
                      ingress ? " from " : " to ", source);
}

bool SecurityGroupRule::OpenToTheInternet() const {
  return ingress && (source == "0.0.0.0/0" || source == "::/0");
}

std::string_view SecurityGroupRule::SourceKind() const {
  if (absl::StartsWith(source, "sg-")) return "sg";
  if (absl::StartsWith(source, "pl-")) return "prefix_list";
  if (source.find(':') != std::string::npos) return "ipv6";
  return "cidr";
}

absl::StatusOr<TerraformRules> ParseTerraformState(std::string_view json) {
  return ReadSecurityGroups(json, "resources",
                            "a Terraform state (version 4; `terraform state pull`)",
                            ReadTerraformResource);
}

absl::StatusOr<LiveRules> ParseDescribeSecurityGroups(std::string_view json) {
  if (json.find("\"SecurityGroups\"") == std::string_view::npos &&
      json.find("\"SecurityGroupRules\"") != std::string_view::npos) {
    return ReadSecurityGroups(json, "SecurityGroupRules",
                              "`aws ec2 describe-security-group-rules` output", ReadDescribedRule);
  }
  return ReadSecurityGroups(json, "SecurityGroups", "`aws ec2 describe-security-groups` output",
                            ReadDescribedGroup);
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
  if (JsonMember(doc, "errorCode") != nullptr) return false;  // the call failed: nothing changed
  const std::string name = String(doc, "eventName");
  const Json* request = JsonMember(doc, "requestParameters");
  if (request == nullptr || !request->IsObject()) return false;
  out->event_name = name;
  const Json* identity = JsonMember(doc, "userIdentity");
  out->actor = identity != nullptr ? String(*identity, "arn") : "";
  out->group_id = String(*request, "groupId");
  out->rules.clear();
  if (name == "CreateSecurityGroup") {
    const Json* response = JsonMember(doc, "responseElements");
    if (response != nullptr) out->group_id = String(*response, "groupId");
    out->group_name = String(*request, "groupName");
    out->kind = SecurityGroupChange::kCreateGroup;
    return !out->group_id.empty();
  }
  if (name == "DeleteSecurityGroup") {
    out->kind = SecurityGroupChange::kDeleteGroup;
    return !out->group_id.empty();
  }
  if (name == "ModifySecurityGroupRules") return ReadModifyRules(*request, out);
  const bool ingress =
      name == "AuthorizeSecurityGroupIngress" || name == "RevokeSecurityGroupIngress";
  const bool egress = name == "AuthorizeSecurityGroupEgress" || name == "RevokeSecurityGroupEgress";
  if (!ingress && !egress) return false;
  out->kind = name.rfind("Authorize", 0) == 0 ? SecurityGroupChange::kAddRules
                                              : SecurityGroupChange::kRemoveRules;
  if (out->group_id.empty()) return false;
  for (const Json* p : Items(JsonMember(*request, "ipPermissions"))) {
    AddRules(out->group_id, ingress, String(*p, "ipProtocol"), Int(*p, "fromPort", -1),
             Int(*p, "toPort", -1), PermissionSources(*p, true), &out->rules);
  }
  out->removed_ids.clear();
  out->rules_by_id.clear();
  if (out->kind == SecurityGroupChange::kRemoveRules) {
    // The console revokes by rule id.
    out->removed_ids = Strings(*request, "securityGroupRuleIds", "securityGroupRuleId");
  } else if (const Json* response = JsonMember(doc, "responseElements"); response != nullptr) {
    // The ids AWS gave the new rules, for later revokes and modifies by id.
    for (const Json* r : Items(JsonMember(*response, "securityGroupRuleSet"))) {
      SecurityGroupRule rule;
      const std::string id = String(*r, "securityGroupRuleId");
      if (!id.empty() && ReadIdentifiedRule(*r, out->group_id, ingress, &rule)) {
        out->rules_by_id.emplace_back(id, rule);
      }
    }
  }
  return !out->rules.empty() || !out->removed_ids.empty();
}

absl::Status ReadCloudTrailDocument(std::string_view text, std::vector<SecurityGroupChange>* out) {
  std::string buffer;
  rapidjson::Document doc;
  std::vector<std::string> events;  // each event's JSON
  const std::string_view start =
      internal::Sv(absl::StripLeadingAsciiWhitespace(internal::Av(text)));
  const bool one_document =
      ParseCopy(text, &buffer, &doc) &&
      (JsonMember(doc, "Records") != nullptr || JsonMember(doc, "Events") != nullptr);
  if (one_document) {
    if (const Json* records = JsonMember(doc, "Records"); records != nullptr) {
      if (!records->IsArray()) return absl::InvalidArgumentError("\"Records\" is not an array");
      for (const Json& r : records->GetArray()) {
        rapidjson::StringBuffer json;
        rapidjson::Writer<rapidjson::StringBuffer> writer(json);
        r.Accept(writer);
        events.emplace_back(json.GetString(), json.GetSize());
      }
    } else {
      const Json* list = JsonMember(doc, "Events");  // lookup-events: the event as a JSON string
      if (!list->IsArray()) return absl::InvalidArgumentError("\"Events\" is not an array");
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const Json* e = JsonMember((*list)[i], "CloudTrailEvent");
        if (e == nullptr || !e->IsString()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Events[", i, "].CloudTrailEvent: missing or not a string"));
        }
        events.emplace_back(e->GetString(), e->GetStringLength());
      }
    }
  } else if (!start.empty() && start.front() == '{') {
    for (absl::string_view line : absl::StrSplit(internal::Av(text), '\n')) {
      if (!absl::StripAsciiWhitespace(line).empty()) events.emplace_back(line);
    }
  } else if (!start.empty()) {
    return absl::InvalidArgumentError(
        "not CloudTrail events (a {\"Records\": [...]} log file, `aws cloudtrail lookup-events` "
        "output or one JSON event per line)");
  }
  for (size_t i = 0; i < events.size(); ++i) {
    SecurityGroupChange c;
    if (!ReadCloudTrailChange(events[i], &c)) continue;
    std::string event_buffer;
    rapidjson::Document event;
    int64_t t = 0;
    if (ParseCopy(events[i], &event_buffer, &event) &&
        ParseTimestamp(String(event, "eventTime"), &t)) {
      c.time_ns = t;
    }
    c.line_no = i + 1;
    c.text = events[i];
    out->push_back(std::move(c));
  }
  return absl::OkStatus();
}

}  // namespace logweave

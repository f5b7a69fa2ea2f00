#include "plugins/rotation/rotation_signals.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "internal/strings.h"
#include "plugins/common.h"
#include "plugins/json_fields.h"
#include "plugins/json_member.h"
#include "rapidjson/document.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace logweave {

using internal::JsonMember;

namespace {

using Json = rapidjson::Value;

constexpr std::string_view kSecretsManager = "secretsmanager.amazonaws.com";

// An authentication failure as a database or its client library writes it.
struct AuthPattern {
  std::string_view what;  // who says so
  std::string_view pattern;
};
constexpr AuthPattern kAuthPatterns[] = {
    // PostgreSQL, and every driver that passes its message on (libpq, psycopg,
    // JDBC, pgx, Npgsql); SQLSTATE 28P01 is invalid_password.
    // (A driver's own error first: the lowest matching pattern names the failure.)
    {"asyncpg", R"(\bInvalidPasswordError\b)"},
    {"postgres", R"((?i)password authentication failed)"},
    {"postgres", R"(\b28P01\b)"},
    // MySQL / MariaDB: ERROR 1045 (28000): Access denied for user 'u'@'host'.
    {"mysql", R"((?i)access denied for user\s*\\?['"`])"},
    {"mysql", R"(\b1045 \(28000\))"},
    // SQL Server: Login failed for user 'u'. (error 18456).
    {"sqlserver", R"((?i)login failed for user\s*\\?['"])"},
    {"sqlserver", R"((?i)\b(?:error|msg|number)\W{0,3}18456\b)"},
    // MongoDB: the server's log, and the drivers' errors (code 18).
    {"mongodb", R"(\bAuthenticationFailed\b)"},
    {"mongodb", R"((?i)\bSCRAM\S*\s+authentication failed)"},
    {"mongodb",
     R"((?:Mongo\w*(?:Error|Exception)|OperationFailure)\b.{0,200}?Authentication failed)"},
    {"mongodb", R"("msg"\s*:\s*"Authentication failed)"},
    // Redis 6+ ACL and Oracle.
    {"redis", R"(\bWRONGPASS\b)"},
    {"oracle", R"(\bORA-01017\b)"},
};

// What a deep health check's error says when it is about credentials.
constexpr std::string_view kAuthWords =
    R"((?i)auth\w*\s+fail|fail\w*\s+to\s+auth|password|access denied|login failed|credential|unauthori[sz]ed|not authorized)";
// A request line in plain text: "GET /healthz/db HTTP/1.1" 503, GET /healthz 200.
constexpr std::string_view kRequestLine =
    R"(\b(?:GET|HEAD|POST)\s+(/[^\s?"]*)\S*(?:\s+HTTP/\d(?:\.\d)?)?"?\s+(\d{3})\b)";
// The database user a failure names: for user "orders", for user 'app'@'%'.
constexpr std::string_view kUser = R"((?i)for user\s*\\?['"`]?([^'"`\\\s@;,()]+))";

constexpr std::string_view kPathKeys[] = {"path",         "url",          "uri",      "request_uri",
                                          "http.path",    "http.target",  "http.url", "url.path",
                                          "url.original", "request.path", "req.url",  "request",
                                          "http.request"};

constexpr std::string_view kRotationEvents[] = {"RotateSecret", "PutSecretValue", "UpdateSecret",
                                                "UpdateSecretVersionStage"};

std::string String(const Json* v, const char* name) {
  const Json* m = v == nullptr ? nullptr : JsonMember(*v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}

// "/healthz/db?verbose=1" -> "/healthz/db"; "GET /x HTTP/1.1" -> "/x"; a full URL -> its path.
std::string_view PathOf(std::string_view value) {
  const size_t space = value.find(' ');
  if (space != std::string_view::npos && !value.empty() && absl::ascii_isupper(value[0])) {
    value.remove_prefix(space + 1);  // a request line: the method first
    value = value.substr(0, value.find(' '));
  }
  if (const size_t scheme = value.find("://"); scheme != std::string_view::npos) {
    const size_t slash = value.find('/', scheme + 3);
    value = slash == std::string_view::npos ? std::string_view("/") : value.substr(slash);
  }
  return value.substr(0, value.find_first_of("?#"));
}

// The picker's slots: the path and status keys, each the configured ones
// then the built-in ones.
std::vector<std::vector<std::string>> HealthSlots(const RotationOptions& options) {
  return {internal::ConfiguredThenBuiltin(options.path_fields, kPathKeys),
          internal::ConfiguredThenBuiltin(options.status_fields, internal::kHttpStatusKeys)};
}

}  // namespace

std::string SecretName(std::string_view id) {
  if (!absl::StartsWith(internal::Av(id), "arn:")) return std::string(id);
  const size_t cut = id.find(":secret:");
  if (cut != std::string_view::npos) id.remove_prefix(cut + 8);
  // A full ARN ends in "-" and 6 random letters or digits.
  if (id.size() > 7 && id[id.size() - 7] == '-' &&
      std::all_of(id.end() - 6, id.end(), [](char c) { return absl::ascii_isalnum(c); })) {
    id.remove_suffix(7);
  }
  return std::string(id);
}

// The compiled patterns of a reader. Immutable after construction.
struct RotationSignalReader::Patterns {
  explicit Patterns(const RotationOptions& options);
  RE2::Set auth;
  std::vector<std::string> names;  // per pattern of `auth`
  const RE2 auth_words{kAuthWords}, request_line{kRequestLine}, user{kUser};
};

RotationSignalReader::Patterns::Patterns(const RotationOptions& options)
    : auth(RE2::Options(), RE2::UNANCHORED) {
  for (const AuthPattern& p : kAuthPatterns) {
    auth.Add(p.pattern, nullptr);
    names.emplace_back(p.what);
  }
  for (const std::string& p : options.extra_patterns) {
    // Validate() checked that each compiles.
    if (auth.Add(p, nullptr) >= 0) names.emplace_back("pattern");
  }
  auth.Compile();
}

RotationSignalReader::RotationSignalReader(const RotationOptions& options)
    : options_(options),
      patterns_(std::make_shared<const Patterns>(options)),
      picker_(HealthSlots(options)) {}

bool RotationSignalReader::Read(std::string_view text, bool json, RotationSignal* out) const {
  if (json && text.find(kSecretsManager) != std::string_view::npos) {
    // A Secrets Manager event is never a service's own failure.
    return ReadCloudTrail(text, out);
  }
  if (ReadHealth(text, json, out)) return true;
  std::string what = MatchAuthFailure(text);
  if (what.empty()) return false;
  out->kind = RotationSignal::kAuthFailure;
  out->what = std::move(what);
  out->user.clear();
  RE2::PartialMatch(text, patterns_->user, &out->user);
  return true;
}

std::string RotationSignalReader::MatchAuthFailure(std::string_view text) const {
  std::vector<int> matched;
  if (!patterns_->auth.Match(text, &matched) || matched.empty()) return "";
  return patterns_->names[*std::min_element(matched.begin(), matched.end())];
}

bool RotationSignalReader::ReadCloudTrail(std::string_view json, RotationSignal* out) const {
  std::string buffer(json);
  rapidjson::Document doc;
  // In situ, iterative: see json_fields.cc.
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(buffer.data());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const Json* event = &doc;
  // EventBridge delivers the CloudTrail record under "detail".
  if (const Json* detail = JsonMember(doc, "detail"); detail != nullptr && detail->IsObject()) {
    event = detail;
  }
  if (String(event, "eventSource") != kSecretsManager) return false;
  const std::string name = String(event, "eventName");
  if (std::find(std::begin(kRotationEvents), std::end(kRotationEvents), name) ==
      std::end(kRotationEvents)) {
    return false;
  }
  const Json* request = JsonMember(*event, "requestParameters");
  const Json* response = JsonMember(*event, "responseElements");
  // Moving a label other than AWSCURRENT changes nothing clients read.
  if (name == "UpdateSecretVersionStage") {
    const std::string stage = String(request, "versionStage");
    if (!stage.empty() && stage != "AWSCURRENT") return false;
  }
  std::string secret = String(response, "name");
  if (secret.empty()) secret = String(response, "arn");
  if (secret.empty()) secret = String(request, "secretId");
  if (secret.empty()) return false;
  const Json* error = JsonMember(*event, "errorCode");
  const bool failed =
      error != nullptr && !error->IsNull() && !(error->IsString() && error->GetStringLength() == 0);
  out->kind = failed ? RotationSignal::kFailedRotation : RotationSignal::kRotation;
  out->secret = SecretName(secret);
  out->event = name;
  return true;
}

bool RotationSignalReader::ReadHealth(std::string_view text, bool json, RotationSignal* out) const {
  auto mentions = [&](const std::vector<std::string>& paths) {
    return std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
      return text.find(p) != std::string_view::npos;
    });
  };
  // Every shallow path the defaults name is a prefix of the deep one, so one look suffices.
  if (!mentions(options_.shallow_health_paths) && !mentions(options_.deep_health_paths)) {
    return false;
  }
  std::string path;
  int status = 0;
  if (json) {
    const auto found = picker_.Pick(text);
    if (!found[0].empty()) path = std::string(PathOf(found[0][0].text));
    for (const auto& m : found[1]) {
      if (absl::SimpleAtoi(m.text, &status) && status >= 100 && status <= 599) break;
      status = 0;
    }
  } else {
    std::string code;
    if (RE2::PartialMatch(text, patterns_->request_line, &path, &code)) {
      (void)absl::SimpleAtoi(code, &status);
    }
  }
  if (path.empty() || status < 100 || status > 599) return false;
  if (internal::Listed(options_.deep_health_paths, path)) {
    if (status >= 200 && status < 300) {
      out->kind = RotationSignal::kDeepHealthOk;
      return true;
    }
    if (status < 500) return false;
    std::string what = MatchAuthFailure(text);
    if (what.empty() && !RE2::PartialMatch(text, patterns_->auth_words)) {
      return false;  // failing, but not on credentials (a timeout, connection refused)
    }
    out->kind = RotationSignal::kAuthFailure;
    out->what = "deep_health";
    out->user.clear();
    RE2::PartialMatch(text, patterns_->user, &out->user);
    return true;
  }
  if (internal::Listed(options_.shallow_health_paths, path)) {
    out->kind = RotationSignal::kShallowHealth;
    out->ok = status >= 200 && status < 300;
    return true;
  }
  return false;
}

}  // namespace logweave

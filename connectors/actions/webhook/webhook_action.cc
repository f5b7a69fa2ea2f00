#include "connectors/actions/webhook/webhook_action.h"

#include <httplib.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace logweave::actions {
namespace {

std::string PercentEncode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool IsTimeout(httplib::Error error) { return error == httplib::Error::ConnectionTimeout; }

// One entry of an action's `headers:` map into options->headers.
absl::Status ReadWebhookHeader(const ConfigSection& headers, const std::string& name,
                               WebhookOptions* options) {
  const YAML::Node& value = headers.node()[name];
  if (!value.IsScalar()) return headers.Error(name, "must be a single value");
  // Placeholders are checked on the text as written, so that an error
  // never shows a secret read from the environment.
  std::string written = value.Scalar();
  for (size_t at; (at = written.find("${")) != std::string::npos;) {
    const size_t end = written.find('}', at);
    written.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
  }
  if (absl::StatusOr<Template> t = Template::Parse(written); !t.ok()) {
    return headers.Error(name, std::string(t.status().message()));
  }
  absl::StatusOr<std::string> text = ExpandEnvironment(value.Scalar());
  if (!text.ok()) return headers.Error(name, std::string(text.status().message()));
  absl::StatusOr<Template> t = Template::Parse(*text);
  if (!t.ok()) return headers.Error(name, "has a brace that is not a placeholder");
  options->headers.emplace_back(name, std::move(*t));
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseWebhookUrl(const std::string& url, WebhookOptions* out) {
  const size_t scheme_end = url.find("://");
  const std::string scheme =
      scheme_end == std::string::npos ? "" : absl::AsciiStrToLower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat(
        "must be an http:// or https:// URL, e.g. https://hooks.example.com/incident (got \"", url,
        "\")"));
  }
  const size_t host_start = scheme_end + 3;
  const size_t path_start = url.find_first_of("/?", host_start);
  const std::string host_port = url.substr(
      host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (host_port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("has no host (got \"", url, "\")"));
  }
  if (host_port.find_first_of("{}@") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "may have placeholders only in its path, and no user:password@ (got \"", url, "\")"));
  }
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (path.front() == '?') path.insert(0, "/");
  absl::StatusOr<Template> t = Template::Parse(path);
  if (!t.ok()) return t.status();
  out->url = url;
  out->scheme_host_port = absl::StrCat(scheme, "://", host_port);
  out->path = std::move(*t);
  return absl::OkStatus();
}

std::string WebhookAction::Describe(const Finding& finding) const {
  return absl::StrCat("POST ", options_.scheme_host_port,
                      options_.path.Expand(finding, PercentEncode));
}

ActionResult WebhookAction::Run(const Finding& finding, const std::string& json,
                                absl::Duration timeout) {
  ActionResult result;
  const std::string path = options_.path.Expand(finding, PercentEncode);
  httplib::Headers headers;
  for (const auto& [name, value] : options_.headers) headers.emplace(name, value.Expand(finding));
  const int64_t timeout_us = std::max<int64_t>(1, absl::ToInt64Microseconds(timeout));
  absl::Duration backoff = options_.backoff;
  absl::Notification never;  // sleeps between attempts without a busy loop
  for (uint32_t attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) {
      never.WaitForNotificationWithTimeout(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(30));
    }
    httplib::Client client(options_.scheme_host_port);
    client.enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) client.set_ca_cert_path(options_.ca_file);
    client.set_connection_timeout(timeout_us / 1000000, timeout_us % 1000000);
    client.set_read_timeout(timeout_us / 1000000, timeout_us % 1000000);
    client.set_write_timeout(timeout_us / 1000000, timeout_us % 1000000);
    ++result.attempts;
    httplib::Result res = client.Post(path, headers, json, "application/json");
    if (!res) {
      const httplib::Error error = res.error();
      result.http_status = 0;
      result.outcome = IsTimeout(error) ? ActionOutcome::kTimeout : ActionOutcome::kFailed;
      result.error =
          absl::StrCat("POST ", options_.scheme_host_port, path, ": ", httplib::to_string(error));
      continue;  // a connection error: retried
    }
    result.http_status = res->status;
    result.output = res->body.substr(0, kMaxBodyBytes);
    result.output_truncated = res->body.size() > kMaxBodyBytes;
    if (res->status >= 200 && res->status < 300) {
      result.outcome = ActionOutcome::kOk;
      result.error.clear();
      return result;
    }
    result.outcome = ActionOutcome::kFailed;
    result.error = absl::StrCat("POST ", options_.scheme_host_port, path, ": HTTP ", res->status);
    if (res->status < 500) return result;  // the request is wrong; sending it again will not help
  }
  return result;
}

absl::StatusOr<std::unique_ptr<Action>> ReadWebhookAction(const ConfigSection& entry,
                                                          const ActionContext&) {
  WebhookOptions options;
  std::string url;
  ConfigReader r(entry);
  r.Word("webhook", &url);
  r.Uint("retries", 10, &options.retries);
  r.Path("ca_file", &options.ca_file);
  if (!r.status().ok()) return r.status();
  if (absl::Status s = ParseWebhookUrl(url, &options); !s.ok()) {
    return entry.Error("webhook", std::string(s.message()));
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return entry.Error("ca_file", absl::StrCat("cannot be read: ", options.ca_file));
  }
  if (absl::Status s = entry.ForEachInMap(
          "headers",
          "must be a map of header names to values, e.g. {Authorization: \"Bearer "
          "${PAGER_TOKEN}\"}",
          [&options](const ConfigSection& headers, const std::string& name) {
            return ReadWebhookHeader(headers, name, &options);
          });
      !s.ok()) {
    return s;
  }
  return std::make_unique<WebhookAction>(std::move(options));
}

}  // namespace logweave::actions

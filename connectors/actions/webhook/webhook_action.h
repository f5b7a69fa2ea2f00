// webhook: POSTs a finding as JSON (docs/output.md's shape) to an http or
// https URL through cpp-httplib, certificates verified against the system's
// CA store; retries on 5xx answers and connection errors with exponential
// backoff.
//
//   - name: page
//     on: [drift]
//     webhook: https://hooks.example.com/incident
//     headers: {Authorization: "Bearer ${PAGER_TOKEN}"}   # ${VAR}: environment, read at start
//     retries: 3
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_WEBHOOK_WEBHOOK_ACTION_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_WEBHOOK_WEBHOOK_ACTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "connectors/actions/action.h"
#include "connectors/actions/action_registry.h"
#include "connectors/actions/template.h"

namespace logweave::actions {

struct WebhookOptions {
  std::string url;               // as configured, for the record
  std::string scheme_host_port;  // "https://hooks.example.com:443"
  Template path;                 // "/incident/{service}"; values percent-encoded
  std::vector<std::pair<std::string, Template>> headers;  // ${VAR}s already read
  uint32_t retries = 2;  // further attempts after a 5xx or a connection error
  absl::Duration backoff =
      absl::Milliseconds(500);  // before the first retry; doubles, at most 30 s
  std::string ca_file;          // a CA bundle instead of the system's ("": system)
};

// Thread-compatible (the dispatcher's worker runs it).
class WebhookAction final : public Action {
 public:
  static constexpr size_t kMaxBodyBytes = 64 << 10;

  explicit WebhookAction(WebhookOptions options) : options_(std::move(options)) {}

  std::string Describe(const Finding& finding) const override;
  ActionResult Run(const Finding& finding, const std::string& json,
                   absl::Duration timeout) override;

 private:
  const WebhookOptions options_;
};

// Splits an http(s) URL into WebhookOptions' scheme_host_port and path.
// INVALID_ARGUMENT for another scheme, no host, or a placeholder before the path.
absl::Status ParseWebhookUrl(const std::string& url, WebhookOptions* out);

// The kind's reader (action_registry.cc): webhook (the URL), headers, retries.
absl::StatusOr<std::unique_ptr<Action>> ReadWebhookAction(const ConfigSection& entry,
                                                          const ActionContext& context);

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_WEBHOOK_WEBHOOK_ACTION_H_

#include "tools/logweave/serve_http.h"

#include "absl/strings/str_cat.h"
#include "connectors/http/health_routes.h"
#include "connectors/otlp/otlp_http.h"
#include "connectors/web/web_pages.h"
#include "logweave/log.h"

namespace logweave::cli {

absl::StatusOr<std::unique_ptr<HttpListener>> StartServeHttp(
    const std::string& address, const ServerSecurityOptions& security, const TokenStore* tokens,
    ServeMetrics& metrics, Readiness& readiness, const WebApiOptions& web,
    otlp::OtlpReceiver* otlp) {
  HttpListenerOptions options;
  options.address = address;
  options.security = security;
  options.tokens = tokens;
  absl::StatusOr<std::unique_ptr<HttpListener>> listener = HttpListener::Create(options);
  if (!listener.ok()) return listener.status();
  metrics.AddRoute(**listener);
  AddHealthRoutes(**listener, readiness);
  AddWebApiRoutes(**listener, web);
  AddWebPages(**listener);
  if (otlp != nullptr) otlp::AddOtlpHttpRoutes(**listener, *otlp);
  (*listener)->Start();
  Log(LogLevel::kInfo,
      absl::StrCat((*listener)->tls() ? "HTTPS" : "HTTP", " on ", (*listener)->address(),
                   ": /metrics /healthz /readyz, the web page on / (/search, /trace/<id>, /rules, "
                   "/api/...)",
                   otlp != nullptr ? ", /v1/logs (OTLP)" : ""),
      {{"http_address", (*listener)->address()}});
  return listener;
}

void AddKafkaReadiness(Readiness& readiness, KafkaSource* kafka) {
  readiness.AddProbe("kafka", [kafka]() -> std::string {
    const KafkaSourceStats stats = kafka->Stats();
    const std::string last_error =
        stats.last_error.empty() ? "" : absl::StrCat(" (last error: ", stats.last_error, ")");
    if (stats.rebalances == 0) {
      return absl::StrCat("kafka: the consumer has not joined its group yet", last_error);
    }
    if (stats.brokers_down) return absl::StrCat("kafka: every broker is down", last_error);
    return "";
  });
}

}  // namespace logweave::cli

#include "tools/logweave/serve_http.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "connectors/http/health_routes.h"

namespace logweave::cli {

absl::StatusOr<std::unique_ptr<HttpListener>> StartServeHttp(const std::string& address,
                                                             const ServerSecurityOptions& security,
                                                             const TokenStore* tokens,
                                                             ServeMetrics& metrics,
                                                             Readiness& readiness) {
  HttpListenerOptions options;
  options.address = address;
  options.security = security;
  options.tokens = tokens;
  absl::StatusOr<std::unique_ptr<HttpListener>> listener = HttpListener::Create(options);
  if (!listener.ok()) return listener.status();
  metrics.AddRoute(**listener);
  AddHealthRoutes(**listener, readiness);
  (*listener)->Start();
  std::fprintf(stderr, "logweave serve: %s on %s: /metrics /healthz /readyz\n",
               (*listener)->tls() ? "HTTPS" : "HTTP", (*listener)->address().c_str());
  return listener;
}

void AddKafkaReadiness(Readiness& readiness, KafkaSource* kafka) {
  readiness.AddProbe("kafka", [kafka]() -> std::string {
    const KafkaSourceStats stats = kafka->Stats();
    if (stats.rebalances > 0) return "";
    return absl::StrCat("kafka: the consumer has not joined its group yet",
                        stats.last_error.empty() ? "" : " (last error: ", stats.last_error,
                        stats.last_error.empty() ? "" : ")");
  });
}

}  // namespace logweave::cli

// `logweave serve --http-address HOST:PORT` (serve.http_address): the HTTP
// listener with /metrics, /healthz and /readyz (connectors/http), the web
// page and its /api (connectors/web), and the readiness that /readyz and
// grpc.health.v1 share.
#ifndef LOGWEAVE_TOOLS_SERVE_HTTP_H_
#define LOGWEAVE_TOOLS_SERVE_HTTP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "connectors/grpc/security/server_security.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/http/listener.h"
#include "connectors/http/metrics.h"
#include "connectors/http/readiness.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/otlp/otlp_receiver.h"
#include "connectors/web/web_api.h"

namespace logweave::cli {

// Listens on `address` with the gRPC listener's `security` and `tokens`
// (null: none; not owned) and serves `metrics` and `readiness` (not owned;
// they must outlive the listener), the web page with its API over `web`, and
// OTLP/HTTP's POST /v1/logs when `otlp` is not null (not owned; it must
// outlive the listener). Says on stderr where it listens. The status of
// HttpListener::Create (INVALID_ARGUMENT: bad address, TLS files or the bind
// rule; UNAVAILABLE: cannot bind).
absl::StatusOr<std::unique_ptr<HttpListener>> StartServeHttp(
    const std::string& address, const ServerSecurityOptions& security, const TokenStore* tokens,
    ServeMetrics& metrics, Readiness& readiness, const WebApiOptions& web,
    otlp::OtlpReceiver* otlp = nullptr);

// Holds `readiness` back until the consumer has joined its group and been
// assigned partitions (its reason names the latest consumer error, such as
// brokers that cannot be reached). `kafka` is not owned: Readiness::Shutdown
// before it goes.
void AddKafkaReadiness(Readiness& readiness, KafkaSource* kafka);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_SERVE_HTTP_H_

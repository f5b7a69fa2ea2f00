// OTLP/gRPC: opentelemetry.proto.collector.logs.v1.LogsService/Export on
// serve's gRPC listener (registered through ServerOptions::extra_services).
// Answers OK once the records are indexed (partial_success names those
// refused), UNAVAILABLE when the pipeline is full or slow (OTLP's retryable
// code: the exporter retries with backoff), RESOURCE_EXHAUSTED for a request
// larger than otlp.max_request_bytes, and with tokens on UNAUTHENTICATED /
// PERMISSION_DENIED without a token of scope ingest or admin.
//
//   OtlpLogsService otlp(&receiver, /*tokens_required=*/false);
//   server_options.extra_services.push_back(&otlp);
//   ... LogweaveServer::Start(server_options, runtime) ...
//   otlp.set_tokens(server->tokens());
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_GRPC_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_GRPC_H_

#include <atomic>

#include "connectors/grpc/security/token_store.h"
#include "connectors/otlp/otlp_receiver.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"

namespace logweave::otlp {

// Thread-safe (gRPC's sync threads call Export, which blocks until indexed).
// Owns nothing; `receiver` must outlive it, and it must outlive the server.
class OtlpLogsService final : public collector::LogsService::Service {
 public:
  // `tokens_required`: the server checks tokens; calls answer UNAVAILABLE
  // until set_tokens gives them.
  OtlpLogsService(OtlpReceiver* receiver, bool tokens_required)
      : receiver_(receiver), tokens_required_(tokens_required) {}

  // The tokens to check (the server's, once it loaded them); not owned.
  void set_tokens(const TokenStore* tokens) { tokens_.store(tokens); }

  grpc::Status Export(grpc::ServerContext* context,
                      const collector::ExportLogsServiceRequest* request,
                      collector::ExportLogsServiceResponse* response) override;

 private:
  OtlpReceiver* const receiver_;
  const bool tokens_required_;
  std::atomic<const TokenStore*> tokens_{nullptr};
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_GRPC_H_

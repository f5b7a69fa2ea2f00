// The gRPC server of `logweave serve`: the logweave.v1 query service over a
// Runtime, the standard health service and server reflection. It only
// queries: the runtime ingests and analyses.
//
//   auto server = LogweaveServer::Start({.address = "127.0.0.1:0"}, runtime.get()).value();
//   ... server->port() ...
//   server->SetReady(true);          // health: SERVING once the initial replay is indexed
//   server->Shutdown(absl::Seconds(5));
#ifndef LOGWEAVE_CONNECTORS_GRPC_SERVER_H_
#define LOGWEAVE_CONNECTORS_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/grpc/call_interceptor.h"
#include "connectors/grpc/query_service.h"
#include "connectors/grpc/security/server_security.h"
#include "connectors/grpc/security/token_store.h"
#include "grpcpp/server.h"
#include "logweave/runtime.h"

namespace logweave {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (see port()). Default 127.0.0.1:7070.
  std::string address = "127.0.0.1:7070";
  // TLS, tokens and the bind rule (refuses a non-loopback address with
  // neither TLS nor tokens unless allow_insecure).
  ServerSecurityOptions security = {};
  // A request larger than this is refused with RESOURCE_EXHAUSTED.
  int max_request_bytes = 1 << 20;
  // Calls open at once on one client connection (HTTP/2 streams); more wait.
  int max_streams_per_connection = 100;
  // The longest a search may run, whatever deadline its client set (or none):
  // then DEADLINE_EXCEEDED, and the server's threads go back to other calls.
  absl::Duration max_call_time = absl::Seconds(60);
  // Told about every call when it ends (metrics); not owned, must outlive
  // the server. Null: none.
  CallObserver* call_observer = nullptr;
  // More services on the same listener (OTLP's LogsService); not owned, must
  // outlive the server. They check tokens themselves.
  std::vector<grpc::Service*> extra_services = {};

  absl::Status Validate() const;
};

// Thread-safe. Owns the gRPC server; does not own the runtime, which must
// outlive it.
class LogweaveServer {
 public:
  // Binds and starts serving (health NOT_SERVING until SetReady(true)).
  // UNAVAILABLE if the address cannot be bound; INVALID_ARGUMENT for bad
  // options (the security settings included: files, the bind rule).
  static absl::StatusOr<std::unique_ptr<LogweaveServer>> Start(const ServerOptions& options,
                                                               Runtime* runtime);
  ~LogweaveServer();

  int port() const { return port_; }
  const std::string& address() const { return bound_address_; }

  // Health of the whole server and of logweave.v1.LogWeave.
  void SetReady(bool ready);

  // Stops accepting calls and lets running ones finish for up to `grace`;
  // open StreamFindings calls end once the runtime's findings are closed
  // (Runtime::Stop) or their client goes. Idempotent.
  void Shutdown(absl::Duration grace);

  QueryService& service() { return *service_; }
  // The tokens every call needs (serve.auth_tokens), for other listeners of
  // the same daemon to check the same ones; null when none are asked for.
  const TokenStore* tokens() const { return tokens_.get(); }
  // A channel to this server's services within the process (no socket, no
  // TLS): other listeners of the same daemon (the web API) call the query
  // service through it, with the caller's token as metadata. Thread-safe;
  // its calls fail once the server is shut down.
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  LogweaveServer(const ServerOptions& options, Runtime* runtime);

  const ServerOptions options_;
  std::unique_ptr<TokenStore> tokens_;  // null: no tokens asked for
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string bound_address_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SERVER_H_

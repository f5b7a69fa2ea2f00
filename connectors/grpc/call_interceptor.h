// Counts every call the gRPC server of `logweave serve` answers: a server
// interceptor that tells a CallObserver each call's method, status code and
// duration when the call ends (the metrics endpoint, connectors/http, turns
// them into logweave_grpc_requests_total and a latency histogram).
//
//   ServerOptions options{.call_observer = &metrics};  // before LogweaveServer::Start
#ifndef LOGWEAVE_CONNECTORS_GRPC_CALL_INTERCEPTOR_H_
#define LOGWEAVE_CONNECTORS_GRPC_CALL_INTERCEPTOR_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace logweave {

// Told about each call once it ended. Must be thread-safe: gRPC's threads
// call it, for any call at any time while the server runs.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // `method` is the full name ("/logweave.v1.LogWeave/GetStats"); `code` is
  // the status sent, CANCELLED for a call that ended without one (its client
  // went away); `duration` runs from the call's arrival to its end.
  virtual void OnCall(absl::string_view method, grpc::StatusCode code, absl::Duration duration) = 0;
};

// Makes the interceptor of each call; `observer` is not owned and must
// outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    CallObserver* observer);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_CALL_INTERCEPTOR_H_

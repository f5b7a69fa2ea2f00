// The gRPC server of `logweave serve`: the logweave.v1 query service, the
// standard health service and server reflection, and the analysis loop that
// runs the detectors on event time and publishes findings.
//
//   auto server = LogweaveServer::Start({.address = "127.0.0.1:0"}, pipeline.get()).value();
//   ... server->port() ...
//   server->SetReady(true);          // health: SERVING once the initial replay is indexed
//   server->Shutdown(absl::Seconds(5));
#ifndef LOGWEAVE_CONNECTORS_GRPC_SERVER_H_
#define LOGWEAVE_CONNECTORS_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "connectors/grpc/findings_hub.h"
#include "connectors/grpc/query_service.h"
#include "grpcpp/server.h"
#include "logweave/analyzer.h"
#include "logweave/pipeline.h"

namespace logweave {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (see port()). Default 127.0.0.1:7070.
  std::string address = "127.0.0.1:7070";
  // How often the detectors run over what was ingested (wall clock). Default 1 s.
  absl::Duration analysis_interval = absl::Seconds(1);
  // The detectors' settings.
  DetectorOptions detectors;
  // Nice value (0-19) of the analysis thread: above 0 queries come first.
  int analysis_nice = 0;

  absl::Status Validate() const;
};

// The wait before the next periodic analysis: `interval`, or twice the last
// run's duration when that is longer, so that on a large index the analysis
// takes at most a third of a core instead of running back to back.
absl::Duration NextAnalysisWait(absl::Duration interval, absl::Duration last_run);

// Thread-safe. Owns the gRPC server and the analysis thread; does not own the
// pipeline, which must outlive it.
class LogweaveServer {
 public:
  // Binds and starts serving (health NOT_SERVING until SetReady(true)).
  // UNAVAILABLE if the address cannot be bound; INVALID_ARGUMENT for bad options.
  static absl::StatusOr<std::unique_ptr<LogweaveServer>> Start(const ServerOptions& options,
                                                               Pipeline* pipeline);
  ~LogweaveServer();

  int port() const { return port_; }
  const std::string& address() const { return bound_address_; }

  // Health of the whole server and of logweave.v1.LogWeave.
  void SetReady(bool ready);

  // Runs the detectors now (watermark = the latest event time, or every
  // trace with `final`, which sticks for later runs), publishes their
  // changes and the new snapshot.
  void AnalyzeNow(bool final = false);

  // Stops accepting calls, lets running ones finish (streams are closed) for
  // up to `grace`, and stops the analysis loop. Idempotent.
  void Shutdown(absl::Duration grace);

  QueryService& service() { return *service_; }

 private:
  LogweaveServer(const ServerOptions& options, Pipeline* pipeline);
  void AnalysisLoop();

  const ServerOptions options_;
  Pipeline* pipeline_;
  FindingsHub hub_;
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string bound_address_;

  absl::Mutex analysis_mu_;  // one analysis at a time
  Analyzer analyzer_ ABSL_GUARDED_BY(analysis_mu_);
  bool final_ ABSL_GUARDED_BY(analysis_mu_) = false;  // AnalyzeNow(true) happened
  absl::Notification stop_;
  std::thread analysis_thread_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SERVER_H_

#include "connectors/grpc/server.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "logweave/thread_priority.h"

namespace logweave {

constexpr char kServiceName[] = "logweave.v1.LogWeave";

absl::Status ServerOptions::Validate() const {
  if (address.empty() || address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "serve.address must be host:port, e.g. 127.0.0.1:7070 (got \"", address, "\")"));
  }
  if (analysis_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("serve.analysis_interval must be a positive duration");
  }
  if (analysis_nice < 0 || analysis_nice > 19) {
    return absl::InvalidArgumentError(
        absl::StrCat("serve.ingest_nice must be between 0 and 19 (got ", analysis_nice, ")"));
  }
  return detectors.Validate();
}

LogweaveServer::LogweaveServer(const ServerOptions& options, Pipeline* pipeline)
    : options_(options),
      pipeline_(pipeline),
      service_(std::make_unique<QueryService>(pipeline, &hub_)),
      analyzer_(options.detectors, pipeline->index(), pipeline->unstructured(), pipeline->sources(),
                pipeline->plugins(), pipeline->options().threads) {}

absl::StatusOr<std::unique_ptr<LogweaveServer>> LogweaveServer::Start(const ServerOptions& options,
                                                                      Pipeline* pipeline) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<LogweaveServer> server(new LogweaveServer(options, pipeline));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->server_.reset();  // nothing to shut down
    return absl::UnavailableError(
        absl::StrCat("serve: cannot listen on ", options.address,
                     " (in use, or not an address of this host); pick another with --address"));
  }
  std::string host = options.address.substr(0, options.address.rfind(':'));
  server->bound_address_ = absl::StrCat(host, ":", server->port_);
  server->SetReady(false);
  server->analysis_thread_ = std::thread([s = server.get()] { s->AnalysisLoop(); });
  return server;
}

LogweaveServer::~LogweaveServer() { Shutdown(absl::Seconds(2)); }

void LogweaveServer::SetReady(bool ready) {
  service_->set_ready(ready);
  if (server_ == nullptr) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(ready);
    health->SetServingStatus(kServiceName, ready);
  }
}

void LogweaveServer::AnalyzeNow(bool final) {
  absl::MutexLock lock(&analysis_mu_);
  // Once the data was declared complete, later periodic runs keep judging
  // every trace instead of un-judging (and retracting) the recent ones.
  final_ = final_ || final;
  int64_t watermark = final_ ? INT64_MAX : pipeline_->Watermark();
  AnalysisReport report = analyzer_.Run(watermark);
  hub_.Publish(report.changes);
  service_->Publish(AnalysisSnapshot::Make(std::move(report)));
}

void LogweaveServer::AnalysisLoop() {
  // Validated by ServerOptions::Validate; a refusal leaves the priority as it was.
  if (options_.analysis_nice > 0) LowerThisThreadsPriority(options_.analysis_nice).IgnoreError();
  absl::Duration wait = options_.analysis_interval;
  uint64_t analyzed_lines = UINT64_MAX;
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    // Nothing new since the last run: the watermark did not move either, so
    // the answer would be the same. Lines are counted when parsed, before the
    // shards index them: only a run with nothing in flight saw them all.
    const IngestStats stats = pipeline_->Stats();
    if (stats.lines == analyzed_lines) continue;
    analyzed_lines = stats.queued_bytes == 0 ? stats.lines : UINT64_MAX;
    const absl::Time start = absl::Now();
    AnalyzeNow();
    wait = NextAnalysisWait(options_.analysis_interval, absl::Now() - start);
  }
}

absl::Duration NextAnalysisWait(absl::Duration interval, absl::Duration last_run) {
  return std::max(interval, 2 * last_run);
}

void LogweaveServer::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  stop_.Notify();
  if (analysis_thread_.joinable()) analysis_thread_.join();
  hub_.Close();  // open StreamFindings calls return
  SetReady(false);
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  server_->Wait();
}

}  // namespace logweave

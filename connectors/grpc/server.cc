#include "connectors/grpc/server.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace logweave {

constexpr char kServiceName[] = "logweave.v1.LogWeave";

absl::Status ServerOptions::Validate() const {
  if (address.empty() || address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "serve.address must be host:port, e.g. 127.0.0.1:7070 (got \"", address, "\")"));
  }
  return security.Validate(address);
}

LogweaveServer::LogweaveServer(const ServerOptions& options, Runtime* runtime)
    : options_(options), service_(std::make_unique<QueryService>(runtime)) {
  service_->set_max_call_time(options.max_call_time);
}

absl::StatusOr<std::unique_ptr<LogweaveServer>> LogweaveServer::Start(const ServerOptions& options,
                                                                      Runtime* runtime) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<LogweaveServer> server(new LogweaveServer(options, runtime));
  if (!options.security.auth_tokens.empty()) {
    absl::StatusOr<std::unique_ptr<TokenStore>> tokens =
        TokenStore::Load(options.security.auth_tokens);
    if (!tokens.ok()) return tokens.status();
    server->tokens_ = *std::move(tokens);
    server->service_->set_tokens(server->tokens_.get());
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, ServerCredentialsFor(options.security), &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  builder.RegisterService(server->service_.get());
  for (grpc::Service* extra : options.extra_services) builder.RegisterService(extra);
  if (options.call_observer != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(MakeCallInterceptorFactory(options.call_observer));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
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
  return server;
}

LogweaveServer::~LogweaveServer() { Shutdown(absl::Seconds(2)); }

std::shared_ptr<grpc::Channel> LogweaveServer::InProcessChannel() {
  grpc::ChannelArguments args;
  // The caller's answers are as large as the server's own limit allows.
  args.SetMaxReceiveMessageSize(-1);
  return server_->InProcessChannel(args);
}

void LogweaveServer::SetReady(bool ready) {
  service_->set_ready(ready);
  if (server_ == nullptr) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(ready);
    health->SetServingStatus(kServiceName, ready);
  }
}

void LogweaveServer::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  service_->Close();  // open StreamFindings calls return
  SetReady(false);
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  server_->Wait();
}

}  // namespace logweave

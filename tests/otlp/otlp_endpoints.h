// Test helper for the OTLP transport tests (otlp_transport_test, otlp_sdk_test): one
// receiver's two transports on loopback ports, OTLP/HTTP routes on an HttpListener and the
// OTLP/gRPC LogsService on a grpc::Server.
//
//   OtlpEndpoints endpoints;
//   ASSERT_NO_FATAL_FAILURE(endpoints.Start(receiver.get()));
//   ... http://127.0.0.1:<endpoints.http_port()>, 127.0.0.1:<endpoints.grpc_port()> ...
// Thread-compatible; stops both transports when destroyed.
#ifndef LOGWEAVE_TESTS_OTLP_OTLP_ENDPOINTS_H_
#define LOGWEAVE_TESTS_OTLP_OTLP_ENDPOINTS_H_

#include <gtest/gtest.h>

#include <memory>

#include "connectors/grpc/security/token_store.h"
#include "connectors/http/listener.h"
#include "connectors/otlp/otlp_grpc.h"
#include "connectors/otlp/otlp_http.h"
#include "connectors/otlp/otlp_receiver.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace logweave::otlp {

class OtlpEndpoints {
 public:
  OtlpEndpoints() = default;
  OtlpEndpoints(const OtlpEndpoints&) = delete;
  OtlpEndpoints& operator=(const OtlpEndpoints&) = delete;
  ~OtlpEndpoints() { Stop(); }

  // Starts both transports of `receiver` (which must outlive them). `tokens` (null: none;
  // must outlive them) guard both; with `tokens_required` the gRPC service refuses calls
  // without one. The gRPC server takes messages of up to 64 MiB. A fatal test failure if
  // either cannot start.
  void Start(OtlpReceiver* receiver, const TokenStore* tokens = nullptr,
             bool tokens_required = false) {
    HttpListenerOptions http;
    http.address = "127.0.0.1:0";
    http.tokens = tokens;
    auto listener = HttpListener::Create(http);
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = std::move(*listener);
    AddOtlpHttpRoutes(*listener_, *receiver);
    listener_->Start();
    service_ = std::make_unique<OtlpLogsService>(receiver, tokens_required);
    service_->set_tokens(tokens);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port_);
    builder.SetMaxReceiveMessageSize(64 << 20);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_GT(grpc_port_, 0);
  }

  // Stops both (what was started); idempotent.
  void Stop() {
    if (server_ != nullptr) server_->Shutdown();
    server_.reset();
    if (listener_ != nullptr) listener_->Stop();
  }

  int http_port() const { return listener_ != nullptr ? listener_->port() : 0; }
  int grpc_port() const { return grpc_port_; }

 private:
  std::unique_ptr<HttpListener> listener_;
  std::unique_ptr<OtlpLogsService> service_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_TESTS_OTLP_OTLP_ENDPOINTS_H_

#include "connectors/grpc/call_interceptor.h"

#include <string>

#include "absl/time/clock.h"

namespace logweave {
namespace {

using grpc::experimental::InterceptionHookPoints;

// One per call; gRPC destroys it when the call is done, which is when the
// observer hears of it.
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(const char* method, CallObserver* observer)
      : method_(method != nullptr ? method : ""), observer_(observer), start_(absl::Now()) {}
  ~CallInterceptor() override { observer_->OnCall(method_, code_, absl::Now() - start_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      code_ = methods->GetSendStatus().error_code();
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  CallObserver* const observer_;
  const absl::Time start_;
  grpc::StatusCode code_ = grpc::StatusCode::CANCELLED;  // until a status is sent
};

class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(CallObserver* observer) : observer_(observer) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(info->method(), observer_);  // gRPC owns it
  }

 private:
  CallObserver* const observer_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    CallObserver* observer) {
  return std::make_unique<CallInterceptorFactory>(observer);
}

}  // namespace logweave

#include "connectors/grpc/call_interceptor.h"

#include <string>

#include "absl/time/clock.h"

namespace logweave {
namespace {

using grpc::experimental::InterceptionHookPoints;

// One per call. The observer hears of the call as its status is sent (so a
// client that has its answer finds it counted), or when gRPC destroys the
// interceptor of a call that ended without one (cancelled).
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(const char* method, CallObserver* observer)
      : method_(method != nullptr ? method : ""), observer_(observer), start_(absl::Now()) {}
  ~CallInterceptor() override {
    if (!reported_) observer_->OnCall(method_, grpc::StatusCode::CANCELLED, absl::Now() - start_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!reported_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      reported_ = true;
      observer_->OnCall(method_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  CallObserver* const observer_;
  const absl::Time start_;
  bool reported_ = false;  // the observer heard of the call
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

#include "connectors/otlp/otlp_grpc.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/status_codes.h"
#include "connectors/otlp/otlp_status.h"

namespace logweave::otlp {

grpc::Status OtlpLogsService::Export(grpc::ServerContext* context,
                                     const collector::ExportLogsServiceRequest* request,
                                     collector::ExportLogsServiceResponse* response) {
  if (tokens_required_) {
    const TokenStore* tokens = tokens_.load();
    if (tokens == nullptr) {
      receiver_->CountRefused();
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is starting; retry");
    }
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    const absl::string_view value = it == metadata.end()
                                        ? absl::string_view()
                                        : absl::string_view(it->second.data(), it->second.size());
    if (absl::Status s = tokens->Check(value, TokenScope::kIngest); !s.ok()) {
      receiver_->CountRefused();
      return ToGrpcStatus(s);
    }
  }
  const size_t max = static_cast<size_t>(receiver_->options().max_request_bytes);
  if (request->ByteSizeLong() > max) {
    receiver_->CountRefused();
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("the request is larger than ", max,
                                     " bytes (otlp.max_request_bytes); send smaller batches"));
  }
  // A full pipeline holds the call a while (half of what is left of its
  // deadline at most) instead of refusing it at once: not every gRPC exporter
  // retries (the JS SDK's does not).
  const absl::Time now = absl::Now();
  const absl::Time call_deadline = absl::FromChrono(context->deadline());
  const absl::Time room_deadline =
      std::min(now + receiver_->options().grpc_room_wait, now + (call_deadline - now) / 2);
  const OtlpExportResult result =
      receiver_->Export(OtlpTransport::kGrpc, *request, {}, room_deadline);
  if (result.code == OtlpExportResult::Code::kRetryLater) {
    constexpr char kBehind[] = "the index is behind; retry with backoff";
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, kBehind,
                        RpcStatusBytes(kRpcUnavailable, kBehind,
                                       absl::Seconds(receiver_->options().retry_after_s)));
  }
  if (result.rejected > 0) {
    response->mutable_partial_success()->set_rejected_log_records(result.rejected);
    response->mutable_partial_success()->set_error_message(result.message);
  }
  return grpc::Status::OK;
}

}  // namespace logweave::otlp

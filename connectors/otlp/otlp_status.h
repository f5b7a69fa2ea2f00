// The google.rpc.Status that OTLP error answers carry: the body of an
// OTLP/HTTP error (protobuf encoding) and gRPC's grpc-status-details-bin.
// With a retry delay it holds a google.rpc.RetryInfo, which exporters that
// follow OTLP's throttling rules (the Collector's, Go's, Java's) wait for
// before they retry. Written by hand: the messages are public wire formats of
// three fields each, and Debian packages no google/rpc protos.
//
//   grpc::Status(grpc::StatusCode::UNAVAILABLE, msg, RpcStatusBytes(14, msg, absl::Seconds(1)));
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_STATUS_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_STATUS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace logweave::otlp {

// gRPC status codes the answers use.
inline constexpr int kRpcInvalidArgument = 3, kRpcResourceExhausted = 8, kRpcUnavailable = 14;

// A serialized google.rpc.Status{code, message}, with details =
// [RetryInfo{retry_delay}] when `retry_delay` is positive.
std::string RpcStatusBytes(int code, absl::string_view message,
                           absl::Duration retry_delay = absl::ZeroDuration());

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_STATUS_H_

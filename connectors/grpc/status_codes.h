// Where errors cross the gRPC edge: absl::Status (what the engine returns)
// to grpc::Status (what a client receives) and back, and the names of the
// codes for messages. The one place that decides which code a client sees.
//
//   absl::StatusOr<Timeline> t = index.GetTimeline(id, options);
//   if (!t.ok()) return ToGrpcStatus(t.status());   // NotFound -> NOT_FOUND
//
// absl's canonical codes and gRPC's are the same set (google.rpc.Code):
// each maps to its namesake, the message is kept. Stateless; thread-safe.
#ifndef LOGWEAVE_CONNECTORS_GRPC_STATUS_CODES_H_
#define LOGWEAVE_CONNECTORS_GRPC_STATUS_CODES_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace logweave {

// kInvalidArgument -> INVALID_ARGUMENT, kNotFound -> NOT_FOUND,
// kResourceExhausted -> RESOURCE_EXHAUSTED, kUnavailable -> UNAVAILABLE,
// kDeadlineExceeded -> DEADLINE_EXCEEDED, kUnauthenticated -> UNAUTHENTICATED,
// kPermissionDenied -> PERMISSION_DENIED, kInternal -> INTERNAL, and so on for
// every code; a code outside the canonical set -> UNKNOWN. OK -> OK.
grpc::StatusCode ToGrpcCode(absl::StatusCode code);
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT with `message`: a request the service refuses as asked.
grpc::Status InvalidArgumentStatus(const std::string& message);

// The inverse: a call's outcome as the engine's Status (code and message).
absl::StatusCode FromGrpcCode(grpc::StatusCode code);
absl::Status FromGrpcStatus(const grpc::Status& status);

// "NOT_FOUND": the code's name as gRPC documents it ("code 42" for others).
std::string GrpcCodeName(grpc::StatusCode code);

// The HTTP status that answers a call ending in `code`, as google.rpc.Code maps them:
// INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409, RESOURCE_EXHAUSTED 429,
// UNIMPLEMENTED 501, UNAVAILABLE and CANCELLED (the server stopping) 503, DEADLINE_EXCEEDED
// 504, the rest 500.
int HttpStatusOf(grpc::StatusCode code);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_STATUS_CODES_H_

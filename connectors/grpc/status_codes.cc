#include "connectors/grpc/status_codes.h"

#include <iterator>

#include "absl/strings/str_cat.h"

namespace logweave {

namespace {

// Abseil's and gRPC's canonical codes are both google.rpc.Code: the same
// numbers, from 0 (OK) to 16 (UNAUTHENTICATED), here with their gRPC names.
constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
static_assert(static_cast<int>(absl::StatusCode::kOk) == grpc::StatusCode::OK);
static_assert(static_cast<int>(absl::StatusCode::kUnavailable) == grpc::StatusCode::UNAVAILABLE);
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              grpc::StatusCode::UNAUTHENTICATED);
static_assert(std::size(kCodeNames) == grpc::StatusCode::UNAUTHENTICATED + 1);

// The HTTP status of each code, in the same order: the mapping google/rpc/code.proto documents,
// except CANCELLED: 503, not 499 ("client closed request"). An HTTP client that goes away does
// not cancel the call it made, so a CANCELLED here is the server's own, when it stops.
constexpr int kHttpStatuses[] = {200, 503, 500, 400, 504, 404, 409, 403, 429,
                                 400, 409, 400, 501, 500, 503, 500, 401};
static_assert(std::size(kHttpStatuses) == std::size(kCodeNames));

// Whether `code` is one of the canonical codes.
bool IsCanonical(int code) { return code >= 0 && code < static_cast<int>(std::size(kCodeNames)); }

}  // namespace

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  const int n = static_cast<int>(code);
  return IsCanonical(n) ? static_cast<grpc::StatusCode>(n) : grpc::StatusCode::UNKNOWN;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), std::string(status.message()));
}

grpc::Status InvalidArgumentStatus(const std::string& message) {
  return ToGrpcStatus(absl::InvalidArgumentError(message));
}

absl::StatusCode FromGrpcCode(grpc::StatusCode code) {
  const int n = static_cast<int>(code);
  return IsCanonical(n) ? static_cast<absl::StatusCode>(n) : absl::StatusCode::kUnknown;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(FromGrpcCode(status.error_code()), status.error_message());
}

std::string GrpcCodeName(grpc::StatusCode code) {
  const int n = static_cast<int>(code);
  return IsCanonical(n) ? kCodeNames[n] : absl::StrCat("code ", n);
}

int HttpStatusOf(grpc::StatusCode code) {
  const int n = static_cast<int>(code);
  return IsCanonical(n) ? kHttpStatuses[n] : 500;
}

}  // namespace logweave

// Test helper: a grpc.health.v1 Check of a whole server, without generated
// health stubs (Debian ships none): the response as bytes.
#ifndef LOGWEAVE_TESTS_TESTDATA_GRPC_HEALTH_H_
#define LOGWEAVE_TESTS_TESTDATA_GRPC_HEALTH_H_

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/synchronization/notification.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"

namespace logweave::testdata {

// SERVING and NOT_SERVING as HealthCheckResponse bytes (field 1, varint).
inline const std::string kHealthServing("\x08\x01", 2);
inline const std::string kHealthNotServing("\x08\x02", 2);

// Calls Check with an empty request (the whole server) on `channel`; returns
// the response's bytes, or "error: " and the call's message.
inline std::string HealthCheckBytes(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub health(channel);
  grpc::ClientContext c;
  c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::Status status;
  absl::Notification done;
  health.UnaryCall(&c, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
  done.WaitForNotification();
  if (!status.ok()) return "error: " + status.error_message();
  grpc::Slice answer;
  if (!response.TrySingleSlice(&answer).ok()) return "error: the answer is not one slice";
  return std::string(reinterpret_cast<const char*>(answer.begin()), answer.size());
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_GRPC_HEALTH_H_

#include "connectors/kafka/internal/kafka_error.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"

namespace logweave::internal {

namespace {

// librdkafka's errors by the status code that says what to do about them. Errors not listed
// are kInternal.
struct KafkaErrorsOfCode {
  absl::StatusCode code;
  std::initializer_list<rd_kafka_resp_err_t> errors;
};
constexpr KafkaErrorsOfCode kKafkaErrorsByCode[] = {
    {absl::StatusCode::kOk, {RD_KAFKA_RESP_ERR_NO_ERROR}},
    {absl::StatusCode::kInvalidArgument,
     {RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_INVALID_CONFIG,
      RD_KAFKA_RESP_ERR_INVALID_REQUEST, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
      RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, RD_KAFKA_RESP_ERR_INVALID_GROUP_ID,
      RD_KAFKA_RESP_ERR__INVALID_TYPE}},
    {absl::StatusCode::kDeadlineExceeded,
     {RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
      RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE}},
    {absl::StatusCode::kNotFound,
     {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
      RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR__UNKNOWN_GROUP}},
    {absl::StatusCode::kAlreadyExists, {RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS}},
    {absl::StatusCode::kPermissionDenied,
     {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED}},
    {absl::StatusCode::kUnauthenticated,
     {RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
      RD_KAFKA_RESP_ERR__SSL}},
    {absl::StatusCode::kUnavailable,
     {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
      RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
      RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
      RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR__WAIT_COORD}},
    {absl::StatusCode::kAborted,
     {RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
      RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, RD_KAFKA_RESP_ERR__STATE}},
    {absl::StatusCode::kResourceExhausted,
     {RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE}},
    {absl::StatusCode::kOutOfRange, {RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE}},
    {absl::StatusCode::kUnimplemented,
     {RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION}},
};

}  // namespace

absl::StatusCode KafkaErrorCode(rd_kafka_resp_err_t err) {
  for (const KafkaErrorsOfCode& row : kKafkaErrorsByCode) {
    for (rd_kafka_resp_err_t listed : row.errors) {
      if (listed == err) return row.code;
    }
  }
  return absl::StatusCode::kInternal;
}

absl::Status KafkaError(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::Status(KafkaErrorCode(err),
                      absl::StrCat("kafka: ", absl::string_view(context.data(), context.size()),
                                   ": ", rd_kafka_err2str(err), " (", rd_kafka_err2name(err), ")"));
}

}  // namespace logweave::internal

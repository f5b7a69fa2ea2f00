// Translation of librdkafka error codes into absl::Status, shared by the
// Kafka source and the embedded broker. Not API.
#ifndef LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_ERROR_H_
#define LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_ERROR_H_

#include <librdkafka/rdkafka.h>

#include <string_view>

#include "absl/status/status.h"

namespace logweave::internal {

// The status code that fits `err` (UNAVAILABLE for broker and transport
// trouble, NOT_FOUND for unknown topics, PERMISSION_DENIED for authorization,
// ...). OK for RD_KAFKA_RESP_ERR_NO_ERROR.
absl::StatusCode KafkaErrorCode(rd_kafka_resp_err_t err);

// "kafka: <context>: <librdkafka's description> (<error name>)" with the code
// of KafkaErrorCode(err); OK for RD_KAFKA_RESP_ERR_NO_ERROR.
absl::Status KafkaError(rd_kafka_resp_err_t err, std::string_view context);

}  // namespace logweave::internal

#endif  // LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_KAFKA_ERROR_H_

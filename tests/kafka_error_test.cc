// Tests for KafkaError (connectors/kafka/internal/kafka_error.h): the status a librdkafka
// error reaches the user with.
#include "connectors/kafka/internal/kafka_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

namespace logweave::internal {
namespace {

// librdkafka's errors reach the user with the code that says what to do about them (one of each
// kind here), and with the context, librdkafka's words and the error's name.
TEST(KafkaErrorTest, EachErrorGetsTheCodeOfItsKind) {
  const std::pair<rd_kafka_resp_err_t, absl::StatusCode> cases[] = {
      {RD_KAFKA_RESP_ERR_INVALID_CONFIG, absl::StatusCode::kInvalidArgument},
      {RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, absl::StatusCode::kNotFound},
      {RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, absl::StatusCode::kUnavailable},
      {RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, absl::StatusCode::kAborted},
      {RD_KAFKA_RESP_ERR__FAIL, absl::StatusCode::kInternal},  // not listed
  };
  for (const auto& [err, code] : cases) {
    const absl::Status status = KafkaError(err, "subscribing to payments");
    EXPECT_EQ(status.code(), code) << rd_kafka_err2name(err);
    EXPECT_THAT(status.message(), ::testing::HasSubstr("kafka: subscribing to payments: "));
    EXPECT_THAT(status.message(), ::testing::HasSubstr(rd_kafka_err2name(err)));
  }
  EXPECT_TRUE(KafkaError(RD_KAFKA_RESP_ERR_NO_ERROR, "polling").ok());
}

}  // namespace
}  // namespace logweave::internal

// Builders of real-looking log lines for tests, one per logging convention.
#ifndef LOGWEAVE_TESTS_TESTDATA_LINES_H_
#define LOGWEAVE_TESTS_TESTDATA_LINES_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"

namespace logweave::testdata {

// Epoch seconds of 2026-11-23T10:00:00Z.
constexpr int64_t kBaseSeconds = 1795428000;

// Go zap production JSON (epoch seconds float, no service field).
inline std::string ZapLine(const std::string& trace, int64_t ms, const std::string& msg) {
  return absl::StrFormat(
      R"({"level":"info","ts":%d.%03d,"caller":"gw/handler.go:88","msg":"%s","trace_id":"%s"})",
      kBaseSeconds + ms / 1000, ms % 1000, msg, trace);
}

// Python python-json-logger.
inline std::string PythonLine(const std::string& service, const std::string& trace, int64_t ms,
                              const std::string& msg, const std::string& level = "INFO") {
  return absl::StrFormat(
      R"({"timestamp":"2026-11-23T10:%02d:%02d.%03dZ","levelname":"%s","name":"%s.api","message":"%s","trace_id":"%s","service":"%s"})",
      ms / 60000, (ms / 1000) % 60, ms % 1000, level, service, msg, trace, service);
}

// pino (epoch millis, numeric level).
inline std::string PinoLine(const std::string& service, const std::string& trace, int64_t ms,
                            const std::string& msg, int level = 30) {
  return absl::StrFormat(
      R"({"level":%d,"time":%d,"pid":4242,"hostname":"%s-7d9f","service":"%s","traceId":"%s","msg":"%s"})",
      level, kBaseSeconds * 1000 + ms, service, service, trace, msg);
}

// Logback with the logstash encoder, ECS dotted keys.
inline std::string EcsLine(const std::string& service, const std::string& trace, int64_t ms,
                           const std::string& msg, const std::string& level = "INFO") {
  return absl::StrFormat(
      R"({"@timestamp":"2026-11-23T10:%02d:%02d.%03d+00:00","log.level":"%s","service.name":"%s","message":"%s","trace.id":"%s"})",
      ms / 60000, (ms / 1000) % 60, ms % 1000, level, service, msg, trace);
}

// "2026-11-23T10:MM:SS.mmmZ" for ms since 10:00 (the start of plain-text lines).
inline std::string PlainTime(int64_t ms) {
  return absl::StrFormat("2026-11-23T10:%02d:%02d.%03dZ", ms / 60000, (ms / 1000) % 60, ms % 1000);
}

// An email service line (event field, ISO time).
inline std::string EmailLine(const std::string& trace, int64_t ms, const std::string& event) {
  return absl::StrFormat(
      R"({"event":"%s","level":"info","timestamp":"%s","trace_id":"%s","service":"email"})", event,
      PlainTime(ms), trace);
}

// A gateway line of a request of `route` (zap JSON with a caller and a route).
inline std::string GatewayLine(const std::string& trace, int64_t ms, const std::string& route,
                               const std::string& msg) {
  int64_t t = testdata::kBaseSeconds * 1000 + ms;
  return absl::StrFormat(
      R"({"level":"info","ts":%d.%03d,"caller":"gw/handler.go:88","msg":"%s","trace_id":"%s","route":"%s"})",
      t / 1000, t % 1000, msg, trace, route);
}

// Nanoseconds since the epoch of kBaseSeconds + ms.
inline int64_t Ns(int64_t ms) { return (kBaseSeconds * 1000 + ms) * 1000000; }

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_LINES_H_

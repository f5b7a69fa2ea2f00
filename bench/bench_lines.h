// Log lines for the benchmarks, one generator per logging convention.
#ifndef LOGWEAVE_BENCH_BENCH_LINES_H_
#define LOGWEAVE_BENCH_BENCH_LINES_H_

#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace logweave::bench {

// `count` lines of the named convention ("zap", "python", "ecs", "pino", "otel",
// "plain"), with `traces` distinct trace ids; about 150-250 bytes each.
inline std::vector<std::string> MakeLines(const std::string& convention, int count,
                                          int traces = 1000) {
  std::vector<std::string> lines;
  lines.reserve(count);
  for (int i = 0; i < count; ++i) {
    std::string trace = absl::StrFormat("%032x", (i % traces) * 2654435761u + 12345);
    long long ms = 1795428000000ll + i;
    if (convention == "zap") {
      lines.push_back(absl::StrFormat(
          R"({"level":"info","ts":%d.%03d,"caller":"gw/handler.go:88","msg":"request received","trace_id":"%s","route":"POST /checkout","status":200,"latency_ms":12.5})",
          ms / 1000, ms % 1000, trace));
    } else if (convention == "python") {
      lines.push_back(absl::StrFormat(
          R"({"timestamp":"2026-11-23T10:00:%02d.%03d123Z","levelname":"INFO","name":"checkout.api","message":"order created","trace_id":"%s","service":"checkout"})",
          (i / 1000) % 60, i % 1000, trace));
    } else if (convention == "ecs") {
      lines.push_back(absl::StrFormat(
          R"({"@timestamp":"2026-11-23T10:00:%02d.%03d+00:00","log.level":"INFO","service.name":"payments","message":"payment authorized","trace.id":"%s","event":"payment_authorized"})",
          (i / 1000) % 60, i % 1000, trace));
    } else if (convention == "pino") {
      lines.push_back(absl::StrFormat(
          R"({"level":30,"time":%d,"pid":1234,"hostname":"ledger-7d9f","service":"ledger","traceId":"%s","msg":"ledger entry written"})",
          ms, trace));
    } else if (convention == "otel") {
      lines.push_back(absl::StrFormat(
          R"({"timestamp":"2026-11-23T10:00:%02d.%03d456789Z","severity":"INFO","service":{"name":"inventory"},"trace":{"id":"%s"},"body":"stock reserved"})",
          (i / 1000) % 60, i % 1000, trace));
    } else {
      lines.push_back(
          absl::StrFormat("2026-11-23T10:00:%02d.%03dZ ERROR Connection timeout to email provider "
                          "smtp.example.net:587 after 5000ms",
                          (i / 1000) % 60, i % 1000));
    }
  }
  return lines;
}

}  // namespace logweave::bench

#endif  // LOGWEAVE_BENCH_BENCH_LINES_H_

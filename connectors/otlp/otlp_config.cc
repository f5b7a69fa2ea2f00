#include "connectors/otlp/otlp_config.h"

#include <cstdint>

namespace logweave::otlp {

absl::Status ReadOtlpSection(const ConfigSection& section, OtlpOptions* out) {
  ConfigReader r(
      section, {"enabled", "max_request_bytes", "index_timeout", "retry_after", "grpc_room_wait"});
  r.Bool("enabled", &out->enabled);
  uint64_t max = static_cast<uint64_t>(out->max_request_bytes);
  r.Size("max_request_bytes", &max);
  r.Duration("index_timeout", /*zero_ok=*/false, &out->index_timeout);
  int64_t retry_ns = int64_t{out->retry_after_s} * 1'000'000'000;
  r.Duration("retry_after", /*zero_ok=*/false, &retry_ns);
  r.Duration("grpc_room_wait", /*zero_ok=*/true, &out->grpc_room_wait);
  if (!r.status().ok()) return r.status();
  if (max == 0 || max > (uint64_t{1} << 30)) {
    return section.Error("max_request_bytes", "must be between 1 byte and 1GiB, e.g. 4MiB");
  }
  out->max_request_bytes = static_cast<int64_t>(max);
  // Retry-After is in whole seconds: round up.
  out->retry_after_s = static_cast<int>((retry_ns + 999'999'999) / 1'000'000'000);
  return out->Validate();
}

}  // namespace logweave::otlp

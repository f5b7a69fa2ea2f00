// What OTLP/HTTP and OTLP/gRPC share: an export request's records are mapped
// to lines (otlp_mapping.h), submitted to the pipeline as one batch of an
// "otlp-http" or "otlp-grpc" source, and the answer waits until they are
// indexed, so that success means the records are searchable (and, with a
// state directory, in the write-ahead log). When the pipeline has no room
// the answer is "retry later" at once; nothing is dropped silently.
//
//   OtlpReceiver receiver(&runtime->pipeline(), {});
//   OtlpExportResult r = receiver.Export(OtlpTransport::kHttp, request, std::move(report));
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_RECEIVER_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_RECEIVER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/otlp/otlp_mapping.h"
#include "logweave/pipeline.h"

namespace logweave::otlp {

// The `otlp:` section (docs/config.md).
struct OtlpOptions {
  // Serve OTLP: POST /v1/logs on the HTTP listener (with --http-address) and
  // LogsService/Export on the gRPC listener (otlp.enabled). Default true.
  bool enabled = true;
  // A request body larger than this (after gzip) is refused: HTTP 413, gRPC
  // RESOURCE_EXHAUSTED (otlp.max_request_bytes). Default 4 MiB.
  int64_t max_request_bytes = 4 << 20;
  // How long an answer waits for its records to be indexed before it says
  // "retry later" (the records are still indexed: a retry may repeat them).
  absl::Duration index_timeout = absl::Seconds(30);
  // Seconds an exporter is told to wait (Retry-After) when the pipeline is full.
  int retry_after_s = 1;
  // How long an OTLP/gRPC export waits for room when the pipeline is full
  // before it is answered UNAVAILABLE (otlp.grpc_room_wait), and never more
  // than half of what is left of the call's deadline: some gRPC exporters
  // (the JS SDK's) do not retry at all. Zero: answer at once. Default 5s.
  absl::Duration grpc_room_wait = absl::Seconds(5);

  // INVALID_ARGUMENT for a non-positive value.
  absl::Status Validate() const;
};

enum class OtlpTransport { kHttp, kGrpc };

// Counters of the OTLP receiver, for stats, GetStats and /metrics.
struct OtlpStats {
  uint64_t requests = 0;       // export requests answered (both transports)
  uint64_t records = 0;        // log records indexed
  uint64_t rejected = 0;       // log records refused as unreadable (partial_success)
  uint64_t retry_answers = 0;  // answers asking the exporter to retry (pipeline full, slow)
  uint64_t refused = 0;        // requests refused whole: too large, not OTLP, no token
  uint64_t room_waits = 0;     // gRPC exports held while the pipeline was full (grpc_room_wait)
};

struct OtlpExportResult {
  enum class Code { kOk, kRetryLater };
  Code code = Code::kOk;
  int64_t rejected = 0;  // partial_success.rejected_log_records
  std::string message;   // partial_success.error_message (empty when none were rejected)
};

// Thread-safe: any number of HTTP and gRPC threads call Export at once. Does
// not own the pipeline, which must outlive it.
class OtlpReceiver {
 public:
  OtlpReceiver(Pipeline* pipeline, const OtlpOptions& options);

  // Indexes `request`'s records and blocks until they are (or until
  // index_timeout: kRetryLater). When the pipeline has no room it waits for
  // room until `room_deadline` (counted in room_waits; the past: not at all),
  // then kRetryLater, submitting nothing. `report` holds what decoding
  // already refused (JSON records that could not be read); it is added to.
  OtlpExportResult Export(OtlpTransport transport,
                          const collector::ExportLogsServiceRequest& request, OtlpMapReport report,
                          absl::Time room_deadline = absl::InfinitePast());

  // Counts a request refused before Export (too large, undecodable).
  void CountRefused() { refused_.fetch_add(1, std::memory_order_relaxed); }

  OtlpStats Stats() const;
  const OtlpOptions& options() const { return options_; }

 private:
  Pipeline* const pipeline_;
  const OtlpOptions options_;
  const OtlpMapper mapper_;
  absl::Mutex mu_;  // one submit at a time: the source's batches keep their order
  uint32_t source_[2] ABSL_GUARDED_BY(mu_) = {0, 0};
  bool registered_[2] ABSL_GUARDED_BY(mu_) = {false, false};
  uint64_t next_line_[2] ABSL_GUARDED_BY(mu_) = {1, 1};
  std::atomic<uint64_t> requests_{0}, records_{0}, rejected_{0}, retry_answers_{0}, refused_{0},
      room_waits_{0};
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_RECEIVER_H_

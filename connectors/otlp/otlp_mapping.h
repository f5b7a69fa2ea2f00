// OTLP log records as logweave lines: each LogRecord of an
// ExportLogsServiceRequest becomes one JSON object line in a convention the
// parser reads (docs/otlp.md, "What a record becomes"):
//
//   {"timestamp":"2026-12-05T21:31:42.123456789Z","level":"error","service":"checkout",
//    "trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
//    "message":"payment declined","severity_number":17,"severity_text":"ERROR",
//    "http.response.status_code":502,"service.version":"2.1.0",...}
//
// The record's attributes, then the resource's, follow at the top level
// under their own names, so search, the detectors and the rule plugins read
// them as fields; one whose name would be read as one of the normalized fields
// (a "message" attribute, a resource's "service.name") is kept under
// "attributes" (the record's) or "resource" (the resource's) instead.
//
//   OtlpMapper mapper;
//   RawBatch batch;
//   OtlpMapReport report;
//   mapper.Append(request, &batch, &report);   // one line per readable record
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_MAPPING_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_MAPPING_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "logweave/batch.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace logweave::otlp {

namespace collector = ::opentelemetry::proto::collector::logs::v1;
namespace logs = ::opentelemetry::proto::logs::v1;
namespace common = ::opentelemetry::proto::common::v1;

// What Append made of a request: records kept and refused, with the first
// refusal's reason (for OTLP's partial_success.error_message).
struct OtlpMapReport {
  uint64_t records = 0;   // lines appended
  uint64_t rejected = 0;  // records that could not be read (bad ids)
  std::string first_error;

  // Counts one refused record; keeps the first reason.
  void Reject(absl::string_view why);
};

// The service of a resource: service.name, else service.namespace, else the
// Kubernetes workload (k8s.deployment.name, k8s.statefulset.name,
// k8s.daemonset.name, k8s.cronjob.name, k8s.job.name), else
// k8s.container.name, else k8s.pod.name; empty if none is a non-empty string.
std::string ServiceOfResource(const ::opentelemetry::proto::resource::v1::Resource& resource);

// The level word of an OTLP severity_number: 1-4 "trace", 5-8 "debug", 9-12
// "info", 13-16 "warn", 17-20 "error", 21-24 "fatal"; empty otherwise.
absl::string_view LevelOfSeverity(int severity_number);

// Immutable after construction: thread-safe.
class OtlpMapper {
 public:
  OtlpMapper();

  // Appends one line per record of `request` to `batch` (line numbers from
  // `*next_line_no`, advanced; the source offset is the line number). A record
  // whose trace id is not 0 or 16 bytes or whose span id is not 0 or 8 bytes
  // is refused (counted in `report`); an all-zero id counts as none.
  void Append(const collector::ExportLogsServiceRequest& request, RawBatch* batch,
              uint64_t* next_line_no, OtlpMapReport* report) const;

  // The line of one record (exposed for tests and the file-exporter reader).
  // False (with `why`) when the record cannot be read.
  bool RenderRecord(const logs::ResourceLogs& resource, const logs::ScopeLogs& scope,
                    const logs::LogRecord& record, std::string* line, std::string* why) const;

 private:
  // Names that the parser reads as a normalized field, and the keys the line's
  // own fields use: attributes named so go into a nested object instead.
  absl::flat_hash_set<std::string> reserved_;
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_MAPPING_H_

// The OTLP/JSON encoding of logs (OTLP/HTTP with Content-Type:
// application/json, and the Collector's file exporter, one request per line):
// lowerCamelCase keys (snake_case accepted too), trace and span ids as hex,
// 64-bit integers as strings or numbers, enums as numbers or names.
//
//   collector::ExportLogsServiceRequest request;
//   OtlpMapReport report;
//   absl::Status s = DecodeOtlpJson(body, &request, &report);
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_JSON_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_JSON_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "connectors/otlp/otlp_mapping.h"

namespace logweave::otlp {

// Fills `request` from the JSON text `json`. A log record that cannot be read
// (a field of the wrong type, an id that is not hex) is left out and counted
// in `report` (rejected, first_error); so is every record of a resource or
// scope whose own fields cannot be read. INVALID_ARGUMENT when `json` is not
// a JSON object, or its resourceLogs is not an array. Thread-compatible.
absl::Status DecodeOtlpJson(absl::string_view json, collector::ExportLogsServiceRequest* request,
                            OtlpMapReport* report);

// True if `line` looks like an OTLP/JSON logs request (a JSON object whose
// first key is "resourceLogs" or "resource_logs"): the Collector's file
// exporter writes one per line.
bool LooksLikeOtlpJsonLine(std::string_view line);

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_JSON_H_

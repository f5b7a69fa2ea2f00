// OTLP/HTTP on serve's HTTP listener: POST /v1/logs with an
// ExportLogsServiceRequest as application/x-protobuf or application/json,
// gzip-compressed or not (Content-Encoding: gzip). Answers, as the OTLP
// specification asks:
//   200  the records are indexed (partial_success names those refused);
//   400  the body is not an ExportLogsServiceRequest;
//   413  the body (inflated) is larger than otlp.max_request_bytes: reading
//        and inflating stop there, and the connection is closed;
//   415  another Content-Type;
//   503  with Retry-After: the pipeline is full or slow; the exporter retries;
//   401/403  with tokens on, no token of scope ingest or admin.
// Every answer but 200 and 503 counts as a refused request.
// The answer has the request's Content-Type; an error's body is a
// google.rpc.Status (code and message) in it.
//
//   AddOtlpHttpRoutes(*listener, receiver);   // before listener->Start()
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_HTTP_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_HTTP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "connectors/http/listener.h"
#include "connectors/otlp/otlp_receiver.h"

namespace logweave::otlp {

// Adds POST /v1/logs to `listener`. `receiver` is not owned and must outlive
// the listener's serving.
void AddOtlpHttpRoutes(HttpListener& listener, OtlpReceiver& receiver);

// Inflates the gzip (or zlib) data `compressed`; RESOURCE_EXHAUSTED once it
// would exceed `max_bytes`, INVALID_ARGUMENT for corrupt data.
absl::StatusOr<std::string> Gunzip(absl::string_view compressed, size_t max_bytes);

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_HTTP_H_

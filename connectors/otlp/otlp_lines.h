// The OpenTelemetry Collector's file exporter writes one OTLP/JSON export
// request per line (`{"resourceLogs":[...]}`). OtlpLineExpander turns each
// such line of a batch into one line per log record (otlp_mapping.h), so that
// `replay`, `--follow` and stdin read those files like any other: one line
// gives many events.
//
//   OtlpLineExpander expander;
//   pipeline->SetBatchTransform([&expander](RawBatch* b) { expander.Expand(b); });
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_LINES_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_LINES_H_

#include <atomic>
#include <cstdint>

#include "connectors/otlp/otlp_mapping.h"
#include "logweave/batch.h"

namespace logweave::otlp {

struct OtlpLineStats {
  uint64_t lines = 0;     // file-exporter lines expanded
  uint64_t records = 0;   // log records they gave
  uint64_t rejected = 0;  // records left out as unreadable
  uint64_t kept = 0;      // lines that looked like OTLP but were not: kept as they are
};

// Thread-safe: any source thread may call Expand.
class OtlpLineExpander {
 public:
  // Rewrites `batch`: each line that is an OTLP/JSON logs request becomes its
  // records' lines, in order, each with the line's source offset, number and
  // flags; other lines stay as they are. A line that starts like one but
  // cannot be read stays whole (counted `kept`). A batch without such lines
  // is not copied.
  void Expand(RawBatch* batch) const;

  OtlpLineStats Stats() const;

 private:
  const OtlpMapper mapper_;
  mutable std::atomic<uint64_t> lines_{0}, records_{0}, rejected_{0}, kept_{0};
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_LINES_H_

#include "pipeline_digest.h"

namespace logweave::internal {

BatchDigest DigestBatch(const ParsedBatch& parsed) {
  BatchDigest d;
  d.source_id = parsed.raw.source_id;
  d.batch_no = parsed.raw.batch_no;
  for (const Record& r : parsed.records) {
    if (r.kind == RecordKind::kUnstructured) {
      PlainLine& line = d.lines.emplace_back();
      line.line_no = r.line_no;
      line.source_offset = r.source_offset;
      line.seq = r.seq;
      line.time_ns = r.time_ns;
      line.has_time = r.has_time();
      line.prev_time_ns = d.last_time_ns;
      line.has_prev_time = d.has_last_time;
      line.level = r.level;
      // A container runtime's wrapper is not part of the line the service wrote.
      line.text.assign((r.flags & kRecordContainerWrapped) ? r.message : r.raw);
    }
    if (r.has_time()) {
      d.last_time_ns = r.time_ns;
      d.has_last_time = true;
    }
  }
  return d;
}

}  // namespace logweave::internal

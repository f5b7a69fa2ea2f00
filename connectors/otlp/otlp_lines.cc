#include "connectors/otlp/otlp_lines.h"

#include <string>
#include <tuple>

#include "connectors/common/relaxed_counters.h"
#include "connectors/otlp/otlp_json.h"

namespace logweave::otlp {

void OtlpLineExpander::Expand(RawBatch* batch) const {
  size_t first = 0;
  while (first < batch->size() && !LooksLikeOtlpJsonLine(batch->Line(first))) ++first;
  if (first == batch->size()) return;
  RawBatch out;
  out.source_id = batch->source_id;
  out.redacted = batch->redacted;
  out.redactions = std::move(batch->redactions);
  out.data.reserve(batch->data.size() * 2);
  for (size_t i = 0; i < batch->size(); ++i) {
    const LineSpan& span = batch->lines[i];
    const absl::string_view line(batch->Line(i).data(), batch->Line(i).size());
    if (i < first || !LooksLikeOtlpJsonLine(batch->Line(i))) {
      out.AddLine(batch->Line(i), span.source_offset, span.line_no, span.flags);
      continue;
    }
    collector::ExportLogsServiceRequest request;
    OtlpMapReport report;
    if (!DecodeOtlpJson(line, &request, &report).ok()) {
      kept_.fetch_add(1, std::memory_order_relaxed);
      out.AddLine(batch->Line(i), span.source_offset, span.line_no, span.flags);
      continue;
    }
    RawBatch records;
    uint64_t unused = 0;
    mapper_.Append(request, &records, &unused, &report);
    // Lines made from the record: not the file's bytes.
    const uint8_t flags = span.flags & ~kLineInFile;
    for (size_t r = 0; r < records.size(); ++r) {
      out.AddLine(records.Line(r), span.source_offset, span.line_no, flags);
    }
    lines_.fetch_add(1, std::memory_order_relaxed);
    records_.fetch_add(report.records, std::memory_order_relaxed);
    rejected_.fetch_add(report.rejected, std::memory_order_relaxed);
  }
  out.first_seq = batch->first_seq;
  out.batch_no = batch->batch_no;
  *batch = std::move(out);
}

OtlpLineStats OtlpLineExpander::Stats() const {
  OtlpLineStats s;
  LoadRelaxed(std::tie(s.lines, s.records, s.rejected, s.kept),
              std::tie(lines_, records_, rejected_, kept_));
  return s;
}

}  // namespace logweave::otlp

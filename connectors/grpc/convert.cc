#include "connectors/grpc/convert.h"

#include <algorithm>
#include <utility>

namespace logweave {

namespace {

// Each level with its wire value (the wire's LEVEL_UNSPECIFIED is kUnknown).
constexpr std::pair<Level, v1::Level> kWireLevels[] = {
    {Level::kUnknown, v1::LEVEL_UNSPECIFIED}, {Level::kTrace, v1::LEVEL_TRACE},
    {Level::kDebug, v1::LEVEL_DEBUG},         {Level::kInfo, v1::LEVEL_INFO},
    {Level::kWarn, v1::LEVEL_WARN},           {Level::kError, v1::LEVEL_ERROR},
    {Level::kFatal, v1::LEVEL_FATAL}};

}  // namespace

v1::Level ToProto(Level level) {
  for (const auto& [ours, wire] : kWireLevels) {
    if (ours == level) return wire;
  }
  return v1::LEVEL_UNSPECIFIED;
}

void ToProto(const Finding& f, v1::Finding* out, WireText* text) {
  out->set_id(text->Utf8(f.id));
  out->set_kind(text->Utf8(f.kind));
  out->set_severity(SeverityName(f.severity));
  out->set_resolved(f.resolved);
  out->set_trace_id(text->Utf8(f.trace_id));
  out->set_subject(text->Utf8(f.subject));
  out->set_time_unix_nano(f.time_ns);
  out->set_summary(text->Utf8(f.summary));
  // Two keys that differ only in invalid bytes may repair to the same key: the last one stays.
  for (const auto& [k, v] : f.details) (*out->mutable_details())[text->Utf8(k)] = text->Utf8(v);
  for (const auto& e : f.evidence) {
    v1::Evidence* ev = out->add_evidence();
    ev->set_source(text->Utf8(e.source));
    ev->set_line(e.line_no);
    ev->set_time_unix_nano(e.time_ns);
    ev->set_text(text->Utf8(e.text));
  }
}

void ToProto(const AttributedEntry& a, v1::UnstructuredEntry* out, WireText* text) {
  const UnstructuredEntry& e = a.entry;
  out->set_id(text->Utf8(e.id));
  out->set_source(text->Utf8(e.source));
  out->set_service(text->Utf8(e.service));
  out->set_line(e.line_no);
  out->set_lines(e.line_count);
  out->set_time_unix_nano(e.time_ns);
  out->set_time_inferred(e.time_inferred);
  out->set_level(ToProto(e.level));
  out->set_text(text->Utf8(e.text));
  if (!a.candidates.empty()) {
    out->set_trace_id(text->Utf8(a.candidates.front().trace_id));
    out->set_confidence(a.candidates.front().confidence);
  }
  for (const auto& c : a.candidates) {
    v1::Candidate* pc = out->add_candidates();
    pc->set_trace_id(text->Utf8(c.trace_id));
    pc->set_confidence(c.confidence);
    pc->set_gap_nanos(c.gap_ns);
    pc->set_incomplete(c.incomplete);
    pc->set_named(c.named);
  }
  out->set_template_id(e.template_id);
  out->set_template_(text->Utf8(e.template_text));
}

void ToProto(const UnstructuredGroup& g, v1::UnstructuredTemplate* out, WireText* text) {
  out->set_template_id(g.template_id);
  out->set_template_(text->Utf8(g.template_text));
  out->set_count(g.count);
  if (g.time_known) {
    out->set_first_unix_nano(g.first_ns);
    out->set_last_unix_nano(g.last_ns);
  }
  for (const std::string& s : g.services) out->add_services(text->Utf8(s));
  for (const std::string& t : g.sample_traces) out->add_sample_traces(text->Utf8(t));
}

void ToProto(const Timeline& t, bool with_raw, v1::GetTimelineResponse* out, WireText* text) {
  out->set_trace_id(text->Utf8(t.trace_id));
  out->set_evicted_events(t.evicted_events);
  out->set_start_unix_nano(t.start_ns);
  out->set_end_unix_nano(t.end_ns);
  for (const auto& s : t.services) out->add_services(text->Utf8(s));
  for (const TimelineEvent& e : t.events) {
    v1::Event* ev = out->add_events();
    ev->set_time_unix_nano(e.time_ns);
    ev->set_time_inferred(!e.has_time);
    ev->set_service(text->Utf8(e.service));
    ev->set_level(ToProto(e.level));
    ev->set_message(text->Utf8(e.message));
    ev->set_source(text->Utf8(e.source));
    ev->set_line(e.line_no);
    ev->set_offset(e.source_offset);
    ev->set_structured(e.kind == RecordKind::kJson);
    if (with_raw) {
      ev->set_raw(text->Utf8(e.raw));
      ev->set_raw_bytes(e.raw);
    }
  }
}

void ToProto(const IngestStats& s, v1::Stats* out) {
  out->set_lines(s.lines);
  out->set_bytes(s.bytes);
  out->set_json_lines(s.json_lines);
  out->set_unstructured_lines(s.unstructured_lines);
  out->set_empty_lines(s.empty_lines);
  out->set_no_trace_id_lines(s.no_trace_id_lines);
  out->set_duplicate_lines(s.duplicate_lines);
  out->set_bad_time_lines(s.bad_time_lines);
  out->set_no_time_lines(s.no_time_lines);
  out->set_invalid_utf8_lines(s.invalid_utf8_lines);
  for (const auto& [rule, n] : s.redactions) (*out->mutable_redactions())[rule] = n;
  out->set_truncated_lines(s.truncated_lines);
  out->set_indexed_events(s.indexed_events);
  out->set_traces(s.traces);
  out->set_index_bytes(s.index_bytes);
  out->set_queued_bytes(s.queued_bytes);
  out->set_batches(s.batches);
  out->set_evicted_events(s.evicted_events);
  out->set_evicted_traces(s.evicted_traces);
  out->set_unreadable_lines(s.unreadable_lines);
  out->set_watermark_unix_nano(s.watermark_ns);
  out->set_latest_event_unix_nano(s.max_time_ns);
  out->set_unstructured_dropped(s.unstructured_dropped);
  out->set_plugin_dropped(s.plugin_dropped);
}

Level FromProto(v1::Level level) {
  for (const auto& [ours, wire] : kWireLevels) {
    if (wire == level) return ours;
  }
  return Level::kUnknown;
}

Severity SeverityFromName(std::string_view name) {
  if (name == "info") return Severity::kInfo;
  if (name == "error") return Severity::kError;
  if (name == "critical") return Severity::kCritical;
  return Severity::kWarning;
}

Finding FromProto(const v1::Finding& f) {
  Finding out;
  out.id = f.id();
  out.kind = f.kind();
  out.severity = SeverityFromName(f.severity());
  out.resolved = f.resolved();
  out.trace_id = f.trace_id();
  out.subject = f.subject();
  out.time_ns = f.time_unix_nano();
  out.summary = f.summary();
  out.details.assign(f.details().begin(), f.details().end());
  std::sort(out.details.begin(), out.details.end());
  for (const v1::Evidence& e : f.evidence()) {
    out.evidence.push_back(EvidenceLine{.source = e.source(),
                                        .line_no = e.line(),
                                        .time_ns = e.time_unix_nano(),
                                        .text = e.text()});
  }
  return out;
}

AttributedEntry FromProto(const v1::UnstructuredEntry& e) {
  AttributedEntry out;
  UnstructuredEntry& u = out.entry;
  u.id = e.id();
  u.source = e.source();
  u.service = e.service();
  u.line_no = e.line();
  u.line_count = e.lines();
  u.time_ns = e.time_unix_nano();
  u.time_inferred = e.time_inferred();
  // The wire has no "time unknown": the server sends 0 for it.
  u.time_known = e.time_unix_nano() != 0;
  u.level = FromProto(e.level());
  u.text = e.text();
  for (const v1::Candidate& c : e.candidates()) {
    out.candidates.push_back(AttributionCandidate{.trace_id = c.trace_id(),
                                                  .confidence = c.confidence(),
                                                  .gap_ns = c.gap_nanos(),
                                                  .incomplete = c.incomplete(),
                                                  .named = c.named()});
  }
  u.template_id = e.template_id();
  u.template_text = e.template_();
  return out;
}

UnstructuredGroup FromProto(const v1::UnstructuredTemplate& g) {
  UnstructuredGroup out;
  out.template_id = g.template_id();
  out.template_text = g.template_();
  out.count = g.count();
  out.first_ns = g.first_unix_nano();
  out.last_ns = g.last_unix_nano();
  out.time_known = g.first_unix_nano() != 0;
  out.services.assign(g.services().begin(), g.services().end());
  out.sample_traces.assign(g.sample_traces().begin(), g.sample_traces().end());
  return out;
}

Timeline FromProto(const v1::GetTimelineResponse& r) {
  Timeline t;
  t.trace_id = r.trace_id();
  t.services.assign(r.services().begin(), r.services().end());
  t.start_ns = r.start_unix_nano();
  t.end_ns = r.end_unix_nano();
  t.evicted_events = r.evicted_events();
  for (const v1::Event& e : r.events()) {
    TimelineEvent& te = t.events.emplace_back();
    te.time_ns = e.time_unix_nano();
    te.has_time = !e.time_inferred();
    te.time_known = true;
    te.service = e.service();
    te.level = FromProto(e.level());
    te.message = e.message();
    te.source = e.source();
    te.line_no = e.line();
    te.source_offset = e.offset();
    te.kind = e.structured() ? RecordKind::kJson : RecordKind::kUnstructured;
    // The line as stored when the server sent it (invalid UTF-8 included).
    te.raw = e.raw_bytes().empty() ? e.raw() : e.raw_bytes();
  }
  return t;
}

}  // namespace logweave

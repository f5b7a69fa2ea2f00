// Conversions between the engine's types and the wire types of
// logweave.v1 (proto/logweave/v1/logweave.proto), both directions, used by the
// server (query_service.cc: engine -> proto) and by the logweave client
// commands (proto -> engine, printed with the formatters `logweave replay`
// uses, so that a timeline or a finding reads the same either way).
//
//   WireText text;
//   v1::Finding wire;
//   ToProto(finding, &wire, &text);   // every string valid UTF-8
//   Finding back = FromProto(wire);   // details sorted by key
//
// Engine -> proto: every string set in a proto `string` field passes through
// the given WireText (repaired to valid UTF-8 there, repairs counted). Raw log
// bytes travel in `bytes` fields (Event.raw_bytes) when asked for.
// Proto -> engine: the values as sent (already valid UTF-8).
// All functions are thread-safe (WireText is).
#ifndef LOGWEAVE_CONNECTORS_GRPC_CONVERT_H_
#define LOGWEAVE_CONNECTORS_GRPC_CONVERT_H_

#include <string_view>

#include "connectors/grpc/wire_text.h"
#include "logweave/finding.h"
#include "logweave/index.h"
#include "logweave/record.h"
#include "logweave/report.h"
#include "logweave/stats.h"
#include "logweave/v1/logweave.pb.h"

namespace logweave {

// ---- engine -> proto ----

// Level::kUnknown -> LEVEL_UNSPECIFIED.
v1::Level ToProto(Level level);
void ToProto(const Finding& finding, v1::Finding* out, WireText* text);
void ToProto(const AttributedEntry& entry, v1::UnstructuredEntry* out, WireText* text);
void ToProto(const UnstructuredGroup& group, v1::UnstructuredTemplate* out, WireText* text);
// The timeline part of a GetTimeline answer (id, span, services, events; not
// its findings or plain-text errors). With `with_raw`, each event's line as
// repaired text (Event.raw) and as stored (Event.raw_bytes).
void ToProto(const Timeline& timeline, bool with_raw, v1::GetTimelineResponse* out, WireText* text);
// The pipeline's counters in a Stats answer (lines ... plugin_dropped, the
// watermark and the latest event time); the rest of Stats is the server's.
void ToProto(const IngestStats& stats, v1::Stats* out);

// ---- proto -> engine ----

// LEVEL_UNSPECIFIED (and unknown values) -> Level::kUnknown.
Level FromProto(v1::Level level);
// SeverityName's inverse; a name this build does not know (from a newer
// server) reads as a warning.
Severity SeverityFromName(std::string_view name);
// Details sorted by key (a proto map has no order on the wire).
Finding FromProto(const v1::Finding& finding);
// time_known is false for time 0 (the wire's "time unknown").
AttributedEntry FromProto(const v1::UnstructuredEntry& entry);
// Without `entries` (the wire does not carry them).
UnstructuredGroup FromProto(const v1::UnstructuredTemplate& group);
// The timeline part of a GetTimeline answer (see ToProto above).
Timeline FromProto(const v1::GetTimelineResponse& response);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_CONVERT_H_

// A protobuf message's fields as JSON fields, by reflection, for the commands whose --json
// output is a message of the query service (stats): a field added to the message shows up in
// the output without a line of code here.
//
//   w.StartObject();
//   WriteProtoFields(w, stats, {.groups = {"otlp_", "kafka_"}});  // ..., "otlp": {"requests": 3}
//   w.EndObject();
#ifndef LOGWEAVE_TOOLS_LOGWEAVE_PROTO_JSON_H_
#define LOGWEAVE_TOOLS_LOGWEAVE_PROTO_JSON_H_

#include <string_view>
#include <vector>

#include "google/protobuf/message.h"
#include "tools/logweave/json_writer.h"

namespace logweave::cli {

struct ProtoFieldsOptions {
  // Fields whose name starts with one of these prefixes ("otlp_") are written after the
  // others, in an object named by the prefix without its '_' and keyed by the rest of their
  // names ("otlp": {"requests": ...}). In nested messages too.
  std::vector<std::string_view> groups;
};

// Writes every field of `message` as a key and a value into the object `w` is in, in the order
// the .proto declares them (unset scalars too, as zero): numbers as JSON numbers (64-bit ones
// exact, not as strings; doubles as RapidJSON writes them, null if not finite), enums by name, maps
// as objects with their keys sorted as text, repeated fields as arrays, messages as objects (null
// when unset); bytes as text, repaired to valid UTF-8. An int64 field named *_unix_nano is followed
// by its time as text under the name without the suffix
// ("watermark": "2026-11-23T10:00:00.000Z"; "" for 0).
void WriteProtoFields(JsonWriter& w, const google::protobuf::Message& message,
                      const ProtoFieldsOptions& options = {});

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOGWEAVE_PROTO_JSON_H_

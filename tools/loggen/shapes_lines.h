// The events of loggen's benchmark shapes and their lines: JSON in each
// service's convention (zap, pino, python-json-logger, ECS, OTel) and the
// plain-text error blocks with stack traces. Pure functions of (model, event).
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHAPES_LINES_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHAPES_LINES_H_

#include <cstdint>
#include <string>

#include "tools/loggen/shapes_model.h"

namespace loggen::shapes {

enum class EventKind : uint8_t { kJson, kPlain };
enum class Level : uint8_t { kInfo, kWarn, kError };

// One line (or one plain-text block) waiting to be written.
struct Event {
  int64_t time_ns;
  uint64_t seq;  // tie-break: generation order
  uint64_t hi, lo;
  int64_t value;     // kResponse: the request's latency in ns; kPlain: the block's variant bits
  const Step* step;  // the step logged (kPlain: the step whose service prints the block)
  uint32_t route;
  uint16_t pos;  // the step's index in its trace; attribute values derive from (trace, pos)
  EventKind kind;
};

// Plain-block variant bits (Event::value): the kind, whether it names the trace, the message.
inline constexpr int64_t kPlainKindMask =
    3;  // 0, 1: error with a stack trace; 2: error; 3: warning
inline constexpr int64_t kPlainNamesTrace = 4;
inline constexpr int kPlainMessageShift = 3;

// Appends the event's trace id as its service's convention writes it.
void AppendId(const Model& model, const Event& e, std::string* out);
// Appends the event's JSON line ('\n'-terminated).
void FormatJson(const Model& model, const Event& e, std::string* out);
// Appends the event's plain-text block; returns its number of lines.
int FormatPlain(const Model& model, const Event& e, std::string* out);

}  // namespace loggen::shapes

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHAPES_LINES_H_

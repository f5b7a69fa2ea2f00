// Benchmark data of several shapes for loggen --shape (issue 16): the same engine input with one
// property pushed to an edge (short lines, short or long traces, much plain text, many services),
// so that a benchmark can show which property a throughput figure depends on.
//
//   loggen --out /tmp/lw-shapes/long-traces --shape long-traces --bytes 200M
//
// Every shape writes one file per service, <service>.log, each service in one of five logging
// conventions chosen per service: Go zap, Node pino, python-json-logger, logstash/ECS (dotted
// keys) and an OpenTelemetry-style nested record. Requests ("traces") arrive as a Poisson
// process and pass through the services of their route, which logs the route at its entry
// service. Lines in each file are in event-time order. With faults on, ~1% of traces miss one
// service and ~0.5% stop a service's sequence early, both listed in .truth.jsonl.
//
// Determinism: each trace draws from its own random streams derived from (seed, trace index), so
// the same flags give the same bytes and --traces N gives the first N traces of --traces M > N.
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHAPES_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHAPES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace loggen {

// The names --shape accepts, for help and error messages. "default" is loggen's web shop
// (loggen.cc), which GenerateShape does not make.
inline constexpr std::string_view kShapeNames =
    "default, short-lines, short-traces, long-traces, plain-text, many-services";

// True if `name` is one of kShapeNames.
bool IsShapeName(std::string_view name);

// What a shape takes from the command line. Thread-compatible.
struct ShapeOptions {
  std::string out_dir;                 // output directory, created if missing; required
  uint64_t traces = 1000;              // number of traces (ignored when bytes > 0)
  uint64_t bytes = 0;                  // stop after about this many bytes of logs; 0 = use traces
  uint64_t seed = 1;                   // same seed and options = same bytes
  int64_t start_ns = 0;                // event time of the first trace, ns since the Unix epoch
  double rate = 50;                    // mean traces per second of event time, > 0
  bool single_file = false;            // every service into all.log instead of <service>.log
  bool faults = true;                  // inject missing services and incomplete sequences
  bool truth = true;                   // list the injected faults in .truth.jsonl
  double missing_service_rate = 0.01;  // share of traces (>= 2 services) missing one, [0, 1]
};

// Generates shape `name` (any of kShapeNames but "default") into options.out_dir. Blocks until
// the files are written and closed. Returns one line for stderr saying what was written (files,
// lines, bytes, traces, events per trace, faults); kInvalidArgument for an unknown shape name,
// kUnavailable when a directory or file cannot be created or written.
absl::StatusOr<std::string> GenerateShape(std::string_view name, const ShapeOptions& options);

}  // namespace loggen

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHAPES_H_

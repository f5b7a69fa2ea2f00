// loggen's command line: the Options it sets and their parsing (with the
// FlagSet every program in tools/ and bench/ uses).
//
//   loggen::Options options;
//   if (int code = loggen::ParseFlags(argc, argv, &options); code >= 0) return code;
#ifndef LOGWEAVE_TOOLS_LOGGEN_OPTIONS_H_
#define LOGWEAVE_TOOLS_LOGGEN_OPTIONS_H_

#include <cstdint>
#include <string>

namespace loggen {

// Everything the command line sets. Thread-compatible.
struct Options {
  std::string out_dir;       // --out: output directory, created if missing. Required.
  uint64_t traces = 1000;    // --traces: number of traces to generate (ignored with --bytes).
  uint64_t bytes = 0;        // --bytes: stop after about this many log bytes; 0 = use --traces.
  uint64_t seed = 1;         // --seed: any 64-bit value; same seed + flags = same bytes.
  int64_t start_ns = 0;      // --start: event time of the first trace, ns since the Unix epoch.
  double rate = 50;          // --rate: mean traces per second of event time (> 0).
  bool faults = true;        // --faults on|off.
  bool single_file = false;  // --single-file: everything into all.log.
  bool truth = true;         // false with --no-truth: no .truth.jsonl.
  // Fault rates, each a probability in [0, 1].
  double missing_service_rate = 0.01;  // per trace whose route has >= 2 services.
  double email_error_rate = 0.01;      // per trace that sends an email.
  double java_error_rate = 0.002;      // per trace that calls payments.
  double duplicate_rate = 0.0005;      // per JSON line.
  double bad_time_rate = 0.0002;       // per JSON line.
  // A canary deployment of the gateway (0 = none: no version field at all).
  double canary_share = 0;          // --canary-share: requests served by v2 (others by v1)
  double canary_error_rate = 0.25;  // --canary-error-rate: v2 requests that fail with 503 ...
  double canary_fail_after_s = 0;   // --canary-fail-after: ... from this many seconds in
  // Daily cost allocation lines per service (billing.ndjson; 0 days = none).
  uint32_t cost_days = 0;          // --cost-days: days of costs, the last one the start day
  std::string cost_spike;          // --cost-spike: the service whose last day's cost jumps
  double cost_spike_factor = 2.5;  // --cost-spike-factor: by this factor
  std::string shape = "default";   // --shape: one of kShapeNames (shapes.h)
};

// Fills *options from argv. Returns -1 to go on, else the exit code to return
// at once: 0 after printing the help to stdout (--help), 2 after printing a
// message about a bad command line to stderr.
int ParseFlags(int argc, char** argv, Options* options);

}  // namespace loggen

#endif  // LOGWEAVE_TOOLS_LOGGEN_OPTIONS_H_

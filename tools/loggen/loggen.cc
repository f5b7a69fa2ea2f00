// loggen: a fast, deterministic generator of realistic multi-service logs for the demo, the tests
// and the benchmarks.
//
//   loggen --out /tmp/shop --traces 1000  # <service>.log per service + .truth.jsonl
//                                          # (hidden, so that replaying DIR skips it)
//   loggen --out /tmp/big --bytes 1G --single-file  # ~1 GiB, all services in all.log
//
// The model is a small web shop. Requests ("traces") arrive at the gateway as a Poisson process
// (--rate per second of event time) and follow one of a few routes, each calling a fixed set of
// services, so a route that never calls a service is never expected to log for it:
//
//   POST /checkout      gateway -> checkout -> fraud -> payments -> ledger, then email (async)
//   GET /cart           gateway -> checkout -> inventory
//   GET /products/{id}  gateway -> inventory
//   POST /refund        gateway -> payments -> ledger, then email (async)
//   GET /health         gateway
//
// Every service writes its own file in the convention of the logging library it would really use
// (zap, python-json-logger, logstash/ECS, pino, OpenTelemetry, structlog, and a JSON logger with a
// local UTC offset). Lines are written in event-time order, so each file looks like a process's
// stdout with concurrent requests interleaved. With --faults on, a few deliberate problems are
// injected and listed in .truth.jsonl (see --help for the kinds and their rates).
//
// Determinism: every trace draws from its own random streams derived from (seed, trace index),
// with a hand-written generator and distributions (absl's may change between Abseil releases;
// only the arrival gaps use libm, via log1p), so the same flags give byte-identical output, and
// the traces of --traces N are the first N traces of --traces M > N. Faults draw from a separate
// stream, so --faults off produces the same traces, minus the faults.
//
// Single-threaded; the whole run is one Generator. The parts:
//   options.{h,cc}         the command line
//   shop_model.h           the web shop: services, routes, events
//   shop_format.{h,cc}     one line format per service
//   shop_generator.{h,cc}  traces, faults, truth and billing files (--shape default)
//   shapes.{h,cc}          the benchmark shapes (--shape NAME)
//   common.h               randomness, civil time, text formatting
//   output.{h,cc}          output files, truth lines, event queue, trace arrivals (both generators)

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "tools/loggen/options.h"
#include "tools/loggen/shapes.h"
#include "tools/loggen/shop_generator.h"

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  loggen::Options options;
  if (const int code = loggen::ParseFlags(argc, argv, &options); code >= 0) return code;
  if (options.shape != "default") {
    const absl::StatusOr<std::string> summary = loggen::GenerateShape(
        options.shape, {options.out_dir, options.traces, options.bytes, options.seed,
                        options.start_ns, options.rate, options.single_file, options.faults,
                        options.truth, options.missing_service_rate});
    if (!summary.ok()) {
      absl::FPrintF(stderr, "loggen: %s\n", summary.status().message());
      return 1;
    }
    absl::FPrintF(stderr, "%s\n", *summary);
    return 0;
  }
  loggen::shop::Generator generator(options);
  absl::Status status = generator.Open();
  if (status.ok()) status = generator.Run();
  if (!status.ok()) {
    absl::FPrintF(stderr, "loggen: %s\n", status.message());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  absl::FPrintF(stderr, "%s\n", generator.Summary(seconds));
  return 0;
}

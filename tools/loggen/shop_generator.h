// The generator of loggen's default data: the web shop's traces as a Poisson
// process of requests, their events written in event-time order to one file
// per service (or all.log), the injected faults to .truth.jsonl and the cost
// lines to billing.ndjson.
//
//   loggen::shop::Generator generator(options);
//   if (absl::Status s = generator.Open(); !s.ok()) ...
//   if (absl::Status s = generator.Run(); !s.ok()) ...
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tools/loggen/common.h"
#include "tools/loggen/options.h"
#include "tools/loggen/output.h"
#include "tools/loggen/shop_model.h"

namespace loggen::shop {

// Runs one generation. Thread-compatible; used from main only.
class Generator {
 public:
  explicit Generator(const Options& options)
      : options_(options), output_(options.out_dir, options.truth) {}

  // Creates the output directory and files. Returns kUnavailable naming the one that could not
  // be created.
  absl::Status Open();
  // Writes billing.ndjson (--cost-days): for each day, four cost allocation
  // lines per service, at 00:00, 03:00, 06:00 and 09:00 UTC (before the
  // traces of a run starting at 10:00), with --cost-spike's last day raised.
  void WriteBilling();
  // Generates everything and closes the files. Returns kUnavailable on an I/O error.
  absl::Status Run();
  // One line for stderr describing what was written.
  std::string Summary(double seconds) const;

 private:
  // Per-trace state while its events are generated.
  struct TraceContext {
    Rng rng;     // everything about the trace
    Rng faults;  // fault decisions only, so --faults off leaves the traces unchanged
    uint64_t hi = 0;
    uint64_t lo = 0;
    RouteId route = kRouteHealth;
    Service silent = kNoService;  // missing_service fault
    uint8_t version_flags = 0;    // kFlagVersioned (| kFlagCanary) on the gateway's completion
    bool canary_fails = false;    // the canary answers this request with 503
  };

  static constexpr size_t kFlushBytes = 4 << 20;

  void GenerateTrace(uint64_t index, int64_t start_ns);
  void SendEmail(TraceContext& trace, int64_t time_ns, uint32_t email_template, bool fail);
  void Push(TraceContext& trace, Service service, EventType type, int64_t time_ns,
            int64_t value = 0, uint32_t aux = 0, bool warn = false);
  void Emit(const Event& e);
  // Counts a fault of trace (hi, lo) and starts its .truth.jsonl object (Output::TruthStart).
  std::string* TruthStart(std::string_view kind, uint64_t hi, uint64_t lo, Service service);

  Sink& SinkFor(Service service) { return output_.file(options_.single_file ? 0 : service); }

  const Options options_;
  Output output_;
  size_t billing_file_ = 0;  // billing.ndjson's index in output_ (with --cost-days)
  EventQueue<Event> pending_;
  std::string scratch_;
  uint64_t next_seq_ = 0;
  uint64_t traces_ = 0;
};

}  // namespace loggen::shop

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_

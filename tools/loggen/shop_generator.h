// The generator of loggen's default data: the web shop's traces as a Poisson
// process of requests, their events written in event-time order to one file
// per service (or all.log), the injected faults to .truth.jsonl and the cost
// lines to billing.ndjson.
//
//   loggen::shop::Generator generator(options);
//   if (!generator.Open(&error) || !generator.Run(&error)) ...
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_

#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "tools/loggen/common.h"
#include "tools/loggen/options.h"
#include "tools/loggen/shop_model.h"

namespace loggen::shop {

// Runs one generation. Thread-compatible; used from main only.
class Generator {
 public:
  explicit Generator(const Options& options) : options_(options) {}

  // Creates the output directory and files. Returns false with *error set on failure.
  bool Open(std::string* error);
  // Writes billing.ndjson (--cost-days): for each day, four cost allocation
  // lines per service, at 00:00, 03:00, 06:00 and 09:00 UTC (before the
  // traces of a run starting at 10:00), with --cost-spike's last day raised.
  void WriteBilling();
  // Generates everything and closes the files. Returns false with *error set on an I/O error.
  bool Run(std::string* error);
  // One line for stderr describing what was written.
  std::string Summary(double seconds) const;

 private:
  // An output file with its write buffer. Owned by the Generator.

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
  // Writes out every pending event earlier than time_ns.
  void EmitBefore(int64_t time_ns);
  void Emit(const Event& e);
  void TruthStart(std::string_view kind, uint64_t hi, uint64_t lo, Service service);
  void TruthEnd();
  void Flush(Sink& sink);
  bool Close(Sink& sink);

  Sink& SinkFor(Service service) { return sinks_[options_.single_file ? 0 : service]; }

  const Options options_;
  std::vector<Sink> sinks_;
  Sink truth_;
  Sink billing_;
  std::priority_queue<Event, std::vector<Event>, LaterEvent> pending_;
  std::string scratch_;
  uint64_t next_seq_ = 0;
  uint64_t traces_ = 0;
  uint64_t faults_ = 0;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
  std::string io_error_;  // first write error, if any
};

}  // namespace loggen::shop

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHOP_GENERATOR_H_

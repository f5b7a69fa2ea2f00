// query_load's traffic: traces generated in memory in four services'
// conventions, submitted to an in-process pipeline (Generator), and the ingest
// thread that submits them at full speed while queries run (Ingestor).
#ifndef LOGWEAVE_BENCH_QUERY_LOAD_TRAFFIC_H_
#define LOGWEAVE_BENCH_QUERY_LOAD_TRAFFIC_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "internal/thread_priority.h"
#include "logweave/batch.h"
#include "logweave/pipeline.h"

namespace logweave::bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Trace i: a 128-bit-looking hex id, unique per i.
std::string TraceId(int64_t i);

enum Service { kGateway = 0, kCheckout, kPayments, kLedger, kServices };
inline const char* const kSourceNames[kServices] = {"gen/gateway.log", "gen/checkout.log",
                                                    "gen/payments.log", "gen/ledger.log"};

// Appends the lines of trace i to the per-service batches. A trace has 3-5
// events: gateway received, checkout, [payments], [ledger], gateway completed;
// with `events_per_trace` >= 5, all five and checkout steps after the first
// up to that many (long traces). 0.1% of the traces (i % 1000 == 7) have a
// payments ERROR. Returns the number of lines.
int AppendTrace(int64_t i, RawBatch* batches, uint64_t* line_nos, uint64_t* offsets,
                int events_per_trace = 0);

// The process's resident set, in MB.
long RssMb();

// Generates traces [next, ...) into the pipeline's four sources. Thread-compatible.
class Generator {
 public:
  // `events_per_trace`: 0 for 3-5 events a trace; 5 or more for that many.
  Generator(Pipeline* pipeline, int64_t first_trace, int events_per_trace = 0)
      : pipeline_(pipeline), next_(first_trace), events_per_trace_(events_per_trace) {
    for (int s = 0; s < kServices; ++s) source_ids_[s] = pipeline->AddSource(kSourceNames[s]);
  }
  // Submits `traces` more traces in batches of up to 1024 traces; returns lines.
  // Blocks while the pipeline is full.
  int64_t Submit(int64_t traces) {
    int64_t lines = 0;
    while (traces > 0) {
      const int64_t n = std::min<int64_t>(traces, 1024);
      RawBatch batches[kServices];
      for (int s = 0; s < kServices; ++s) batches[s].source_id = source_ids_[s];
      for (int64_t k = 0; k < n; ++k) {
        lines += AppendTrace(next_++, batches, line_nos_, offsets_, events_per_trace_);
      }
      for (auto& b : batches) {
        if (b.size() > 0) pipeline_->Submit(std::move(b));
      }
      traces -= n;
    }
    return lines;
  }
  int64_t next() const { return next_; }

 private:
  Pipeline* pipeline_;
  int64_t next_;
  int events_per_trace_ = 0;
  uint32_t source_ids_[kServices] = {};
  uint64_t line_nos_[kServices] = {};
  uint64_t offsets_[kServices] = {};
};

// The ingest thread: submits new traces at full speed until Stop() or until
// it has submitted `max_lines` lines, which it then flushes (capped()). The
// measurement is taken by whoever ends the phase (Measure()): lines indexed
// since Start(), over the time since Start(), so a Submit() blocked by
// backpressure cannot stretch it. Stop() then Join() drains the pipeline.
class Ingestor {
 public:
  Ingestor(Pipeline* pipeline, Generator* gen, int64_t max_lines, int nice)
      : pipeline_(pipeline), gen_(gen), max_lines_(max_lines), nice_(nice) {}

  void Start() {
    base_events_ = pipeline_->Stats().indexed_events;
    start_ = Clock::now();
    thread_ = std::thread([this] {
      if (nice_ > 0) LowerThisThreadsPriority(nice_).IgnoreError();  // it plays a source
      int64_t submitted = 0;
      while (submitted < max_lines_ && !stop_.load()) submitted += gen_->Submit(1024);
      if (submitted >= max_lines_) {
        pipeline_->Flush();
        capped_.store(true);
      }
    });
  }
  // The cap was reached and everything submitted is indexed.
  bool capped() const { return capped_.load(); }
  // Lines indexed since Start() and the seconds since Start().
  void Measure() {
    lines_ = static_cast<int64_t>(pipeline_->Stats().indexed_events - base_events_);
    seconds_ = Seconds(Clock::now() - start_);
  }
  void StopAndJoin() {
    stop_.store(true);
    thread_.join();
    pipeline_->Flush();
  }
  int64_t lines() const { return lines_; }
  double seconds() const { return seconds_; }
  double lines_per_second() const { return seconds_ > 0 ? lines_ / seconds_ : 0; }

 private:
  Pipeline* pipeline_;
  Generator* gen_;
  const int64_t max_lines_;
  const int nice_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> capped_{false};
  uint64_t base_events_ = 0;
  Clock::time_point start_;
  int64_t lines_ = 0;
  double seconds_ = 0;
};

// kTimelineFloor: GetTimeline with an empty trace id, which the server answers
// INVALID_ARGUMENT without touching the index: the same stub, channel, server

}  // namespace logweave::bench

#endif  // LOGWEAVE_BENCH_QUERY_LOAD_TRAFFIC_H_

// The output side that loggen's two generators share, the web shop (shop_generator.h) and the
// benchmark shapes (shapes.h): the output directory and its buffered files, the .truth.jsonl
// lines of injected faults, the queue that puts events into event-time order and the loop of
// trace arrivals that drives a generator.
//
//   Output output(options.out_dir, options.truth);
//   if (absl::Status s = output.Open({"gateway.log", "email.log"}, {}, 4 << 20); !s.ok()) ...
//   EventQueue<Event> queue;
//   RunArrivals(arrivals, output, queue, generate_trace, emit_event);
//   if (absl::Status s = output.Close(); !s.ok()) ...
//
// Everything here is thread-compatible; a generator runs on one thread.
#ifndef LOGWEAVE_TOOLS_LOGGEN_OUTPUT_H_
#define LOGWEAVE_TOOLS_LOGGEN_OUTPUT_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tools/loggen/common.h"

namespace loggen {

// An output file with its write buffer; the generator appends lines to `buf`. Owned by Output.
struct Sink {
  std::string name;  // file name inside the output directory
  std::FILE* file = nullptr;
  std::string buf;
  uint64_t lines = 0;  // lines appended so far (see Output::Appended)
};

// The output directory and its files: the log files (one per service, or all.log), any extra
// files and, with truth on, .truth.jsonl. Keeps the counts of the summary line and the first
// write error; after an error nothing more is written.
class Output {
 public:
  // Files go to `dir`; with `truth`, the injected faults are listed in .truth.jsonl there.
  Output(std::string dir, bool truth) : dir_(std::move(dir)), truth_on_(truth) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Creates the directory (with its parents) and opens in it, in this order, the files named
  // `logs`, those named `extra` and .truth.jsonl (with truth on). A file's buffer is written out
  // once it holds `flush_bytes`. Returns kUnavailable naming the directory or file that could
  // not be created.
  absl::Status Open(const std::vector<std::string>& logs, const std::vector<std::string>& extra,
                    size_t flush_bytes);

  // File i in the order Open named them: the logs, then the extra files.
  Sink& file(size_t i) { return files_[i]; }
  // How many files Open opened, .truth.jsonl included.
  size_t num_files() const { return files_.size() + (truth_on_ ? 1 : 0); }

  // Counts `lines` lines that were just appended to sink.buf from offset `start` on, and writes
  // the buffer out once it is full.
  void Appended(Sink& sink, size_t start, int lines);

  // Counts a fault and starts its .truth.jsonl object, {"kind":"KIND", to which the caller
  // appends the rest of the fields and then calls TruthEnd. Without truth the returned string
  // is a scratch buffer that TruthEnd empties.
  std::string* TruthStart(std::string_view kind);
  // The same, followed by ,"trace_id":TRACE_ID,"service":"SERVICE" (`trace_id` is already a
  // JSON string, quotes included).
  std::string* TruthStart(std::string_view kind, std::string_view trace_id,
                          std::string_view service);
  // Ends the object TruthStart began with "}\n".
  void TruthEnd();

  // Writes out and closes every file, in the order Open opened them. Returns kUnavailable with
  // the first write or close error, if any.
  absl::Status Close();

  // The first write error, or "" while there is none.
  const std::string& error() const { return error_; }
  uint64_t lines() const { return lines_; }    // log (and extra) lines written or buffered
  uint64_t bytes() const { return bytes_; }    // their bytes
  uint64_t faults() const { return faults_; }  // TruthStart calls

 private:
  absl::Status OpenFile(std::string name, Sink* sink) const;
  // Writes the buffer out; the first failure is kept in error_.
  void Flush(Sink& sink);
  // Flushes and closes; a failure is kept in error_ like Flush's.
  void CloseFile(Sink& sink);

  const std::string dir_;
  const bool truth_on_;
  std::vector<Sink> files_;  // the logs, then the extra files
  Sink truth_;               // .truth.jsonl, or the scratch buffer without truth
  size_t flush_bytes_ = 4 << 20;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
  uint64_t faults_ = 0;
  std::string error_;
};

// A generator's events waiting to be written: the earliest on top, generation order breaking
// ties. `Event` is any struct with `int64_t time_ns` and `uint64_t seq`.
template <typename Event>
class EventQueue {
 public:
  void Push(const Event& e) { pending_.push(e); }
  size_t size() const { return pending_.size(); }

  // Calls emit(e) for each queued event earlier than `time_ns`, earliest first, and drops it.
  template <typename Emit>
  void EmitBefore(int64_t time_ns, Emit&& emit) {
    while (!pending_.empty() && pending_.top().time_ns < time_ns) {
      emit(pending_.top());
      pending_.pop();
    }
  }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.seq > b.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> pending_;
};

// When a generator's traces arrive and when it stops.
struct Arrivals {
  uint64_t seed = 1;        // the gaps draw from the stream (seed, ~0, 0)
  double rate = 50;         // mean traces per second of event time, > 0
  int64_t start_ns = 0;     // event time of the first trace, ns since the Unix epoch
  uint64_t traces = 1000;   // number of traces (ignored when bytes > 0)
  uint64_t bytes = 0;       // stop once the bytes written and queued reach this; 0 = use traces
  double line_bytes = 200;  // the length of a queued line assumed before one is written
};

// Runs a generator: traces arrive as a Poisson process at arrivals.rate from arrivals.start_ns
// on; generate(index, time_ns) queues trace `index`'s events in `queue`, and emit(event) is
// called for each queued event in event-time order once no trace to come can precede it. Stops
// after arrivals.traces traces (or about arrivals.bytes bytes) or at the first write error of
// `output`, and returns once every queued event is emitted.
template <typename Event, typename Generate, typename Emit>
void RunArrivals(const Arrivals& arrivals, const Output& output, EventQueue<Event>& queue,
                 Generate&& generate, Emit&& emit) {
  Rng gaps(StreamSeed(arrivals.seed, ~uint64_t{0}, 0));
  const double mean_gap_ns = 1e9 / arrivals.rate;
  int64_t t = arrivals.start_ns;
  for (uint64_t index = 0; output.error().empty(); ++index) {
    if (arrivals.bytes > 0) {
      // Stop once what is written plus what is pending reaches the target.
      const double avg_line = output.lines() > 0
                                  ? static_cast<double>(output.bytes()) / output.lines()
                                  : arrivals.line_bytes;
      if (output.bytes() + queue.size() * avg_line >= arrivals.bytes) break;
    } else if (index >= arrivals.traces) {
      break;
    }
    queue.EmitBefore(t, emit);
    generate(index, t);
    t += static_cast<int64_t>(-std::log1p(-gaps.Unit()) * mean_gap_ns);  // exponential gaps
  }
  queue.EmitBefore(std::numeric_limits<int64_t>::max(), emit);
}

}  // namespace loggen

#endif  // LOGWEAVE_TOOLS_LOGGEN_OUTPUT_H_

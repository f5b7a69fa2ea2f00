// A source of log lines: files, followed files, stdin, Kafka. One interface,
// so that the runtime starts, pauses and stops each the same way.
//
// A source is made with the Pipeline it feeds and sends it batches with
// Pipeline::Submit; the pipeline acknowledges each batch once every line of
// it is indexed (Submit's on_indexed), the moment the source may advance its
// checkpoint or commit. Each file, partition or stream the source reads is a
// pipeline source of its own (Pipeline::AddSource), whose event-time progress
// the watermark follows; the source ends it (Pipeline::EndSource) when its
// data ends. Per-source counters and progress: Pipeline::SourceStatuses.
//
//   std::unique_ptr<Source> follow = FollowSource::Create(options, &runtime->pipeline()).value();
//   runtime->Start(std::move(follow));   // runs on a thread of its own until Runtime::Stop
#ifndef LOGWEAVE_SOURCE_H_
#define LOGWEAVE_SOURCE_H_

#include <atomic>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace logweave {

// Threading: Run is called once, on one thread; Pause, Resume, paused and
// name from any thread.
class Source {
 public:
  virtual ~Source() = default;

  // What it reads, for messages: "files logs/", "follow /var/log/*.log", "kafka topics a,b",
  // "stdin".
  virtual std::string name() const = 0;

  // Reads until its data ends (files, stdin at end of input) or `stop`
  // becomes true. Before it returns, everything it read is submitted (the
  // pipeline indexes it; Pipeline::Flush waits for that). Problems with one
  // input (an unreadable file, a broker that is down for a while) are
  // reported by the source and do not end it; the status says why the source
  // as a whole could not go on.
  virtual absl::Status Run(const std::atomic<bool>& stop) = 0;

  // While paused a source reads nothing new (what it read is still submitted
  // and acknowledged); it resumes where it was. Sources check it at least
  // every poll or batch; the pipeline's own backpressure (HasRoom, Submit
  // blocking) works without it.
  void Pause() { paused_.store(true, std::memory_order_relaxed); }
  void Resume() { paused_.store(false, std::memory_order_relaxed); }
  bool paused() const { return paused_.load(std::memory_order_relaxed); }

 protected:
  // For Run implementations: waits while paused, checking `stop` every
  // `tick`. Returns false once `stop` is set.
  bool WaitWhilePaused(const std::atomic<bool>& stop,
                       absl::Duration tick = absl::Milliseconds(50)) const;

 private:
  std::atomic<bool> paused_{false};
};

// Helpers for sources. Pure and thread-safe.

// The service name a source implies: the file name without directories,
// compression and log extensions, rotation numbers and date suffixes
// ("/var/log/ledger.log.1.gz" -> "ledger", "api-2026-11-23.log" -> "api"), or
// for Kubernetes' files the container: "/var/log/containers/POD_NS_CONTAINER-<id>.log"
// and "/var/log/pods/NS_POD_UID/CONTAINER/0.log" -> "CONTAINER".
std::string ServiceFromSourceName(std::string_view source_name);

// Whether a plain-text line continues the block above it (a stack frame,
// "Caused by: ...", a traceback's "  File ..." line, any indented line), as a
// log shipper's multiline parser would group it with the line before.
bool ContinuesPlainTextBlock(std::string_view line);

}  // namespace logweave

#endif  // LOGWEAVE_SOURCE_H_

// The ingest pipeline: sources submit raw batches; worker threads parse them
// and insert the records into the index shards they own.
//
//   auto pipeline = Pipeline::Create(options).value();
//   uint32_t src = pipeline->AddSource("logs/ledger.log");
//   pipeline->Submit(std::move(batch));        // from any thread; blocks when full
//   pipeline->Flush();                         // every submitted line is indexed
//   auto timeline = pipeline->index().GetTimeline("pay-abc123");
//
// Threads: W workers (PipelineOptions::threads). Worker w owns the shards
// k with k % W == w and is the only thread that writes them. A raw batch is
// parsed by whichever worker takes it from the MPMC raw queue; the records are
// then handed to the owning workers over one MPSC queue per shard
// (producers = all workers; consumer = the shard's owner). No global lock on
// the ingest path.
#ifndef LOGWEAVE_PIPELINE_H_
#define LOGWEAVE_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "logweave/batch.h"
#include "logweave/index.h"
#include "logweave/journal.h"
#include "logweave/options.h"
#include "logweave/plugin.h"
#include "logweave/stats.h"

namespace logweave {

class UnstructuredCollector;  // engine-internal: the plain-text error blocks

namespace internal {
class PipelineImpl;
}  // namespace internal

// Thread-safe.
class Pipeline {
 public:
  // Starts the worker threads. INVALID_ARGUMENT for invalid options; a
  // plugin's error (NOT_FOUND for a file plugins.drift cannot read, ...).
  static absl::StatusOr<std::unique_ptr<Pipeline>> Create(const PipelineOptions& options);
  // Stops the workers after indexing what was submitted.
  ~Pipeline();

  // Registers a source; lines of it without a service field take `default_service`
  // (empty: derived from `name` with ServiceFromSourceName). Returns its id.
  // `journaled`: its batches go to the journal (SetJournal), if any; false
  // for sources read again in full at every start (replayed files). A source
  // restored under the same name and default service (AddRestoredSource)
  // is taken over: the same id, its counters and progress go on.
  uint32_t AddSource(const std::string& name, const std::string& default_service = "",
                     bool journaled = true);

  // Registers a source whose lines are restored from the journal at start
  // (not journaled again); the live source that later registers the same
  // name and default service takes its id over (see AddSource).
  uint32_t AddRestoredSource(const std::string& name, const std::string& default_service);

  // Makes Submit pass every batch through `transform` first (on the
  // submitting thread, before the journal and the queue): the command's way
  // to rewrite lines the parser cannot take one by one, such as the
  // OpenTelemetry Collector's file exporter (one line: many records). Once,
  // before any source submits; `transform` must be thread-safe.
  void SetBatchTransform(std::function<void(RawBatch*)> transform);

  // Makes `journal` the write-ahead log of the journaled sources: Submit
  // appends each of their batches to it before queueing it (so before its
  // on_indexed runs). Once, before journaled sources submit. The pipeline
  // owns it and destroys it after its workers stopped.
  void SetJournal(std::unique_ptr<BatchJournal> journal);

  // Makes every batch submitted so far durable in the journal
  // (BatchJournal::Sync); OK without one. A source calls it after choosing
  // what its checkpoint or commit covers and before writing it, so that a
  // checkpoint never covers lines the journal could lose.
  absl::Status SyncJournal();

  // Says that source `source` sends no more lines (a file read to its end, a
  // partition given up): it stops holding the watermark back.
  void EndSource(uint32_t source);

  // The event-time watermark at wall-clock time `now`: the progress (latest
  // event time of its lines indexed so far, in its order) of the slowest
  // source still sending; a source that ended, or sent nothing for
  // detectors.source_idle, does not count. With none sending, the newest
  // progress of all. 0 before any line with a time was indexed.
  int64_t Watermark(absl::Time now = absl::Now()) const;

  // Every source registered so far, by id, with its counters and progress.
  std::vector<SourceStatus> SourceStatuses(absl::Time now = absl::Now()) const;

  // Hands a batch to the workers. Blocks while more than options.EffectiveQueueBytes()
  // are in flight (backpressure); never drops. `on_indexed`, if given, runs
  // once every line of the batch is in the index (on a worker thread: keep it
  // short) — the moment a source may advance its checkpoint (file offset
  // saved, Kafka offset committed).
  void Submit(RawBatch&& batch, std::function<void()> on_indexed = nullptr);

  // False while the in-flight budget is used up (Submit would block): a
  // source that can pause (Kafka partitions) pauses instead of blocking.
  bool HasRoom() const;
  // Blocks until HasRoom() or `deadline`; what HasRoom() then says. For a
  // caller that can hold its client a while (an OTLP/gRPC export within its
  // deadline) instead of refusing at once.
  bool WaitForRoom(absl::Time deadline) const;

  // Blocks until every batch submitted before the call is indexed.
  void Flush();

  const Index& index() const;
  // The input has ended (a replay's files are read and Flush returned, no
  // Submit after it): frees what only deduplicating later lines needs
  // (Index::ReleaseDedupeWindows). Lines submitted later are still indexed.
  void EndOfInput();
  // After EndOfInput, once an analysis has read shard `shard`'s traces for
  // the last time: frees them (Index::ReleaseShard) and, every eighth of the
  // shards, returns the freed memory to the system. Thread-safe for
  // different shards.
  void ReleaseIndexShard(uint32_t shard);
  // The rule plugins the options enabled (plugins.*), fed by the workers;
  // pass them to the Analyzer, which evaluates them. Owned by the pipeline.
  std::vector<RulePlugin*> plugins() const;
  // Plain-text error blocks seen so far (for the engine's analyzer).
  const UnstructuredCollector& unstructured() const;
  // The same, writable: for a one-shot analysis that takes the entries over
  // (Analyzer::TakeUnstructured).
  UnstructuredCollector* mutable_unstructured();
  const SourceNames& sources() const;
  const PipelineOptions& options() const;
  IngestStats Stats() const;

 private:
  explicit Pipeline(std::unique_ptr<internal::PipelineImpl> impl);
  std::unique_ptr<internal::PipelineImpl> impl_;
};

}  // namespace logweave

#endif  // LOGWEAVE_PIPELINE_H_

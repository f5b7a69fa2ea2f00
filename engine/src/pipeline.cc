#include "logweave/pipeline.h"

#include <atomic>
#include <functional>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "analysis/unstructured.h"
#include "concurrentqueue/concurrentqueue.h"
#include "concurrentqueue/lightweightsemaphore.h"
#include "internal/free_memory.h"
#include "internal/thread_priority.h"
#include "logweave/plugin.h"
#include "parse/parser.h"
#include "pipeline_digest.h"

namespace logweave {
namespace internal {

// A parsed batch shared by the shard work items made from it; the last one
// to finish releases it and tells the pipeline.
struct SharedBatch {
  ParsedBatch parsed;
  uint64_t raw_bytes = 0;
  uint64_t memory = 0;      // BatchMemory when it was submitted
  int64_t max_time_ns = 0;  // its latest event time (0: none)
  std::atomic<uint32_t> pending{0};
  std::function<void()> on_indexed;  // from Submit; run once every record is indexed
};

// A batch waiting to be parsed.
struct SubmittedBatch {
  RawBatch batch;
  std::function<void()> on_indexed;
  uint64_t memory = 0;  // BatchMemory(batch)
};

// The memory a batch holds from Submit until its last record is indexed:
// its bytes and line spans as submitted and, once parsed, its unescaped
// values (at most its bytes again; the parser's working copy is the parser's),
// a record, two hashes and a routed record per line.
uint64_t BatchMemory(const RawBatch& b) {
  return b.data.capacity() + b.data.size() + b.lines.capacity() * sizeof(LineSpan) +
         b.lines.size() * (sizeof(Record) + 2 * sizeof(uint64_t) + sizeof(ShardRecord));
}

// The records of one parsed batch that belong to one shard. `batch` is not
// owned: its last work item to be indexed releases it (PipelineImpl::Release).
struct ShardWork {
  SharedBatch* batch;
  std::vector<ShardRecord> records;
};

class PipelineImpl {
 public:
  PipelineImpl(const PipelineOptions& options)
      : options_(options),
        worker_count_(options.EffectiveThreads()),
        shard_count_(options.EffectiveShards()),
        queue_bytes_(options.EffectiveQueueBytes()),
        batch_memory_limit_(options.BatchMemoryBytes()),
        max_spare_batches_(batch_memory_limit_ > 0 ? std::min(kMaxSpareBatches, worker_count_)
                                                   : kMaxSpareBatches),
        index_(IndexShare(options), shard_count_, &sources_),
        unstructured_(&sources_, UnstructuredShare(options, index_)),
        started_(absl::Now()) {
    // The enabled rule plugins; the first that cannot be made (drift's files
    // unreadable, ...) is what Pipeline::Create reports.
    for (const auto& config : options.plugins) {
      if (!config->enabled()) continue;
      absl::StatusOr<std::unique_ptr<RulePlugin>> plugin = config->Create(sources_);
      if (plugin.ok()) {
        plugins_.push_back(std::move(*plugin));
      } else if (init_status_.ok()) {
        init_status_ = plugin.status();
      }
    }
    for (uint32_t k = 0; k < shard_count_; ++k) {
      shard_queues_.push_back(
          std::make_unique<moodycamel::ConcurrentQueue<std::unique_ptr<ShardWork>>>());
    }
    // Redacts batches on their sources' threads before the journal stores them.
    journal_redactor_ = LineParser::Create(options.parser).value();
    for (uint32_t w = 0; w < worker_count_; ++w) {
      auto worker = std::make_unique<Worker>();
      worker->parser = LineParser::Create(options.parser).value();  // validated by Create
      workers_.push_back(std::move(worker));
    }
    for (uint32_t w = 0; w < worker_count_; ++w) {
      workers_[w]->thread = std::thread([this, w] { WorkerLoop(w); });
    }
  }

  ~PipelineImpl() {
    Flush();
    stop_.store(true, std::memory_order_release);
    for (auto& w : workers_) w->wake.signal();
    for (auto& w : workers_) w->thread.join();
    std::unique_ptr<SharedBatch> spare;
    while (spare_batches_.try_dequeue(spare)) spare.reset();
  }

  uint32_t AddSource(const std::string& name, const std::string& default_service, bool journaled,
                     bool restored = false) {
    std::string service = default_service.empty() ? ServiceFromSourceName(name) : default_service;
    absl::MutexLock lock(&mu_);
    auto key = std::make_pair(name, service);
    if (auto it = restored_.find(key); it != restored_.end() && !restored) {
      const uint32_t id = it->second;  // the live source takes its restored lines over
      restored_.erase(it);
      Progress(id).journaled = journaled;
      Progress(id).ended = false;
      return id;
    }
    const uint32_t id = sources_.Add(name, std::move(service));
    Progress(id).journaled = journaled && !restored;
    if (restored) restored_.emplace(std::move(key), id);
    return id;
  }

  void SetBatchTransform(std::function<void(RawBatch*)> transform) {
    transform_ = std::move(transform);
  }

  void SetJournal(std::unique_ptr<BatchJournal> journal) {
    absl::MutexLock lock(&mu_);
    journal_ = std::move(journal);
  }

  absl::Status SyncJournal() {
    BatchJournal* journal;
    {
      absl::MutexLock lock(&mu_);
      journal = journal_.get();
    }
    return journal == nullptr ? absl::OkStatus() : journal->Sync();
  }

  bool HasRoom() const {
    absl::MutexLock lock(&mu_);
    return RoomLocked();
  }

  bool WaitForRoom(absl::Time deadline) const {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithDeadline(absl::Condition(this, &PipelineImpl::RoomLocked), deadline);
  }

  bool RoomLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return inflight_bytes_ < queue_bytes_ &&
           (batch_memory_limit_ == 0 || inflight_memory_ + spare_memory_ < batch_memory_limit_);
  }

  void Submit(RawBatch&& batch, std::function<void()> on_indexed) {
    if (transform_) transform_(&batch);
    if (batch.lines.empty()) {
      if (on_indexed) on_indexed();
      return;
    }
    const uint64_t bytes = batch.data.size();
    BatchJournal* journal = nullptr;
    const uint64_t memory = BatchMemory(batch);
    {
      absl::MutexLock lock(&mu_);
      // Backpressure: wait for room (queue_bytes, and under a memory budget
      // the batches' share of it), but always admit one batch so a batch
      // larger than the budget cannot wait forever.
      struct Waiting {
        PipelineImpl* p;
        uint64_t memory;
      } waiting{this, memory};
      mu_.Await(absl::Condition(
          +[](Waiting* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->p->mu_) {
            const PipelineImpl& p = *w->p;
            if (p.inflight_batches_ == 0) return true;
            return p.inflight_bytes_ < p.queue_bytes_ &&
                   (p.batch_memory_limit_ == 0 ||
                    p.inflight_memory_ + p.spare_memory_ + w->memory <= p.batch_memory_limit_);
          },
          &waiting));
      inflight_bytes_ += bytes;
      inflight_memory_ += memory;
      ++inflight_batches_;
      ++batches_;
      batch.first_seq = next_seq_;
      next_seq_ += batch.lines.size();
      SourceProgress& p = Progress(batch.source_id);
      batch.batch_no = p.submitted++;
      p.lines += batch.lines.size();
      p.bytes += bytes;
      ++p.inflight;
      p.last_seen = absl::Now();
      if (p.journaled) journal = journal_.get();
    }
    // Before it is queued: on_indexed (a checkpoint) never runs before this.
    if (journal != nullptr) {
      journal_redactor_->RedactBatch(&batch);  // no secret reaches the disk
      journal->Append(batch, sources_.Name(batch.source_id),
                      sources_.DefaultService(batch.source_id));
    }
    raw_queue_.enqueue(std::make_unique<SubmittedBatch>(
        SubmittedBatch{std::move(batch), std::move(on_indexed), memory}));
    for (auto& w : workers_) w->wake.signal();
  }

  void Flush() {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PipelineImpl* p)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->inflight_batches_ == 0; },
          this));
    }
    // Nothing is in flight: the spare batches' buffers (tens of MB at the
    // end of a replay, while the analysis needs its memory) go back now; a
    // later batch allocates again.
    DropSpareBatches();
  }

  // Frees the spare batches.
  void DropSpareBatches() {
    std::unique_ptr<SharedBatch> spare;
    while (spare_batches_.try_dequeue(spare)) {
      absl::MutexLock lock(&mu_);
      --spare_count_;
      spare_memory_ -= spare->memory;
      spare.reset();
    }
  }

  IngestStats Stats() const {
    IngestStats s;
    for (const auto& w : workers_) {
      absl::MutexLock lock(&w->stats_mu);
      w->counters.AddTo(&s);
    }
    IndexCounters c = index_.Counters();
    s.indexed_events = c.events;
    s.traces = c.traces;
    s.duplicate_lines = c.duplicates;
    s.index_bytes = c.bytes;
    s.evicted_events = c.evicted_events;
    s.evicted_traces = c.evicted_traces;
    s.unreadable_lines = c.unreadable_lines;
    {
      absl::MutexLock lock(&mu_);
      s.batches = batches_;
      s.queued_bytes = inflight_bytes_;
      s.queued_memory = inflight_memory_;
    }
    s.watermark_ns = Watermark(absl::Now());
    s.elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - started_);
    s.unstructured_dropped = unstructured_.dropped();
    for (const auto& p : plugins_) s.plugin_dropped += p->dropped();
    return s;
  }

  void EndSource(uint32_t source) {
    absl::MutexLock lock(&mu_);
    Progress(source).ended = true;
  }

  // The minimum progress over the sources still sending; with none, the
  // maximum over all (every source is done or quiet: nothing holds back).
  int64_t Watermark(absl::Time now) const {
    const absl::Duration idle = absl::Nanoseconds(options_.detectors.source_idle_ns);
    absl::MutexLock lock(&mu_);
    int64_t slowest = INT64_MAX, newest = 0;
    bool any = false;
    for (const SourceProgress& p : progress_) {
      const bool sending = Sending(p, now, idle);
      if (!p.has_time) continue;
      any = true;
      newest = std::max(newest, p.time_ns);
      if (sending) slowest = std::min(slowest, p.time_ns);
    }
    if (!any) return 0;
    return slowest != INT64_MAX ? slowest : newest;
  }

  std::vector<SourceStatus> SourceStatuses(absl::Time now) const {
    const absl::Duration idle = absl::Nanoseconds(options_.detectors.source_idle_ns);
    std::vector<SourceStatus> out(sources_.size());
    for (uint32_t id = 0; id < out.size(); ++id) out[id].name = std::string(sources_.Name(id));
    absl::MutexLock lock(&mu_);
    for (uint32_t id = 0; id < out.size() && id < progress_.size(); ++id) {
      const SourceProgress& p = progress_[id];
      out[id].lines = p.lines;
      out[id].bytes = p.bytes;
      out[id].progress_ns = p.has_time ? p.time_ns : 0;
      out[id].ended = p.ended;
      out[id].holding = p.has_time && Sending(p, now, idle);
    }
    return out;
  }

  const Index& index() const { return index_; }
  void EndOfInput() {
    Flush();
    index_.ReleaseDedupeWindows();
    // The windows, and the batches that were in flight, were freed into the workers' arenas.
    internal::ReturnFreeMemoryToSystem();
  }
  void ReleaseIndexShard(uint32_t shard) {
    index_.ReleaseShard(shard);
    // The workers that filled the shard freed its memory into their own malloc arenas: handed
    // back every eighth of the shards (each call walks every arena).
    const uint32_t shards = index_.shard_count();
    const uint32_t released = released_shards_.fetch_add(1) + 1;
    if (released % std::max(1u, shards / 8) == 0 || released == shards) {
      internal::ReturnFreeMemoryToSystem();
    }
  }
  // Not OK if a plugin could not be made (its files unreadable, ...).
  const absl::Status& init_status() const { return init_status_; }
  std::vector<RulePlugin*> plugins() const {
    std::vector<RulePlugin*> out;
    for (const auto& p : plugins_) out.push_back(p.get());
    return out;
  }
  const UnstructuredCollector& unstructured() const { return unstructured_; }
  UnstructuredCollector* mutable_unstructured() { return &unstructured_; }
  const SourceNames& sources() const { return sources_; }
  const PipelineOptions& options() const { return options_; }

 private:
  struct Worker {
    std::thread thread;
    moodycamel::LightweightSemaphore wake;
    std::unique_ptr<LineParser> parser;
    mutable absl::Mutex stats_mu;
    ParseCounters counters ABSL_GUARDED_BY(stats_mu);
  };

  void WorkerLoop(uint32_t w) {
    Worker& worker = *workers_[w];
    // Validated by PipelineOptions::Validate; a refusal leaves the priority as it was.
    if (options_.worker_nice > 0) LowerThisThreadsPriority(options_.worker_nice).IgnoreError();
    std::vector<std::vector<ShardRecord>> by_shard(shard_count_);
    while (true) {
      bool did_work = DrainOwnShards(w);
      std::unique_ptr<SubmittedBatch> raw;
      if (raw_queue_.try_dequeue(raw)) {
        ParseAndRoute(worker, std::move(raw), &by_shard);
        did_work = true;
      }
      if (!did_work) {
        if (stop_.load(std::memory_order_acquire) && raw_queue_.size_approx() == 0 &&
            !DrainOwnShards(w)) {
          return;
        }
        worker.wake.wait(10'000);  // microseconds; a signal wakes it at once
      }
    }
  }

  // Applies every queued work item of the shards worker `w` owns.
  bool DrainOwnShards(uint32_t w) {
    bool did_work = false;
    std::unique_ptr<ShardWork> items[16];
    for (uint32_t k = w; k < shard_count_; k += worker_count_) {
      size_t n;
      while ((n = shard_queues_[k]->try_dequeue_bulk(items, 16)) > 0) {
        for (size_t i = 0; i < n; ++i) {
          index_.Insert(k, items[i]->records.data(), items[i]->records.size());
          Release(items[i]->batch);
          items[i].reset();
        }
        did_work = true;
      }
    }
    return did_work;
  }

  void ParseAndRoute(Worker& worker, std::unique_ptr<SubmittedBatch> submitted,
                     std::vector<std::vector<ShardRecord>>* by_shard) {
    // A recycled batch keeps the capacity of its vectors:
    // fresh memory would cost a page fault and the kernel's zeroing per 4 KiB.
    std::unique_ptr<SharedBatch> recycled;
    if (spare_batches_.try_dequeue(recycled)) {
      absl::MutexLock lock(&mu_);
      --spare_count_;
      spare_memory_ -= recycled->memory;
    } else {
      recycled = std::make_unique<SharedBatch>();
    }
    // From here on owned by its work items' count: the last Release takes it back.
    SharedBatch* shared = recycled.release();
    RawBatch* raw = &submitted->batch;
    shared->raw_bytes = raw->data.size();
    shared->memory = submitted->memory;
    shared->on_indexed = std::move(submitted->on_indexed);
    std::string_view service = sources_.DefaultService(raw->source_id);
    ParseCounters counters = worker.parser->ParseBatch(std::move(*raw), service, &shared->parsed);
    shared->max_time_ns = counters.max_time_ns;
    {
      absl::MutexLock lock(&worker.stats_mu);
      worker.counters += counters;
    }
    const ParsedBatch& parsed = shared->parsed;
    unstructured_.Add(DigestBatch(parsed));
    for (const auto& p : plugins_) p->Observe(parsed);
    for (size_t i = 0; i < parsed.records.size(); ++i) {
      const Record& r = parsed.records[i];
      if (r.kind == RecordKind::kEmpty) continue;
      uint32_t shard = r.trace_id.empty() ? index_.ShardOfLine(parsed.line_hashes[i])
                                          : index_.ShardOfTraceHash(parsed.trace_hashes[i]);
      (*by_shard)[shard].push_back(ShardRecord{&r, parsed.line_hashes[i], parsed.trace_hashes[i]});
    }
    uint32_t targets = 0;
    for (const auto& records : *by_shard) targets += records.empty() ? 0 : 1;
    // One extra count held while routing, so the batch cannot be released early.
    shared->pending.store(targets + 1, std::memory_order_relaxed);
    for (uint32_t k = 0; k < shard_count_; ++k) {
      auto& records = (*by_shard)[k];
      if (records.empty()) continue;
      auto work = std::make_unique<ShardWork>(ShardWork{shared, std::move(records)});
      records = {};
      shard_queues_[k]->enqueue(std::move(work));
      workers_[k % worker_count_]->wake.signal();
    }
    Release(shared);
  }

  // Drops one count of `batch`; the last one takes ownership back, runs its
  // on_indexed and keeps it for reuse (or frees it). Under a memory budget
  // the spare batches' memory counts against the batches' share, and they
  // take at most a quarter of it.
  void Release(SharedBatch* released) {
    if (released->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    std::unique_ptr<SharedBatch> batch(released);
    const uint64_t bytes = batch->raw_bytes;
    const uint64_t memory = batch->memory;
    const uint32_t batch_source = batch->parsed.raw.source_id;
    const uint64_t batch_no = batch->parsed.raw.batch_no;
    const int64_t max_time_ns = batch->max_time_ns;
    batch->parsed.block.reset();  // the index has its own copies of the lines
    if (batch->on_indexed) {
      batch->on_indexed();
      batch->on_indexed = nullptr;
    }
    absl::MutexLock lock(&mu_);
    inflight_bytes_ -= bytes;
    inflight_memory_ -= memory;
    --inflight_batches_;
    Indexed(batch_source, batch_no, max_time_ns);
    if (spare_count_ < max_spare_batches_ &&
        (batch_memory_limit_ == 0 || spare_memory_ + memory <= batch_memory_limit_ / 4)) {
      // Queued before the lock is released: a Flush woken by this release
      // (no batch in flight) finds it and frees it.
      ++spare_count_;
      spare_memory_ += memory;
      spare_batches_.enqueue(std::move(batch));
    }
    // Otherwise freed on return (after the lock: its destructor takes none).
  }

  // Event-time progress of one source: the latest event time of its lines
  // indexed so far, counting its batches in the order it submitted them (a
  // batch indexed before an earlier one waits for it).
  struct SourceProgress {
    int64_t time_ns = 0;
    bool has_time = false;
    uint64_t submitted = 0;             // batches submitted: the next one's number
    uint64_t next_batch = 0;            // its next batch to count
    std::map<uint64_t, int64_t> early;  // batches indexed before an earlier one -> max time
    uint64_t inflight = 0;              // batches submitted, not yet indexed
    absl::Time last_seen = absl::InfinitePast();  // a batch was submitted or indexed
    bool ended = false;                           // EndSource: sends no more
    uint64_t lines = 0;                           // submitted
    uint64_t bytes = 0;                           // submitted
    bool journaled = false;                       // its batches go to journal_
  };

  // Whether `p` still sends: not ended, and a batch in flight or one seen
  // within `idle` of `now`.
  static bool Sending(const SourceProgress& p, absl::Time now, absl::Duration idle) {
    return !p.ended && (p.inflight > 0 || now - p.last_seen < idle);
  }

  SourceProgress& Progress(uint32_t source) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (source >= progress_.size()) progress_.resize(source + 1);
    return progress_[source];
  }

  void Indexed(uint32_t source, uint64_t batch_no, int64_t max_time_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    SourceProgress& p = Progress(source);
    --p.inflight;
    p.last_seen = absl::Now();
    p.early[batch_no] = max_time_ns;
    for (auto it = p.early.begin(); it != p.early.end() && it->first == p.next_batch;
         it = p.early.erase(it)) {
      if (it->second != 0) {
        p.time_ns = std::max(p.time_ns, it->second);
        p.has_time = true;
      }
      ++p.next_batch;
    }
  }

  // The plain-text errors' share of the budget and, when they may borrow it, up to as much
  // again of the part of the index's share the index does not use.
  static UnstructuredOptions UnstructuredShare(const PipelineOptions& options, const Index& index) {
    UnstructuredOptions unstructured{.max_bytes = options.UnstructuredMemoryBytes()};
    if (!options.plain_text_borrows_index_room) return unstructured;
    const uint64_t index_share = options.IndexMemoryBytes(), most = unstructured.max_bytes;
    unstructured.room_to_borrow = [&index, index_share, most] {
      const uint64_t used = index.BytesNow();
      return std::min(most, used < index_share ? index_share - used : 0);
    };
    return unstructured;
  }

  // The index's options with its share of the memory budget.
  static IndexOptions IndexShare(const PipelineOptions& options) {
    IndexOptions index = options.index;
    index.max_bytes = options.IndexMemoryBytes();
    return index;
  }

  const PipelineOptions options_;
  const uint32_t worker_count_;
  const uint32_t shard_count_;
  const uint64_t queue_bytes_;  // raw bytes in flight (PipelineOptions::EffectiveQueueBytes)
  // Under a memory budget: what batches in flight and spare batches may hold
  // (BatchMemory).
  const uint64_t batch_memory_limit_;
  // Spare batches kept: under a budget one a worker (each parses one batch at
  // a time), else kMaxSpareBatches.
  const uint32_t max_spare_batches_;
  SourceNames sources_;
  Index index_;
  UnstructuredCollector unstructured_;
  std::vector<std::unique_ptr<RulePlugin>> plugins_;  // fed by the workers (Observe)
  absl::Status init_status_;
  const absl::Time started_;

  // MPMC: producers = Submit() callers (sources); consumers = workers.
  moodycamel::ConcurrentQueue<std::unique_ptr<SubmittedBatch>> raw_queue_;
  // One per shard. MPSC: producers = workers that parsed a batch; consumer = the shard's owner.
  std::vector<std::unique_ptr<moodycamel::ConcurrentQueue<std::unique_ptr<ShardWork>>>>
      shard_queues_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> released_shards_{0};  // ReleaseIndexShard's calls
  // Parsed batches whose records are all indexed, for reuse. MPMC: producers =
  // the worker that releases a batch; consumers = workers parsing a new one.
  // Few: each keeps the capacity of a batch's buffers (a MiB or more).
  static constexpr uint32_t kMaxSpareBatches = 8;
  moodycamel::ConcurrentQueue<std::unique_ptr<SharedBatch>> spare_batches_;

  mutable absl::Mutex mu_;
  uint64_t inflight_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t inflight_memory_ ABSL_GUARDED_BY(mu_) = 0;  // BatchMemory of those batches
  uint64_t inflight_batches_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t spare_count_ ABSL_GUARDED_BY(mu_) = 0;   // batches in spare_batches_
  uint64_t spare_memory_ ABSL_GUARDED_BY(mu_) = 0;  // their BatchMemory when last used
  uint64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<SourceProgress> progress_ ABSL_GUARDED_BY(mu_);  // per source
  // Restored sources not yet taken over, by name and default service.
  std::map<std::pair<std::string, std::string>, uint32_t> restored_ ABSL_GUARDED_BY(mu_);
  // Set once; used outside mu_ (never replaced). The destructor's body stops the workers first.
  std::unique_ptr<BatchJournal> journal_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<LineParser> journal_redactor_;  // immutable: shared by sources
  // Set once before any source submits (SetBatchTransform); read by them all.
  std::function<void(RawBatch*)> transform_;
};

}  // namespace internal

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(const PipelineOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  auto impl = std::make_unique<internal::PipelineImpl>(options);
  if (!impl->init_status().ok()) return impl->init_status();
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Pipeline::Pipeline(std::unique_ptr<internal::PipelineImpl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

void Pipeline::EndSource(uint32_t source) { impl_->EndSource(source); }

int64_t Pipeline::Watermark(absl::Time now) const { return impl_->Watermark(now); }

std::vector<SourceStatus> Pipeline::SourceStatuses(absl::Time now) const {
  return impl_->SourceStatuses(now);
}

uint32_t Pipeline::AddSource(const std::string& name, const std::string& default_service,
                             bool journaled) {
  return impl_->AddSource(name, default_service, journaled);
}
uint32_t Pipeline::AddRestoredSource(const std::string& name, const std::string& default_service) {
  return impl_->AddSource(name, default_service, /*journaled=*/false, /*restored=*/true);
}
void Pipeline::SetBatchTransform(std::function<void(RawBatch*)> transform) {
  impl_->SetBatchTransform(std::move(transform));
}
void Pipeline::SetJournal(std::unique_ptr<BatchJournal> journal) {
  impl_->SetJournal(std::move(journal));
}
absl::Status Pipeline::SyncJournal() { return impl_->SyncJournal(); }
void Pipeline::Submit(RawBatch&& batch, std::function<void()> on_indexed) {
  impl_->Submit(std::move(batch), std::move(on_indexed));
}
bool Pipeline::HasRoom() const { return impl_->HasRoom(); }
bool Pipeline::WaitForRoom(absl::Time deadline) const { return impl_->WaitForRoom(deadline); }
void Pipeline::Flush() { impl_->Flush(); }
const Index& Pipeline::index() const { return impl_->index(); }
void Pipeline::EndOfInput() { impl_->EndOfInput(); }
void Pipeline::ReleaseIndexShard(uint32_t shard) { impl_->ReleaseIndexShard(shard); }
std::vector<RulePlugin*> Pipeline::plugins() const { return impl_->plugins(); }
const UnstructuredCollector& Pipeline::unstructured() const { return impl_->unstructured(); }
UnstructuredCollector* Pipeline::mutable_unstructured() { return impl_->mutable_unstructured(); }
const SourceNames& Pipeline::sources() const { return impl_->sources(); }
const PipelineOptions& Pipeline::options() const { return impl_->options(); }
IngestStats Pipeline::Stats() const { return impl_->Stats(); }

}  // namespace logweave

// Replays the write-ahead log's segments into the pipeline at start: the
// index gets back the lines the last run indexed (connectors/wal/wal_writer.h).
//
//   WalReplaySource restore(dir, &runtime->pipeline());
//   runtime->ReadToEnd(restore);   // before the live sources start
//   WalReplayStats s = restore.Stats();
//
// Each batch goes back to a pipeline source of the name and default service
// it was logged under (Pipeline::AddRestoredSource), so timelines name the
// same files and partitions, and the live source that registers that name
// again carries on with its counters. A torn or corrupt record (a crash in
// mid-write, a damaged disk) ends its segment: the segment is cut back to
// the last good record, stderr says which and where, and it is counted; the
// next segments are read all the same.
#ifndef LOGWEAVE_CONNECTORS_WAL_WAL_REPLAY_SOURCE_H_
#define LOGWEAVE_CONNECTORS_WAL_WAL_REPLAY_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"

namespace logweave {

// Counters of one replay. Plain values.
struct WalReplayStats {
  uint64_t segments = 0;         // segment files read
  uint64_t records = 0;          // batches replayed
  uint64_t lines = 0;            // their lines
  uint64_t torn_records = 0;     // torn or corrupt records found (at most one per segment)
  uint64_t truncated_bytes = 0;  // bytes cut off at them
  uint64_t read_errors = 0;      // segments that could not be read or cut (logged)
};

// Thread-compatible: Run on one thread; Stats from any thread.
class WalReplaySource final : public Source {
 public:
  // Replays the segments in `dir` (none if it does not exist). `pipeline`
  // must outlive the source.
  WalReplaySource(std::string dir, Pipeline* pipeline);

  std::string name() const override { return "wal " + dir_; }
  // Reads every segment, oldest first, and submits its batches; ends the
  // restored sources (EndSource) so that they do not hold the watermark back
  // until their live source takes them over. OK unless the directory cannot
  // be listed.
  absl::Status Run(const std::atomic<bool>& stop) override;

  WalReplayStats Stats() const;

 private:
  // Replays one segment file; cuts it at a torn record.
  void ReplaySegment(const std::string& path, const std::atomic<bool>& stop);
  void Count(void (*update)(WalReplayStats&, uint64_t), uint64_t n);

  const std::string dir_;
  Pipeline* const pipeline_;
  std::map<std::pair<std::string, std::string>, uint32_t> sources_;  // (name, service) -> id
  mutable absl::Mutex mu_;
  WalReplayStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WAL_WAL_REPLAY_SOURCE_H_

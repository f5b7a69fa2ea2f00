// Parts of FollowSource shared by its files, each with one job:
//   follow_source.cc      options, creation, the scan and poll loop (Run)
//   follow_file.cc        identity, fingerprint, tracking and reading one file
//   follow_checkpoint.cc  the checkpoint file: reading, loading, writing
// Not API: included only by the files above.
#ifndef LOGWEAVE_CONNECTORS_FOLLOW_INTERNAL_FOLLOW_INTERNAL_H_
#define LOGWEAVE_CONNECTORS_FOLLOW_INTERNAL_FOLLOW_INTERNAL_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/follow/follow_source.h"
#include "logweave/batch.h"

namespace logweave {
namespace internal {

// Which batches of one file (one generation of it: a truncation starts a new
// one) are indexed, and how far that lets the checkpoint go. Shared between
// the source thread (Add) and pipeline workers (Done, via on_indexed).
// Thread-safe.
class Progress {
 public:
  Progress(uint64_t offset, uint64_t lines) : committed_offset_(offset), committed_lines_(lines) {}

  // Registers a batch that ends at `end_offset` after line `end_line`; returns
  // its sequence number for Done(). Called before the batch is submitted.
  uint64_t Add(uint64_t end_offset, uint64_t end_line) {
    absl::MutexLock lock(&mu_);
    pending_.push_back({end_offset, end_line, false});
    return first_seq_ + pending_.size() - 1;
  }

  // Batch `seq` is indexed. Batches may finish out of order; the committed
  // offset moves over the longest finished prefix only.
  void Done(uint64_t seq) {
    absl::MutexLock lock(&mu_);
    assert(seq >= first_seq_ && seq - first_seq_ < pending_.size());
    pending_[seq - first_seq_].done = true;
    while (!pending_.empty() && pending_.front().done) {
      committed_offset_ = pending_.front().end_offset;
      committed_lines_ = pending_.front().end_line;
      pending_.pop_front();
      ++first_seq_;
    }
  }

  std::pair<uint64_t, uint64_t> Committed() const {
    absl::MutexLock lock(&mu_);
    return {committed_offset_, committed_lines_};
  }

  bool Idle() const {
    absl::MutexLock lock(&mu_);
    return pending_.empty();
  }

 private:
  struct Pending {
    uint64_t end_offset;
    uint64_t end_line;
    bool done;
  };
  mutable absl::Mutex mu_;
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // sequence number of pending_.front()
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t committed_offset_ ABSL_GUARDED_BY(mu_);
  uint64_t committed_lines_ ABSL_GUARDED_BY(mu_);
};

inline absl::Status ErrnoError(int err, const std::string& what) {
  return absl::ErrnoToStatus(err, what);
}

}  // namespace internal

// A file being followed (or drained after it left the patterns). Owned by
// the source thread, except `progress`, which pipeline workers update.
struct FollowSource::TrackedFile {
  std::string path;  // where it was seen last
  uint32_t source_id = 0;
  Identity id;
  uint64_t fingerprint = 0;
  uint32_t fingerprint_bytes = 0;
  int fd = -1;

  uint64_t read_offset = 0;  // file offset of the next byte to read
  uint64_t base_offset = 0;  // file offset of the first byte fed to `batcher`
  uint64_t base_line = 0;    // lines before base_offset
  std::unique_ptr<LineBatcher> batcher;
  std::string tail;              // bytes after the last '\n' read, not yet fed
  bool in_line = false;          // an over-long partial line is inside `batcher`
  std::optional<RawBatch> held;  // emitted by `batcher`, submitted once its end is known

  bool rotated = false;  // left the patterns (renamed away, deleted) at rotated_at
  absl::Time rotated_at;
  bool closed = false;  // fully read and closed; kept until its lines are indexed

  // Size and mtime at the last poll: the fingerprint is checked again when they change.
  uint64_t last_size = 0;
  struct timespec last_mtime = {};

  std::shared_ptr<internal::Progress> progress;

  ~TrackedFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FOLLOW_INTERNAL_FOLLOW_INTERNAL_H_

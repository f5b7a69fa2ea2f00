// Live following of log files with checkpoints (like Fluent Bit's tail input
// or Vector's file source), feeding the pipeline at-least-once.
//
//   FollowOptions options;
//   options.paths = {"/var/log/app/*.log"};
//   options.state_dir = "/var/lib/logweave/follow";
//   auto source = FollowSource::Create(options, pipeline.get());
//   if (!source.ok()) return source.status();
//   std::atomic<bool> stop{false};              // set from a signal handler thread
//   absl::Status s = (*source)->Run(stop);      // polls until stop; final drain + checkpoint
//
// What it does, poll by poll (PollOnce):
//  - Expands `paths` with glob(3); every regular file that matches is followed.
//    A file is identified by device + inode + fingerprint (a hash of its first
//    fingerprint_bytes bytes, or of all of it while it is shorter), not by its
//    name: a file renamed to another matching name is followed on, not read
//    again.
//  - Reads the bytes appended since the last poll and hands whole lines to
//    the pipeline. A last line without its '\n' yet is held back until the
//    newline arrives (an over-long one is fed to the LineBatcher, which keeps
//    only its first max_line_bytes bytes, so memory stays bounded).
//  - Rotation by rename (logrotate's create mode): when the path names another
//    file, or none, the old file (still open) is read to its end and then
//    closed (after rotate_wait), and the new file at the path is read from
//    offset 0. Lines of the old file come before those of the new one.
//  - Truncation (copytruncate, `: > app.log`): when the size drops below the
//    read offset, or the fingerprint bytes change, the file is read again
//    from offset 0 and the truncation is counted.
//  - Checkpoints: {path, dev, inode, fingerprint, offset, lines} per file in
//    state_dir/checkpoints.json, written atomically (temp file, fsync,
//    rename, fsync of the directory). The offset saved for a file is the end
//    of the longest run of its batches that the pipeline reported indexed
//    (Submit's on_indexed): a crash loses nothing, and a restart neither
//    re-reads nor skips a line. A checkpoint whose file no longer matches
//    (other inode, or same inode with other fingerprint bytes: inode reuse or
//    a rewrite) is not used: the file is read from the start, and stderr says so.
//  - A corrupt checkpoint file (not JSON, wrong schema) is never fatal: it is
//    renamed to checkpoints.json.corrupt-<unix seconds>, stderr says so, and
//    every file is read from the beginning, whatever start_at says. This
//    prefers duplicates over loss; the index's dedupe keeps exact repeats once.
//  - Line numbers (LineSpan::line_no) count from the file's start, carried
//    across restarts by the checkpoint; a file started at its end (start_at)
//    counts from there. A UTF-8 BOM is removed from the first line read, so
//    a BOM at the start of the line a checkpoint resumes at is removed too.
//  - Not handled: a rotation while no follower ran whose rotated file left
//    its directory (moved elsewhere, compressed) loses the lines not yet
//    read; so do lines written to a renamed file after rotate_wait.
#ifndef LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_SOURCE_H_
#define LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "logweave/batch.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"

namespace logweave {

struct FollowOptions {
  // Files and glob(3) patterns (*, ?, [...]) to follow. A pattern that matches
  // nothing yet is fine: files that appear later are picked up. Only regular
  // files are followed. Required (at least one), no empty entries.
  std::vector<std::string> paths;
  // Directory for checkpoints.json (created if missing; locked so that one
  // follower at a time uses it). Empty = no checkpoints: every start follows
  // files anew according to start_at. Default empty.
  std::string state_dir;
  // How often Run() looks for new bytes, new files and rotations. Default
  // 250 ms. Must be > 0.
  absl::Duration poll_interval = absl::Milliseconds(250);
  // Where to start a file that has no usable checkpoint and is found by the
  // first scan: "beginning" (read all of it) or "end" (only lines completed
  // from now on; line numbers then count from there). Files that appear later
  // are always read from their beginning. Default "beginning".
  std::string start_at = "beginning";
  // Bytes at the start of a file hashed into its identity, so that a reused
  // inode or a file rewritten in place is noticed. Default 256. In [1, 1 MiB].
  uint32_t fingerprint_bytes = 256;
  // How long a file that left the matched paths (renamed away, deleted) is
  // still read, for writers that keep writing to it until they reopen;
  // afterwards it is closed (a partial last line is then emitted as is).
  // Default 5 s. Must be >= 0.
  absl::Duration rotate_wait = absl::Seconds(5);
  // PollOnce() writes the checkpoint file at most this often (and only when
  // an offset moved). 0 = at every poll. Run() also writes one at the end.
  // Default 1 s. Must be >= 0.
  absl::Duration checkpoint_interval = absl::Seconds(1);
  // Bytes read per read(2) call. Default 1 MiB. In [4 KiB, 64 MiB].
  uint32_t read_chunk_bytes = 1u << 20;
  // At most this many bytes are read from one file per poll, so one busy file
  // cannot starve the others; the rest is read by the next polls. Default
  // 64 MiB. Must be >= read_chunk_bytes.
  uint64_t max_bytes_per_poll = 64ull << 20;
  // Service of lines without a service field. Empty = derived from each
  // file's name (ServiceFromSourceName). Default empty.
  std::string default_service;
  // Line length limit and batch sizes.
  LineBatcherOptions batching;

  // INVALID_ARGUMENT naming the field, the value and what to use instead.
  absl::Status Validate() const;
};

// Counters of one FollowSource. Plain values; copied freely.
struct FollowStats {
  uint64_t files = 0;                // files open now (followed or draining after rotation)
  uint64_t files_opened = 0;         // files opened since the start
  uint64_t bytes = 0;                // bytes read from files
  uint64_t lines = 0;                // lines handed to the pipeline
  uint64_t batches = 0;              // batches handed to the pipeline
  uint64_t rotations = 0;            // followed files renamed or removed from their path
  uint64_t truncations = 0;          // files that shrank or were rewritten; read again from 0
  uint64_t checkpoint_writes = 0;    // checkpoint files written
  uint64_t checkpoint_errors = 0;    // checkpoint writes that failed (logged; retried)
  uint64_t corrupt_checkpoints = 0;  // corrupt checkpoint files moved aside at start
  uint64_t resumed_files = 0;        // files resumed at their checkpoint
  uint64_t restarted_files = 0;      // files whose checkpoint no longer matched: read from 0
  uint64_t read_errors = 0;          // failed open/stat/read calls (logged; retried)
};

// One entry of checkpoints.json.
struct FileCheckpoint {
  std::string path;                // where the file was seen last
  uint64_t dev = 0;                // st_dev
  uint64_t inode = 0;              // st_ino
  uint64_t fingerprint = 0;        // XXH3-64 of the first fingerprint_bytes bytes
  uint32_t fingerprint_bytes = 0;  // how many bytes the fingerprint covers
  uint64_t offset = 0;             // every line before this byte offset is indexed
  uint64_t lines = 0;              // lines before `offset` (the next line is lines + 1)
};

// Name of the checkpoint file inside FollowOptions::state_dir.
inline constexpr char kFollowCheckpointFile[] = "checkpoints.json";

// Reads a checkpoint file. NOT_FOUND if it does not exist; DATA_LOSS naming
// the file and what is wrong (JSON error and byte offset, or the bad key) if
// it is not a valid checkpoint file; PERMISSION_DENIED or another errno code
// if it cannot be read.
absl::StatusOr<std::vector<FileCheckpoint>> ReadCheckpointFile(const std::string& path);

// Thread-compatible: Create, PollOnce, Run and Checkpoint are called by one
// thread (the source's thread). Stats() is thread-safe. Pipeline callbacks
// (on_indexed, on worker threads) only touch per-file progress records that
// are shared with them and guarded by their own mutex, so they may still run
// after the FollowSource is gone. The pipeline must outlive the FollowSource.
class FollowSource final : public Source {
 public:
  // Validates `options`, creates and locks state_dir and loads its checkpoint
  // file (a corrupt one is moved aside, see the file comment). Reads nothing
  // yet. INVALID_ARGUMENT for bad options; FAILED_PRECONDITION if another
  // follower holds state_dir; PERMISSION_DENIED (or another errno code) if
  // state_dir or its checkpoint file cannot be created or read.
  static absl::StatusOr<std::unique_ptr<FollowSource>> Create(const FollowOptions& options,
                                                              Pipeline* pipeline);
  // Closes the files. Writes no checkpoint and does not wait for the
  // pipeline: call Run() (or Flush the pipeline and Checkpoint()) for that.
  ~FollowSource() override;
  FollowSource(const FollowSource&) = delete;
  FollowSource& operator=(const FollowSource&) = delete;

  // Polls every poll_interval until `stop` is true, then drains (one last
  // poll; partial last lines stay unread), waits until the pipeline has
  // indexed everything submitted (Pipeline::Flush) and writes the checkpoint.
  // Errors of single polls are logged to stderr and retried; returns the
  // status of the final checkpoint write.
  // While paused (Source::Pause) it does not poll; what it read stays submitted.
  absl::Status Run(const std::atomic<bool>& stop) override;

  std::string name() const override;

  // One scan: picks up new files matching the patterns, detects rotations and
  // truncations, reads what was appended and submits the complete lines
  // (blocking while the pipeline is full), then writes the checkpoint if
  // checkpoint_interval has passed. A problem with one file (unreadable,
  // vanished) does not stop the others: the first such error is returned
  // after the whole scan, and the file is retried at the next poll.
  absl::Status PollOnce();

  // Writes the checkpoint file now with the offsets indexed so far, unless
  // nothing changed since the last write. OK without state_dir. An errno-based
  // status naming the file if it cannot be written (the old file stays).
  absl::Status Checkpoint();

  FollowStats Stats() const;

 private:
  struct TrackedFile;
  struct Identity {
    uint64_t dev = 0;
    uint64_t inode = 0;
    bool operator<(const Identity& o) const {
      return std::pair(dev, inode) < std::pair(o.dev, o.inode);
    }
    bool operator==(const Identity& o) const { return dev == o.dev && inode == o.inode; }
  };
  struct Match {
    std::string path;
    Identity id;
  };

  FollowSource(const FollowOptions& options, Pipeline* pipeline);

  absl::Status LoadCheckpoints();
  // The regular files matching the patterns, one per identity, in pattern order.
  std::vector<Match> Scan(absl::Status* error);
  // Opens `path` and starts following it. `rotated` for a file found by its
  // checkpoint outside the patterns (rotated while no follower ran).
  absl::Status Track(const std::string& path, bool rotated, const FileCheckpoint* known);
  // Reads what was appended to `f` (up to max_bytes_per_poll) and submits its lines.
  absl::Status Follow(TrackedFile& f);
  // Handles a shrunk or rewritten file: emits a held partial line, restarts at 0.
  void Restart(TrackedFile& f, const std::string& why);
  // Feeds bytes read from `f` at its read offset; holds back a partial last line.
  void Feed(TrackedFile& f, const char* data, size_t size);
  // Submits the lines fed so far (not a partial last line).
  void FlushLines(TrackedFile& f);
  // Emits everything, the partial last line included, and closes the file.
  void Close(TrackedFile& f);
  // Called by f's LineBatcher; submits the previous batch, whose end it now knows.
  void OnBatch(TrackedFile& f, RawBatch&& batch);
  void SubmitHeld(TrackedFile& f, uint64_t end_offset);
  // Looks for checkpointed files that are not among `matched` in the
  // directory of their checkpointed path, and drains them (rotated while no
  // follower ran); forgets the checkpoints of files that are gone.
  void DrainRotatedWhileDown(const std::set<Identity>& matched);
  uint32_t SourceId(const std::string& path);
  // Fingerprint of the first min(size, fingerprint_bytes) bytes of fd.
  absl::Status Fingerprint(int fd, uint64_t size, uint64_t* hash, uint32_t* bytes,
                           const std::string& path);
  void Log(const std::string& message);
  template <typename F>
  void Count(F&& update) {
    absl::MutexLock lock(&stats_mu_);
    update(stats_);
  }

  const FollowOptions options_;
  Pipeline* const pipeline_;
  const bool start_at_end_;
  std::string checkpoint_path_;  // empty without state_dir
  int lock_fd_ = -1;

  bool first_scan_ = true;
  bool checkpoint_was_corrupt_ = false;
  std::vector<std::unique_ptr<TrackedFile>> files_;  // in the order first seen
  std::map<Identity, FileCheckpoint> loaded_by_id_;  // not yet matched to a file
  std::map<std::string, Identity> loaded_by_path_;
  std::map<std::string, uint32_t> source_ids_;      // path -> pipeline source id
  std::map<std::string, std::string> open_errors_;  // path -> last error logged
  std::unique_ptr<char[]> buffer_;
  std::string last_checkpoint_json_;
  absl::Time last_checkpoint_time_ = absl::InfinitePast();

  mutable absl::Mutex stats_mu_;
  FollowStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_SOURCE_H_

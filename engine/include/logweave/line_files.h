// The regular files whose lines an index keeps as references instead of
// copies: an event then holds (source, offset, length) and its bytes are read
// back from the file with pread when a timeline, a search or a repeat check
// needs them. What that saves is the compressed copy of every line (about an
// eighth of the logs' size).
//
// A file is held open from Add on (so a rename or a delete does not matter)
// and its first bytes (4 KiB, or all of a smaller file) are fingerprinted; a
// read checks that the file still reaches the line and, if it was written to
// since (modification time, change time or size), that those first bytes are
// unchanged: an append is fine, a rewrite is not. A rewrite to the same size
// that keeps the first 4 KiB is not seen. A line that cannot be read back
// reads as empty and is counted. Used by `replay` (its files are read once
// and complete); followed files (rotation would pin deleted files open, and
// copytruncate rewrites them) and streams keep copies.
//
//   LineFiles files;
//   bool in_file = files.Add(source_id, fd);  // the source, before its lines
//   FileWindow window;                        // one per reader
//   std::string_view line = files.Read(source_id, offset, length, &window);
#ifndef LOGWEAVE_LINE_FILES_H_
#define LOGWEAVE_LINE_FILES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace logweave {

// A reader's window of file bytes, so that lines read one after another from
// the same page are read once. Thread-compatible: one per reader.
struct FileWindow {
  uint32_t source_id = UINT32_MAX;
  uint64_t start = 0;
  std::string bytes;
  uint64_t reads = 0;  // file reads through this window so far (not the hits)
};

// Thread-safe.
class LineFiles {
 public:
  LineFiles();
  ~LineFiles();
  LineFiles(const LineFiles&) = delete;
  LineFiles& operator=(const LineFiles&) = delete;

  // Registers `fd`, a regular file about to be read from its start as source
  // `source_id`, keeping a descriptor of its own. False if it cannot (not a
  // regular file, no descriptor left): that source's lines are then copied.
  bool Add(uint32_t source_id, int fd);
  // Closes what Add registered for `source_id`, which must have no line in the index (a file
  // skipped as binary): nothing may read it any more.
  void Remove(uint32_t source_id);

  // The `length` bytes at `offset` of source `source_id`, through `window`
  // (valid until its next use). Empty, and counted in unreadable_lines(),
  // when the file no longer holds them as they were read.
  // unreadable_lines() counts such reads: a line whose message and raw bytes
  // were both asked for counts twice.
  std::string_view Read(uint32_t source_id, uint64_t offset, uint32_t length,
                        FileWindow* window) const;

  // Files registered (held open).
  size_t files() const;
  // At most this many files are held open (default: half the process's
  // descriptor limit, so that sources can still open theirs); Add refuses
  // more, and their lines are copied.
  void set_max_files(size_t max_files) { max_files_.store(max_files, std::memory_order_relaxed); }
  uint64_t unreadable_lines() const { return unreadable_.load(std::memory_order_relaxed); }

 private:
  struct File;
  // Whether `file` still holds, as first read, the bytes up to `end`.
  bool Unchanged(File& file, uint64_t end) const;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<File>> files_ ABSL_GUARDED_BY(mu_);  // by source id
  size_t open_files_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<size_t> max_files_;
  mutable std::atomic<uint64_t> unreadable_{0};
};

}  // namespace logweave

#endif  // LOGWEAVE_LINE_FILES_H_

// The files of a replay as one Source: each path (a file, a directory's log
// files, "-" for stdin) read to its end.
//
// Files are read one after another, in the order given, unless they are too
// large for the memory budget: then the index evicts the oldest lines it got,
// and after a whole first file (one service's lines of the whole time range)
// that would cut every trace with a line in it. So when the files add up to
// more than kRawBytesPerIndexByte x the index's share of index.max_bytes, the
// regular files are read side by side instead, a batch at a time from the one
// read least far (as a share of its size): files that cover the same hours
// then go through them together, eviction takes the oldest traces whole, and
// the rest are judged in full. stdin is read after them.
//
//   ReplaySource files({"logs/", "extra.log.gz"}, options.batching, &runtime->pipeline());
//   absl::Status s = runtime->ReadToEnd(files);
//   for (const std::string& e : files.errors()) ...   // paths that could not be read
#ifndef LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_
#define LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "logweave/batch.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"

namespace logweave {

// Thread-compatible: Run on one thread; files() and errors() after it
// returned. `pipeline` must outlive the source.
class ReplaySource final : public Source {
 public:
  // How the files are read (see above); kAuto decides by their size.
  enum class Order { kAuto, kOneAfterAnother, kSideBySide };
  // Raw bytes a byte of index holds at least, for kAuto's decision (the index takes
  // 0.25-0.5 x the raw bytes of JSON lines).
  static constexpr uint64_t kRawBytesPerIndexByte = 2;
  // Files read side by side at once at most (their descriptors, read buffers and
  // decoders' state), and of those compressed with zstd (whose decoder holds its
  // frames' window, megabytes); more wait for one to end.
  static constexpr size_t kMaxSideBySide = 256;
  static constexpr size_t kMaxZstdSideBySide = 32;

  ReplaySource(std::vector<std::string> paths, const LineBatcherOptions& batching,
               Pipeline* pipeline);

  std::string name() const override;

  // Expands the paths (ExpandReplayPaths) and reads each file to its end as a
  // pipeline source of its own, ended when read (it then holds no judgement
  // back). A path that cannot be read is recorded in errors() and the others
  // are still read: OK unless nothing could be. `stop` is checked between
  // files and, while paused, between batches.
  absl::Status Run(const std::atomic<bool>& stop) override;
  void set_order(Order order) { order_ = order; }
  // Called on Run's thread after each turn of files read side by side (not otherwise): where
  // a replay under a budget analyses what it holds before eviction takes the oldest.
  void set_between_turns(std::function<void()> fn) { between_turns_ = std::move(fn); }
  // kAuto's decision: side by side when there are two files or more, an index budget
  // (`index_bytes`, 0: none) and more than kRawBytesPerIndexByte x index_bytes of raw bytes.
  static bool SideBySide(Order order, size_t files, uint64_t raw_bytes, uint64_t index_bytes);

  size_t files() const { return files_; }  // files (or stdin) found to read
  // Files skipped because they look binary (IsBinaryFileSkipped; also among errors()).
  uint64_t binary_files() const { return binary_files_; }
  // One message per path that could not be read (or was read only in part), naming it.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const std::vector<std::string> paths_;
  const LineBatcherOptions batching_;
  Pipeline* const pipeline_;
  Order order_ = Order::kAuto;
  std::function<void()> between_turns_;
  size_t files_ = 0;
  uint64_t binary_files_ = 0;
  std::vector<std::string> errors_;

  // Whether `files` are read side by side (order_, their sizes and the budget).
  bool ReadsSideBySide(const std::vector<std::string>& files) const;
  // Reads `files` (regular files) side by side.
  void ReadSideBySide(const std::vector<std::string>& files, const std::atomic<bool>& stop);
  // Reads one file to its end.
  void ReadOne(const std::string& path, const std::atomic<bool>& stop);
  // A new pipeline source for the file `path`.
  uint32_t AddFile(const std::string& path);
  // Hands a batch of a file on; `in_file`: its lines are kept as references into the file.
  void Emit(RawBatch&& batch, bool in_file, const std::atomic<bool>& stop);
  // Records how reading a file ended, and ends its source.
  void EndFile(uint32_t source, bool in_file, const absl::Status& status);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_

// The files of a replay as one Source: each path (a file, a directory's log
// files, "-" for stdin) read to its end, in the order given.
//
//   ReplaySource files({"logs/", "extra.log.gz"}, options.batching, &runtime->pipeline());
//   absl::Status s = runtime->ReadToEnd(files);
//   for (const std::string& e : files.errors()) ...   // paths that could not be read
#ifndef LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_
#define LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_

#include <atomic>
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
  ReplaySource(std::vector<std::string> paths, const LineBatcherOptions& batching,
               Pipeline* pipeline);

  std::string name() const override;

  // Expands the paths (ExpandReplayPaths) and reads each file to its end as a
  // pipeline source of its own, ended when read (it then holds no judgement
  // back). A path that cannot be read is recorded in errors() and the others
  // are still read: OK unless nothing could be. `stop` is checked between
  // files and, while paused, between batches.
  absl::Status Run(const std::atomic<bool>& stop) override;

  size_t files() const { return files_; }  // files (or stdin) found to read
  // Files skipped because they look binary (IsBinaryFileSkipped; also among errors()).
  uint64_t binary_files() const { return binary_files_; }
  // One message per path that could not be read (or was read only in part), naming it.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const std::vector<std::string> paths_;
  const LineBatcherOptions batching_;
  Pipeline* const pipeline_;
  size_t files_ = 0;
  uint64_t binary_files_ = 0;
  std::vector<std::string> errors_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FILE_REPLAY_SOURCE_H_

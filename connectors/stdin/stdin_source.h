// Standard input as a streaming Source: `kubectl logs -f pod | logweave serve -`.
// Lines are handed over as they come; a pipe that goes quiet has what it
// sent so far submitted (searchable) within a poll interval.
#ifndef LOGWEAVE_CONNECTORS_STDIN_STDIN_SOURCE_H_
#define LOGWEAVE_CONNECTORS_STDIN_STDIN_SOURCE_H_

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "logweave/batch.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"

namespace logweave {

struct StdinSourceOptions {
  // The descriptor to read. Default 0 (stdin); tests pass a pipe's read end.
  int fd = 0;
  // How long a read waits before the lines so far are submitted and `stop`
  // is checked. Default 200 ms.
  absl::Duration poll_interval = absl::Milliseconds(200);
  LineBatcherOptions batching;
};

// Thread-compatible: Run on one thread. The pipeline must outlive the source.
class StdinSource final : public Source {
 public:
  StdinSource(const StdinSourceOptions& options, Pipeline* pipeline);

  std::string name() const override { return "stdin"; }

  // Reads until end of input or `stop`, as one pipeline source ("-"); what
  // was read is submitted before it returns, and the source is ended. An
  // error of read(2) other than EINTR ends it with that error.
  absl::Status Run(const std::atomic<bool>& stop) override;

 private:
  const StdinSourceOptions options_;
  Pipeline* const pipeline_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_STDIN_STDIN_SOURCE_H_

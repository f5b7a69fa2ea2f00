#include "connectors/stdin/stdin_source.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace logweave {

StdinSource::StdinSource(const StdinSourceOptions& options, Pipeline* pipeline)
    : options_(options), pipeline_(pipeline) {}

absl::Status StdinSource::Run(const std::atomic<bool>& stop) {
  const uint32_t source = pipeline_->AddSource("-");
  LineBatcher batcher(source, options_.batching,
                      [this](RawBatch&& b) { pipeline_->Submit(std::move(b)); });
  const int poll_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.poll_interval));
  std::vector<char> buf(1 << 16);
  absl::Status status;
  while (WaitWhilePaused(stop)) {
    pollfd pfd{options_.fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, poll_ms);
    if (ready < 0 && errno != EINTR) {
      status = absl::ErrnoToStatus(errno, "stdin: poll");
      break;
    }
    if (ready <= 0) {
      // Idle: hand over what is complete so far, so quiet pipes are searchable.
      batcher.FlushBatch();
      continue;
    }
    const ssize_t n = read(options_.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::ErrnoToStatus(errno, "stdin: read");
      break;
    }
    if (n == 0) break;  // end of input
    batcher.Append(buf.data(), static_cast<size_t>(n));
  }
  batcher.Finish();
  pipeline_->EndSource(source);
  return status;
}

}  // namespace logweave

// Test helper: holds a pipeline full. It submits one batch of the pipeline's
// whole queue_bytes whose indexing waits until Release(), so that HasRoom()
// is false meanwhile. Release() before the pipeline is flushed or destroyed.
#ifndef LOGWEAVE_TESTS_TESTDATA_PIPELINE_BLOCKER_H_
#define LOGWEAVE_TESTS_TESTDATA_PIPELINE_BLOCKER_H_

#include <string>
#include <utility>

#include "absl/synchronization/notification.h"
#include "logweave/pipeline.h"

namespace logweave::testdata {

class PipelineBlocker {
 public:
  // Returns once the blocking batch is being indexed.
  explicit PipelineBlocker(Pipeline* pipeline) {
    RawBatch blocker;
    blocker.source_id = pipeline->AddSource("blocker", "blocker");
    blocker.AddLine(std::string(pipeline->options().EffectiveQueueBytes(), 'x'), 0, 1);
    pipeline->Submit(std::move(blocker), [this] {
      blocked_.Notify();
      release_.WaitForNotification();
    });
    blocked_.WaitForNotification();
  }
  void Release() { release_.Notify(); }

 private:
  absl::Notification blocked_;
  absl::Notification release_;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_PIPELINE_BLOCKER_H_

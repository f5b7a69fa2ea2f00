#include "connectors/file/replay_source.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "connectors/file/file_source.h"

namespace logweave {

ReplaySource::ReplaySource(std::vector<std::string> paths, const LineBatcherOptions& batching,
                           Pipeline* pipeline)
    : paths_(std::move(paths)), batching_(batching), pipeline_(pipeline) {}

std::string ReplaySource::name() const { return "replay " + absl::StrJoin(paths_, " "); }

absl::Status ReplaySource::Run(const std::atomic<bool>& stop) {
  ExpandedPaths expanded = ExpandReplayPaths(paths_);
  for (const absl::Status& e : expanded.errors) errors_.push_back(std::string(e.message()));
  files_ = expanded.files.size();
  const std::vector<RulePlugin*> plugins = pipeline_->plugins();
  LineFiles* const line_files = pipeline_->index().line_files();
  for (const std::string& path : expanded.files) {
    if (stop.load()) break;
    // Read again in full at every start: not journaled.
    const uint32_t source = pipeline_->AddSource(path, "", /*journaled=*/false);
    bool in_file = false;  // its lines are kept as references into it
    absl::Status s = ReadSource(
        path, batching_, source,
        [&](RawBatch&& b) {
          if (in_file) {
            for (LineSpan& line : b.lines) line.flags |= kLineInFile;
          }
          WaitWhilePaused(stop);
          pipeline_->Submit(std::move(b));
          for (RulePlugin* p : plugins) p->Absorb();  // their queues hold what one batch brings
        },
        [&](int fd) { in_file = line_files != nullptr && line_files->Add(source, fd); });
    if (!s.ok()) errors_.push_back(std::string(s.message()));
    if (IsBinaryFileSkipped(s)) {
      ++binary_files_;
      // It gave no line: no descriptor of it needs to stay open.
      if (in_file) line_files->Remove(source);
    }
    pipeline_->EndSource(source);  // read to its end: it holds no judgement back
  }
  if (files_ == 0 && !errors_.empty()) return absl::NotFoundError(errors_.front());
  return absl::OkStatus();
}

}  // namespace logweave

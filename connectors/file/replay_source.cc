#include "connectors/file/replay_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_join.h"
#include "connectors/file/file_reader.h"
#include "connectors/file/file_source.h"

namespace logweave {
namespace {

// Read size of a file read side by side: what it holds of its lines between turns.
constexpr size_t kSideBySideChunkBytes = size_t{64} << 10;
// Compressed files are taken for this many times their size in raw bytes (kAuto's estimate).
constexpr uint64_t kAssumedCompression = 5;

}  // namespace

ReplaySource::ReplaySource(std::vector<std::string> paths, const LineBatcherOptions& batching,
                           Pipeline* pipeline)
    : paths_(std::move(paths)), batching_(batching), pipeline_(pipeline) {}

std::string ReplaySource::name() const { return "replay " + absl::StrJoin(paths_, " "); }

absl::Status ReplaySource::Run(const std::atomic<bool>& stop) {
  ExpandedPaths expanded = ExpandReplayPaths(paths_);
  for (const absl::Status& e : expanded.errors) errors_.push_back(std::string(e.message()));
  files_ = expanded.files.size();
  if (ReadsSideBySide(expanded.files)) {
    std::vector<std::string> regular, others;
    for (const std::string& path : expanded.files) {
      struct stat st;
      const bool is_regular =
          path != kStdinPath && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
      (is_regular ? regular : others).push_back(path);
    }
    ReadSideBySide(regular, stop);
    for (const std::string& path : others) ReadOne(path, stop);
  } else {
    for (const std::string& path : expanded.files) ReadOne(path, stop);
  }
  if (files_ == 0 && !errors_.empty()) return absl::NotFoundError(errors_.front());
  return absl::OkStatus();
}

bool ReplaySource::SideBySide(Order order, size_t files, uint64_t raw_bytes, uint64_t index_bytes) {
  if (order != Order::kAuto) return order == Order::kSideBySide;
  return files >= 2 && index_bytes > 0 && raw_bytes > kRawBytesPerIndexByte * index_bytes;
}

namespace {

// The raw bytes of the regular files among `files`, compressed ones estimated.
uint64_t RawBytes(const std::vector<std::string>& files) {
  uint64_t raw = 0;
  for (const std::string& path : files) {
    struct stat st;
    if (path == kStdinPath || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    raw += CompressionOf(path) == Compression::kNone ? size : size * kAssumedCompression;
  }
  return raw;
}

}  // namespace

bool ReplaySource::ReadsSideBySide(const std::vector<std::string>& files) const {
  if (order_ != Order::kAuto) return order_ == Order::kSideBySide;
  return SideBySide(order_, files.size(), RawBytes(files), pipeline_->options().IndexMemoryBytes());
}

uint32_t ReplaySource::AddFile(const std::string& path) {
  // Read again in full at every start: not journaled.
  return pipeline_->AddSource(path, "", /*journaled=*/false);
}

void ReplaySource::Emit(RawBatch&& batch, bool in_file, const std::atomic<bool>& stop) {
  if (in_file) {
    for (LineSpan& line : batch.lines) line.flags |= kLineInFile;
  }
  WaitWhilePaused(stop);
  pipeline_->Submit(std::move(batch));
  // Their queues hold what one batch brings.
  for (RulePlugin* p : pipeline_->plugins()) p->Absorb();
}

void ReplaySource::EndFile(uint32_t source, bool in_file, const absl::Status& status) {
  if (!status.ok()) errors_.push_back(std::string(status.message()));
  if (IsBinaryFileSkipped(status)) {
    ++binary_files_;
    // It gave no line: no descriptor of it needs to stay open.
    if (in_file) pipeline_->index().line_files()->Remove(source);
  }
  pipeline_->EndSource(source);  // read to its end: it holds no judgement back
}

void ReplaySource::ReadOne(const std::string& path, const std::atomic<bool>& stop) {
  if (stop.load()) return;
  LineFiles* const line_files = pipeline_->index().line_files();
  const uint32_t source = AddFile(path);
  bool in_file = false;  // its lines are kept as references into it
  const absl::Status s = ReadSource(
      path, batching_, source, [&](RawBatch&& b) { Emit(std::move(b), in_file, stop); },
      [&](int fd) { in_file = line_files != nullptr && line_files->Add(source, fd); });
  EndFile(source, in_file, s);
}

void ReplaySource::ReadSideBySide(const std::vector<std::string>& files,
                                  const std::atomic<bool>& stop) {
  LineFiles* const line_files = pipeline_->index().line_files();
  struct Open {
    uint32_t source = 0;
    bool in_file = false;
    bool zstd = false;
    std::unique_ptr<FileReader> reader;
  };
  std::vector<std::unique_ptr<Open>> open;
  size_t next = 0, zstd_open = 0;
  // Opens files while there is room; one that cannot be opened ends at once.
  auto open_more = [&] {
    while (next < files.size() && open.size() < kMaxSideBySide) {
      const std::string& path = files[next];
      const bool zstd = CompressionOf(path) == Compression::kZstd;
      if (zstd && zstd_open >= kMaxZstdSideBySide) {
        // Waits for a zstd slot, unless no file is open to free one.
        if (!open.empty()) return;
      }
      ++next;
      auto file = std::make_unique<Open>();
      Open* const f = file.get();
      f->source = AddFile(path);
      f->zstd = zstd;
      absl::StatusOr<std::unique_ptr<FileReader>> reader = FileReader::Open(
          path, batching_, f->source,
          [this, f, &stop](RawBatch&& b) { Emit(std::move(b), f->in_file, stop); },
          [&](int fd) { f->in_file = line_files != nullptr && line_files->Add(f->source, fd); },
          kSideBySideChunkBytes);
      if (!reader.ok()) {
        EndFile(f->source, f->in_file, reader.status());
        continue;
      }
      f->reader = *std::move(reader);
      zstd_open += zstd;
      open.push_back(std::move(file));
    }
  };
  open_more();
  while (!open.empty() && !stop.load()) {
    // The file read least far, as a share of its size (the first of equals).
    size_t least = 0;
    for (size_t i = 1; i < open.size(); ++i) {
      if (open[i]->reader->progress() < open[least]->reader->progress()) least = i;
    }
    Open& f = *open[least];
    if (f.reader->ReadTurn()) {
      f.reader->ReleaseSpare();
    } else {
      EndFile(f.source, f.in_file, f.reader->Finish());
      zstd_open -= f.zstd;
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(least));
      open_more();
    }
    if (between_turns_) between_turns_();
  }
  // Stopped: what each file gave so far is kept, as when stopped between files.
  for (const std::unique_ptr<Open>& f : open) EndFile(f->source, f->in_file, f->reader->Finish());
}

}  // namespace logweave

#include "connectors/wal/wal_replay_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "connectors/wal/wal_format.h"
#include "logweave/file_text.h"
#include "logweave/log.h"

namespace logweave {

WalReplaySource::WalReplaySource(std::string dir, Pipeline* pipeline)
    : dir_(std::move(dir)), pipeline_(pipeline) {}

void WalReplaySource::Count(void (*update)(WalReplayStats&, uint64_t), uint64_t n) {
  absl::MutexLock lock(&mu_);
  update(stats_, n);
}

WalReplayStats WalReplaySource::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::Status WalReplaySource::Run(const std::atomic<bool>& stop) {
  absl::StatusOr<std::vector<uint64_t>> segments = wal::ListSegments(dir_);
  if (!segments.ok()) {
    return absl::IsNotFound(segments.status()) ? absl::OkStatus() : segments.status();
  }
  for (uint64_t n : *segments) {
    if (stop.load()) break;
    ReplaySegment(wal::SegmentPath(dir_, n), stop);
  }
  for (const auto& [key, id] : sources_) pipeline_->EndSource(id);
  return absl::OkStatus();
}

void WalReplaySource::ReplaySegment(const std::string& path, const std::atomic<bool>& stop) {
  absl::StatusOr<std::string> data = ReadFileText(path, absl::StrCat("wal: cannot read ", path));
  if (!data.ok()) {
    Log(LogLevel::kError, absl::StrCat(data.status().message(), "; its lines are not restored"));
    Count([](WalReplayStats& s, uint64_t) { ++s.read_errors; }, 0);
    return;
  }
  Count([](WalReplayStats& s, uint64_t) { ++s.segments; }, 0);
  std::string_view rest(*data);
  size_t good = sizeof wal::kSegmentMagic;
  absl::Status bad;
  if (rest.size() < good || std::memcmp(rest.data(), wal::kSegmentMagic, good) != 0) {
    good = 0;
    bad = absl::DataLossError("not a logweave WAL segment (bad header)");
  } else {
    rest.remove_prefix(good);
  }
  while (bad.ok() && !rest.empty() && !stop.load()) {
    wal::LoggedBatch logged;
    size_t size = 0;
    if (bad = wal::DecodeRecord(rest, &logged, &size); !bad.ok()) break;
    rest.remove_prefix(size);
    good += size;
    auto key = std::make_pair(logged.source_name, logged.default_service);
    auto it = sources_.find(key);
    if (it == sources_.end()) {
      it = sources_
               .emplace(key,
                        pipeline_->AddRestoredSource(logged.source_name, logged.default_service))
               .first;
    }
    logged.batch.source_id = it->second;
    const uint64_t lines = logged.batch.lines.size();
    WaitWhilePaused(stop);
    pipeline_->Submit(std::move(logged.batch));
    Count(
        [](WalReplayStats& s, uint64_t n) {
          ++s.records;
          s.lines += n;
        },
        lines);
  }
  if (bad.ok()) return;
  // A crash in mid-write (or a damaged disk): keep what is good, cut the rest
  // so that the next start does not report it again.
  const uint64_t cut = data->size() - good;
  Log(LogLevel::kWarn,
      absl::StrCat("wal: ", path, ": ", bad.message(), " at byte ", good, "; the ", cut,
                   " bytes from there are cut off (a process killed while writing leaves this; "
                   "the sources re-read what they did not checkpoint)"));
  Count(
      [](WalReplayStats& s, uint64_t n) {
        ++s.torn_records;
        s.truncated_bytes += n;
      },
      cut);
  const int rc = good == 0 ? ::unlink(path.c_str()) : ::truncate(path.c_str(), off_t(good));
  if (rc != 0) {
    Log(LogLevel::kError, absl::StrCat("wal: cannot cut ", path, ": ", std::strerror(errno)));
    Count([](WalReplayStats& s, uint64_t) { ++s.read_errors; }, 0);
  }
}

}  // namespace logweave

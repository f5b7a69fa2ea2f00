#include "connectors/wal/wal_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/wal/wal_format.h"
#include "logweave/log.h"

namespace logweave {
namespace {

absl::Status Errno(const std::string& what) {
  const int err = errno;
  return absl::ErrnoToStatus(err, absl::StrCat("wal: ", what));
}

// Writes all of `data` at the end of fd; on a short or failed write, cuts
// the file back to `size` (no partial record stays behind).
absl::Status WriteAll(int fd, std::string_view data, uint64_t size, const std::string& path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = Errno(absl::StrCat("cannot write ", path));
      if (::ftruncate(fd, static_cast<off_t>(size)) == 0) {
        ::lseek(fd, static_cast<off_t>(size), SEEK_SET);
      }
      return s;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot open directory ", dir));
  const int rc = ::fsync(fd);
  absl::Status s = rc == 0 ? absl::OkStatus() : Errno(absl::StrCat("cannot fsync ", dir));
  ::close(fd);
  return s;
}

}  // namespace

absl::Status WalOptions::Validate() const {
  if (dir.empty()) return absl::InvalidArgumentError("wal: dir is required");
  if (segment_bytes < (64u << 10)) {
    return absl::InvalidArgumentError(
        absl::StrCat("wal: segment_bytes must be at least 65536 (got ", segment_bytes, ")"));
  }
  if (compression_level < 1 || compression_level > 19) {
    return absl::InvalidArgumentError(absl::StrCat(
        "wal: compression_level must be in [1, 19] (got ", compression_level, "); use 1"));
  }
  return absl::OkStatus();
}

WalWriter::WalWriter(const WalOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::Open(const WalOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return absl::ErrnoToStatus(ec.value(),
                               absl::StrCat("wal: cannot create directory ", options.dir));
  }
  std::unique_ptr<WalWriter> w(new WalWriter(options));
  const std::string lock_path = options.dir + "/LOCK";
  w->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (w->lock_fd_ < 0) return Errno(absl::StrCat("cannot open ", lock_path));
  if (::flock(w->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("wal: ", options.dir,
                       " is in use by another logweave process; give each its own "
                       "--state-dir"));
    }
    return Errno(absl::StrCat("cannot lock ", lock_path));
  }
  absl::StatusOr<std::vector<uint64_t>> existing = wal::ListSegments(options.dir);
  if (!existing.ok()) return existing.status();
  absl::MutexLock lock(&w->mu_);
  for (uint64_t n : *existing) {
    struct stat st;
    const uint64_t bytes =
        ::stat(wal::SegmentPath(options.dir, n).c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
    w->segments_.push_back({n, bytes});
    w->next_number_ = n + 1;
  }
  return w;
}

WalWriter::~WalWriter() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void WalWriter::Fail(const absl::Status& status) {
  ++stats_.write_errors;
  if (failed_.ok()) {
    failed_ = status;
    Log(LogLevel::kError,
        absl::StrCat(status.message(),
                     "; the write-ahead log stops here: checkpoints and commits no longer "
                     "advance, so a restart reads the sources again from the last good one"));
  }
}

absl::Status WalWriter::Roll() {
  if (fd_ >= 0) {
    if (::fdatasync(fd_) != 0) {
      absl::Status s = Errno("cannot fsync a sealed segment");
      ::close(fd_);
      fd_ = -1;
      return s;
    }
    ::close(fd_);
    fd_ = -1;
    synced_ = written_;
  }
  const uint64_t number = next_number_++;
  const std::string path = wal::SegmentPath(options_.dir, number);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno(absl::StrCat("cannot create ", path));
  if (absl::Status s = WriteAll(fd_, std::string_view(wal::kSegmentMagic, 8), 0, path); !s.ok()) {
    return s;
  }
  if (absl::Status s = SyncDir(options_.dir); !s.ok()) return s;
  segments_.push_back({number, 8});
  written_ += 8;
  stats_.bytes += 8;
  ++stats_.segments_created;
  Retain();
  return absl::OkStatus();
}

void WalWriter::Retain() {
  if (options_.max_bytes == 0) return;
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.bytes;
  while (segments_.size() > 1 && total > options_.max_bytes) {
    const Segment& oldest = segments_.front();
    if (::unlink(wal::SegmentPath(options_.dir, oldest.number).c_str()) != 0 && errno != ENOENT) {
      break;  // retried at the next segment
    }
    total -= oldest.bytes;
    ++stats_.segments_deleted;
    segments_.pop_front();
  }
}

void WalWriter::Append(const RawBatch& batch, std::string_view source_name,
                       std::string_view default_service) {
  const std::string record =
      wal::EncodeRecord(batch, source_name, default_service, absl::ToUnixMillis(absl::Now()),
                        options_.compression_level);
  absl::MutexLock lock(&mu_);
  if (!failed_.ok()) {
    ++stats_.skipped_batches;
    return;
  }
  if (fd_ < 0 || segments_.back().bytes >= options_.segment_bytes) {
    if (absl::Status s = Roll(); !s.ok()) {
      Fail(s);
      ++stats_.skipped_batches;
      return;
    }
  }
  Segment& active = segments_.back();
  if (absl::Status s =
          WriteAll(fd_, record, active.bytes, wal::SegmentPath(options_.dir, active.number));
      !s.ok()) {
    Fail(s);
    ++stats_.skipped_batches;
    return;
  }
  active.bytes += record.size();
  written_ += record.size();
  stats_.bytes += record.size();
  ++stats_.records;
  stats_.lines += batch.lines.size();
}

absl::Status WalWriter::Sync() {
  int fd = -1;
  uint64_t target = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!failed_.ok()) return failed_;
    if (fd_ < 0 || synced_ >= written_) return absl::OkStatus();
    fd = ::dup(fd_);
    target = written_;
    if (fd < 0) {
      absl::Status s = Errno("cannot dup the active segment");
      Fail(s);
      return s;
    }
  }
  // Outside the lock: appends go on while the disk works.
  const int rc = ::fdatasync(fd);
  absl::Status s = rc == 0 ? absl::OkStatus() : Errno("cannot fsync the active segment");
  ::close(fd);
  absl::MutexLock lock(&mu_);
  if (!s.ok()) {
    Fail(s);
    return s;
  }
  synced_ = std::max(synced_, target);
  ++stats_.syncs;
  return absl::OkStatus();
}

WalWriterStats WalWriter::Stats() const {
  absl::MutexLock lock(&mu_);
  WalWriterStats s = stats_;
  s.segments = segments_.size();
  s.disk_bytes = 0;
  for (const Segment& seg : segments_) s.disk_bytes += seg.bytes;
  return s;
}

}  // namespace logweave

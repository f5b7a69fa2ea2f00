#include "logweave/line_files.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "logweave/file_text.h"

namespace logweave {
namespace {

// The fingerprint covers the first bytes of the file: a rewrite starts there.
constexpr size_t kFingerprintBytes = 4096;
// Reads are of whole pages around the line, so that neighbours come with it.
constexpr uint64_t kPage = 4096;

}  // namespace

namespace internal {

// What changes when a file is written to: a rewrite within one tick of the
// modification time still changes the change time or the size. (Outside the
// anonymous namespace: LineFiles::File holds one.)
struct LineFileStamp {
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  int64_t size = 0;
  bool operator==(const LineFileStamp&) const = default;
};

}  // namespace internal

namespace {

int64_t Nanos(const struct timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

internal::LineFileStamp StampOf(const struct stat& st) {
  return internal::LineFileStamp{Nanos(st.st_mtim), Nanos(st.st_ctim),
                                 static_cast<int64_t>(st.st_size)};
}

// Half of the descriptors this process may open, so that the sources still
// open theirs; the files after that keep copies of their lines.
size_t DefaultMaxFiles() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<size_t>(limit.rlim_cur / 2);
}

}  // namespace

struct LineFiles::File {
  int fd = -1;
  size_t head_bytes = 0;  // bytes the fingerprint covers: the first 4 KiB, or all if fewer
  uint64_t fingerprint = 0;
  // The file as it was last found unchanged.
  absl::Mutex mu;
  internal::LineFileStamp checked ABSL_GUARDED_BY(mu);

  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

LineFiles::LineFiles() : max_files_(DefaultMaxFiles()) {}

LineFiles::~LineFiles() = default;

bool LineFiles::Add(uint32_t source_id, int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (open_files_ >= max_files_.load(std::memory_order_relaxed)) return false;
  }
  auto file = std::make_unique<File>();
  file->fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (file->fd < 0) return false;
  file->head_bytes = static_cast<size_t>(std::min<int64_t>(st.st_size, kFingerprintBytes));
  if (!HashFilePrefix(file->fd, file->head_bytes, &file->fingerprint)) return false;
  {
    absl::MutexLock lock(&file->mu);
    file->checked = StampOf(st);
  }
  absl::MutexLock lock(&mu_);
  if (files_.size() <= source_id) files_.resize(source_id + 1);
  // A source's file is registered once: readers may be using the first.
  if (files_[source_id] != nullptr) return false;
  ++open_files_;
  files_[source_id] = std::move(file);
  return true;
}

void LineFiles::Remove(uint32_t source_id) {
  std::unique_ptr<File> file;  // closed outside the lock
  absl::MutexLock lock(&mu_);
  if (source_id >= files_.size() || files_[source_id] == nullptr) return;
  file = std::move(files_[source_id]);
  --open_files_;
}

size_t LineFiles::files() const {
  absl::ReaderMutexLock lock(&mu_);
  return open_files_;
}

bool LineFiles::Unchanged(File& file, uint64_t end) const {
  struct stat st;
  if (::fstat(file.fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < end) return false;
  absl::MutexLock lock(&file.mu);
  const internal::LineFileStamp now = StampOf(st);
  if (now == file.checked) return true;
  // Written to since: an appended file keeps its first bytes, a rewritten one does not.
  uint64_t fingerprint = 0;
  if (!HashFilePrefix(file.fd, file.head_bytes, &fingerprint) || fingerprint != file.fingerprint) {
    return false;
  }
  file.checked = now;
  return true;
}

std::string_view LineFiles::Read(uint32_t source_id, uint64_t offset, uint32_t length,
                                 FileWindow* window) const {
  const uint64_t end = offset + length;
  if (window->source_id == source_id && offset >= window->start &&
      end <= window->start + window->bytes.size()) {
    return std::string_view(window->bytes).substr(offset - window->start, length);
  }
  File* file = nullptr;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (source_id < files_.size()) file = files_[source_id].get();  // never freed before *this
  }
  window->source_id = UINT32_MAX;
  if (file == nullptr || !Unchanged(*file, end)) {
    unreadable_.fetch_add(1, std::memory_order_relaxed);
    return std::string_view();
  }
  const uint64_t start = offset & ~(kPage - 1);
  const uint64_t stop = (end + kPage - 1) & ~(kPage - 1);
  window->bytes.resize(stop - start);
  ++window->reads;
  const ssize_t n = PreadFully(file->fd, window->bytes.data(), window->bytes.size(), start);
  if (n < 0 || static_cast<uint64_t>(n) < end - start) {
    unreadable_.fetch_add(1, std::memory_order_relaxed);
    return std::string_view();
  }
  window->bytes.resize(static_cast<size_t>(n));
  window->source_id = source_id;
  window->start = start;
  return std::string_view(window->bytes).substr(offset - start, length);
}

}  // namespace logweave

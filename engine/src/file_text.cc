#include "logweave/file_text.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "xxhash.h"

namespace logweave {

absl::StatusOr<std::string> ReadFileText(const std::string& path, absl::string_view context,
                                         uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, context);
  std::string data;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return absl::ErrnoToStatus(err, context);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(context, ": more than ", max_bytes, " bytes; is it the right file?"));
    }
  }
  ::close(fd);
  return data;
}

ssize_t PreadFully(int fd, char* buf, size_t size, uint64_t offset) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, buf + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

bool HashFilePrefix(int fd, size_t bytes, uint64_t* hash) {
  std::string buf(bytes, '\0');
  if (PreadFully(fd, buf.data(), bytes, 0) != static_cast<ssize_t>(bytes)) return false;
  *hash = XXH3_64bits(buf.data(), bytes);
  return true;
}

}  // namespace logweave

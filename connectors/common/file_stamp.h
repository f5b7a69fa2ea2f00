// What tells a followed file's rewrite apart without reading it: its size and
// modification time. Used by the listeners that re-read their files when they
// change (certificates, token files). Header-only; a value type.
#ifndef LOGWEAVE_CONNECTORS_COMMON_FILE_STAMP_H_
#define LOGWEAVE_CONNECTORS_COMMON_FILE_STAMP_H_

#include <sys/stat.h>

#include <cstdint>
#include <string>

namespace logweave {

struct FileStamp {
  int64_t size = -1;  // -1: the file could not be stat'ed
  int64_t mtime_ns = -1;
  bool operator==(const FileStamp&) const = default;

  // The file's stamp now; the default (-1, -1) when it cannot be stat'ed.
  static FileStamp Of(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return FileStamp{};
    return FileStamp{static_cast<int64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_COMMON_FILE_STAMP_H_

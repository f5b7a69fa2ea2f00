#include "internal/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace logweave {

absl::Status LowerThisThreadsPriority(int nice) {
  if (nice < 0 || nice > 19) {
    return absl::InvalidArgumentError(absl::StrCat("nice must be 0-19 (got ", nice, ")"));
  }
  const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) {
    return absl::InternalError(absl::StrCat("getpriority: ", std::strerror(errno)));
  }
  if (current >= nice) return absl::OkStatus();
  if (setpriority(PRIO_PROCESS, tid, nice) != 0) {
    return absl::InternalError(absl::StrCat("setpriority(", nice, "): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace logweave

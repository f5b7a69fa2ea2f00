#include "connectors/actions/exec/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace logweave::actions {
namespace {

// Closes a descriptor at the end of a scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::string> FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (IsExecutableFile(program)) return program;
    return absl::NotFoundError(
        absl::StrCat("the program \"", program, "\" is not an executable file"));
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = absl::StrCat(dir, "/", program);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("the program \"", program, "\" is not found on $PATH (",
                                          path != nullptr ? path : "", ")"));
}

absl::StatusOr<SubprocessResult> RunSubprocess(const std::string& path,
                                               const std::vector<std::string>& argv,
                                               const std::string& input, absl::Duration timeout,
                                               size_t max_output) {
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Errno("pipe");
  Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Errno("pipe");
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&files, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&files, out_write.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own: a timeout kills all of it
  // The child starts with no signal blocked and SIGPIPE at its default.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, path.c_str(), &files, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", path, ": ", std::strerror(spawned)));
  }
  in_read.Reset();
  out_write.Reset();
  fcntl(in_write.get(), F_SETFL, O_NONBLOCK);

  SubprocessResult result;
  const absl::Time deadline = absl::Now() + timeout;
  size_t written = 0;
  if (input.empty()) in_write.Reset();
  bool output_open = true;
  bool exited = false;
  int status = 0;
  char buf[8192];
  while (output_open || !exited) {
    if (!exited) {
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) exited = true;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      result.timed_out = !exited;
      break;
    }
    pollfd fds[2];
    int n = 0;
    if (output_open) fds[n++] = pollfd{out_read.get(), POLLIN, 0};
    if (in_write.get() >= 0) fds[n++] = pollfd{in_write.get(), POLLOUT, 0};
    // Without descriptors left, wait for the exit in short steps.
    const int wait_ms = static_cast<int>(
        std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, n == 0 || !exited ? 20 : 1000));
    const int ready = poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) return Errno("poll");
    for (int i = 0; i < n && ready > 0; ++i) {
      if (fds[i].fd == out_read.get() && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t got = read(out_read.get(), buf, sizeof(buf));
        if (got > 0) {
          const size_t keep = std::min(static_cast<size_t>(got),
                                       max_output - std::min(max_output, result.output.size()));
          result.output.append(buf, keep);
          if (keep < static_cast<size_t>(got)) result.output_truncated = true;
        } else if (got == 0 || errno != EAGAIN) {
          output_open = false;
        }
      } else if (fds[i].fd == in_write.get() && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t put = write(in_write.get(), input.data() + written, input.size() - written);
        if (put > 0) written += static_cast<size_t>(put);
        // EPIPE: it did not read its input; that is its business.
        if ((put < 0 && errno != EAGAIN) || written == input.size()) in_write.Reset();
      }
    }
  }
  if (!exited || output_open) {
    // The deadline: the program, or a child of it still holding the output.
    kill(-pid, SIGKILL);
    if (!exited) {
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace logweave::actions

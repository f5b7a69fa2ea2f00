// Runs a program with arguments (never through a shell), feeds it stdin,
// captures its stdout and stderr together up to a bound, and kills its
// whole process group at a deadline.
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_EXEC_SUBPROCESS_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_EXEC_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace logweave::actions {

struct SubprocessResult {
  bool timed_out = false;  // the deadline passed: the process group was killed
  int exit_code = -1;      // the exit status; -1 when killed by a signal
  int signal = 0;          // the signal that ended it, 0 none
  std::string output;      // stdout and stderr interleaved, at most max_output bytes
  bool output_truncated = false;
};

// Starts `path` with `argv` (argv[0] included) in a process group of its own,
// writes `input` to its stdin and closes it, and reads its output until it
// exits and its output closes, or `timeout` passes: then SIGKILL goes to the
// whole group (children it started included). Blocks the calling thread,
// which must have SIGPIPE blocked or ignored. INTERNAL if it cannot be
// started (the message says why).
absl::StatusOr<SubprocessResult> RunSubprocess(const std::string& path,
                                               const std::vector<std::string>& argv,
                                               const std::string& input, absl::Duration timeout,
                                               size_t max_output);

// The executable `program` names: a path with a '/' as given, else the
// first match on $PATH. NOT_FOUND when there is none or it is not executable.
absl::StatusOr<std::string> FindProgram(const std::string& program);

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_EXEC_SUBPROCESS_H_

// Runs a command line through the shell for CLI tests, capturing what it prints.
#ifndef LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_
#define LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace logweave::testdata {

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally (or could not start)
  std::string out;
  std::string err;
};

// Runs `command` with /bin/sh, its stderr sent to `stderr_path` (a file the
// caller owns, overwritten), and returns its exit code, stdout and stderr.
inline CommandResult RunCommand(const std::string& command, const std::string& stderr_path) {
  CommandResult r;
  const std::string cmd = command + " 2>" + stderr_path;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run: " << cmd;
    return r;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) r.out.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream err;
  err << std::ifstream(stderr_path).rdbuf();
  r.err = err.str();
  return r;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_

// Runs a command line through the shell for CLI tests, capturing what it
// prints, all at once (RunCommand) or line by line as it comes (StreamingCommand).
#ifndef LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_
#define LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
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

// A command run through the shell whose stdout is read line by line as it
// comes. The first line it prints is the shell's pid, which `exec` hands on
// to the command: Signal() reaches the command itself. Thread-compatible.
class StreamingCommand {
 public:
  explicit StreamingCommand(const std::string& command)
      : pipe_(popen(("echo $$; exec " + command).c_str(), "r")) {
    EXPECT_NE(pipe_, nullptr) << command;
    pid_ = std::atoi(ReadLine().c_str());
    EXPECT_GT(pid_, 0);
  }
  ~StreamingCommand() {
    if (pipe_ != nullptr) Close();
  }
  // The next line without its newline; "" at the end of the output.
  std::string ReadLine() {
    char* buf = nullptr;
    size_t size = 0;
    ssize_t n = pipe_ != nullptr ? getline(&buf, &size, pipe_) : -1;
    std::string line = n > 0 ? std::string(buf, n) : "";
    free(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }
  // Reads lines until one contains `text`; false at the end of the output.
  bool ReadUntil(const std::string& text) {
    for (std::string line = ReadLine(); !line.empty(); line = ReadLine()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  // Reads the rest of the output; returns the exit code (-1: killed by a signal).
  int Close() {
    while (!ReadLine().empty()) {
    }
    int status = pclose(pipe_);
    pipe_ = nullptr;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  FILE* pipe_;
  int pid_ = 0;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_RUN_COMMAND_H_

// `logweave serve` as a child process for integration tests (the real
// binary, LOGWEAVE_BIN), and the helpers they share: a temporary directory,
// waiting on a condition, reading a file whole.
#ifndef LOGWEAVE_TESTS_TESTDATA_SERVE_PROCESS_H_
#define LOGWEAVE_TESTS_TESTDATA_SERVE_PROCESS_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "testdata/run_command.h"
#include "testdata/wait_for.h"

namespace logweave::testdata {

inline std::string Bin() { return LOGWEAVE_BIN; }

// A new directory under the test temporary directory.
inline std::string TempDir(const std::string& prefix = "serve_restart") {
  std::string tmpl = ::testing::TempDir() + "/" + prefix + "_XXXXXX";
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

inline std::string ReadAll(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path).rdbuf();
  return s.str();
}

inline bool WaitFor(const std::function<bool()>& condition,
                    absl::Duration timeout = absl::Seconds(60)) {
  return PollUntil(condition, timeout, absl::Milliseconds(20));
}

// `logweave serve` as a child process, its stderr in a file.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const std::string& stderr_path)
      : stderr_path_(stderr_path) {
    std::vector<std::string> argv = {Bin(), "serve", "--address", "127.0.0.1:0", "--threads", "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(err, 2);
      ::dup2(null, 1);
      ::dup2(null, 0);
      ::execv(c_argv[0], c_argv.data());
      ::_exit(127);
    }
    EXPECT_GT(pid_, 0);
  }
  ~Serve() {
    if (pid_ > 0) {
      Signal(SIGKILL);
      Wait();
    }
  }
  // Waits until it says it is ready; false if it exited or took too long.
  bool WaitReady() {
    return WaitFor([&] {
             const std::string err = ReadAll(stderr_path_);
             const size_t at = err.find("listening on ");
             if (at != std::string::npos && address_.empty()) {
               const size_t begin = at + 13;
               address_ = err.substr(begin, err.find(' ', begin) - begin);
             }
             if (err.find("ready: ") != std::string::npos) return true;
             int status;
             if (::waitpid(pid_, &status, WNOHANG) == pid_) {
               pid_ = -1;
               ADD_FAILURE() << "serve exited: " << err;
               return true;
             }
             return false;
           }) &&
           pid_ > 0;
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& address() const { return address_; }
  std::string err() const { return ReadAll(stderr_path_); }

  // `logweave stats --json` of this server; a field of it.
  uint64_t Stat(const char* field) {
    testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat(Bin(), " stats --json --server ", address_), stderr_path_ + ".client");
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    if (r.exit_code != 0 || !d.IsObject() || !d.HasMember(field)) {
      ADD_FAILURE() << "stats: " << r.exit_code << " " << r.out << r.err;
      return 0;
    }
    return d[field].GetUint64();
  }
  // The events of a trace's timeline (`logweave timeline --json`); -1 if none.
  int TimelineEvents(const std::string& trace) {
    testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat(Bin(), " timeline ", trace, " --json --server ", address_),
        stderr_path_ + ".client");
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    if (r.exit_code != 0 || !d.IsObject() || !d.HasMember("events")) return -1;
    return static_cast<int>(d["events"].Size());
  }

 private:
  std::string stderr_path_;
  std::string address_;
  pid_t pid_ = -1;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_SERVE_PROCESS_H_

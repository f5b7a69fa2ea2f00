// Test helper: `logweave serve` over the demo data (deploy/demo: its logs and
// its rules) with the HTTP listener, every trace judged (--final: nothing
// changes once it is ready), for the tests of the web page and its API.
//
//   testdata::DemoServe serve;
//   ASSERT_TRUE(serve.Start(LOGWEAVE_BIN, LOGWEAVE_SOURCE_DIR));
//   httplib::Response r = serve.Get("/api/findings");
//   serve.Stop();
#ifndef LOGWEAVE_TESTS_TESTDATA_DEMO_SERVE_H_
#define LOGWEAVE_TESTS_TESTDATA_DEMO_SERVE_H_

#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "testdata/run_command.h"

namespace logweave::testdata {

// The address serve prints after `marker` in `line` ("listening on ",
// "HTTP on "): the text up to the next space, without a trailing ':'.
inline std::string AddressAfter(const std::string& line, const std::string& marker) {
  const size_t at = line.find(marker);
  if (at == std::string::npos) return "";
  std::string rest = line.substr(at + marker.size());
  rest = rest.substr(0, rest.find(' '));
  if (!rest.empty() && rest.back() == ':') rest.pop_back();
  return rest;
}

class DemoServe {
 public:
  // Starts serve (`bin`) on loopback ports over `source_dir`/deploy/demo,
  // with `extra_flags` (e.g. "--tls-cert C --tls-key K"), and waits until it
  // is ready. False (with a test failure) if it did not say where it listens.
  bool Start(const std::string& bin, const std::string& source_dir,
             const std::string& extra_flags = "") {
    serve_ = std::make_unique<StreamingCommand>(
        absl::StrCat("timeout --preserve-status -s TERM 120 ", bin, " serve ", source_dir,
                     "/deploy/demo/logs --final --config ", source_dir,
                     "/deploy/demo/logweave.yaml --address 127.0.0.1:0 --http-address 127.0.0.1:0 ",
                     extra_flags, " 2>&1"));
    for (std::string line = serve_->ReadLine(); !line.empty(); line = serve_->ReadLine()) {
      if (grpc_address_.empty()) grpc_address_ = AddressAfter(line, "listening on ");
      if (http_address_.empty()) http_address_ = AddressAfter(line, "HTTP on ");
      if (http_address_.empty()) http_address_ = AddressAfter(line, "HTTPS on ");
      if (line.find("ready:") != std::string::npos) break;
    }
    EXPECT_FALSE(grpc_address_.empty()) << "serve did not say where it listens";
    EXPECT_FALSE(http_address_.empty()) << "serve did not say where HTTP listens";
    return !grpc_address_.empty() && !http_address_.empty();
  }
  // SIGTERM; expects exit code 0.
  void Stop() {
    if (serve_ == nullptr) return;
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Close(), 0);
    serve_.reset();
  }

  const std::string& grpc_address() const { return grpc_address_; }
  const std::string& http_address() const { return http_address_; }
  int http_port() const {
    int port = 0;
    return absl::SimpleAtoi(http_address_.substr(http_address_.rfind(':') + 1), &port) ? port : 0;
  }
  // http://127.0.0.1:PORT`path`
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", http_port(), path);
  }

  // GET `path` on the HTTP listener; status 0 if the request failed.
  httplib::Response Get(const std::string& path) const {
    httplib::Client client("127.0.0.1", http_port());
    auto r = client.Get(path);
    return r ? *r : httplib::Response();
  }

 private:
  std::unique_ptr<StreamingCommand> serve_;
  std::string grpc_address_;
  std::string http_address_;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_DEMO_SERVE_H_

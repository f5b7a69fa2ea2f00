// A webhook receiver for tests: a cpp-httplib server on 127.0.0.1 (a port the
// kernel picks) that records every request and answers with the statuses it
// was given, in turn (then 200).
#ifndef LOGWEAVE_TESTS_TESTDATA_HOOK_SERVER_H_
#define LOGWEAVE_TESTS_TESTDATA_HOOK_SERVER_H_

#include <httplib.h>

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace logweave::testdata {

class HookServer {
 public:
  struct Request {
    std::string path;  // as sent (not percent-decoded)
    std::string body;
    std::string authorization;
    std::string content_type;
  };

  // Where an HTTPS receiver finds its certificate and key (PEM files).
  struct Tls {
    std::string cert;
    std::string key;
  };

  // `statuses`: the answers to the first requests; later ones get 200.
  // With `tls`, it is an HTTPS receiver (url() still says http: use port()).
  explicit HookServer(std::deque<int> statuses = {}, const Tls* tls = nullptr)
      : server_(MakeServer(tls)), statuses_(std::move(statuses)) {
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      requests_.push_back({req.target, req.body, req.get_header_value("Authorization"),
                           req.get_header_value("Content-Type")});
      res.status = 200;
      if (!statuses_.empty()) {
        res.status = statuses_.front();
        statuses_.pop_front();
      }
      res.set_content(res.status < 300 ? "{\"ok\":true}" : "{\"error\":\"busy\"}",
                      "application/json");
      auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_; };
      mu_.Await(absl::Condition(&released));
    });
    port_ = server_->bind_to_any_port("127.0.0.1");  // listening from here on
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() ends only a server that runs: wait for its loop (connections
    // queue on the bound socket meanwhile).
    while (!server_->is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~HookServer() {
    Release();
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Request> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  // Holds every answer until Release (a slow receiver).
  void Hold() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    hold_ = false;
  }

 private:
  static std::unique_ptr<httplib::Server> MakeServer(const Tls* tls) {
    if (tls == nullptr) return std::make_unique<httplib::Server>();
    return std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str());
  }

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::deque<int> statuses_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_HOOK_SERVER_H_

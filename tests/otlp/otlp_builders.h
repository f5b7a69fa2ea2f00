// Builders of OTLP export requests for the OTLP tests: services with their
// resource attributes and log records as an instrumented service sends them.
//
//   RequestBuilder b;
//   b.Resource("checkout", {{"service.version", "2.1.0"}})
//       .Record({.time_ns = t, .severity_number = 17, .body = "payment declined",
//                .trace_id = Hex("5b8e...")});
#ifndef LOGWEAVE_TESTS_OTLP_OTLP_BUILDERS_H_
#define LOGWEAVE_TESTS_OTLP_OTLP_BUILDERS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace logweave::otlp {

inline std::string Hex(const std::string& hex) { return absl::HexStringToBytes(hex); }

struct RecordSpec {
  uint64_t time_ns = 0;
  uint64_t observed_ns = 0;
  int severity_number = 0;
  std::string severity_text = {};
  std::string body = {};      // a string body; empty: none
  std::string trace_id = {};  // bytes
  std::string span_id = {};   // bytes
  std::vector<std::pair<std::string, int64_t>> int_attributes = {};
  std::vector<std::pair<std::string, std::string>> attributes = {};
};

class RequestBuilder {
 public:
  using Request = ::opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
  using LogRecord = ::opentelemetry::proto::logs::v1::LogRecord;

  // Starts the records of a service (resource attribute service.name).
  RequestBuilder& Resource(const std::string& service,
                           const std::vector<std::pair<std::string, std::string>>& attrs = {}) {
    auto* rl = request_.add_resource_logs();
    auto add = [rl](const std::string& k, const std::string& v) {
      auto* kv = rl->mutable_resource()->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_string_value(v);
    };
    add("service.name", service);
    for (const auto& [k, v] : attrs) add(k, v);
    rl->add_scope_logs()->mutable_scope()->set_name("test.scope");
    return *this;
  }

  RequestBuilder& Record(const RecordSpec& s) {
    auto* rl = request_.mutable_resource_logs(request_.resource_logs_size() - 1);
    LogRecord* r = rl->mutable_scope_logs(0)->add_log_records();
    r->set_time_unix_nano(s.time_ns);
    r->set_observed_time_unix_nano(s.observed_ns);
    r->set_severity_number(
        static_cast<::opentelemetry::proto::logs::v1::SeverityNumber>(s.severity_number));
    r->set_severity_text(s.severity_text);
    if (!s.body.empty()) r->mutable_body()->set_string_value(s.body);
    r->set_trace_id(s.trace_id);
    r->set_span_id(s.span_id);
    for (const auto& [k, v] : s.int_attributes) {
      auto* kv = r->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_int_value(v);
    }
    for (const auto& [k, v] : s.attributes) {
      auto* kv = r->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_string_value(v);
    }
    last_ = r;
    return *this;
  }

  LogRecord* last_record() { return last_; }
  const Request& request() const { return request_; }

 private:
  Request request_;
  LogRecord* last_ = nullptr;
};

}  // namespace logweave::otlp

#endif  // LOGWEAVE_TESTS_OTLP_OTLP_BUILDERS_H_

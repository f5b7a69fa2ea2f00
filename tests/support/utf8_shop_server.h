// What the tests of log bytes that are not UTF-8 share (utf8_api_test, utf8_cli_test): a
// shop whose message, service name, trace id, plain-text error and file name hold such bytes,
// served by an in-process LogweaveServer on a loopback port for the suite (Utf8ApiTest), and a
// fixture that runs the logweave binary in a temporary directory (CommandTest).
// Thread-compatible: one fixture per test; the suite server is started once per suite.
#ifndef LOGWEAVE_TESTS_SUPPORT_UTF8_SHOP_SERVER_H_
#define LOGWEAVE_TESTS_SUPPORT_UTF8_SHOP_SERVER_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/server.h"
#include "connectors/grpc/wire_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "logweave/pipeline.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "rapidjson/document.h"
#include "testdata/checkout_shop.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/shop_server.h"
#include "testdata/test_dir.h"

namespace logweave::utf8_api_test {

using testdata::PlainTime;
using ::testing::HasSubstr;

inline constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD, UTF-8

inline std::string Trace(int i) { return testdata::ShopTrace(i); }

// The faults, by trace number (200 traces, 100 ms apart).
inline constexpr int kTraces = 200;
inline constexpr int kBadMessage = 3;   // checkout's message has \xff\xfe and a cut-off "€"
inline constexpr int kBadService = 5;   // checkout's service name has \xff
inline constexpr int kBadTraceId = 7;   // every line of this trace has an id with invalid bytes
inline constexpr int kNoPayments = 17;  // payments never reached: missing_service
inline constexpr int kEmailTimeout =
    40;  // a plain-text error with invalid bytes, naming this trace

// Bytes as they come: \xff\xfe are never UTF-8, \xe2\x82 is "€" cut short.
inline const std::string kBadText = "order \xff\xfe created \xe2\x82";
inline const std::string kBadServiceName = "check\xffout";
inline const std::string kBadId =
    "bad\xfe\xff"
    "5f3c9a2e7d41b8e0c6a9\xe2\x82";
inline const std::string kPaymentsFile =
    "pay\xffments.log";  // a file name that is not UTF-8 either

inline std::string Id(int i) { return i == kBadTraceId ? kBadId : Trace(i); }

// The id as the API shows it: each invalid sequence read as U+FFFD.
inline std::string Repaired(const std::string& s) {
  std::string out;
  AppendValidUtf8(s, &out);
  return out;
}

// The checkout line of trace i: python-json-logger, with the faults above.
inline std::string CheckoutLine(int i) {
  const int64_t ms = i * 100 + 5;
  return absl::StrFormat(
      R"({"timestamp":"%s","levelname":"INFO","name":"checkout.api","message":"%s","trace_id":"%s","service":"%s"})",
      PlainTime(ms), i == kBadMessage ? kBadText : "order_created", Id(i),
      i == kBadService ? kBadServiceName : "checkout");
}

inline const std::string& EmailTimeoutLine() {
  static const std::string* line = new std::string(
      PlainTime(kEmailTimeout * 100 + 5060) +
      " ERROR Connection timeout to \xff\xfe mail provider \xe2\x82 after 5000ms trace_id=" +
      Trace(kEmailTimeout));
  return *line;
}

// A small shop: POST /checkout through gateway -> checkout -> payments, then
// an email job; one line per vector entry, by file name.
inline std::map<std::string, std::vector<std::string>> ShopFiles() {
  return testdata::CheckoutShopFiles(
      {.traces = kTraces,
       .payments_file = kPaymentsFile,
       .vary =
           [](int i, testdata::CheckoutTrace& c) {
             c.id = Id(i);
             c.checkout = CheckoutLine(i);
             c.payments = {testdata::EcsLine("payments", c.id, i * 100 + 20, "payment_authorized")};
             if (i == kNoPayments) c.payments.clear();
             if (i == kEmailTimeout) c.email_timeout = EmailTimeoutLine();
           },
       .more_email = {{600000, PlainTime(600000) + " ERROR SMTP relay \xe2\x82 refused \xff"}}});
}

// The binary under test: built by CMake (path compiled in), or $LOGWEAVE_BIN.
inline std::string Bin() {
  const char* bin = std::getenv("LOGWEAVE_BIN");
  return bin != nullptr ? bin : LOGWEAVE_BIN;
}

// Every string field of `m` (nested messages, repeated fields and map keys
// and values included), with its path.
inline void CollectStrings(const google::protobuf::Message& m, const std::string& path,
                           std::vector<std::pair<std::string, std::string>>* out) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    const std::string name = absl::StrCat(path, ".", f->name());
    const bool is_string = f->type() == google::protobuf::FieldDescriptor::TYPE_STRING;
    const bool is_message = f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        if (is_string) out->emplace_back(name, r->GetRepeatedString(m, f, j));
        if (is_message) CollectStrings(r->GetRepeatedMessage(m, f, j), name, out);
      }
    } else if (is_string) {
      out->emplace_back(name, r->GetString(m, f));
    } else if (is_message && r->HasField(m, f)) {
      CollectStrings(r->GetMessage(m, f), name, out);
    }
  }
}

// The string fields of `m` that are not valid UTF-8 (with their paths).
inline std::vector<std::string> InvalidStrings(const google::protobuf::Message& m) {
  std::vector<std::pair<std::string, std::string>> strings;
  CollectStrings(m, m.GetDescriptor()->name(), &strings);
  std::vector<std::string> bad;
  for (const auto& [path, value] : strings) {
    if (!IsValidUtf8(value)) bad.push_back(path);
  }
  return bad;
}

// How many string fields of `m` hold U+FFFD: proof that a repair reached it.
inline int RepairedStrings(const google::protobuf::Message& m) {
  std::vector<std::pair<std::string, std::string>> strings;
  CollectStrings(m, "", &strings);
  return std::count_if(strings.begin(), strings.end(), [](const auto& s) {
    return s.second.find(kReplacement) != std::string::npos;
  });
}

inline void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
}

// Runs the logweave binary with a temporary directory of its own.
class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testdata::MakeTestDir("utf8_api"); }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // `logweave COMMAND args --server SERVER`, killed if still running after
  // 20 s (a hang shows as exit code 137 and a long time).
  testdata::CommandResult RunAt(const std::string& server, const std::string& command,
                                const std::string& args) {
    const absl::Time start = absl::Now();
    testdata::CommandResult r =
        testdata::RunCommand(absl::StrCat("env -u LOGWEAVE_SERVER timeout -s KILL 20 ", Bin(), " ",
                                          command, " ", args, " --server ", server, " </dev/null"),
                             (dir_ / "stderr.txt").string());
    last_seconds_ = absl::ToDoubleSeconds(absl::Now() - start);
    return r;
  }

  // A shell-quoted argument: '...' with ' escaped (bytes pass through as they are).
  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  static std::vector<rapidjson::Document> JsonLines(const std::string& text) {
    std::vector<rapidjson::Document> docs;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      EXPECT_FALSE(d.HasParseError()) << line;
      if (!d.HasParseError() && d.IsObject()) docs.push_back(std::move(d));
    }
    return docs;
  }

  std::filesystem::path dir_;
  double last_seconds_ = 0;  // of the last RunAt
};

// One server over the shop's logs for the suite.
class Utf8ApiTest : public CommandTest {
 protected:
  static void SetUpTestSuite() { shop_.Start(ShopFiles()); }
  static void TearDownTestSuite() { shop_.Stop(); }

  void SetUp() override {
    ASSERT_NE(shop_.server, nullptr);
    CommandTest::SetUp();
    stub_ =
        v1::LogWeave::NewStub(grpc::CreateChannel(Server(), grpc::InsecureChannelCredentials()));
  }

  static std::string Server() { return shop_.address(); }
  testdata::CommandResult Run(const std::string& command, const std::string& args = "") {
    return RunAt(Server(), command, args);
  }

  // Calls the stub's `method` with a 20 s deadline; its status.
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::LogWeave::Stub::*method)(grpc::ClientContext*, const Request&,
                                                               Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return (stub_.get()->*method)(&context, request, response);
  }

  // GetTimeline of `trace_id` (with the raw lines if `include_raw`) with a 20 s deadline.
  grpc::Status Timeline(const std::string& trace_id, bool include_raw,
                        v1::GetTimelineResponse* response) {
    v1::GetTimelineRequest request;
    request.set_trace_id(trace_id);
    request.set_include_raw(include_raw);
    return Call(&v1::LogWeave::Stub::GetTimeline, request, response);
  }

  static inline testdata::SuiteServer shop_;
  std::unique_ptr<v1::LogWeave::Stub> stub_;
};

}  // namespace logweave::utf8_api_test

#endif  // LOGWEAVE_TESTS_SUPPORT_UTF8_SHOP_SERVER_H_

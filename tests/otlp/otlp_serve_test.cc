// OTLP's counters through the real `logweave serve`: requests refused for
// their token over HTTP, the Collector's file exporter lines read as a
// source, both in `logweave stats --json` and /metrics, and GetStats through
// an instance with serve.peers summing every instance's OTLP counters.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "testdata/run_command.h"
#include "testdata/serve_process.h"

namespace logweave {
namespace {

using testdata::Bin;
using testdata::Serve;

constexpr char kIngestToken[] = "ingest-token-0123456789abcdef";
constexpr char kReadToken[] = "read-token-0123456789abcdef";

// One line of the Collector's file exporter: two records of `trace`, one of
// them with an id of the wrong length (left out, counted).
std::string FileExporterLine(const std::string& trace) {
  return absl::StrCat(
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"payments"}}]},)",
      R"("scopeLogs":[{"logRecords":[{"timeUnixNano":"1764970302000000000","severityNumber":17,)",
      R"("body":{"stringValue":"card declined"},"traceId":")", trace, R"("},)",
      R"({"timeUnixNano":"1764970302100000000","body":{"stringValue":"bad id"},"traceId":"abc"}]}]}]})");
}

// OTLP/JSON of one record of `trace`, as an SDK exporter sends it.
std::string ExportJson(const std::string& trace) {
  return absl::StrCat(
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},)",
      R"("scopeLogs":[{"logRecords":[{"timeUnixNano":"1764970302200000000","severityNumber":9,)",
      R"("body":{"stringValue":"cart loaded"},"traceId":")", trace, R"("}]}]}]})");
}

// host:port of the HTTP listener, from serve's log.
std::string HttpAddress(const Serve& serve) {
  const std::string err = serve.err();
  const size_t at = err.find("HTTP on ");
  if (at == std::string::npos) return "";
  const size_t begin = at + 8;
  return err.substr(begin, err.find(": ", begin) - begin);
}

std::unique_ptr<httplib::Client> Client(const std::string& http_address) {
  const size_t colon = http_address.rfind(':');
  return std::make_unique<httplib::Client>(http_address.substr(0, colon),
                                           std::stoi(http_address.substr(colon + 1)));
}

int Post(const std::string& http_address, const std::string& body, const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", absl::StrCat("Bearer ", token));
  auto r = Client(http_address)->Post("/v1/logs", headers, body, "application/json");
  return r ? r->status : -1;
}

// `logweave stats --json` through `address`.
rapidjson::Document Stats(const std::string& address, const std::string& err_path,
                          const std::string& token = "") {
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat(Bin(), " stats --json --server ", address,
                                        token.empty() ? "" : absl::StrCat(" --token ", token)),
                           err_path);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(d.IsObject() && d.HasMember("otlp")) << r.out;
  return d;
}

// The "otlp" counters of a `stats --json` answer that the tests check.
struct OtlpCounts {
  uint64_t requests = 0, records = 0, refused = 0, file_lines = 0, file_records = 0,
           file_rejected = 0;
  bool operator==(const OtlpCounts&) const = default;
};
std::ostream& operator<<(std::ostream& o, const OtlpCounts& c) {
  return o << "requests " << c.requests << " records " << c.records << " refused " << c.refused
           << " file_lines " << c.file_lines << " file_records " << c.file_records
           << " file_rejected " << c.file_rejected;
}
OtlpCounts CountsOf(const rapidjson::Document& stats) {
  if (!stats.IsObject() || !stats.HasMember("otlp")) return {};
  const auto& o = stats["otlp"];
  return {o["requests"].GetUint64(),     o["records"].GetUint64(),
          o["refused"].GetUint64(),      o["file_lines"].GetUint64(),
          o["file_records"].GetUint64(), o["file_rejected"].GetUint64()};
}

class OtlpServeTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testdata::TempDir("otlp_serve"); }
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(OtlpServeTest, TokenRefusalsAndFileExporterLinesAreInStatsAndMetrics) {
  const std::string tokens =
      WriteFile("tokens", absl::StrCat(kIngestToken, " ingest\n", kReadToken, " read\n"));
  const std::string lines =
      WriteFile("collector.json", FileExporterLine("5b8efff798038103d269b633813fc60c") + "\n");
  Serve serve({"--http-address", "127.0.0.1:0", "--auth-tokens", tokens, lines},
              dir_ + "/serve.err");
  ASSERT_TRUE(serve.WaitReady());
  const std::string http = HttpAddress(serve);
  ASSERT_FALSE(http.empty()) << serve.err();
  const std::string body = ExportJson("0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(Post(http, body, ""), 401);
  EXPECT_EQ(Post(http, body, kReadToken), 403);
  EXPECT_EQ(Post(http, body, kIngestToken), 200);

  // Refused: the 401 and the 403.
  EXPECT_EQ(CountsOf(Stats(serve.address(), dir_ + "/client.err", kReadToken)),
            (OtlpCounts{.requests = 1,
                        .records = 1,
                        .refused = 2,
                        .file_lines = 1,
                        .file_records = 1,
                        .file_rejected = 1}));

  auto metrics =
      Client(http)->Get("/metrics", {{"Authorization", absl::StrCat("Bearer ", kReadToken)}});
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("logweave_otlp_refused_requests_total 2"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("logweave_otlp_file_lines_total 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("logweave_otlp_file_rejected_records_total 1"), std::string::npos);
}

TEST_F(OtlpServeTest, StatsThroughAPeerSumTheOtlpCountersOfEveryInstance) {
  const std::string lines_b =
      WriteFile("b.json", FileExporterLine("4bf92f3577b34da6a3ce929d0e0e4736") + "\n");
  Serve b({"--http-address", "127.0.0.1:0", lines_b}, dir_ + "/b.err");
  ASSERT_TRUE(b.WaitReady());
  const std::string lines_a =
      WriteFile("a.json", FileExporterLine("5b8efff798038103d269b633813fc60c") + "\n");
  Serve a({"--http-address", "127.0.0.1:0", "--peers", b.address(), lines_a}, dir_ + "/a.err");
  ASSERT_TRUE(a.WaitReady());
  EXPECT_EQ(Post(HttpAddress(a), ExportJson("0af7651916cd43dd8448eb211c80319c"), ""), 200);
  EXPECT_EQ(Post(HttpAddress(b), ExportJson("1af7651916cd43dd8448eb211c80319c"), ""), 200);
  EXPECT_EQ(Post(HttpAddress(b), ExportJson("2af7651916cd43dd8448eb211c80319c"), ""), 200);
  EXPECT_EQ(Post(HttpAddress(b), "not json", ""), 400);

  const rapidjson::Document d = Stats(a.address(), dir_ + "/client.err");
  EXPECT_EQ(CountsOf(d), (OtlpCounts{.requests = 3,
                                     .records = 3,
                                     .refused = 1,
                                     .file_lines = 2,
                                     .file_records = 2,
                                     .file_rejected = 2}));
  ASSERT_TRUE(d.IsObject() && d.HasMember("instances"));
  EXPECT_EQ(d["instances"].Size(), 2u);
}

}  // namespace
}  // namespace logweave

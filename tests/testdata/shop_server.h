// Test helper: a runtime holding a set of log files, and a gRPC server over
// it, for tests of the API and the client commands.
//
//   std::unique_ptr<Runtime> runtime = testdata::IngestFiles(ShopFiles());
//   std::unique_ptr<LogweaveServer> server = testdata::StartReadyServer(runtime.get());
#ifndef LOGWEAVE_TESTS_TESTDATA_SHOP_SERVER_H_
#define LOGWEAVE_TESTS_TESTDATA_SHOP_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "connectors/grpc/server.h"
#include "gtest/gtest.h"
#include "logweave/runtime.h"

namespace logweave::testdata {

// Log files by name: each is the lines of one source "logs/<name>".
using LogFiles = std::map<std::string, std::vector<std::string>>;

// Submits `lines` as one batch of a new source "logs/<name>", each line with
// its 1-based number and byte offset. Does not flush. Returns the line count.
inline uint64_t SubmitFile(Pipeline& pipeline, const std::string& name,
                           const std::vector<std::string>& lines) {
  RawBatch b;
  b.source_id = pipeline.AddSource("logs/" + name);
  uint64_t offset = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    b.AddLine(lines[i], offset, i + 1);
    offset += lines[i].size() + 1;
  }
  pipeline.Submit(std::move(b));
  return lines.size();
}

// A runtime (2 worker threads) with every line of `files` indexed; *lines (if
// given) counts them. Null, with a test failure, if the runtime cannot start.
inline std::unique_ptr<Runtime> IngestFiles(const LogFiles& files, uint64_t* lines = nullptr) {
  RuntimeOptions options;
  options.pipeline.threads = 2;
  auto created = Runtime::Create(options);
  EXPECT_TRUE(created.ok()) << created.status();
  if (!created.ok()) return nullptr;
  std::unique_ptr<Runtime> runtime = std::move(*created);
  uint64_t n = 0;
  for (const auto& [name, file_lines] : files)
    n += SubmitFile(runtime->pipeline(), name, file_lines);
  runtime->pipeline().Flush();
  if (lines != nullptr) *lines = n;
  return runtime;
}

// A server over `runtime` on a free loopback port, analysed with every trace
// judged and ready; no analysis loop runs, so the findings stay put. Null,
// with a test failure, if it cannot start.
inline std::unique_ptr<LogweaveServer> StartReadyServer(Runtime* runtime) {
  ServerOptions options;
  options.address = "127.0.0.1:0";
  auto server = LogweaveServer::Start(options, runtime);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  runtime->AnalyzeNow(true);
  (*server)->SetReady(true);
  return std::move(*server);
}

// The runtime and server a whole test suite shares: Start in
// SetUpTestSuite, Stop in TearDownTestSuite.
struct SuiteServer {
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<LogweaveServer> server;  // ready, no analysis loop
  uint64_t lines = 0;                      // lines of the files

  // IngestFiles, then StartReadyServer. False (with a test failure) if either failed.
  bool Start(const LogFiles& files) {
    runtime = IngestFiles(files, &lines);
    if (runtime != nullptr) server = StartReadyServer(runtime.get());
    return server != nullptr;
  }
  // The server first: it queries the runtime.
  void Stop() {
    server.reset();
    runtime.reset();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", server->port()); }
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_SHOP_SERVER_H_

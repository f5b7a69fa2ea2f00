// The shop fixture of the logweave.v1 gRPC API tests (grpc_server_test, grpc_search_test,
// grpc_stream_findings_test): an in-process LogweaveServer on 127.0.0.1:0 over a pipeline that
// keeps ingesting in a background thread for the whole test, called through the real stubs.
//
// The data is a small shop whose faults are placed by hand (see ShopFiles), so that every search
// result, finding and attribution can be checked exactly. The background thread writes a separate
// service ("inventory") at event times an hour later: it moves the watermark on, so the analysis
// loop judges the shop's traces, and none of the filters match its traces.
// Thread-compatible: one fixture per test; FindingReader reads on its own thread.
#ifndef LOGWEAVE_TESTS_SUPPORT_GRPC_SHOP_SERVER_H_
#define LOGWEAVE_TESTS_SUPPORT_GRPC_SHOP_SERVER_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/server.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "logweave/config.h"
#include "logweave/pipeline.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "testdata/checkout_shop.h"
#include "testdata/lines.h"
#include "testdata/shop_server.h"
#include "testdata/wait_for.h"

namespace logweave::grpc_server_test {

using testdata::Ns;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

inline std::string Trace(int i) { return testdata::ShopTrace(i); }
inline std::string BackgroundTrace(int64_t n) { return absl::StrFormat("%032x", 0xbb0000000 + n); }

inline std::string GatewayLine(const std::string& trace, int64_t ms, const std::string& msg) {
  return testdata::GatewayLine(trace, ms, "POST /checkout", msg);
}

inline std::string BatchJobError(int64_t ms) {
  return testdata::PlainTime(ms) + absl::StrFormat(
                                       " ERROR nightly export failed: cannot write "
                                       "/var/export/orders-%d.csv: No space left on device",
                                       ms);
}

// The shop: 300 POST /checkout requests 100 ms apart, gateway -> checkout ->
// payments, then an email job (attempt, queued 300 ms later). Faults:
//  - payments logged nothing for traces 17 and 123 (missing_service);
//  - the email jobs of traces 40, 41 and 170 timed out: a plain-text ERROR 5 s
//    after the attempt and no email_queued (incomplete_sequence, and an
//    unstructured_error attributed to the trace);
//  - payments declined traces 60 and 61 (ERROR) and retried 62 (WARN);
//  - a batch job with no traces printed 5 plain-text errors (unattributed).
inline constexpr int kShopTraces = 300;
inline const std::set<int> kMissingPayments = {17, 123};
inline const std::set<int> kEmailTimeouts = {40, 41, 170};
inline const std::vector<int64_t> kBatchErrorMs = {2500, 7500, 12500, 20500, 25500};

inline std::map<std::string, std::vector<std::string>> ShopFiles() {
  auto files = testdata::CheckoutShopFiles(
      {.traces = kShopTraces, .vary = [](int i, testdata::CheckoutTrace& c) {
         const int64_t payments_ms = i * 100 + 20;
         if (kMissingPayments.count(i)) c.payments.clear();
         if (i == 60 || i == 61) {
           c.payments = {
               testdata::EcsLine("payments", c.id, payments_ms, "payment_declined", "ERROR")};
         }
         if (i == 62) {
           c.payments = {testdata::EcsLine("payments", c.id, payments_ms, "payment_retry", "WARN")};
         }
         if (kEmailTimeouts.count(i)) c.email_timeout = testdata::EmailTimeoutError(i * 100 + 5060);
       }});
  for (int64_t ms : kBatchErrorMs) files["batch.log"].push_back(BatchJobError(ms));
  return files;
}

inline std::set<std::string> Traces(std::initializer_list<int> ids) {
  std::set<std::string> out;
  for (int i : ids) out.insert(Trace(i));
  return out;
}

// Polls `condition` until it holds or `timeout` passes; returns its last value.
inline bool PollUntil(const std::function<bool()>& condition,
                      absl::Duration timeout = absl::Seconds(30)) {
  return testdata::PollUntil(condition, timeout, absl::Milliseconds(20));
}

inline void SetDeadline(grpc::ClientContext* context, absl::Duration timeout = absl::Seconds(20)) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

// Reads a StreamFindings call on its own thread; the test waits for what it
// wants to see with WaitFor. Cancels the call when destroyed.
class FindingReader {
 public:
  FindingReader(v1::LogWeave::Stub* stub, const v1::StreamFindingsRequest& request) {
    SetDeadline(&context_, absl::Seconds(90));
    reader_ = stub->StreamFindings(&context_, request);
    thread_ = std::thread([this] {
      v1::Finding f;
      while (reader_->Read(&f)) {
        absl::MutexLock lock(&mu_);
        findings_.push_back(f);
      }
      grpc::Status status = reader_->Finish();
      absl::MutexLock lock(&mu_);
      status_ = status;
      done_ = true;
    });
  }
  ~FindingReader() {
    context_.TryCancel();
    thread_.join();
  }

  // Waits up to `timeout` for `predicate` over everything received so far.
  bool WaitFor(const std::function<bool(const std::vector<v1::Finding>&)>& predicate,
               absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto holds = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return predicate(findings_); };
    return mu_.AwaitWithTimeout(absl::Condition(&holds), timeout);
  }
  bool WaitForTrace(const std::string& trace_id, const std::string& kind, absl::Duration timeout) {
    return WaitFor(
        [&](const std::vector<v1::Finding>& fs) {
          return std::any_of(fs.begin(), fs.end(), [&](const v1::Finding& f) {
            return f.trace_id() == trace_id && f.kind() == kind;
          });
        },
        timeout);
  }
  // Waits up to `timeout` for the call to end; its status, or nullopt.
  std::optional<grpc::Status> WaitDone(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&done_), timeout)) return std::nullopt;
    return status_;
  }
  std::vector<v1::Finding> findings() {
    absl::MutexLock lock(&mu_);
    return findings_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::Finding>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<v1::Finding> findings_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

// --- The fixture. ---

class GrpcServerTest : public ::testing::Test {
 protected:
  // A source's position, so that more lines can be appended to it later.
  struct Source {
    uint32_t id = 0;
    uint64_t offset = 0;
    uint64_t line_no = 0;
  };

  void SetUp() override {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    options.analysis_interval = absl::Milliseconds(50);
    auto runtime = Runtime::Create(options);
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = std::move(*runtime);
    pipeline_ = &runtime_->pipeline();
    for (const auto& [name, lines] : ShopFiles()) Append(name, lines);
    pipeline_->Flush();
    // The shop's files are complete: they do not hold the watermark back from
    // the background source's progress.
    for (const auto& [name, source] : sources_) pipeline_->EndSource(source.id);

    auto server = LogweaveServer::Start(ServerOptions{.address = "127.0.0.1:0"}, runtime_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    runtime_->StartAnalysisLoop();
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::LogWeave::NewStub(channel_);

    background_source_.id = pipeline_->AddSource("logs/inventory.log");
    background_ = std::thread([this] { IngestInBackground(); });
    // Every RPC below runs while ingestion is going on.
    ASSERT_TRUE(PollUntil([this] { return background_batches_.load() >= 3; }));
  }

  void TearDown() override {
    stop_background_.Notify();
    if (background_.joinable()) background_.join();
    if (server_) server_->Shutdown(absl::Seconds(2));
    server_.reset();
    runtime_.reset();
    pipeline_ = nullptr;
  }

  // Appends lines to the named source (in logs/), in batches of 64.
  void Append(const std::string& name, const std::vector<std::string>& lines) {
    auto [it, added] = sources_.try_emplace(name);
    if (added) it->second.id = pipeline_->AddSource("logs/" + name);
    Submit(&it->second, lines);
  }

  void Submit(Source* source, const std::vector<std::string>& lines) {
    RawBatch batch;
    batch.source_id = source->id;
    for (const std::string& line : lines) {
      batch.AddLine(line, source->offset, ++source->line_no);
      source->offset += line.size() + 1;
      if (batch.size() == 64) {
        pipeline_->Submit(std::move(batch));
        batch = RawBatch();
        batch.source_id = source->id;
      }
    }
    if (batch.size() > 0) pipeline_->Submit(std::move(batch));
  }

  // Until the test ends: batches of 8 two-event inventory traces (stock_checked,
  // stock_reserved), 10 ms of event time apart, starting an hour after the shop.
  // After kBackgroundTraces traces it resubmits its last batch: the lines are
  // still parsed and counted (as duplicates) but the index stops growing, so
  // queries that scan every trace stay quick even on a loaded machine.
  static constexpr int64_t kBackgroundTraces = 4000;
  void IngestInBackground() {
    int64_t n = 0;
    std::vector<std::string> lines;
    do {
      if (n < kBackgroundTraces) {
        lines.clear();
        for (int i = 0; i < 8; ++i, ++n) {
          const int64_t ms = 3'600'000 + n * 10;
          lines.push_back(testdata::PinoLine("inventory", BackgroundTrace(n), ms, "stock_checked"));
          lines.push_back(
              testdata::PinoLine("inventory", BackgroundTrace(n), ms + 3, "stock_reserved"));
        }
      }
      Submit(&background_source_, lines);
      background_batches_.fetch_add(1);
    } while (!stop_background_.WaitForNotificationWithTimeout(absl::Milliseconds(10)));
  }

  // A new POST /checkout trace (id Trace(1000 + k)) in which payments logged
  // nothing: a new missing_service finding once the analysis judges it.
  // `ms`: its start (event time); -1: after the shop, 100 ms apart by k.
  std::string AddTraceMissingPayments(int k, int64_t ms = -1) {
    const std::string t = Trace(1000 + k);
    if (ms < 0) ms = 31'000 + k * 100;
    Append("gateway.log", {GatewayLine(t, ms, "request received")});
    Append("checkout.log", {testdata::PythonLine("checkout", t, ms + 5, "order_created")});
    Append("gateway.log", {GatewayLine(t, ms + 40, "request completed")});
    Append("email.log", {testdata::EmailLine(t, ms + 60, "email_send_attempt"),
                         testdata::EmailLine(t, ms + 360, "email_queued")});
    pipeline_->Flush();
    return t;
  }

  // A new plain-text batch job error at `ms` (unattributed): a new unstructured_error.
  void AddBatchJobError(int64_t ms) {
    Append("batch.log", {BatchJobError(ms)});
    pipeline_->Flush();
  }

  v1::Stats Stats() {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Stats stats;
    grpc::Status s = stub_->GetStats(&context, v1::GetStatsRequest(), &stats);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return stats;
  }

  // Waits until the analysis loop has judged the shop and published every
  // finding placed in it.
  void AwaitShopFindings() {
    ASSERT_TRUE(PollUntil([this] {
      v1::Stats s = Stats();
      return s.findings().count("missing_service") && s.findings().at("missing_service") >= 2 &&
             s.findings().count("incomplete_sequence") &&
             s.findings().at("incomplete_sequence") >= 3 &&
             s.findings().count("unstructured_error") && s.findings().at("unstructured_error") >= 8;
    })) << Stats().DebugString();
  }

  grpc::Status Timeline(const std::string& trace_id, v1::GetTimelineResponse* response,
                        bool include_raw = false) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetTimelineRequest request;
    request.set_trace_id(trace_id);
    request.set_include_raw(include_raw);
    return stub_->GetTimeline(&context, request, response);
  }

  // Polls GetTimeline of `trace_id` into *response until `ready(*response)` holds (the
  // analysis loop judges traces in the background); returns whether it did in time.
  bool AwaitTimeline(const std::string& trace_id, v1::GetTimelineResponse* response,
                     const std::function<bool(const v1::GetTimelineResponse&)>& ready) {
    return PollUntil([&] {
      response->Clear();
      return Timeline(trace_id, response).ok() && ready(*response);
    });
  }

  grpc::Status Search(const v1::SearchTracesRequest& request, v1::SearchTracesResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return stub_->SearchTraces(&context, request, response);
  }

  // The ids of one page of up to 1000 matches, in the order returned.
  std::vector<std::string> SearchIds(v1::SearchTracesRequest request) {
    request.set_page_size(1000);
    v1::SearchTracesResponse response;
    grpc::Status s = Search(request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(response.next_page_token().empty()) << "more than one page";
    std::vector<std::string> ids;
    for (const auto& t : response.traces()) ids.push_back(t.trace_id());
    return ids;
  }
  std::set<std::string> SearchIdSet(const v1::SearchTracesRequest& request) {
    std::vector<std::string> ids = SearchIds(request);
    return std::set<std::string>(ids.begin(), ids.end());
  }

  grpc::Status ListUnstructured(const v1::ListUnstructuredRequest& request,
                                v1::ListUnstructuredResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return stub_->ListUnstructured(&context, request, response);
  }

  std::unique_ptr<Runtime> runtime_;
  Pipeline* pipeline_ = nullptr;  // the runtime's
  std::unique_ptr<LogweaveServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LogWeave::Stub> stub_;
  std::map<std::string, Source> sources_;  // main thread only

  Source background_source_;  // background thread only, once started
  std::thread background_;
  absl::Notification stop_background_;
  std::atomic<int64_t> background_batches_{0};
};

}  // namespace logweave::grpc_server_test

#endif  // LOGWEAVE_TESTS_SUPPORT_GRPC_SHOP_SERVER_H_

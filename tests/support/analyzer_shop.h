// What the Analyzer tests share (analyzer_test, analyzer_changes_test): a small shop's log
// files and a fixture that ingests them and runs the analysis.
// Thread-compatible: one fixture per test.
#ifndef LOGWEAVE_TESTS_SUPPORT_ANALYZER_SHOP_H_
#define LOGWEAVE_TESTS_SUPPORT_ANALYZER_SHOP_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <set>

#include "analysis/analyzer.h"
#include "logweave/pipeline.h"
#include "testdata/checkout_shop.h"
#include "testdata/lines.h"
#include "testdata/submit_lines.h"

namespace logweave::analyzer_test {

using testdata::GatewayLine;
using testdata::PlainTime;

using ::testing::IsEmpty;

inline std::string Trace(int i) { return testdata::ShopTrace(i); }

// Log files of a small shop, one vector of lines per service file.
struct Shop {
  std::map<std::string, std::vector<std::string>> files;

  // POST /checkout: gateway -> checkout -> payments, starting at `ms`; `skip` names a
  // service that logs nothing for this trace.
  void Checkout(int i, int64_t ms, const std::string& skip = "") {
    std::string t = Trace(i);
    files["gateway.log"].push_back(GatewayLine(t, ms, "POST /checkout", "request received"));
    if (skip != "checkout") {
      files["checkout.log"].push_back(testdata::PythonLine("checkout", t, ms + 5, "order_created"));
    }
    if (skip != "payments") {
      files["payments.log"].push_back(
          testdata::EcsLine("payments", t, ms + 20, "payment_authorized"));
    }
    files["gateway.log"].push_back(GatewayLine(t, ms + 40, "POST /checkout", "request completed"));
  }
  // GET /cart: gateway -> checkout only; never calls payments.
  void Cart(int i, int64_t ms) {
    std::string t = Trace(i);
    files["gateway.log"].push_back(GatewayLine(t, ms, "GET /cart", "request received"));
    files["checkout.log"].push_back(testdata::PythonLine("checkout", t, ms + 3, "cart_loaded"));
    files["gateway.log"].push_back(GatewayLine(t, ms + 9, "GET /cart", "request completed"));
  }
  // 300 checkouts, 100 ms apart, each with an email job; the jobs of the traces in `failing`
  // time out: the service prints a plain-text line 5 s later, with no trace id, while ~50
  // other requests are in flight. The email lines in time order.
  void CheckoutsWithEmailTimeouts(const std::set<int>& failing) {
    for (int i = 0; i < 300; ++i) {
      Checkout(i, i * 100);
      Email(i, i * 100 + 60, failing.count(i) ? 5000 : -1);
    }
    SortByTime("email.log");  // a service writes its lines in time order
  }
  // Puts a file's lines in time order, as the service would have written them.
  void SortByTime(const std::string& file) {
    auto& lines = files[file];
    std::stable_sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
      auto time = [](const std::string& l) { return l.substr(l.find("2026-11-23T"), 24); };
      return time(a) < time(b);
    });
  }
  // The email job of a trace: attempt then queued, or attempt then a plain-text
  // timeout error `error_after_ms` later and nothing more.
  void Email(int i, int64_t ms, int64_t error_after_ms = -1) {
    std::string t = Trace(i);
    files["email.log"].push_back(testdata::EmailLine(t, ms, "email_send_attempt"));
    if (error_after_ms < 0) {
      files["email.log"].push_back(testdata::EmailLine(t, ms + 300, "email_queued"));
    } else {
      files["email.log"].push_back(testdata::EmailTimeoutError(ms + error_after_ms));
    }
  }
};

class AnalyzerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> Ingest(const Shop& shop, std::vector<std::string> order = {}) {
    PipelineOptions options;
    options.threads = 2;
    auto p = std::move(*Pipeline::Create(options));
    if (order.empty()) {
      for (const auto& [name, lines] : shop.files) order.push_back(name);
    }
    for (const auto& name : order) Add(p.get(), name, shop.files.at(name));
    p->Flush();
    return p;
  }
  static void Add(Pipeline* p, const std::string& name, const std::vector<std::string>& lines) {
    // Several batches, so that blocks and sequences cross batch boundaries.
    testdata::SubmitLines(p, p->AddSource("logs/" + name), lines, 64);
  }
  static AnalysisReport Analyze(const Pipeline& p, int64_t watermark = INT64_MAX,
                                DetectorOptions options = {}, uint32_t threads = 0) {
    Analyzer analyzer(options, p.index(), p.unstructured(), {}, threads);
    return analyzer.Run(watermark);
  }
  static std::vector<const Finding*> OfKind(const AnalysisReport& r, const std::string& kind) {
    std::vector<const Finding*> out;
    for (const auto& f : r.findings) {
      if (f.kind == kind) out.push_back(&f);
    }
    return out;
  }
  // The traces the plain-text errors of `r` are attributed to, each expected to be an
  // incomplete request that the error came 5 s after (the shop's email timeout).
  static std::set<std::string> TimeoutOwners(const AnalysisReport& r) {
    std::set<std::string> owners;
    for (const auto& a : r.unstructured) {
      EXPECT_FALSE(a.candidates.empty());
      if (a.candidates.empty()) continue;
      owners.insert(a.candidates.front().trace_id);
      EXPECT_TRUE(a.candidates.front().incomplete);
      EXPECT_NEAR(static_cast<double>(a.candidates.front().gap_ns), 5e9, 1e6);
    }
    return owners;
  }
  static std::set<std::string> Traces(const std::vector<const Finding*>& findings) {
    std::set<std::string> out;
    for (const Finding* f : findings) out.insert(f->trace_id);
    return out;
  }
};

}  // namespace logweave::analyzer_test

#endif  // LOGWEAVE_TESTS_SUPPORT_ANALYZER_SHOP_H_

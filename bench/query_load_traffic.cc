#include "bench/query_load_traffic.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace logweave::bench {
namespace {

constexpr int64_t kBaseMs = 1795392000000;  // 2026-11-23T00:00:00Z
constexpr char kDay[] = "2026-11-23T";

// "2026-11-23THH:MM:SS.mmm" for kBaseMs + ms (ms < 1 day).
void AppendIsoTime(std::string* out, int64_t ms) {
  int64_t s = ms / 1000;
  absl::StrAppend(out, kDay);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", static_cast<int>(s / 3600 % 24),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60),
                static_cast<int>(ms % 1000));
  out->append(buf);
}

}  // namespace

std::string TraceId(int64_t i) {
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  x ^= x >> 29;
  return absl::StrFormat("%016x%016x", x, static_cast<uint64_t>(i));
}

int AppendTrace(int64_t i, RawBatch* batches, uint64_t* line_nos, uint64_t* offsets,
                int events_per_trace) {
  const std::string id = TraceId(i);
  const int64_t ms = i;  // one trace per millisecond of event time
  const int events = events_per_trace >= 5 ? 5 : 3 + static_cast<int>(i % 3);
  const int extra_steps = events_per_trace >= 5 ? events_per_trace - 5 : 0;
  const bool declined = i % 1000 == 7;
  std::string line;
  auto add = [&](Service s) {
    batches[s].AddLine(line, offsets[s], ++line_nos[s]);
    offsets[s] += line.size() + 1;
    line.clear();
  };
  auto gateway = [&](int64_t t, const char* msg) {
    int64_t abs_ms = kBaseMs + t;
    absl::StrAppend(&line, R"({"level":"info","ts":)", abs_ms / 1000, ".",
                    absl::Dec(abs_ms % 1000, absl::kZeroPad3),
                    R"(,"caller":"gw/handler.go:88","msg":")", msg, R"(","trace_id":")", id,
                    R"(","route":"POST /checkout"})");
    add(kGateway);
  };
  gateway(ms, "request received");
  absl::StrAppend(&line, R"({"timestamp":")");
  AppendIsoTime(&line, ms + 1);
  absl::StrAppend(&line,
                  R"(Z","levelname":"INFO","name":"checkout.api","message":"order_created",)",
                  R"("trace_id":")", id, R"(","service":"checkout"})");
  add(kCheckout);
  for (int k = 0; k < extra_steps; ++k) {
    absl::StrAppend(&line, R"({"timestamp":")");
    AppendIsoTime(&line, ms + 1);
    absl::StrAppend(&line, R"(Z","levelname":"INFO","name":"checkout.api","message":"step_)", k,
                    R"(","trace_id":")", id, R"(","service":"checkout"})");
    add(kCheckout);
  }
  if (events >= 4) {
    absl::StrAppend(&line, R"({"@timestamp":")");
    AppendIsoTime(&line, ms + 2);
    absl::StrAppend(&line, R"(+00:00","log.level":")", declined ? "ERROR" : "INFO",
                    R"(","service.name":"payments","message":")",
                    declined ? "payment_declined" : "payment_authorized", R"(","trace.id":")", id,
                    R"("})");
    add(kPayments);
  }
  if (events >= 5) {
    absl::StrAppend(&line, R"({"level":30,"time":)", kBaseMs + ms + 3,
                    R"(,"pid":4242,"hostname":"ledger-7d9f","service":"ledger","traceId":")", id,
                    R"(","msg":"entry_written"})");
    add(kLedger);
  }
  gateway(ms + 4, "request completed");
  return events + extra_steps;
}

long RssMb() {
  std::ifstream in("/proc/self/statm");
  long pages_total = 0, pages_rss = 0;
  in >> pages_total >> pages_rss;
  return pages_rss * sysconf(_SC_PAGESIZE) / (1 << 20);
}

}  // namespace logweave::bench

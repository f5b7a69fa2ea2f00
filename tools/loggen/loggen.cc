// loggen: a fast, deterministic generator of realistic multi-service logs for the demo, the tests
// and the benchmarks.
//
//   loggen --out /tmp/shop --traces 1000           # <service>.log per service + .truth.jsonl
//   (hidden, so that replaying DIR skips it) loggen --out /tmp/big --bytes 1G --single-file  # ~1
//   GiB, all services interleaved in all.log
//
// The model is a small web shop. Requests ("traces") arrive at the gateway as a Poisson process
// (--rate per second of event time) and follow one of a few routes, each calling a fixed set of
// services, so a route that never calls a service is never expected to log for it:
//
//   POST /checkout      gateway -> checkout -> fraud -> payments -> ledger, then email (async)
//   GET /cart           gateway -> checkout -> inventory
//   GET /products/{id}  gateway -> inventory
//   POST /refund        gateway -> payments -> ledger, then email (async)
//   GET /health         gateway
//
// Every service writes its own file in the convention of the logging library it would really use
// (zap, python-json-logger, logstash/ECS, pino, OpenTelemetry, structlog, and a JSON logger with a
// local UTC offset). Lines are written in event-time order, so each file looks like a process's
// stdout with concurrent requests interleaved. With --faults on, a few deliberate problems are
// injected and listed in .truth.jsonl (see kHelp for the kinds and their rates).
//
// Determinism: every trace draws from its own random streams derived from (seed, trace index),
// with a hand-written generator and distributions (absl's may change between Abseil releases;
// only the arrival gaps use libm, via log1p), so the same flags give byte-identical output, and
// the traces of --traces N are the first N traces of --traces M > N. Faults draw from a separate
// stream, so --faults off produces the same traces, minus the faults.
//
// Single-threaded; the whole run is one Generator.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "loggen/common.h"
#include "loggen/shapes.h"

namespace loggen {
namespace {

// ---------------------------------------------------------------------------------------------
// Options.

// Everything the command line sets. Thread-compatible.
struct Options {
  std::string out_dir;       // --out: output directory, created if missing. Required.
  uint64_t traces = 1000;    // --traces: number of traces to generate (ignored with --bytes).
  uint64_t bytes = 0;        // --bytes: stop after about this many log bytes; 0 = use --traces.
  uint64_t seed = 1;         // --seed: any 64-bit value; same seed + flags = same bytes.
  int64_t start_ns = 0;      // --start: event time of the first trace, ns since the Unix epoch.
  double rate = 50;          // --rate: mean traces per second of event time (> 0).
  bool faults = true;        // --faults on|off.
  bool single_file = false;  // --single-file: everything into all.log.
  bool truth = true;         // false with --no-truth: no .truth.jsonl.
  // Fault rates, each a probability in [0, 1].
  double missing_service_rate = 0.01;  // per trace whose route has >= 2 services.
  double email_error_rate = 0.01;      // per trace that sends an email.
  double java_error_rate = 0.002;      // per trace that calls payments.
  double duplicate_rate = 0.0005;      // per JSON line.
  double bad_time_rate = 0.0002;       // per JSON line.
  // A canary deployment of the gateway (0 = none: no version field at all).
  double canary_share = 0;          // --canary-share: requests served by v2 (others by v1)
  double canary_error_rate = 0.25;  // --canary-error-rate: v2 requests that fail with 503 ...
  double canary_fail_after_s = 0;   // --canary-fail-after: ... from this many seconds in
  // Daily cost allocation lines per service (billing.ndjson; 0 days = none).
  uint32_t cost_days = 0;          // --cost-days: days of costs, the last one the start day
  std::string cost_spike;          // --cost-spike: the service whose last day's cost jumps
  double cost_spike_factor = 2.5;  // --cost-spike-factor: by this factor
  std::string shape = "default";   // --shape: one of kShapeNames (shapes.h)
};

constexpr absl::string_view kDefaultStart = "2026-11-23T10:00:00Z";

constexpr char kHelp[] =
    R"(loggen: generate realistic, deterministic multi-service logs (with known faults).

Usage: loggen --out DIR [flags]

  --out DIR              output directory (created if missing); required
  --traces N             number of traces (requests) to generate (default 1000)
  --bytes SIZE           instead of --traces: generate until about SIZE bytes of logs,
                         e.g. 500M, 1G, 1.5G (K/M/G/T are powers of 1024; default unset)
  --seed S               random seed, 0..2^64-1 (default 1)
  --start TIME           event time of the first trace, RFC 3339 (default 2026-11-23T10:00:00Z)
  --rate R               mean traces per second of event time (default 50)
  --faults on|off        inject faults and list them in DIR/.truth.jsonl (default on)
  --single-file          write every service into DIR/all.log, interleaved by time (default off)
  --no-truth             do not write DIR/.truth.jsonl (default: write it)
  --shape NAME           benchmark data of another shape (default: the web shop below):
                         short-lines (~120-byte JSON lines), short-traces (3-5 events over
                         2-4 services), long-traces (50-80 events), plain-text (~30% of lines
                         plain-text errors and stack traces), many-services (200 services);
                         each service in one of zap, pino, python-json-logger, ECS, OTel.
                         Honours --out, --traces/--bytes, --seed, --start, --rate,
                         --single-file, --faults, --no-truth and --missing-service-rate; faults
                         are ~1% missing services and ~0.5% incomplete sequences
  --missing-service-rate P  share of traces (routes with >= 2 services) where one service
                         on the route logs nothing (default 0.01)
  --email-error-rate P   share of emailing traces where email logs email_send_attempt, then a
                         plain-text ERROR (sometimes with a Python traceback) instead of
                         email_queued (default 0.01)
  --java-error-rate P    share of traces calling payments where payments prints a plain-text
                         logback ERROR line and a Java stack trace, then retries (default 0.002)
  --duplicate-rate P     share of JSON lines repeated verbatim (shipper retry) (default 0.0005)
  --bad-time-rate P      share of JSON lines whose time field is unparseable (default 0.0002)
  --canary-share P       a canary deployment: this share of requests is served by gateway
                         "version":"v2", the rest by "v1" (default 0: no version field)
  --canary-error-rate P  share of v2 requests that fail with status 503 (default 0.25) ...
  --canary-fail-after S  ... from S seconds of event time after the start on (default 0)
  --cost-days N          also write billing.ndjson: each service's cost allocation lines
                         (4 a day, "cost" in USD) for N days ending on the start day (default 0)
  --cost-spike SERVICE   the service whose cost on the last of those days jumps ...
  --cost-spike-factor F  ... by this factor (default 2.5); listed in .truth.jsonl
  -h, --help             print this help and exit

Files (one per service, each in its library's convention):
  gateway.log (Go zap), checkout.log (python-json-logger), fraud.log (JSON, local -05:00 times),
  payments.log (logstash/ECS), ledger.log (pino), inventory.log (OpenTelemetry-style, nested),
  email.log (structlog)

.truth.jsonl, one object per injected fault:
  {"kind":"missing_service","trace_id":..,"service":..,"route":..}
  {"kind":"incomplete_sequence","trace_id":..,"service":"email","event":"email_send_attempt",
   "missing":"email_queued"}
  {"kind":"orphan_error","trace_id":..,"service":..,"line":N,"file":..,"lines":K}
  {"kind":"duplicate","trace_id":..,"service":..,"line":N,"file":..}   (N = the repeated copy)
  {"kind":"bad_time","trace_id":..,"service":..,"line":N,"file":..,"value":..}
Line numbers are 1-based in the named file.

Exit status: 0 on success, 1 on an I/O error, 2 on a bad command line.
)";

// ---------------------------------------------------------------------------------------------
// Time values on the command line.

bool ParseFixedDigits(absl::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (also ' ' or 't' for 'T', 'z' for
// 'Z') into ns since the Unix epoch. Returns false on anything else or an invalid date.
bool ParseRfc3339(absl::string_view s, int64_t* out) {
  int y, mo, d, h, mi, sec;
  if (!ParseFixedDigits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' ||
      !ParseFixedDigits(s, 5, 2, &mo) || s[7] != '-' || !ParseFixedDigits(s, 8, 2, &d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !ParseFixedDigits(s, 11, 2, &h) ||
      s[13] != ':' || !ParseFixedDigits(s, 14, 2, &mi) || s[16] != ':' ||
      !ParseFixedDigits(s, 17, 2, &sec)) {
    return false;
  }
  static constexpr int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1] || h > 23 || mi > 59 || sec > 59) {
    return false;
  }
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t scale = 100000000;
    const size_t first = pos;
    while (pos < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[pos]))) {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return false;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ParseFixedDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseFixedDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *out = secs * kSec + frac_ns;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Flag parsing.

// Parses "1G", "500M", "1.5G", "64KiB", "1000" (K/M/G/T = powers of 1024) into bytes.
bool ParseSize(absl::string_view text, uint64_t* out) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  size_t n = 0;
  while (n < s.size() && (absl::ascii_isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) {
    ++n;
  }
  double value;
  if (n == 0 || !absl::SimpleAtod(s.substr(0, n), &value) || !(value > 0)) return false;
  std::string suffix = absl::AsciiStrToUpper(s.substr(n));
  if (suffix.size() > 1 && absl::EndsWith(suffix, "IB")) {
    suffix.resize(suffix.size() - 2);
  } else if (suffix.size() > 1 && suffix.back() == 'B') {
    suffix.pop_back();
  }
  double mult;
  if (suffix.empty() || suffix == "B") {
    mult = 1;
  } else if (suffix == "K") {
    mult = 1024.0;
  } else if (suffix == "M") {
    mult = 1024.0 * 1024;
  } else if (suffix == "G") {
    mult = 1024.0 * 1024 * 1024;
  } else if (suffix == "T") {
    mult = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return false;
  }
  const double bytes = value * mult;
  if (bytes < 1 || bytes > 1e18) return false;
  *out = static_cast<uint64_t>(bytes);
  return true;
}

bool ParseRate(absl::string_view text, double* out) {
  double v;
  if (!absl::SimpleAtod(text, &v) || !(v >= 0.0) || v > 1.0) return false;
  *out = v;
  return true;
}

// Fills *options from argv. Returns 0 to go on, 1 to exit successfully (--help was printed), or
// 2 after printing a message for a bad command line to stderr.
bool IsServiceName(std::string_view name);  // one of the generated services (below)

int ParseFlags(int argc, char** argv, Options* options) {
  bool have_start = false;
  auto fail = [](const std::string& message) {
    absl::FPrintF(stderr, "loggen: %s\nRun 'loggen --help' for the list of flags.\n", message);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kHelp, stdout);
      return 1;
    }
    if (!absl::StartsWith(arg, "--")) {
      return fail(absl::StrCat("unexpected argument \"", arg, "\""));
    }
    absl::string_view name = arg;
    absl::string_view value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    // Boolean flags take no value.
    if (name == "--single-file" || name == "--no-truth") {
      if (has_value) return fail(absl::StrCat(name, " takes no value (got \"", value, "\")"));
      if (name == "--single-file") {
        options->single_file = true;
      } else {
        options->truth = false;
      }
      continue;
    }
    static constexpr absl::string_view kValued[] = {
        "--out",
        "--traces",
        "--bytes",
        "--seed",
        "--start",
        "--rate",
        "--faults",
        "--missing-service-rate",
        "--email-error-rate",
        "--java-error-rate",
        "--duplicate-rate",
        "--bad-time-rate",
        "--canary-share",
        "--canary-error-rate",
        "--canary-fail-after",
        "--cost-days",
        "--cost-spike",
        "--cost-spike-factor",
        "--shape",
    };
    bool known = false;
    for (absl::string_view k : kValued) known |= (k == name);
    if (!known) return fail(absl::StrCat("unknown flag ", name));
    if (!has_value) {
      if (i + 1 >= argc) return fail(absl::StrCat(name, " needs a value"));
      value = argv[++i];
    }
    const auto bad = [&](absl::string_view expected) {
      return fail(absl::StrCat(name, " must be ", expected, " (got \"", value, "\")"));
    };
    if (name == "--out") {
      if (value.empty()) return bad("a directory path");
      options->out_dir = std::string(value);
    } else if (name == "--traces") {
      if (!absl::SimpleAtoi(value, &options->traces) || options->traces == 0) {
        return bad("a positive whole number of traces, e.g. 1000");
      }
    } else if (name == "--bytes") {
      if (!ParseSize(value, &options->bytes)) return bad("a size such as 500M or 1G");
    } else if (name == "--seed") {
      if (!absl::SimpleAtoi(value, &options->seed)) return bad("a whole number 0..2^64-1");
    } else if (name == "--start") {
      if (!ParseRfc3339(value, &options->start_ns)) {
        return bad("an RFC 3339 time such as 2026-11-23T10:00:00Z");
      }
      if (options->start_ns < 0) return bad("a time at or after 1970-01-01T00:00:00Z");
      have_start = true;
    } else if (name == "--rate") {
      if (!absl::SimpleAtod(value, &options->rate) || !(options->rate > 0) || options->rate > 1e9) {
        return bad("a positive number of traces per second, e.g. 50");
      }
    } else if (name == "--faults") {
      if (value == "on") {
        options->faults = true;
      } else if (value == "off") {
        options->faults = false;
      } else {
        return bad("on or off");
      }
    } else if (name == "--cost-days") {
      if (!absl::SimpleAtoi(value, &options->cost_days) || options->cost_days > 3660) {
        return bad("a number of days from 0 to 3660");
      }
    } else if (name == "--cost-spike") {
      if (!IsServiceName(std::string_view(value.data(), value.size()))) {
        return bad("one of the generated services (gateway, checkout, payments, ...)");
      }
      options->cost_spike = std::string(value);
    } else if (name == "--shape") {
      if (!IsShapeName(std::string_view(value.data(), value.size()))) {
        return bad(absl::StrCat("one of ", std::string(kShapeNames)));
      }
      options->shape = std::string(value);
    } else if (name == "--cost-spike-factor") {
      if (!absl::SimpleAtod(value, &options->cost_spike_factor) ||
          !(options->cost_spike_factor > 0) || options->cost_spike_factor > 1e6) {
        return bad("a positive factor, e.g. 2.5");
      }
    } else if (name == "--canary-fail-after") {
      if (!absl::SimpleAtod(value, &options->canary_fail_after_s) ||
          !(options->canary_fail_after_s >= 0) || options->canary_fail_after_s > 1e9) {
        return bad("a number of seconds, e.g. 20");
      }
    } else {
      double* target = name == "--missing-service-rate" ? &options->missing_service_rate
                       : name == "--canary-share"       ? &options->canary_share
                       : name == "--canary-error-rate"  ? &options->canary_error_rate
                       : name == "--email-error-rate"   ? &options->email_error_rate
                       : name == "--java-error-rate"    ? &options->java_error_rate
                       : name == "--duplicate-rate"     ? &options->duplicate_rate
                                                        : &options->bad_time_rate;
      if (!ParseRate(value, target)) return bad("a probability between 0 and 1, e.g. 0.01");
    }
  }
  if (options->out_dir.empty()) return fail("--out DIR is required");
  if (options->shape != "default" && (options->canary_share > 0 || options->cost_days > 0)) {
    return fail("--canary-share and --cost-days need --shape default");
  }
  if (!have_start) ParseRfc3339(kDefaultStart, &options->start_ns);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The model.

enum Service : uint8_t {
  kGateway,
  kCheckout,
  kFraud,
  kPayments,
  kLedger,
  kInventory,
  kEmail,
  kNumServices,
  kNoService = kNumServices,
};

constexpr std::string_view kServiceNames[kNumServices] = {
    "gateway", "checkout", "fraud", "payments", "ledger", "inventory", "email"};

bool IsServiceName(std::string_view name) {
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) !=
         std::end(kServiceNames);
}

enum RouteId : uint8_t { kRouteCheckout, kRouteCart, kRouteProduct, kRouteRefund, kRouteHealth };

struct Route {
  std::string_view name;  // as the gateway logs it
  uint32_t weight;        // relative frequency
  Service services[kNumServices];
  int num_services;
};

constexpr Route kRoutes[] = {
    {"POST /checkout", 30, {kGateway, kCheckout, kFraud, kPayments, kLedger, kEmail}, 6},
    {"GET /cart", 30, {kGateway, kCheckout, kInventory}, 3},
    {"GET /products/{id}", 12, {kGateway, kInventory}, 2},
    {"POST /refund", 8, {kGateway, kPayments, kLedger, kEmail}, 4},
    {"GET /health", 20, {kGateway}, 1},
};

enum class EventType : uint8_t {
  kGwReceived,            // value: -, aux: client IP bits
  kGwProxy,               // aux: upstream Service
  kGwCompleted,           // value: latency ns, aux: HTTP status
  kCartLoaded,            // value: cart total cents, aux: items
  kCartPriced,            // value: cart total cents, aux: items
  kOrderCreated,          // value: total cents, aux: items
  kOrderConfirmed,        // value: total cents
  kFraudStarted,          // value: total cents
  kFraudScored,           // aux: score in 1/1000
  kPaymentRequested,      // value: cents, aux: payment method
  kPaymentAuthorized,     // value: cents, aux: acquirer latency ms
  kRefundRequested,       // value: cents
  kRefundIssued,          // value: cents, aux: acquirer latency ms
  kLedgerEntryCreated,    // value: cents
  kLedgerBalanceUpdated,  // value: cents
  kLedgerEntryReversed,   // value: cents
  kStockChecked,          // value: units available, aux: sku
  kProductFetched,        // value: 1 found / 0 not found, aux: sku
  kEmailSendAttempt,      // aux: template
  kEmailQueued,           // value: provider latency ns, aux: template
  kEmailError,            // plain text; aux: bit 0 traceback, bit 1 connection refused
  kJavaError,             // plain text; aux: variant
};

bool IsPlainText(EventType type) {
  return type == EventType::kEmailError || type == EventType::kJavaError;
}

enum EventFlags : uint8_t {
  kFlagBadTime = 1 << 0,    // write an unparseable time value
  kFlagDuplicate = 1 << 1,  // write the line twice
  kFlagWarn = 1 << 2,       // log at warning level
  kFlagVersioned = 1 << 3,  // write the deployment's version (a canary is running)
  kFlagCanary = 1 << 4,     // ... which is the canary, v2
};

// One line (or one multi-line block) waiting to be written.
struct Event {
  int64_t time_ns;
  uint64_t seq;  // tie-break: generation order
  uint64_t trace_hi;
  uint64_t trace_lo;
  int64_t value;  // see EventType
  uint32_t aux;   // see EventType
  EventType type;
  Service service;
  RouteId route;
  uint8_t flags;
};

struct LaterEvent {
  bool operator()(const Event& a, const Event& b) const {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.seq > b.seq;
  }
};

constexpr std::string_view kEmailTemplates[] = {"order_confirmation", "refund_issued"};
constexpr std::string_view kPaymentMethods[] = {"card", "card", "card", "paypal", "sepa_debit"};
constexpr std::string_view kBadTimes[] = {"yesterday", "2026-02-30T25:61:00Z",
                                          "0000-00-00 00:00:00"};

// ---------------------------------------------------------------------------------------------
// One line per service convention. Each appends exactly one '\n'-terminated JSON line.

std::string_view BadTime(const Event& e) { return kBadTimes[e.seq % std::size(kBadTimes)]; }
bool Warn(const Event& e) { return e.flags & kFlagWarn; }

// Go zap, production JSON encoder: epoch-seconds float "ts", no service field.
void FormatGateway(const Event& e, std::string* out) {
  const bool failed = e.type == EventType::kGwCompleted && e.aux >= 500;
  out->append(failed    ? R"({"level":"error","ts":)"
              : Warn(e) ? R"({"level":"warn","ts":)"
                        : R"({"level":"info","ts":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    AppendScaled(FloorDiv(e.time_ns, kUs), 1000000, 6, out);
  }
  switch (e.type) {
    case EventType::kGwReceived:
      out->append(R"(,"caller":"gw/handler.go:88","msg":"request received","trace_id":)");
      break;
    case EventType::kGwProxy:
      out->append(R"(,"caller":"gw/proxy.go:54","msg":"proxying request","trace_id":)");
      break;
    default:
      out->append(Warn(e)
                      ? R"(,"caller":"gw/handler.go:131","msg":"slow request","trace_id":)"
                      : R"(,"caller":"gw/handler.go:131","msg":"request completed","trace_id":)");
  }
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"route":)");
  AppendJsonString(kRoutes[e.route].name, out);
  switch (e.type) {
    case EventType::kGwReceived:
      out->append(R"(,"remote_ip":"10.)");
      AppendInt((e.aux >> 16) & 0xff, out);
      out->push_back('.');
      AppendInt((e.aux >> 8) & 0xff, out);
      out->push_back('.');
      AppendInt((e.aux & 0xfe) + 1, out);
      out->append(R"(","user_agent":"shop-web/4.2 okhttp/4.12.0"})");
      break;
    case EventType::kGwProxy:
      out->append(R"(,"upstream":"http://)");
      out->append(kServiceNames[e.aux]);
      out->append(R"(:8080"})");
      break;
    default:
      out->append(R"(,"status":)");
      AppendInt(e.aux, out);
      out->append(R"(,"latency_ms":)");
      AppendScaled(e.value / kUs, 1000, 3, out);
      if (e.flags & kFlagVersioned) {
        out->append((e.flags & kFlagCanary) ? R"(,"version":"v2")" : R"(,"version":"v1")");
      }
      out->push_back('}');
  }
  out->push_back('\n');
}

// python-json-logger: logger.info("cart_loaded", extra={...}) with asctime and an ISO timestamp.
void FormatCheckout(const Event& e, std::string* out) {
  std::string_view logger = "checkout.api";
  std::string_view message;
  switch (e.type) {
    case EventType::kCartLoaded:
      message = "cart_loaded";
      break;
    case EventType::kCartPriced:
      logger = "checkout.pricing";
      message = "cart_priced";
      break;
    case EventType::kOrderCreated:
      logger = "checkout.orders";
      message = "order_created";
      break;
    default:
      logger = "checkout.orders";
      message = "order_confirmed";
  }
  out->append(R"({"asctime":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
    out->append(R"(,"timestamp":)");
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns, ' ', 3, ',', out);
    out->append(R"(","timestamp":")");
    AppendCivil(e.time_ns, 'T', 6, '.', out);
    out->append(R"(Z")");
  }
  out->append(Warn(e) ? R"(,"levelname":"WARNING","name":")" : R"(,"levelname":"INFO","name":")");
  out->append(logger);
  out->append(R"(","message":")");
  out->append(message);
  out->append(R"(","trace_id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"service":"checkout")");
  switch (e.type) {
    case EventType::kCartLoaded:
      out->append(R"(,"cart_id":"cart_)");
      AppendHex(e.trace_lo >> 16, 10, out);
      out->append(R"(","items":)");
      AppendInt(e.aux, out);
      break;
    case EventType::kCartPriced:
      out->append(R"(,"items":)");
      AppendInt(e.aux, out);
      out->append(R"(,"total":)");
      AppendMoney(e.value, out);
      out->append(R"(,"currency":"EUR","price_changed":)");
      out->append(Warn(e) ? "true" : "false");
      break;
    case EventType::kOrderCreated:
      out->append(R"(,"order_id":"ord_)");
      AppendHex(e.trace_hi >> 8, 12, out);
      out->append(R"(","items":)");
      AppendInt(e.aux, out);
      out->append(R"(,"total":)");
      AppendMoney(e.value, out);
      out->append(R"(,"currency":"EUR")");
      break;
    default:
      out->append(R"(,"order_id":"ord_)");
      AppendHex(e.trace_hi >> 8, 12, out);
      out->append(R"(","payment_status":"authorized")");
  }
  out->append("}\n");
}

// A JSON logger configured with local time (-05:00) and unusual keys ("app", "trace-id").
void FormatFraud(const Event& e, std::string* out) {
  out->append(R"({"time":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns - 5 * 3600 * kSec, 'T', 3, '.', out);
    out->append(R"(-05:00")");
  }
  out->append(Warn(e) ? R"(,"level":"WARN")" : R"(,"level":"INFO")");
  out->append(R"(,"app":"fraud","trace-id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  if (e.type == EventType::kFraudStarted) {
    out->append(R"(,"message":"fraud_check_started","amount":)");
    AppendMoney(e.value, out);
    out->append(R"(,"model":"gbm-2026.10"})");
  } else {
    out->append(R"(,"message":"fraud_check_completed","score":)");
    AppendScaled(e.aux, 1000, 3, out);
    out->append(Warn(e) ? R"(,"decision":"review"})" : R"(,"decision":"allow"})");
  }
  out->push_back('\n');
}

// logback + logstash-logback-encoder with ECS field names (dotted keys).
void FormatPayments(const Event& e, std::string* out) {
  out->append(R"({"@timestamp":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns, 'T', 3, '.', out);
    out->append(R"(+00:00")");
  }
  out->append(Warn(e) ? R"(,"log.level":"WARN")" : R"(,"log.level":"INFO")");
  out->append(R"(,"service.name":"payments","message":)");
  std::string_view event;
  switch (e.type) {
    case EventType::kPaymentRequested:
      out->append(R"("Authorizing payment with acquirer")");
      event = "payment_requested";
      break;
    case EventType::kPaymentAuthorized:
      out->append(Warn(e) ? R"("Payment authorized after slow acquirer response")"
                          : R"("Payment authorized")");
      event = "payment_authorized";
      break;
    case EventType::kRefundRequested:
      out->append(R"("Refund requested")");
      event = "refund_requested";
      break;
    default:
      out->append(R"("Refund issued")");
      event = "refund_issued";
  }
  out->append(R"(,"trace.id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"event":")");
  out->append(event);
  out->append(R"(","process.thread.name":"http-nio-8080-exec-)");
  AppendInt(static_cast<int64_t>(e.trace_lo % 10 + 1), out);
  out->append(R"(","log.logger":"com.example.payments.PaymentService","amount":)");
  AppendMoney(e.value, out);
  out->append(R"(,"currency":"EUR")");
  if (e.type == EventType::kPaymentRequested) {
    out->append(R"(,"payment.method":")");
    out->append(kPaymentMethods[e.aux % std::size(kPaymentMethods)]);
    out->push_back('"');
  } else if (e.type == EventType::kPaymentAuthorized || e.type == EventType::kRefundIssued) {
    out->append(R"(,"acquirer.latency_ms":)");
    AppendInt(e.aux, out);
  }
  out->append(R"(,"ecs.version":"1.2.0"})");
  out->push_back('\n');
}

// Node pino: numeric level, epoch-millis "time", pid and hostname.
void FormatLedger(const Event& e, std::string* out) {
  out->append(Warn(e) ? R"({"level":40,"time":)" : R"({"level":30,"time":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    AppendInt(FloorDiv(e.time_ns, kMs), out);
  }
  out->append(R"(,"pid":4242,"hostname":"ledger-7d9f8c6b5-x2kqp","service":"ledger","traceId":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"msg":")");
  switch (e.type) {
    case EventType::kLedgerEntryCreated:
      out->append(R"(ledger_entry_created","account":"merchant:main","direction":"credit")");
      break;
    case EventType::kLedgerBalanceUpdated:
      out->append(R"(ledger_balance_updated","account":"merchant:main")");
      break;
    default:
      out->append(R"(ledger_entry_reversed","account":"merchant:main","direction":"debit")");
  }
  out->append(R"(,"entryId":"le_)");
  AppendHex(e.trace_lo, 12, out);
  out->append(R"(","amountCents":)");
  AppendInt(e.value, out);
  out->append("}\n");
}

// OpenTelemetry-style log record: nested resource, service and trace objects, ns timestamps.
void FormatInventory(const Event& e, std::string* out) {
  out->append(R"({"timestamp":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns, 'T', 9, '.', out);
    out->append(R"(Z")");
  }
  out->append(Warn(e) ? R"(,"severity":"WARN")" : R"(,"severity":"INFO")");
  out->append(R"(,"resource":{"service.name":"inventory","host.name":"inventory-5c8b7"},)"
              R"("service":{"name":"inventory"},"trace":{"id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(},"body":)");
  if (e.type == EventType::kStockChecked) {
    out->append(R"("stock_checked","attributes":{"sku":"SKU-)");
    AppendDigits(e.aux, 5, out);
    out->append(R"(","available":)");
    AppendInt(e.value, out);
    out->append("}}\n");
  } else {
    out->append(R"("product_fetched","attributes":{"sku":"SKU-)");
    AppendDigits(e.aux, 5, out);
    out->append(e.value ? R"(","found":true}})" : R"(","found":false}})");
    out->push_back('\n');
  }
}

// structlog with JSONRenderer and TimeStamper(fmt="iso", utc=True).
void FormatEmail(const Event& e, std::string* out) {
  out->append(e.type == EventType::kEmailSendAttempt ? R"({"event":"email_send_attempt")"
                                                     : R"({"event":"email_queued")");
  out->append(R"(,"level":"info","timestamp":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns, 'T', 6, '.', out);
    out->append(R"(Z")");
  }
  out->append(R"(,"trace_id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"service":"email","template":")");
  out->append(kEmailTemplates[e.aux % std::size(kEmailTemplates)]);
  if (e.type == EventType::kEmailSendAttempt) {
    out->append(R"(","to":")");
    out->push_back(static_cast<char>('a' + e.trace_hi % 26));
    out->append(R"(***@example.com","provider":"smtp.example.net:587","attempt":1})");
  } else {
    out->append(R"(","provider_message_id":"<)");
    AppendHex(e.trace_hi ^ e.trace_lo, 16, out);
    out->append(R"(@smtp.example.net>","latency_ms":)");
    AppendInt(e.value / kMs, out);
    out->push_back('}');
  }
  out->push_back('\n');
}

// Python's logging on an error path: a plain-text line (no trace id) and maybe a traceback.
// Returns the number of lines written.
int FormatEmailError(const Event& e, std::string* out) {
  const bool refused = e.aux & 2;
  AppendCivil(e.time_ns, 'T', 3, '.', out);
  out->append(
      refused ? "Z ERROR SMTP connection to smtp.example.net:587 failed: [Errno 111] "
                "Connection refused\n"
              : "Z ERROR Connection timeout to email provider smtp.example.net:587 after 5000ms\n");
  if (!(e.aux & 1)) return 1;
  static constexpr std::string_view kTraceback[] = {
      "Traceback (most recent call last):",
      "  File \"/app/email/send.py\", line 88, in send",
      "    conn = smtplib.SMTP(host, port, timeout=5)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 255, in __init__",
      "    (code, msg) = self.connect(host, port)",
      "                  ^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 341, in connect",
      "    self.sock = self._get_socket(host, port, self.timeout)",
      "                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 312, in _get_socket",
      "    return socket.create_connection((host, port), timeout,",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/socket.py\", line 851, in create_connection",
      "    raise exceptions[0]",
      "  File \"/usr/local/lib/python3.11/socket.py\", line 836, in create_connection",
      "    sock.connect(sa)",
  };
  for (std::string_view line : kTraceback) {
    out->append(line);
    out->push_back('\n');
  }
  out->append(refused ? "ConnectionRefusedError: [Errno 111] Connection refused\n"
                      : "TimeoutError: timed out\n");
  return static_cast<int>(std::size(kTraceback)) + 2;
}

// logback's default pattern on an error path: a plain ERROR line, then the stack trace.
int FormatJavaError(const Event& e, std::string* out) {
  AppendCivil(e.time_ns, ' ', 3, ',', out);
  out->append(" ERROR [http-nio-8080-exec-");
  AppendInt(static_cast<int64_t>(e.trace_lo % 10 + 1), out);
  static constexpr std::string_view kTimeout[] = {
      "] c.e.payments.Gateway - Payment declined by upstream",
      "java.net.SocketTimeoutException: Read timed out",
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
      "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)",
      "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)",
      "\tat com.example.payments.upstream.AcquirerClient.authorize(AcquirerClient.java:212)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "\tat com.example.payments.PaymentService.authorize(PaymentService.java:54)",
      "Caused by: java.net.SocketTimeoutException: timeout waiting for acquirer response",
      "\tat java.base/sun.nio.ch.NioSocketImpl.park(NioSocketImpl.java:181)",
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:285)",
      "\t... 12 more",
  };
  static constexpr std::string_view kReset[] = {
      "] c.e.payments.Gateway - Payment declined by upstream",
      "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
      "\"https://acquirer.example.net/v2/authorize\": Connection reset",
      "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:791)",
      "\tat org.springframework.web.client.RestTemplate.execute(RestTemplate.java:711)",
      "\tat com.example.payments.upstream.AcquirerClient.authorize(AcquirerClient.java:207)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "\tat com.example.payments.PaymentService.authorize(PaymentService.java:54)",
      "Caused by: java.net.SocketException: Connection reset",
      "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:323)",
      "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:976)",
      "\tat java.base/sun.security.ssl.SSLSocketInputRecord.read(SSLSocketInputRecord.java:484)",
      "\t... 9 more",
  };
  int lines = 0;
  for (std::string_view line : (e.aux & 1) ? std::span<const std::string_view>(kReset)
                                           : std::span<const std::string_view>(kTimeout)) {
    out->append(line);
    out->push_back('\n');
    ++lines;
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The generator.

// Runs one generation. Thread-compatible; used from main only.
class Generator {
 public:
  explicit Generator(const Options& options) : options_(options) {}

  // Creates the output directory and files. Returns false with *error set on failure.
  bool Open(std::string* error);
  // Writes billing.ndjson (--cost-days): for each day, four cost allocation
  // lines per service, at 00:00, 03:00, 06:00 and 09:00 UTC (before the
  // traces of a run starting at 10:00), with --cost-spike's last day raised.
  void WriteBilling();
  // Generates everything and closes the files. Returns false with *error set on an I/O error.
  bool Run(std::string* error);
  // One line for stderr describing what was written.
  std::string Summary(double seconds) const;

 private:
  // An output file with its write buffer. Owned by the Generator.

  // Per-trace state while its events are generated.
  struct TraceContext {
    Rng rng;     // everything about the trace
    Rng faults;  // fault decisions only, so --faults off leaves the traces unchanged
    uint64_t hi = 0;
    uint64_t lo = 0;
    RouteId route = kRouteHealth;
    Service silent = kNoService;  // missing_service fault
    uint8_t version_flags = 0;    // kFlagVersioned (| kFlagCanary) on the gateway's completion
    bool canary_fails = false;    // the canary answers this request with 503
  };

  static constexpr size_t kFlushBytes = 4 << 20;

  void GenerateTrace(uint64_t index, int64_t start_ns);
  void SendEmail(TraceContext& trace, int64_t time_ns, uint32_t email_template, bool fail);
  void Push(TraceContext& trace, Service service, EventType type, int64_t time_ns,
            int64_t value = 0, uint32_t aux = 0, bool warn = false);
  // Writes out every pending event earlier than time_ns.
  void EmitBefore(int64_t time_ns);
  void Emit(const Event& e);
  void TruthStart(std::string_view kind, uint64_t hi, uint64_t lo, Service service);
  void TruthEnd();
  void Flush(Sink& sink);
  bool Close(Sink& sink);

  Sink& SinkFor(Service service) { return sinks_[options_.single_file ? 0 : service]; }

  const Options options_;
  std::vector<Sink> sinks_;
  Sink truth_;
  Sink billing_;
  std::priority_queue<Event, std::vector<Event>, LaterEvent> pending_;
  std::string scratch_;
  uint64_t next_seq_ = 0;
  uint64_t traces_ = 0;
  uint64_t faults_ = 0;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
  std::string io_error_;  // first write error, if any
};

bool Generator::Open(std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec) {
    *error = absl::StrCat("cannot create output directory ", options_.out_dir, ": ", ec.message());
    return false;
  }
  if (options_.single_file) {
    sinks_.resize(1);
    sinks_[0].name = "all.log";
  } else {
    sinks_.resize(kNumServices);
    for (int s = 0; s < kNumServices; ++s) sinks_[s].name = std::string(kServiceNames[s]) + ".log";
  }
  auto open = [&](Sink& sink) {
    const std::string path = (std::filesystem::path(options_.out_dir) / sink.name).string();
    sink.file = std::fopen(path.c_str(), "wb");
    if (sink.file == nullptr) {
      *error = absl::StrCat("cannot open ", path, " for writing: ", std::strerror(errno));
      return false;
    }
    std::setvbuf(sink.file, nullptr, _IONBF, 0);  // we buffer ourselves
    sink.buf.reserve(kFlushBytes + (64 << 10));
    return true;
  };
  for (Sink& sink : sinks_) {
    if (!open(sink)) return false;
  }
  if (options_.cost_days > 0) {
    billing_.name = "billing.ndjson";
    if (!open(billing_)) return false;
  }
  if (options_.truth) {
    truth_.name = ".truth.jsonl";
    if (!open(truth_)) return false;
  }
  return true;
}

void Generator::Flush(Sink& sink) { sink.Flush(options_.out_dir, &io_error_); }

bool Generator::Close(Sink& sink) { return sink.Close(options_.out_dir, &io_error_); }

void Generator::WriteBilling() {
  if (options_.cost_days == 0) return;
  // Each service's usual daily cost in USD, with +-4% of daily noise before the last day.
  constexpr double kDailyUsd[kNumServices] = {420, 260, 310, 180, 150, 220, 90};
  Rng r(StreamSeed(options_.seed, ~uint64_t{0}, 4));
  const int64_t last_day = FloorDiv(options_.start_ns, kNsPerDay);
  for (int64_t day = last_day - options_.cost_days + 1; day <= last_day; ++day) {
    for (int s = 0; s < kNumServices; ++s) {
      // The last day at exactly the usual cost: only --cost-spike makes it stand out.
      const double noise = 0.96 + 0.08 * r.Unit();
      double total = kDailyUsd[s] * (day == last_day ? 1.0 : noise);
      const bool spike = day == last_day && options_.cost_spike == kServiceNames[s];
      if (spike) total *= options_.cost_spike_factor;
      for (int part = 0; part < 4; ++part) {
        std::string& out = billing_.buf;
        out.append(R"({"timestamp":")");
        AppendCivil(day * kNsPerDay + part * 3 * 3600 * kSec, 'T', 0, '.', &out);
        out.append(R"(Z","service":")");
        out.append(kServiceNames[s]);
        out.append(R"(","event":"cost_allocation","sku":")");
        out.append(part % 2 == 0 ? "compute" : "storage");
        out.append(R"(","cost":)");
        out.append(absl::StrFormat("%.2f", total / 4));
        out.append(R"(,"currency":"USD"})");
        out.push_back('\n');
        ++billing_.lines;
        ++lines_;
      }
      if (spike) {
        ++faults_;
        if (options_.truth) {
          std::string date;
          AppendCivil(day * kNsPerDay, 'T', 0, '.', &date);
          truth_.buf.append(R"({"kind":"cost_anomaly","service":")");
          truth_.buf.append(kServiceNames[s]);
          truth_.buf.append(absl::StrCat(R"(","day":")", date.substr(0, 10), "\"}\n"));
        }
      }
    }
  }
  bytes_ += billing_.buf.size();
}

bool Generator::Run(std::string* error) {
  WriteBilling();
  Rng arrivals(StreamSeed(options_.seed, ~uint64_t{0}, 0));
  const double mean_gap_ns = 1e9 / options_.rate;
  int64_t t = options_.start_ns;
  for (uint64_t index = 0;; ++index) {
    if (options_.bytes > 0) {
      // Stop once what is written plus what is pending reaches the target.
      const double avg_line = lines_ > 0 ? static_cast<double>(bytes_) / lines_ : 250.0;
      if (bytes_ + pending_.size() * avg_line >= options_.bytes) break;
    } else if (index >= options_.traces) {
      break;
    }
    if (!io_error_.empty()) break;
    EmitBefore(t);
    GenerateTrace(index, t);
    // Poisson arrivals: exponential gaps.
    t += static_cast<int64_t>(-std::log1p(-arrivals.Unit()) * mean_gap_ns);
  }
  EmitBefore(std::numeric_limits<int64_t>::max());
  for (Sink& sink : sinks_) Close(sink);
  Close(billing_);
  Close(truth_);
  if (!io_error_.empty()) {
    *error = io_error_;
    return false;
  }
  return true;
}

void Generator::Push(TraceContext& trace, Service service, EventType type, int64_t time_ns,
                     int64_t value, uint32_t aux, bool warn) {
  // Per-line fault dice are always drawn, so a fault never shifts the random streams.
  const double dup = trace.faults.Unit();
  const double bad_time = trace.faults.Unit();
  if (service == trace.silent) return;
  Event e;
  e.time_ns = time_ns;
  e.seq = next_seq_++;
  e.trace_hi = trace.hi;
  e.trace_lo = trace.lo;
  e.value = value;
  e.aux = aux;
  e.type = type;
  e.service = service;
  e.route = trace.route;
  e.flags = warn ? kFlagWarn : 0;
  if (type == EventType::kGwCompleted) e.flags |= trace.version_flags;
  if (options_.faults && !IsPlainText(type)) {
    if (bad_time < options_.bad_time_rate) {
      e.flags |= kFlagBadTime;
    } else if (dup < options_.duplicate_rate) {
      e.flags |= kFlagDuplicate;
    }
  }
  pending_.push(e);
}

void Generator::SendEmail(TraceContext& trace, int64_t t, uint32_t email_template, bool fail) {
  Rng& r = trace.rng;
  // The email worker picks the job from a queue some time after the request finished.
  t += r.Latency(15 * kMs, 2500 * kMs);
  Push(trace, kEmail, EventType::kEmailSendAttempt, t, 0, email_template);
  const int64_t smtp = r.Latency(80 * kMs, 1200 * kMs);
  const uint32_t variant = static_cast<uint32_t>(trace.faults.Next() & 3);
  const bool refused = variant & 2;
  const int64_t fail_after =
      refused ? r.Latency(1 * kMs, 30 * kMs) : 5000 * kMs + r.Latency(100 * kUs, 3 * kMs);
  if (!fail) {
    Push(trace, kEmail, EventType::kEmailQueued, t + smtp, smtp, email_template);
    return;
  }
  Push(trace, kEmail, EventType::kEmailError, t + fail_after, 0, variant);
  TruthStart("incomplete_sequence", trace.hi, trace.lo, kEmail);
  truth_.buf.append(R"(,"event":"email_send_attempt","missing":"email_queued")");
  TruthEnd();
}

void Generator::GenerateTrace(uint64_t index, int64_t t0) {
  TraceContext trace{Rng(StreamSeed(options_.seed, index, 1)),
                     Rng(StreamSeed(options_.seed, index, 2))};
  Rng& r = trace.rng;
  trace.hi = r.Next();
  trace.lo = r.Next();
  if (trace.hi == 0 && trace.lo == 0) trace.lo = 1;  // all-zero is invalid in W3C
  if (options_.canary_share > 0) {
    // Its own stream, so that a canary leaves every other byte unchanged.
    Rng canary(StreamSeed(options_.seed, index, 3));
    const bool v2 = canary.Unit() < options_.canary_share;
    trace.version_flags = kFlagVersioned | (v2 ? kFlagCanary : 0);
    trace.canary_fails = v2 && t0 - options_.start_ns >= options_.canary_fail_after_s * 1e9 &&
                         canary.Unit() < options_.canary_error_rate;
  }
  uint32_t total_weight = 0;
  for (const Route& route : kRoutes) total_weight += route.weight;
  uint32_t pick = r.Below(total_weight);
  for (int i = 0;; ++i) {
    if (pick < kRoutes[i].weight) {
      trace.route = static_cast<RouteId>(i);
      break;
    }
    pick -= kRoutes[i].weight;
  }
  const Route& route = kRoutes[trace.route];
  ++traces_;

  // Trace-level fault dice, always drawn in the same order.
  const double missing_die = trace.faults.Unit();
  const uint32_t missing_pick = static_cast<uint32_t>(trace.faults.Next() >> 32);
  const double email_die = trace.faults.Unit();
  const double java_die = trace.faults.Unit();
  const uint32_t java_variant = static_cast<uint32_t>(trace.faults.Next() & 1);
  bool has_email = false, has_payments = false;
  for (int i = 0; i < route.num_services; ++i) {
    has_email |= route.services[i] == kEmail;
    has_payments |= route.services[i] == kPayments;
  }
  if (options_.faults && route.num_services >= 2 && missing_die < options_.missing_service_rate) {
    // Any service but the gateway, which is where the route is known from.
    trace.silent = route.services[1 + missing_pick % (route.num_services - 1)];
    TruthStart("missing_service", trace.hi, trace.lo, trace.silent);
    truth_.buf.append(R"(,"route":)");
    AppendJsonString(route.name, &truth_.buf);
    TruthEnd();
  }
  const bool email_fault = options_.faults && has_email && trace.silent != kEmail &&
                           email_die < options_.email_error_rate;
  const bool java_fault = options_.faults && has_payments && trace.silent != kPayments &&
                          java_die < options_.java_error_rate;

  auto hop = [&r] { return r.Latency(150 * kUs, 1800 * kUs); };
  int64_t t = t0;
  const uint32_t ip = static_cast<uint32_t>(r.Next() >> 40);
  Push(trace, kGateway, EventType::kGwReceived, t, 0, ip);
  if (trace.route == kRouteHealth) {
    t += r.Latency(40 * kUs, 600 * kUs);
    Push(trace, kGateway, EventType::kGwCompleted, t, t - t0, trace.canary_fails ? 503 : 200);
    return;
  }
  const Service upstream = route.services[1];
  t += r.Latency(30 * kUs, 400 * kUs);
  Push(trace, kGateway, EventType::kGwProxy, t, 0, upstream);

  const uint32_t items = 1 + r.Below(6);
  int64_t cents = 0;
  for (uint32_t i = 0; i < items; ++i) cents += 299 + 100 * r.Below(90);
  uint32_t status = 200;
  int64_t email_from = -1;  // when set, the async email job starts from this time
  uint32_t email_template = 0;

  // Payment authorization (checkout) or refund (refund route), with the Java error fault.
  auto acquirer = [&](EventType requested, EventType done) {
    t += hop();
    Push(trace, kPayments, requested, t, cents, r.Below(5));
    // Drawn even without the fault, so the fault does not change the rest of the trace.
    const int64_t fail_after =
        java_variant ? r.Latency(20 * kMs, 400 * kMs) : 3000 * kMs + r.Latency(0, 5 * kMs);
    const int64_t backoff = r.Latency(50 * kMs, 300 * kMs);
    if (java_fault) {
      t += fail_after;
      Push(trace, kPayments, EventType::kJavaError, t, 0, java_variant);
      t += backoff;  // before the retry
    }
    const int64_t acq = r.Latency(35 * kMs, 1800 * kMs);
    t += acq;
    Push(trace, kPayments, done, t, cents, static_cast<uint32_t>(acq / kMs), acq > 1000 * kMs);
  };

  switch (trace.route) {
    case kRouteCheckout: {
      t += hop() + r.Latency(1 * kMs, 9 * kMs);
      Push(trace, kCheckout, EventType::kCartLoaded, t, cents, items);
      t += r.Latency(2 * kMs, 16 * kMs);
      Push(trace, kCheckout, EventType::kOrderCreated, t, cents, items);
      t += hop();
      Push(trace, kFraud, EventType::kFraudStarted, t, cents);
      t += r.Latency(3 * kMs, 45 * kMs);
      const double u = r.Unit();
      const uint32_t score = 10 + static_cast<uint32_t>(u * u * u * u * 980);
      Push(trace, kFraud, EventType::kFraudScored, t, 0, score, score >= 700);
      acquirer(EventType::kPaymentRequested, EventType::kPaymentAuthorized);
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kLedger, EventType::kLedgerEntryCreated, t, cents);
      t += r.Latency(500 * kUs, 6 * kMs);
      Push(trace, kLedger, EventType::kLedgerBalanceUpdated, t, cents);
      t += 2 * hop() + r.Latency(1 * kMs, 5 * kMs);
      Push(trace, kCheckout, EventType::kOrderConfirmed, t, cents);
      email_from = t;
      email_template = 0;
      status = 201;
      break;
    }
    case kRouteCart: {
      t += hop() + r.Latency(1 * kMs, 9 * kMs);
      Push(trace, kCheckout, EventType::kCartLoaded, t, cents, items);
      const uint32_t checks = items < 3 ? items : 3;
      for (uint32_t i = 0; i < checks; ++i) {
        t += hop() + r.Latency(300 * kUs, 5 * kMs);
        const int64_t available = r.Below(400);
        Push(trace, kInventory, EventType::kStockChecked, t, available, 10000 + r.Below(90000),
             available < 5);
      }
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kCheckout, EventType::kCartPriced, t, cents, items, r.Chance(0.04));
      break;
    }
    case kRouteProduct: {
      const uint32_t sku = 10000 + r.Below(90000);
      const bool found = !r.Chance(0.03);
      t += hop() + r.Latency(500 * kUs, 8 * kMs);
      Push(trace, kInventory, EventType::kProductFetched, t, found, sku, !found);
      if (found) {
        t += r.Latency(200 * kUs, 3 * kMs);
        const int64_t available = r.Below(400);
        Push(trace, kInventory, EventType::kStockChecked, t, available, sku, available < 5);
      } else {
        status = 404;
      }
      break;
    }
    case kRouteRefund: {
      acquirer(EventType::kRefundRequested, EventType::kRefundIssued);
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kLedger, EventType::kLedgerEntryReversed, t, cents);
      email_from = t;
      email_template = 1;
      break;
    }
    case kRouteHealth:
      break;
  }
  t += hop();
  if (trace.canary_fails) status = 503;
  Push(trace, kGateway, EventType::kGwCompleted, t, t - t0, status, t - t0 > 1000 * kMs);
  if (email_from >= 0) SendEmail(trace, email_from, email_template, email_fault);
}

void Generator::EmitBefore(int64_t time_ns) {
  while (!pending_.empty() && pending_.top().time_ns < time_ns) {
    Emit(pending_.top());
    pending_.pop();
  }
}

void Generator::TruthStart(std::string_view kind, uint64_t hi, uint64_t lo, Service service) {
  ++faults_;
  if (!options_.truth) return;
  std::string& out = truth_.buf;
  out.append(R"({"kind":")");
  out.append(kind);
  out.append(R"(","trace_id":)");
  AppendTraceId(hi, lo, &out);
  out.append(R"(,"service":")");
  out.append(kServiceNames[service]);
  out.push_back('"');
}

void Generator::TruthEnd() {
  if (!options_.truth) {
    truth_.buf.clear();
    return;
  }
  truth_.buf.append("}\n");
  if (truth_.buf.size() >= kFlushBytes) Flush(truth_);
}

void Generator::Emit(const Event& e) {
  Sink& sink = SinkFor(e.service);
  std::string& out = sink.buf;
  const size_t start = out.size();
  const uint64_t first_line = sink.lines + 1;
  int lines = 1;
  switch (e.service) {
    case kGateway:
      FormatGateway(e, &out);
      break;
    case kCheckout:
      FormatCheckout(e, &out);
      break;
    case kFraud:
      FormatFraud(e, &out);
      break;
    case kPayments:
      if (e.type == EventType::kJavaError) {
        lines = FormatJavaError(e, &out);
      } else {
        FormatPayments(e, &out);
      }
      break;
    case kLedger:
      FormatLedger(e, &out);
      break;
    case kInventory:
      FormatInventory(e, &out);
      break;
    default:
      if (e.type == EventType::kEmailError) {
        lines = FormatEmailError(e, &out);
      } else {
        FormatEmail(e, &out);
      }
  }
  auto line_truth = [&](std::string_view kind, uint64_t line) {
    TruthStart(kind, e.trace_hi, e.trace_lo, e.service);
    std::string& t = truth_.buf;
    t.append(R"(,"line":)");
    AppendInt(static_cast<int64_t>(line), &t);
    t.append(R"(,"file":")");
    t.append(sink.name);
    t.push_back('"');
  };
  if (IsPlainText(e.type)) {
    line_truth("orphan_error", first_line);
    truth_.buf.append(R"(,"lines":)");
    AppendInt(lines, &truth_.buf);
    TruthEnd();
  } else if (e.flags & kFlagBadTime) {
    line_truth("bad_time", first_line);
    truth_.buf.append(R"(,"value":)");
    AppendJsonString(BadTime(e), &truth_.buf);
    TruthEnd();
  } else if (e.flags & kFlagDuplicate) {
    scratch_.assign(out, start, out.size() - start);
    out.append(scratch_);
    ++lines;
    line_truth("duplicate", first_line + 1);
    TruthEnd();
  }
  sink.lines += lines;
  lines_ += lines;
  bytes_ += out.size() - start;
  if (out.size() >= kFlushBytes) Flush(sink);
}

std::string Generator::Summary(double seconds) const {
  return absl::StrFormat(
      "loggen: %d files, %d lines, %.1f MiB (%d bytes), %d traces, %d faults, %.2f s "
      "(%.0f MB/s) in %s",
      sinks_.size() + (options_.truth ? 1 : 0) + (options_.cost_days > 0 ? 1 : 0), lines_,
      bytes_ / 1048576.0, bytes_, traces_, faults_, seconds,
      seconds > 0 ? bytes_ / 1e6 / seconds : 0.0, options_.out_dir);
}

}  // namespace
}  // namespace loggen

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  loggen::Options options;
  if (const int rc = loggen::ParseFlags(argc, argv, &options); rc != 0) return rc == 1 ? 0 : rc;
  if (options.shape != "default") {
    const absl::StatusOr<std::string> summary = loggen::GenerateShape(
        options.shape, {options.out_dir, options.traces, options.bytes, options.seed,
                        options.start_ns, options.rate, options.single_file, options.faults,
                        options.truth, options.missing_service_rate});
    if (!summary.ok()) {
      absl::FPrintF(stderr, "loggen: %s\n", summary.status().message());
      return 1;
    }
    absl::FPrintF(stderr, "%s\n", *summary);
    return 0;
  }
  loggen::Generator generator(options);
  std::string error;
  if (!generator.Open(&error) || !generator.Run(&error)) {
    absl::FPrintF(stderr, "loggen: %s\n", error);
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  absl::FPrintF(stderr, "%s\n", generator.Summary(seconds));
  return 0;
}

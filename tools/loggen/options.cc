#include "tools/loggen/options.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/flags/flags.h"
#include "tools/loggen/common.h"
#include "tools/loggen/shapes.h"
#include "tools/loggen/shop_model.h"

namespace loggen {
namespace {

constexpr absl::string_view kDefaultStart = "2026-11-23T10:00:00Z";

constexpr char kDescription[] =
    "Generates realistic, deterministic multi-service logs (with known faults).";

constexpr char kEpilog[] =
    R"(Files (one per service, each in its library's convention):
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

// A flag's value that is not what it must be: INVALID_ARGUMENT naming the flag.
absl::Status Bad(absl::string_view name, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, " must be ", expected, " (got \"", value, "\")"));
}

}  // namespace

int ParseFlags(int argc, char** argv, Options* options) {
  bool have_start = false;
  bool no_truth = false;
  logweave::cli::FlagSet flags("loggen", "--out DIR [flags]", kDescription);
  flags.set_epilog(kEpilog);
  // A flag whose value `parse` checks: false -> "--NAME must be EXPECTED (got ...)".
  auto checked = [&flags](const std::string& name, const std::string& value_name,
                          const std::string& help, std::string expected, auto parse) {
    flags.Custom(name, value_name, help,
                 [name, expected = std::move(expected), parse](const std::string& v) {
                   return parse(v) ? absl::OkStatus() : Bad(name, v, expected);
                 });
  };
  auto rate = [&checked](const std::string& name, const std::string& help, double* target) {
    checked(name, "P", help, "a probability between 0 and 1, e.g. 0.01",
            [target](const std::string& v) { return ParseRate(v, target); });
  };
  checked("out", "DIR", "output directory (created if missing); required", "a directory path",
          [options](const std::string& v) {
            options->out_dir = v;
            return !v.empty();
          });
  checked("traces", "N", "number of traces (requests) to generate (default 1000)",
          "a positive whole number of traces, e.g. 1000", [options](const std::string& v) {
            return absl::SimpleAtoi(v, &options->traces) && options->traces != 0;
          });
  checked("bytes", "SIZE",
          "instead of --traces: generate until about SIZE bytes of logs,\n"
          "e.g. 500M, 1G, 1.5G (K/M/G/T are powers of 1024; default unset)",
          "a size such as 500M or 1G",
          [options](const std::string& v) { return ParseSize(v, &options->bytes); });
  checked("seed", "S", "random seed, 0..2^64-1 (default 1)", "a whole number 0..2^64-1",
          [options](const std::string& v) { return absl::SimpleAtoi(v, &options->seed); });
  flags.Custom("start", "TIME",
               "event time of the first trace, RFC 3339 (default 2026-11-23T10:00:00Z)",
               [options, &have_start](const std::string& v) {
                 if (!ParseRfc3339(v, &options->start_ns)) {
                   return Bad("start", v, "an RFC 3339 time such as 2026-11-23T10:00:00Z");
                 }
                 if (options->start_ns < 0) {
                   return Bad("start", v, "a time at or after 1970-01-01T00:00:00Z");
                 }
                 have_start = true;
                 return absl::OkStatus();
               });
  checked("rate", "R", "mean traces per second of event time (default 50)",
          "a positive number of traces per second, e.g. 50", [options](const std::string& v) {
            return absl::SimpleAtod(v, &options->rate) && options->rate > 0 && options->rate <= 1e9;
          });
  checked("faults", "on|off", "inject faults and list them in DIR/.truth.jsonl (default on)",
          "on or off", [options](const std::string& v) {
            if (v != "on" && v != "off") return false;
            options->faults = v == "on";
            return true;
          });
  flags.Bool("single-file", &options->single_file,
             "write every service into DIR/all.log, interleaved by time (default off)");
  flags.Bool("no-truth", &no_truth, "do not write DIR/.truth.jsonl (default: write it)");
  checked("shape", "NAME",
          "benchmark data of another shape (default: the web shop below):\n"
          "short-lines (~120-byte JSON lines), short-traces (3-5 events over\n"
          "2-4 services), long-traces (50-80 events), plain-text (~30% of lines\n"
          "plain-text errors and stack traces), many-services (200 services);\n"
          "each service in one of zap, pino, python-json-logger, ECS, OTel.\n"
          "Honours --out, --traces/--bytes, --seed, --start, --rate,\n"
          "--single-file, --faults, --no-truth and --missing-service-rate; faults\n"
          "are ~1% missing services and ~0.5% incomplete sequences",
          absl::StrCat("one of ", std::string(kShapeNames)), [options](const std::string& v) {
            if (!IsShapeName(v)) return false;
            options->shape = v;
            return true;
          });
  rate("missing-service-rate",
       "share of traces (routes with >= 2 services) where one service\n"
       "on the route logs nothing (default 0.01)",
       &options->missing_service_rate);
  rate("email-error-rate",
       "share of emailing traces where email logs email_send_attempt, then a\n"
       "plain-text ERROR (sometimes with a Python traceback) instead of\n"
       "email_queued (default 0.01)",
       &options->email_error_rate);
  rate("java-error-rate",
       "share of traces calling payments where payments prints a plain-text\n"
       "logback ERROR line and a Java stack trace, then retries (default 0.002)",
       &options->java_error_rate);
  rate("duplicate-rate", "share of JSON lines repeated verbatim (shipper retry) (default 0.0005)",
       &options->duplicate_rate);
  rate("bad-time-rate", "share of JSON lines whose time field is unparseable (default 0.0002)",
       &options->bad_time_rate);
  rate("canary-share",
       "a canary deployment: this share of requests is served by gateway\n"
       "\"version\":\"v2\", the rest by \"v1\" (default 0: no version field)",
       &options->canary_share);
  rate("canary-error-rate", "share of v2 requests that fail with status 503 (default 0.25) ...",
       &options->canary_error_rate);
  checked("canary-fail-after", "S",
          "... from S seconds of event time after the start on (default 0)",
          "a number of seconds, e.g. 20", [options](const std::string& v) {
            return absl::SimpleAtod(v, &options->canary_fail_after_s) &&
                   options->canary_fail_after_s >= 0 && options->canary_fail_after_s <= 1e9;
          });
  checked("cost-days", "N",
          "also write billing.ndjson: each service's cost allocation lines\n"
          "(4 a day, \"cost\" in USD) for N days ending on the start day (default 0)",
          "a number of days from 0 to 3660", [options](const std::string& v) {
            return absl::SimpleAtoi(v, &options->cost_days) && options->cost_days <= 3660;
          });
  checked("cost-spike", "SERVICE", "the service whose cost on the last of those days jumps ...",
          "one of the generated services (gateway, checkout, payments, ...)",
          [options](const std::string& v) {
            if (!shop::IsServiceName(v)) return false;
            options->cost_spike = v;
            return true;
          });
  checked("cost-spike-factor", "F", "... by this factor (default 2.5); listed in .truth.jsonl",
          "a positive factor, e.g. 2.5", [options](const std::string& v) {
            return absl::SimpleAtod(v, &options->cost_spike_factor) &&
                   options->cost_spike_factor > 0 && options->cost_spike_factor <= 1e6;
          });

  std::vector<std::string> positional;
  if (int code = flags.ParseMain(argc, argv, &positional); code >= 0) return code;
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "loggen: %s\nRun 'loggen --help' for the list of flags.\n",
                 message.c_str());
    return 2;
  };
  if (!positional.empty()) {
    return fail(absl::StrCat("unexpected argument \"", positional.front(), "\""));
  }
  options->truth = !no_truth;
  if (options->out_dir.empty()) return fail("--out DIR is required");
  if (options->shape != "default" && (options->canary_share > 0 || options->cost_days > 0)) {
    return fail("--canary-share and --cost-days need --shape default");
  }
  if (!have_start) ParseRfc3339(kDefaultStart, &options->start_ns);
  return -1;
}

}  // namespace loggen

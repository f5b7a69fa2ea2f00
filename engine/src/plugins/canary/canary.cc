#include "plugins/canary/canary.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "internal/strings.h"
#include "parse/time_parse.h"
#include "plugins/common.h"
#include "plugins/json_fields.h"

namespace logweave {

namespace {

constexpr size_t kEvidencePerService = 3;  // failed canary requests kept as evidence
constexpr size_t kEvidenceBytes = 300;     // of each, at most this much of the line
constexpr size_t kChecksInFinding = 8;     // the last failed checks listed in a finding

// A latency key and the unit of a bare number under it (0: the configured unit).
struct LatencyKey {
  std::string_view key;
  int64_t unit_ns;
};

constexpr std::string_view kVersionKeys[] = {
    "version",
    "service.version",
    "app.version",
    "app_version",
    "service_version",
    "deployment.version",
    "labels.version",
    "kubernetes.labels.version",
    "resource.service.version",
    "build.version",
    "release",
};
constexpr int64_t kMs = 1'000'000, kUs = 1'000, kS = 1'000'000'000;
constexpr LatencyKey kLatencyKeys[] = {
    {"latency_ms", kMs},      {"duration_ms", kMs},
    {"elapsed_ms", kMs},      {"response_time_ms", kMs},
    {"request_time_ms", kMs}, {"took_ms", kMs},
    {"latencyMs", kMs},       {"durationMs", kMs},
    {"elapsedMs", kMs},       {"responseTimeMs", kMs},
    {"responseTime", kMs},    {"latency_us", kUs},
    {"duration_us", kUs},     {"latency_ns", 1},
    {"duration_ns", 1},       {"event.duration", 1},
    {"latency_s", kS},        {"duration_s", kS},
    {"latency_seconds", kS},  {"duration_seconds", kS},
    {"request_time", kS},     {"latency", 0},
    {"duration", 0},          {"elapsed", 0},
    {"response_time", 0},     {"took", 0},
    {"http.duration", 0},
};
constexpr std::string_view kStatusKeys[] = {
    "status",
    "status_code",
    "statusCode",
    "http_status",
    "http.status_code",
    "http.status",
    "http.response.status_code",
    "response.status",
    "response.status_code",
    "res.statusCode",
};

// The unit a configured latency key's suffix names, or 0.
int64_t UnitFromSuffix(std::string_view key) {
  auto ends = [&](std::string_view s) {
    return key.size() > s.size() && key.substr(key.size() - s.size()) == s;
  };
  if (ends("_ms") || ends("Ms")) return kMs;
  if (ends("_us") || ends("Us")) return kUs;
  if (ends("_ns") || ends("Ns")) return 1;
  if (ends("_s") || ends("_seconds") || ends("_sec")) return kS;
  return 0;
}

bool IsCanaryVersion(std::string_view version, const CanaryOptions& options) {
  for (const auto& v : options.canary_versions) {
    if (absl::EqualsIgnoreCase(v, internal::Av(version))) return true;
  }
  return false;
}

// p99 of `latencies` (reordered), or -1 when empty: the smallest value at or
// above 99% of them.
int64_t P99(std::vector<int64_t>* latencies) {
  if (latencies->empty()) return -1;
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * latencies->size())) - 1;
  std::nth_element(latencies->begin(), latencies->begin() + rank, latencies->end());
  return (*latencies)[rank];
}

std::string Percent(double share) { return absl::StrFormat("%.1f%%", 100 * share); }
std::string Millis(int64_t ns) {
  return ns < 0 ? std::string("-") : absl::StrFormat("%.0f ms", ns / 1e6);
}

// A number in `unit`, or a duration string ("250ms", "1.5s"); -1 if neither.
int64_t ReadLatency(const internal::JsonFieldPicker::Match& m, int64_t unit) {
  double number = 0;
  if (absl::SimpleAtod(m.text, &number)) {
    if (!(number >= 0) || !std::isfinite(number) || number * unit > 9e18) return -1;
    return static_cast<int64_t>(number * static_cast<double>(unit));
  }
  absl::Duration d;
  if (!m.is_number && absl::ParseDuration(m.text, &d) && d >= absl::ZeroDuration()) {
    return absl::ToInt64Nanoseconds(d);
  }
  return -1;
}

}  // namespace

CanaryRequestReader::CanaryRequestReader(const CanaryOptions& options) {
  std::vector<std::vector<std::string>> slots(3);
  slots[0] = internal::ConfiguredThenBuiltin(options.version_fields, kVersionKeys);
  for (const std::string& k : options.latency_fields) {
    slots[1].push_back(k);
    const int64_t unit = UnitFromSuffix(k);
    latency_units_.push_back(unit == 0 ? options.latency_unit_ns : unit);
  }
  for (const LatencyKey& k : kLatencyKeys) {
    slots[1].emplace_back(k.key);
    latency_units_.push_back(k.unit_ns == 0 ? options.latency_unit_ns : k.unit_ns);
  }
  slots[2] = internal::ConfiguredThenBuiltin(options.status_fields, kStatusKeys);
  picker_ = std::make_unique<internal::JsonFieldPicker>(slots, /*required_slot=*/0);
}

CanaryRequestReader::~CanaryRequestReader() = default;

bool CanaryRequestReader::Read(std::string_view json, CanaryRequest* out) const {
  const auto found = picker_->Pick(json);
  std::string version;
  for (const auto& m : found[0]) {
    if (!m.text.empty()) {
      version = m.text;
      break;
    }
  }
  int64_t latency_ns = -1;
  for (const auto& m : found[1]) {
    if ((latency_ns = ReadLatency(m, latency_units_[m.rank])) >= 0) break;
  }
  int status = 0;
  for (const auto& m : found[2]) {
    int code = 0;
    if (absl::SimpleAtoi(m.text, &code) && code >= 100 && code <= 599) {
      status = code;
      break;
    }
  }
  if (version.empty() || (latency_ns < 0 && status == 0)) return false;
  out->version = std::move(version);
  out->latency_ns = latency_ns;
  out->failed = status >= 500;
  return true;
}

bool ReadCanaryRequest(std::string_view json, const CanaryOptions& options, CanaryRequest* out) {
  return CanaryRequestReader(options).Read(json, out);
}

// What the plugin keeps of one service.
struct CanaryPlugin::ServiceState {
  std::deque<Request> requests;  // by time; older than the last check's window are dropped
  bool sorted = true;
  int64_t next_check_ns = INT64_MIN;  // INT64_MIN: no check yet
  int64_t last_check_ns = INT64_MIN;  // the last check made; requests up to it are late
  uint32_t strikes = 0;
  struct Check {
    int64_t time_ns;
    uint64_t requests, failed;
    int64_t p99_ns;
    uint64_t baseline_requests, baseline_failed;
    int64_t baseline_p99_ns;
    std::string version;
  };
  std::vector<Check> failing;      // the current run of failed checks (its last few)
  int64_t first_failed_ns = 0;     // the first check of that run
  std::vector<Finding> decisions;  // rollbacks decided (kept: a decision stands)
  std::deque<Request> evidence;    // the latest failed canary requests
};

CanaryPlugin::CanaryPlugin(const CanaryOptions& options, const SourceNames& sources)
    : QueuedRulePlugin(options.max_pending_requests),
      options_(options),
      sources_(sources),
      reader_(options) {}

CanaryPlugin::~CanaryPlugin() = default;

absl::StatusOr<std::unique_ptr<CanaryPlugin>> CanaryPlugin::Create(const CanaryOptions& options,
                                                                   const SourceNames& sources) {
  absl::StatusOr<CanaryOptions> enabled = internal::EnabledOptions(options);
  if (!enabled.ok()) return enabled.status();
  return std::unique_ptr<CanaryPlugin>(new CanaryPlugin(*enabled, sources));
}

bool CanaryPlugin::Take(const Record& r, Request* q) const {
  if (r.kind != RecordKind::kJson || !r.time_known()) return false;
  if (!options_.services.empty() && !internal::Listed(options_.services, r.service)) return false;
  if (!internal::PluginTimeInRange(r.time_ns)) return false;
  if (!reader_.Read(internal::ServiceJson(r), q)) return false;
  q->failed = q->failed || r.level >= Level::kError;
  q->canary = IsCanaryVersion(q->version, options_);
  q->time_ns = r.time_ns;
  q->source_id = r.source_id;
  q->line_no = r.line_no;
  q->service.assign(r.service);
  if (q->failed && q->canary) q->text.assign(r.raw.substr(0, kEvidenceBytes));
  return true;
}

void CanaryPlugin::Keep(Request&& q) {
  ServiceState& state = services_[q.service];
  // At or before a check already made: that check stands.
  if (q.time_ns <= state.last_check_ns) {
    ++counters_.late;
    return;
  }
  ++counters_.requests;
  if (!state.requests.empty() && q.time_ns < state.requests.back().time_ns) state.sorted = false;
  state.requests.push_back(std::move(q));
}

void CanaryPlugin::Decide(int64_t watermark_ns, std::vector<Finding>* out) {
  for (auto& [service, state] : services_) {
    if (!state.sorted) {
      std::stable_sort(state.requests.begin(), state.requests.end(),
                       [](const Request& a, const Request& b) { return a.time_ns < b.time_ns; });
      state.sorted = true;
    }
    if (!state.requests.empty()) {
      // Complete data: check until the window has passed the last request,
      // as streaming would once time moves on. Otherwise up to lateness
      // before the watermark (clamped, so that check times never overflow).
      const int64_t until = watermark_ns == INT64_MAX
                                ? state.requests.back().time_ns + options_.window_ns
                                : internal::SettledThrough(watermark_ns, options_.lateness_ns);
      RunChecks(service, state, until);
    }
    for (const Finding& f : state.decisions) out->push_back(f);
  }
}

void CanaryPlugin::RunChecks(const std::string& service, ServiceState& state, int64_t until_ns) {
  const int64_t interval = options_.interval_ns;
  if (state.next_check_ns == INT64_MIN) {
    if (state.requests.empty()) return;
    // The first check whose window holds the first request.
    state.next_check_ns =
        internal::FloorTo(state.requests.front().time_ns - 1, interval) + interval;
  }
  std::vector<int64_t> canary_latencies, baseline_latencies;
  for (; state.next_check_ns <= until_ns; state.next_check_ns += interval) {
    const int64_t t = state.next_check_ns;
    const int64_t from = t - options_.window_ns;  // the window is (from, t]
    const int64_t previous_check = state.last_check_ns;
    state.last_check_ns = t;
    while (!state.requests.empty() && state.requests.front().time_ns <= from) {
      state.requests.pop_front();
    }
    if (state.requests.empty()) {
      // No requests: every check up to until_ns would decide nothing; skip
      // them at once (the watermark may be far ahead of this service).
      state.next_check_ns = internal::FloorTo(until_ns, interval);
      continue;
    }
    if (state.requests.front().time_ns > t) {
      // A gap: checks until the next request would have no requests either.
      state.next_check_ns = internal::FloorTo(state.requests.front().time_ns - 1, interval);
      continue;
    }
    ServiceState::Check check{t, 0, 0, -1, 0, 0, -1, ""};
    canary_latencies.clear();
    baseline_latencies.clear();
    for (const Request& q : state.requests) {
      if (q.time_ns > t) break;
      if (q.canary) {
        ++check.requests;
        check.failed += q.failed;
        if (q.latency_ns >= 0) canary_latencies.push_back(q.latency_ns);
        if (check.version.empty()) check.version = q.version;
        // Evidence: the latest failed canary requests, each taken at the
        // first check whose window holds it.
        if (q.failed && q.time_ns > previous_check) {
          state.evidence.push_back(q);
          if (state.evidence.size() > kEvidencePerService) state.evidence.pop_front();
        }
      } else {
        ++check.baseline_requests;
        check.baseline_failed += q.failed;
        if (q.latency_ns >= 0) baseline_latencies.push_back(q.latency_ns);
      }
    }
    if (check.requests < options_.min_requests) continue;  // no decision
    ++counters_.checks;
    check.p99_ns = P99(&canary_latencies);
    check.baseline_p99_ns = P99(&baseline_latencies);
    const double error_rate = static_cast<double>(check.failed) / check.requests;
    const double baseline_rate =
        check.baseline_requests == 0
            ? -1
            : static_cast<double>(check.baseline_failed) / check.baseline_requests;
    const bool failed = error_rate > options_.max_error_rate || check.p99_ns > options_.max_p99_ns;
    if (!failed) {
      state.strikes = 0;
      state.failing.clear();
      continue;
    }
    ++counters_.failed_checks;
    ++state.strikes;
    if (state.strikes == 1) state.first_failed_ns = t;
    state.failing.push_back(check);
    if (state.failing.size() > kChecksInFinding) state.failing.erase(state.failing.begin());
    if (state.strikes != options_.strikes) continue;  // fires once per run of strikes

    Finding f;
    f.kind = "canary_rollback";
    f.severity = Severity::kCritical;
    f.subject = absl::StrCat(service, "@", check.version);
    f.time_ns = t;
    f.id = FindingId(f.kind, {service, check.version, internal::TimeText(state.first_failed_ns)});
    std::vector<std::string> reasons;
    if (error_rate > options_.max_error_rate) {
      reasons.push_back(absl::StrCat("error rate ", Percent(error_rate), " > ",
                                     Percent(options_.max_error_rate)));
    }
    if (check.p99_ns > options_.max_p99_ns) {
      reasons.push_back(
          absl::StrCat("p99 ", Millis(check.p99_ns), " > ", Millis(options_.max_p99_ns)));
    }
    f.summary =
        absl::StrCat(absl::AsciiStrToUpper(options_.action), " ", service, " ", check.version, ": ",
                     options_.strikes, " checks in a row failed; at ", internal::TimeText(t), " ",
                     absl::StrJoin(reasons, ", "), " over the last ",
                     absl::FormatDuration(absl::Nanoseconds(options_.window_ns)), " (",
                     check.requests, " canary requests; baseline error rate ",
                     baseline_rate < 0 ? std::string("-") : Percent(baseline_rate), ", p99 ",
                     Millis(check.baseline_p99_ns), ").");
    f.details = {
        {"action", options_.action},
        {"service", service},
        {"version", check.version},
        {"requests", absl::StrCat(check.requests)},
        {"failed", absl::StrCat(check.failed)},
        {"error_rate", absl::StrFormat("%.4f", error_rate)},
        {"p99_ms", check.p99_ns < 0 ? "" : absl::StrFormat("%.1f", check.p99_ns / 1e6)},
        {"baseline_requests", absl::StrCat(check.baseline_requests)},
        {"baseline_error_rate", baseline_rate < 0 ? "" : absl::StrFormat("%.4f", baseline_rate)},
        {"baseline_p99_ms",
         check.baseline_p99_ns < 0 ? "" : absl::StrFormat("%.1f", check.baseline_p99_ns / 1e6)},
        {"strikes", absl::StrCat(options_.strikes)},
        {"first_failed_check", internal::TimeText(state.first_failed_ns)},
        {"window", absl::FormatDuration(absl::Nanoseconds(options_.window_ns))},
        {"interval", absl::FormatDuration(absl::Nanoseconds(interval))},
    };
    std::vector<std::string> checks;
    for (const auto& c : state.failing) {
      checks.push_back(absl::StrCat(internal::TimeText(c.time_ns), " ", c.failed, "/", c.requests,
                                    " failed, p99 ", Millis(c.p99_ns)));
    }
    f.details.push_back({"failed_checks", absl::StrJoin(checks, "; ")});
    for (const Request& e : state.evidence) {
      f.evidence.push_back(
          internal::PluginEvidence(sources_, e.source_id, e.line_no, e.time_ns, e.text));
    }
    state.decisions.push_back(std::move(f));
  }
}

}  // namespace logweave

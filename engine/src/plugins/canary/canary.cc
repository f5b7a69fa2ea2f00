#include "plugins/canary/canary.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
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
#include "plugins/canary/canary_series.h"
#include "plugins/canary/latency_sketch.h"
#include "plugins/common.h"
#include "plugins/json_fields.h"

namespace logweave {

namespace {

constexpr size_t kEvidencePerService = 3;     // failed canary requests kept as evidence
constexpr size_t kCanaryEvidenceBytes = 300;  // of each, at most this much of the line
constexpr size_t kChecksInFinding = 8;        // the last failed checks listed in a finding
constexpr size_t kChecksInSeries = 40;        // the last checks of the series in a finding

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

// The picker's slots: the version, latency and status keys, each the
// configured ones then the built-in ones.
std::vector<std::vector<std::string>> RequestSlots(const CanaryOptions& options) {
  std::vector<std::vector<std::string>> slots(3);
  slots[0] = internal::ConfiguredThenBuiltin(options.version_fields, kVersionKeys);
  slots[1] = options.latency_fields;
  for (const LatencyKey& k : kLatencyKeys) slots[1].emplace_back(k.key);
  slots[2] = internal::ConfiguredThenBuiltin(options.status_fields, internal::kHttpStatusKeys);
  return slots;
}

// The unit of a bare number under each latency key of RequestSlots, by rank.
std::vector<int64_t> LatencyUnits(const CanaryOptions& options) {
  std::vector<int64_t> units;
  for (const std::string& k : options.latency_fields) {
    const int64_t unit = UnitFromSuffix(k);
    units.push_back(unit == 0 ? options.latency_unit_ns : unit);
  }
  for (const LatencyKey& k : kLatencyKeys) {
    units.push_back(k.unit_ns == 0 ? options.latency_unit_ns : k.unit_ns);
  }
  return units;
}

// What a line without a version key must hold to be read: a latency or
// status key's last part (most lines of a log are not requests).
std::vector<std::string> AnyNeedles(const std::vector<std::vector<std::string>>& slots) {
  std::vector<std::string> needles;
  for (size_t slot = 1; slot <= 2; ++slot) {
    for (const std::string& key : slots[slot]) {
      const size_t cut = key.find_last_of("./");
      std::string needle = cut == std::string::npos ? key : key.substr(cut + 1);
      if (!needle.empty() && std::find(needles.begin(), needles.end(), needle) == needles.end()) {
        needles.push_back(std::move(needle));
      }
    }
  }
  // A needle that holds another is found whenever that one is: drop it.
  std::vector<std::string> kept;
  for (const std::string& n : needles) {
    if (std::none_of(needles.begin(), needles.end(), [&](const std::string& m) {
          return m.size() < n.size() && n.find(m) != std::string::npos;
        })) {
      kept.push_back(n);
    }
  }
  return kept;
}

}  // namespace

CanaryRequestReader::CanaryRequestReader(const CanaryOptions& options)
    : CanaryRequestReader(options, RequestSlots(options)) {}

CanaryRequestReader::CanaryRequestReader(const CanaryOptions& options,
                                         const std::vector<std::vector<std::string>>& slots)
    : latency_units_(LatencyUnits(options)),
      picker_(slots, /*required_slot=*/0),
      any_picker_(slots),
      any_needles_(AnyNeedles(slots)) {}

bool CanaryRequestReader::Read(std::string_view json, bool require_version,
                               CanaryRequest* out) const {
  if (!require_version &&
      std::none_of(any_needles_.begin(), any_needles_.end(), [&](const std::string& needle) {
        return json.find(needle) != std::string_view::npos;
      })) {
    return false;
  }
  const auto found = (require_version ? picker_ : any_picker_).Pick(json);
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
  if ((require_version && version.empty()) || (latency_ns < 0 && status == 0)) return false;
  out->version = std::move(version);
  out->latency_ns = latency_ns;
  out->failed = status >= 500;
  return true;
}

bool ReadCanaryRequest(std::string_view json, const CanaryOptions& options, CanaryRequest* out) {
  return CanaryRequestReader(options).Read(json, out);
}

// Requests of one kind in a slot of time or a window: counts and latencies.
struct CanaryPlugin::Aggregate {
  uint64_t requests = 0, failed = 0;
  internal::LatencySketch latency;

  void Add(const Request& q) {
    ++requests;
    failed += q.failed;
    if (q.latency_ns >= 0) latency.Add(q.latency_ns);
  }
  void Merge(const Aggregate& other) {
    requests += other.requests;
    failed += other.failed;
    latency.Merge(other.latency);
  }
  int64_t P99() const { return latency.Quantile(0.99); }
  // The share of failed requests, or -1 without any.
  double ErrorRate() const {
    return requests == 0 ? -1 : static_cast<double>(failed) / static_cast<double>(requests);
  }
};

// One check's figures.
struct CanaryPlugin::Check {
  int64_t time_ns = 0;
  Aggregate canary, baseline;
  std::string version;
  std::string baseline_service;  // "" : the service's own other versions
};

// What the plugin keeps of one service.
struct CanaryPlugin::ServiceState {
  // A slot: the requests of (key - slot_ns, key], by kind.
  struct Slot {
    Aggregate canary;                // canary requests (all of a canary service's)
    Aggregate other;                 // requests of other versions
    Aggregate unversioned;           // requests without a version (read for a baseline service)
    int64_t version_ns = INT64_MAX;  // the earliest canary request's time, and its version
    std::string version;
    std::vector<Request> evidence;  // its latest failed canary requests, by time
  };
  std::map<int64_t, Slot> slots;      // by end
  int64_t next_check_ns = INT64_MIN;  // INT64_MIN: no check yet
  int64_t last_check_ns = INT64_MIN;  // the last check made; requests up to it are late
  uint32_t strikes = 0;
  struct Failed {
    int64_t time_ns;
    uint64_t requests, failed;
    int64_t p99_ns;
  };
  std::vector<Failed> failing;     // the current run of failed checks (its last few)
  int64_t first_failed_ns = 0;     // the first check of that run
  std::vector<Finding> decisions;  // rollbacks decided (kept: a decision stands)
  std::deque<Request> evidence;    // the latest failed canary requests
  internal::CanaryCheckSeries series{kChecksInSeries};  // the checks that decided
};

CanaryPlugin::CanaryPlugin(const CanaryOptions& options, const SourceNames& sources)
    : OptionsRulePlugin(options, sources, options.max_pending_requests),
      names_(options_),
      slot_ns_(std::gcd(options.interval_ns, options.window_ns)) {}

CanaryPlugin::~CanaryPlugin() = default;

bool CanaryPlugin::Take(const Record& r, Request* q) const {
  if (r.kind != RecordKind::kJson || !r.time_known()) return false;
  if (!names_.Watched(r.service)) return false;
  if (!internal::PluginTimeInRange(r.time_ns)) return false;
  const std::string_view json = internal::ServiceJson(r);
  if (!reader_.Read(json, q)) {
    // Without a version: a request of a canary or a baseline service by name
    // (any service may be "myapp" beside "myapp-canary").
    if (!reader_.Read(json, /*require_version=*/false, q)) return false;
    q->versioned = !q->version.empty();
  }
  const bool canary_service = names_.IsCanaryService(r.service);
  q->failed = q->failed || r.level >= Level::kError;
  q->canary = canary_service || (q->versioned && IsCanaryVersion(q->version, options_));
  q->time_ns = r.time_ns;
  q->source_id = r.source_id;
  q->line_no = r.line_no;
  q->service.assign(r.service);
  if (q->failed && q->canary) q->text.assign(r.raw.substr(0, kCanaryEvidenceBytes));
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
  // The slot (key - slot_ns_, key] that holds it.
  ServiceState::Slot& slot = state.slots[internal::FloorTo(q.time_ns - 1, slot_ns_) + slot_ns_];
  if (!q.canary) {
    (q.versioned ? slot.other : slot.unversioned).Add(q);
    return;
  }
  slot.canary.Add(q);
  if (q.time_ns < slot.version_ns) {
    slot.version_ns = q.time_ns;
    slot.version = q.version;
  }
  if (q.failed) {
    // In time order (ties in arrival order); only the latest few.
    auto at = std::upper_bound(slot.evidence.begin(), slot.evidence.end(), q.time_ns,
                               [](int64_t t, const Request& e) { return t < e.time_ns; });
    slot.evidence.insert(at, std::move(q));
    if (slot.evidence.size() > kEvidencePerService) slot.evidence.erase(slot.evidence.begin());
  }
}

void CanaryPlugin::Decide(int64_t watermark_ns, std::vector<Finding>* out) {
  for (auto& [service, state] : services_) {
    if (!state.slots.empty()) {
      // Complete data: check until the window has passed the last request,
      // as streaming would once time moves on. Otherwise up to lateness
      // before the watermark (clamped, so that check times never overflow).
      const int64_t until = watermark_ns == INT64_MAX
                                ? state.slots.rbegin()->first + options_.window_ns
                                : internal::SettledThrough(watermark_ns, options_.lateness_ns);
      RunChecks(service, state, until);
    }
  }
  Prune();
  for (const auto& [service, state] : services_) {
    for (const Finding& f : state.decisions) out->push_back(f);
  }
}

void CanaryPlugin::Prune() {
  // A service's own checks read (last check - window, ...] from now on, and
  // so do those of the canaries it may be the baseline of.
  std::map<std::string, int64_t> keep_after;
  for (const auto& [service, state] : services_) {
    const int64_t own =
        state.last_check_ns == INT64_MIN ? INT64_MIN : state.last_check_ns - options_.window_ns;
    auto [it, fresh] = keep_after.emplace(service, own);
    if (!fresh) it->second = std::min(it->second, own);
    for (const std::string& b : names_.Candidates(service)) {
      auto [bt, added] = keep_after.emplace(b, own);
      if (!added) bt->second = std::min(bt->second, own);
    }
  }
  for (auto& [service, state] : services_) {
    const int64_t after = keep_after[service];
    if (after == INT64_MIN) continue;
    state.slots.erase(state.slots.begin(), state.slots.upper_bound(after));
  }
}

void CanaryPlugin::Baseline(const std::string& service, const ServiceState& state, int64_t from,
                            int64_t t, Aggregate* out, std::string* baseline_service) const {
  for (const std::string& name : names_.Candidates(service)) {
    auto it = services_.find(name);
    if (it == services_.end()) continue;
    Aggregate found;
    const auto& slots = it->second.slots;
    for (auto s = slots.upper_bound(from); s != slots.end() && s->first <= t; ++s) {
      found.Merge(s->second.other);
      found.Merge(s->second.unversioned);
    }
    if (found.requests == 0) continue;
    *out = std::move(found);
    *baseline_service = name;
    return;
  }
  for (auto s = state.slots.upper_bound(from); s != state.slots.end() && s->first <= t; ++s) {
    out->Merge(s->second.other);
  }
}

void CanaryPlugin::RunChecks(const std::string& service, ServiceState& state, int64_t until_ns) {
  const int64_t interval = options_.interval_ns;
  if (state.next_check_ns == INT64_MIN) {
    if (state.slots.empty()) return;
    // The first check whose window holds the first request.
    state.next_check_ns = internal::FloorTo(state.slots.begin()->first - 1, interval) + interval;
  }
  for (; state.next_check_ns <= until_ns; state.next_check_ns += interval) {
    const int64_t t = state.next_check_ns;
    const int64_t from = t - options_.window_ns;  // the window is (from, t]
    const int64_t previous_check = state.last_check_ns;
    state.last_check_ns = t;
    const auto first = state.slots.upper_bound(from);
    if (first == state.slots.end()) {
      // No requests: every check up to until_ns would decide nothing; skip
      // them at once (the watermark may be far ahead of this service).
      state.next_check_ns = internal::FloorTo(until_ns, interval);
      continue;
    }
    if (first->first > t) {
      // A gap: checks until the next request would have no requests either.
      state.next_check_ns = internal::FloorTo(first->first - 1, interval);
      continue;
    }
    Check check;
    check.time_ns = t;
    int64_t version_ns = INT64_MAX;
    for (auto s = first; s != state.slots.end() && s->first <= t; ++s) {
      const ServiceState::Slot& slot = s->second;
      check.canary.Merge(slot.canary);
      if (slot.version_ns < version_ns) {
        version_ns = slot.version_ns;
        check.version = slot.version;
      }
      // Evidence: the latest failed canary requests, each taken at the
      // first check whose window holds it.
      if (s->first > previous_check) {
        for (const Request& q : slot.evidence) {
          state.evidence.push_back(q);
          if (state.evidence.size() > kEvidencePerService) state.evidence.pop_front();
        }
      }
    }
    if (check.canary.requests < options_.min_requests) continue;  // no decision
    Baseline(service, state, from, t, &check.baseline, &check.baseline_service);
    Judge(service, state, std::move(check));
  }
}

void CanaryPlugin::Judge(const std::string& service, ServiceState& state, Check&& check) {
  ++counters_.checks;
  const int64_t t = check.time_ns;
  const int64_t p99 = check.canary.P99();
  const int64_t baseline_p99 = check.baseline.P99();
  const double error_rate = check.canary.ErrorRate();
  const double baseline_rate = check.baseline.ErrorRate();
  const bool judged_relative = check.baseline.requests >= options_.min_baseline_requests;
  const bool relative_rate = options_.max_error_rate_above_baseline >= 0 && judged_relative &&
                             error_rate > baseline_rate + options_.max_error_rate_above_baseline;
  const bool relative_p99 =
      options_.max_p99_ratio_to_baseline > 0 && judged_relative && p99 >= 0 && baseline_p99 > 0 &&
      static_cast<double>(p99) > options_.max_p99_ratio_to_baseline * baseline_p99;
  const bool absolute_rate = options_.absolute && error_rate > options_.max_error_rate;
  const bool absolute_p99 = options_.absolute && p99 > options_.max_p99_ns;
  const bool failed = absolute_rate || absolute_p99 || relative_rate || relative_p99;
  state.series.Add({.time_ns = t,
                    .failed = failed,
                    .strikes = failed ? state.strikes + 1 : 0,
                    .requests = check.canary.requests,
                    .failures = check.canary.failed,
                    .p99_ns = p99,
                    .baseline_requests = check.baseline.requests,
                    .baseline_failures = check.baseline.failed,
                    .baseline_p99_ns = baseline_p99});
  if (!failed) {
    state.strikes = 0;
    state.failing.clear();
    return;
  }
  ++counters_.failed_checks;
  ++state.strikes;
  if (state.strikes == 1) state.first_failed_ns = t;
  state.failing.push_back({t, check.canary.requests, check.canary.failed, p99});
  if (state.failing.size() > kChecksInFinding) state.failing.erase(state.failing.begin());
  if (state.strikes != options_.strikes) return;  // fires once per run of strikes

  Finding f;
  f.kind = "canary_rollback";
  f.severity = Severity::kCritical;
  f.subject = check.version.empty() && names_.IsCanaryService(service)
                  ? service
                  : absl::StrCat(service, "@", check.version);
  f.time_ns = t;
  f.id = FindingId(f.kind, {service, check.version, internal::TimeText(state.first_failed_ns)});
  const std::string baseline_name = check.baseline_service.empty()
                                        ? "baseline"
                                        : absl::StrCat("baseline ", check.baseline_service);
  std::vector<std::string> reasons, criteria;
  if (absolute_rate) {
    reasons.push_back(
        absl::StrCat("error rate ", Percent(error_rate), " > ", Percent(options_.max_error_rate)));
    criteria.push_back("error_rate");
  }
  if (absolute_p99) {
    reasons.push_back(absl::StrCat("p99 ", Millis(p99), " > ", Millis(options_.max_p99_ns)));
    criteria.push_back("p99");
  }
  if (relative_rate) {
    reasons.push_back(absl::StrFormat("error rate %s > %s's %s + %.1f points", Percent(error_rate),
                                      baseline_name, Percent(baseline_rate),
                                      100 * options_.max_error_rate_above_baseline));
    criteria.push_back("error_rate_above_baseline");
  }
  if (relative_p99) {
    reasons.push_back(absl::StrFormat("p99 %s > %g x %s's %s", Millis(p99),
                                      options_.max_p99_ratio_to_baseline, baseline_name,
                                      Millis(baseline_p99)));
    criteria.push_back("p99_ratio_to_baseline");
  }
  f.summary = absl::StrCat(
      absl::AsciiStrToUpper(options_.action), " ", service,
      check.version.empty() ? "" : absl::StrCat(" ", check.version), ": ", options_.strikes,
      " checks in a row failed; at ", internal::TimeText(t), " ", absl::StrJoin(reasons, ", "),
      " over the last ", absl::FormatDuration(absl::Nanoseconds(options_.window_ns)), " (",
      check.canary.requests, " canary requests; ", baseline_name, " error rate ",
      baseline_rate < 0 ? std::string("-") : Percent(baseline_rate), ", p99 ", Millis(baseline_p99),
      ").");
  f.details = {
      {"action", options_.action},
      {"service", service},
      {"version", check.version},
      {"requests", absl::StrCat(check.canary.requests)},
      {"failed", absl::StrCat(check.canary.failed)},
      {"error_rate", absl::StrFormat("%.4f", error_rate)},
      {"p99_ms", p99 < 0 ? "" : absl::StrFormat("%.1f", p99 / 1e6)},
      {"baseline_requests", absl::StrCat(check.baseline.requests)},
      {"baseline_error_rate", baseline_rate < 0 ? "" : absl::StrFormat("%.4f", baseline_rate)},
      {"baseline_p99_ms", baseline_p99 < 0 ? "" : absl::StrFormat("%.1f", baseline_p99 / 1e6)},
      {"strikes", absl::StrCat(options_.strikes)},
      {"first_failed_check", internal::TimeText(state.first_failed_ns)},
      {"window", absl::FormatDuration(absl::Nanoseconds(options_.window_ns))},
      {"interval", absl::FormatDuration(absl::Nanoseconds(options_.interval_ns))},
  };
  std::vector<std::string> checks;
  for (const auto& c : state.failing) {
    checks.push_back(absl::StrCat(internal::TimeText(c.time_ns), " ", c.failed, "/", c.requests,
                                  " failed, p99 ", Millis(c.p99_ns)));
  }
  f.details.push_back({"failed_checks", absl::StrJoin(checks, "; ")});
  f.details.push_back({"checks", state.series.Text()});
  f.details.push_back({"checks_omitted", absl::StrCat(state.series.omitted())});
  if (options_.absolute) {
    f.details.push_back({"max_error_rate", absl::StrFormat("%.4f", options_.max_error_rate)});
    f.details.push_back({"max_p99_ms", absl::StrFormat("%.1f", options_.max_p99_ns / 1e6)});
  }
  // Additions (absent when neither a baseline service nor relative criteria are in play).
  if (!check.baseline_service.empty()) {
    f.details.push_back({"baseline_service", check.baseline_service});
  }
  if (options_.max_error_rate_above_baseline >= 0 || options_.max_p99_ratio_to_baseline > 0) {
    f.details.push_back({"failed_criteria", absl::StrJoin(criteria, ",")});
    if (options_.max_error_rate_above_baseline >= 0) {
      f.details.push_back({"max_error_rate_above_baseline",
                           absl::StrFormat("%.4f", options_.max_error_rate_above_baseline)});
    }
    if (options_.max_p99_ratio_to_baseline > 0) {
      f.details.push_back(
          {"max_p99_ratio_to_baseline", absl::StrFormat("%g", options_.max_p99_ratio_to_baseline)});
    }
  }
  for (const Request& e : state.evidence) {
    f.evidence.push_back(
        internal::PluginEvidence(sources_, e.source_id, e.line_no, e.time_ns, e.text));
  }
  state.decisions.push_back(std::move(f));
}

}  // namespace logweave

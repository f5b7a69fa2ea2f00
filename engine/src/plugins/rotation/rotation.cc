#include "plugins/rotation/rotation.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "plugins/common.h"

namespace logweave {

namespace {

constexpr size_t kRotationEvidenceBytes = 400;  // of each evidence line, at most this much
constexpr size_t kResolvedKept = 100;           // resolved incidents a final analysis reports
constexpr int64_t kSecondNs = 1'000'000'000;

std::string DurationText(int64_t ns) { return absl::FormatDuration(absl::Nanoseconds(ns)); }

}  // namespace

RotationPlugin::RotationPlugin(const RotationOptions& options, const SourceNames& sources)
    : OptionsRulePlugin(options, sources, options.max_pending) {
  for (const auto& [secret, services] : options_.secrets) {
    auto& listed = secrets_[SecretName(secret)];
    listed.insert(listed.end(), services.begin(), services.end());
    for (const std::string& s : services) mapped_services_.insert(s);
  }
}

RotationPlugin::~RotationPlugin() = default;

bool RotationPlugin::Take(const Record& r, RotationItem* item) const {
  if (r.kind == RecordKind::kEmpty || !r.time_known() || !internal::PluginTimeInRange(r.time_ns)) {
    return false;
  }
  // Every line moves "now" on, to within a second (few writes to the shared atomic).
  int64_t newest = newest_ns_.load(std::memory_order_relaxed);
  if (r.time_ns > newest + kSecondNs) {
    while (r.time_ns > newest &&
           !newest_ns_.compare_exchange_weak(newest, r.time_ns, std::memory_order_relaxed)) {
    }
  }
  const bool json = r.kind == RecordKind::kJson;
  if (!reader_.Read(json ? internal::ServiceJson(r) : r.message, json, &item->signal)) {
    return false;
  }
  item->time_ns = r.time_ns;
  item->source_id = r.source_id;
  item->line_no = r.line_no;
  item->service.assign(r.service);
  item->text.assign(r.raw.substr(0, kRotationEvidenceBytes));
  return true;
}

void RotationPlugin::Keep(RotationItem&& item) {
  if (item.time_ns <= applied_through_) {
    // Behind lines already applied: applied at once, out of order, and counted.
    ++counters_.late;
    Apply(item);
    return;
  }
  pending_.push_back(std::move(item));
  if (pending_.size() >= options_.max_pending) {
    // The watermark is held back (a quiet source): apply the older half now
    // rather than hold more than max_pending signals.
    ++counters_.applied_early;
    SortPending();
    const size_t half = pending_.size() / 2;
    for (size_t i = 0; i < half; ++i) {
      Apply(pending_[i]);
      applied_through_ = std::max(applied_through_, pending_[i].time_ns);
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(half));
  }
}

void RotationPlugin::SortPending() {
  // Event-time order; at one time (CloudTrail has whole seconds) rotations
  // first, then by the line's bytes: the same order whatever order lines came in.
  std::sort(pending_.begin(), pending_.end(), [](const RotationItem& a, const RotationItem& b) {
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    if (a.signal.kind != b.signal.kind) return a.signal.kind < b.signal.kind;
    return a.line_hash < b.line_hash;
  });
}

void RotationPlugin::Decide(int64_t watermark_ns, std::vector<Finding>* out) {
  const bool complete = watermark_ns == INT64_MAX;
  const int64_t limit =
      complete ? INT64_MAX : internal::SettledThrough(watermark_ns, options_.lateness_ns);
  SortPending();
  size_t applied = 0;
  for (; applied < pending_.size() && pending_[applied].time_ns <= limit; ++applied) {
    Apply(pending_[applied]);
    applied_through_ = std::max(applied_through_, pending_[applied].time_ns);
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(applied));
  if (!complete) applied_through_ = std::max(applied_through_, limit);
  // What "now" is: the settled time, or for complete data the newest line seen.
  const int64_t now =
      complete ? std::max(applied_through_, newest_ns_.load(std::memory_order_relaxed)) : limit;
  for (auto& [service, state] : services_) {
    if (state.open && now - state.incident.last_ns >= options_.resolve_after_ns) {
      Resolve(service, state, state.incident.last_ns + options_.resolve_after_ns, "quiet");
    }
  }
  // Rotations too old to explain anything from now on.
  for (auto it = rotations_.begin(); applied_through_ != INT64_MIN && it != rotations_.end();) {
    auto& list = it->second;
    while (!list.empty() && list.front().line.time_ns < applied_through_ - options_.window_ns) {
      list.pop_front();
    }
    it = list.empty() ? rotations_.erase(it) : std::next(it);
  }
  for (const auto& [service, state] : services_) {
    if (state.open) out->push_back(MakeFinding(service, state.incident));
  }
  // A complete replay also shows what happened and recovered within it.
  if (complete) {
    for (const auto& [service, incident] : resolved_)
      out->push_back(MakeFinding(service, incident));
  }
}

void RotationPlugin::Apply(RotationItem& item) {
  const RotationSignal& s = item.signal;
  switch (s.kind) {
    case RotationSignal::kRotation: {
      ++counters_.rotations;
      auto& list = rotations_[s.secret];
      Rotation rotation{s.secret, s.event,
                        Line{item.time_ns, item.source_id, item.line_no, std::move(item.text)}};
      // In time order (a late one goes to its place).
      auto at = std::upper_bound(list.begin(), list.end(), item.time_ns,
                                 [](int64_t t, const Rotation& r) { return t < r.line.time_ns; });
      list.insert(at, std::move(rotation));
      return;
    }
    case RotationSignal::kFailedRotation:
      ++counters_.failed_rotations;
      return;
    case RotationSignal::kAuthFailure:
      ApplyFailure(item, services_[item.service]);
      return;
    case RotationSignal::kDeepHealthOk: {
      auto it = services_.find(item.service);
      if (it == services_.end()) return;
      ServiceState& state = it->second;
      state.run_broken = true;  // it authenticates again
      if (state.open && item.time_ns >= state.incident.first_ns) {
        Resolve(item.service, state, item.time_ns, "deep_health");
      }
      return;
    }
    case RotationSignal::kShallowHealth: {
      ServiceState& state = services_[item.service];
      state.shallow_ns = item.time_ns;
      state.shallow_ok = s.ok;
      if (state.open && item.time_ns >= state.incident.first_ns) {
        state.incident.shallow = s.ok ? Incident::kPassed : Incident::kFailed;
      }
      return;
    }
  }
}

void RotationPlugin::ApplyFailure(RotationItem& item, ServiceState& state) {
  ++counters_.auth_failures;
  const int64_t t = item.time_ns;
  const int64_t quiet = options_.resolve_after_ns;
  if (state.open && t - state.incident.last_ns >= quiet) {
    Resolve(item.service, state, state.incident.last_ns + quiet, "quiet");
  }
  // A failure after a quiet gap (or after the deep health passed) starts a new run.
  if (state.last_failure_ns == INT64_MIN || state.run_broken ||
      t - state.last_failure_ns >= quiet) {
    state.run_start_ns = t;
    state.run_broken = false;
  }
  state.last_failure_ns = std::max(state.last_failure_ns, t);
  Line line{t, item.source_id, item.line_no, std::move(item.text)};
  if (state.open) {
    Incident& incident = state.incident;
    ++incident.failures;
    if (t >= incident.last_ns) {
      incident.last_ns = t;
      incident.latest = std::move(line);
    }
    return;
  }
  const Rotation* rotation = Blame(item.service, state.run_start_ns);
  if (rotation == nullptr) {
    ++counters_.unexplained;
    return;
  }
  ++counters_.incidents;
  state.open = true;
  Incident& incident = state.incident;
  incident = Incident{};
  incident.rotation = *rotation;
  incident.first_ns = incident.last_ns = t;
  incident.failures = 1;
  incident.what = item.signal.what;
  incident.user = item.signal.user;
  incident.first = line;
  incident.latest = std::move(line);
  // Its latest shallow check, if it was made since shortly before the failures began.
  if (state.shallow_ns != INT64_MIN && t - state.shallow_ns <= quiet) {
    incident.shallow = state.shallow_ok ? Incident::kPassed : Incident::kFailed;
  }
}

bool RotationPlugin::MayExplain(const std::string& secret, const std::string& service) const {
  auto it = secrets_.find(secret);
  if (it != secrets_.end()) return internal::Listed(it->second, service);
  return !mapped_services_.contains(service);
}

const RotationPlugin::Rotation* RotationPlugin::Blame(const std::string& service,
                                                      int64_t run_start_ns) const {
  const Rotation* best = nullptr;
  for (const auto& [secret, list] : rotations_) {
    if (!MayExplain(secret, service)) continue;
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      const int64_t t = it->line.time_ns;
      if (t > run_start_ns) continue;                    // after the run began
      if (run_start_ns - t > options_.window_ns) break;  // too long before
      if (best == nullptr || t > best->line.time_ns) best = &*it;
      break;
    }
  }
  return best;
}

void RotationPlugin::Resolve(const std::string& service, ServiceState& state, int64_t time_ns,
                             const char* why) {
  state.open = false;
  state.incident.resolved_ns = time_ns;
  state.incident.resolved_by = why;
  resolved_.emplace_back(service, std::move(state.incident));
  if (resolved_.size() > kResolvedKept) resolved_.pop_front();
}

Finding RotationPlugin::MakeFinding(const std::string& service, const Incident& incident) const {
  Finding f;
  f.kind = "rotation_incomplete";
  f.severity = Severity::kError;
  f.subject = service;
  f.time_ns = incident.first_ns;
  const std::string first = internal::TimeText(incident.first_ns);
  const std::string& secret = incident.rotation.secret;
  f.id = FindingId(f.kind, {secret, service, first});
  // The service's latest shallow health check, by Incident::Shallow: its
  // `shallow_health` detail, and the summary's words.
  static constexpr std::pair<const char*, const char*> kShallowHealth[] = {
      {"unknown", "no shallow health check of it was seen"},
      {"passed", "its shallow health check still passed: Running, but cannot authenticate"},
      {"failed", "its shallow health check failed too"},
  };
  static_assert(Incident::kUnknown == 0 && Incident::kPassed == 1 && Incident::kFailed == 2);
  const auto& [shallow, health] = kShallowHealth[incident.shallow];
  f.resolved = !incident.resolved_by.empty();
  f.summary = absl::StrCat(
      f.resolved ? absl::StrCat("Resolved at ", internal::TimeText(incident.resolved_ns),
                                incident.resolved_by == "deep_health"
                                    ? " (deep health passed): "
                                    : absl::StrCat(" (no failure for ",
                                                   DurationText(options_.resolve_after_ns), "): "))
                 : "",
      service, " cannot authenticate since ", first, ": ", incident.failures,
      incident.failures == 1 ? " authentication failure (" : " authentication failures (",
      incident.what, ") ", DurationText(incident.first_ns - incident.rotation.line.time_ns),
      " after secret ", secret, " was rotated (", incident.rotation.event, " at ",
      internal::TimeText(incident.rotation.line.time_ns), "); ", health, ".");
  f.details = {
      {"service", service},
      {"secret", secret},
      {"rotated_at", internal::TimeText(incident.rotation.line.time_ns)},
      {"rotation_event", incident.rotation.event},
      {"first_failure", first},
      {"last_failure", internal::TimeText(incident.last_ns)},
      {"failures", absl::StrCat(incident.failures)},
      {"failure_kind", incident.what},
      {"db_user", incident.user},
      {"shallow_health", shallow},
      {"window", DurationText(options_.window_ns)},
  };
  if (f.resolved) {
    f.details.push_back({"resolved_at", internal::TimeText(incident.resolved_ns)});
    f.details.push_back({"resolved_by", incident.resolved_by});
  }
  for (const Line* l : {&incident.rotation.line, &incident.first, &incident.latest}) {
    if (l == &incident.latest && incident.failures == 1) break;
    f.evidence.push_back(
        internal::PluginEvidence(sources_, l->source_id, l->line_no, l->time_ns, l->text));
  }
  return f;
}

}  // namespace logweave

#include "config/detectors_section.h"

#include <string>
#include <vector>

namespace logweave::internal {
namespace {

// detectors.missing_service
absl::Status ReadMissingService(const ConfigSection& m, DetectorOptions* o) {
  if (auto s = m.CheckKeys({"share", "min_traces", "expected"}); !s.ok()) return s;
  ConfigReader r(m);
  r.Share("share", &o->expected_share);
  r.Uint("min_traces", 1u << 30, &o->min_traces);
  if (!r.status().ok()) return r.status();
  const YAML::Node& e = m.node()["expected"];
  if (!e || e.IsNull()) return absl::OkStatus();
  if (!e.IsMap()) {
    return m.Error("expected",
                   "must map a trace kind to its services, e.g. {\"POST /checkout\": [payments]}");
  }
  const ConfigSection expected = m.Child("expected");
  ConfigReader kinds(expected);
  for (const std::string& kind : expected.Keys()) {
    std::vector<std::string> services;
    kinds.Names(kind, &services);
    if (!kinds.status().ok()) return kinds.status();
    o->expected_services[kind] = services;
  }
  return absl::OkStatus();
}

// detectors.incomplete_sequence
absl::Status ReadIncompleteSequence(const ConfigSection& q, DetectorOptions* o) {
  if (auto s = q.CheckKeys({"share", "weak_share", "min_traces", "expected"}); !s.ok()) return s;
  ConfigReader r(q);
  r.Share("weak_share", &o->weak_follow_share);
  r.Share("share", &o->follow_share);
  r.Uint("min_traces", 1u << 30, &o->min_event_traces);
  if (!r.status().ok()) return r.status();
  const YAML::Node& e = q.node()["expected"];
  if (!e || e.IsNull()) return absl::OkStatus();
  if (!e.IsSequence()) return q.Error("expected", "must be a list of {service, event, follow}");
  for (const auto& item : e) {
    const ConfigSection one(item, "detectors.incomplete_sequence.expected[].", q.origin());
    if (auto s = one.CheckKeys({"service", "event", "follow"}); !s.ok()) return s;
    if (!item["service"] || !item["event"] || !item["follow"]) {
      return q.ErrorAt(item, "detectors.incomplete_sequence.expected[]",
                       "needs service, event and follow");
    }
    o->expected_sequences.push_back({item["service"].as<std::string>(),
                                     item["event"].as<std::string>(),
                                     item["follow"].as<std::string>()});
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadDetectorsSection(const ConfigSection& d, DetectorOptions* o) {
  ConfigReader r(d, {"trace_idle", "source_idle", "attribution_window", "activity_margin",
                     "missing_service", "incomplete_sequence"});
  r.Duration("trace_idle", /*zero_ok=*/false, &o->trace_idle_ns);
  r.Duration("source_idle", /*zero_ok=*/false, &o->source_idle_ns);
  r.Duration("attribution_window", /*zero_ok=*/false, &o->attribution_window_ns);
  r.Duration("activity_margin", /*zero_ok=*/false, &o->activity_margin_ns);
  if (!r.status().ok()) return r.status();
  if (const YAML::Node& m = d.node()["missing_service"]; m && !m.IsNull()) {
    if (auto s = ReadMissingService(d.Child("missing_service"), o); !s.ok()) return s;
  }
  if (const YAML::Node& q = d.node()["incomplete_sequence"]; q && !q.IsNull()) {
    if (auto s = ReadIncompleteSequence(d.Child("incomplete_sequence"), o); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace logweave::internal

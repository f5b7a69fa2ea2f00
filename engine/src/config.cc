#include "logweave/config.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "internal/strings.h"
#include "yaml-cpp/yaml.h"

namespace logweave {

using internal::Av;
using internal::Sv;

bool ParseByteSize(std::string_view text, uint64_t* out) {
  text = Sv(absl::StripAsciiWhitespace(Av(text)));
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data()) return false;
  std::string unit = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(ptr, text.data() + text.size() - ptr)));
  uint64_t scale = 1;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = 1ull << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = 1ull << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    scale = 1ull << 30;
  } else if (unit == "t" || unit == "tb" || unit == "tib") {
    scale = 1ull << 40;
  } else {
    return false;
  }
  if (value > UINT64_MAX / scale) return false;
  *out = value * scale;
  return true;
}

namespace {

std::string Where(const std::string& origin, const YAML::Node& node) {
  if (node.Mark().line < 0) return origin;
  return absl::StrCat(origin, ":", node.Mark().line + 1);
}

absl::Status Bad(const std::string& origin, const YAML::Node& node, std::string_view key,
                 std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(origin, node), ": ", Av(key), " ", Av(what)));
}

absl::Status CheckKeys(const std::string& origin, const YAML::Node& map, std::string_view prefix,
                       std::initializer_list<std::string_view> known) {
  if (!map.IsMap()) return Bad(origin, map, prefix.empty() ? "the file" : prefix, "must be a map");
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(origin, kv.first), ": unknown key \"", Av(prefix), key, "\"; known keys here: ",
          absl::StrJoin(std::vector<std::string>(known.begin(), known.end()), ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadUint(const std::string& origin, const YAML::Node& node, std::string_view key,
                      uint64_t max, uint64_t* out) {
  std::string text = node.IsScalar() ? node.Scalar() : "";
  uint64_t v;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v > max) {
    return Bad(origin, node, key,
               absl::StrCat("must be a whole number from 0 to ", max, " (got \"", text, "\")"));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ReadSize(const std::string& origin, const YAML::Node& node, std::string_view key,
                      uint64_t* out) {
  if (!node.IsScalar() || !ParseByteSize(node.Scalar(), out)) {
    return Bad(origin, node, key,
               absl::StrCat("must be a byte size such as 1048576, 512KiB or 64MiB (got \"",
                            node.IsScalar() ? node.Scalar() : "a non-scalar", "\")"));
  }
  return absl::OkStatus();
}

absl::Status ReadNames(const std::string& origin, const YAML::Node& node, std::string_view key,
                       std::vector<std::string>* names) {
  std::vector<std::string> extra;
  if (node.IsScalar()) {
    extra.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) return Bad(origin, item, key, "must list JSON keys as strings");
      extra.push_back(item.Scalar());
    }
  } else {
    return Bad(origin, node, key, "must be a key or a list of keys, e.g. [req_trace, traceparent]");
  }
  // Configured names are tried first; built-in names stay as fallbacks.
  for (const auto& name : *names) {
    if (std::find(extra.begin(), extra.end(), name) == extra.end()) extra.push_back(name);
  }
  *names = std::move(extra);
  return absl::OkStatus();
}

absl::Status ReadDuration(const std::string& origin, const YAML::Node& node, std::string_view key,
                          int64_t* out_ns) {
  std::string text = node.IsScalar() ? node.Scalar() : "";
  absl::Duration d;
  double seconds;
  bool ok = false;
  if (absl::SimpleAtod(text, &seconds)) {
    d = absl::Seconds(seconds);
    ok = true;
  } else {
    ok = absl::ParseDuration(text, &d);
  }
  if (!ok || d <= absl::ZeroDuration()) {
    return Bad(
        origin, node, key,
        absl::StrCat("must be a positive duration such as 30s, 500ms or 2m (got \"", text, "\")"));
  }
  *out_ns = absl::ToInt64Nanoseconds(d);
  return absl::OkStatus();
}

absl::Status ReadShare(const std::string& origin, const YAML::Node& node, std::string_view key,
                       double* out) {
  double v;
  if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &v) || !(v > 0 && v <= 1)) {
    return Bad(origin, node, key,
               absl::StrCat("must be a share between 0 and 1, e.g. 0.9 (got \"",
                            node.IsScalar() ? node.Scalar() : "a non-scalar", "\")"));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ReadDetectors(const std::string& origin, const YAML::Node& d, DetectorOptions* o) {
  if (auto s = CheckKeys(origin, d, "detectors.",
                         {"trace_idle", "source_idle", "attribution_window", "activity_margin",
                          "missing_service", "incomplete_sequence"});
      !s.ok()) {
    return s;
  }
  uint64_t v;
  if (d["trace_idle"]) {
    if (auto s = ReadDuration(origin, d["trace_idle"], "detectors.trace_idle", &o->trace_idle_ns);
        !s.ok()) {
      return s;
    }
  }
  if (d["source_idle"]) {
    if (auto s =
            ReadDuration(origin, d["source_idle"], "detectors.source_idle", &o->source_idle_ns);
        !s.ok()) {
      return s;
    }
  }
  if (d["attribution_window"]) {
    if (auto s = ReadDuration(origin, d["attribution_window"], "detectors.attribution_window",
                              &o->attribution_window_ns);
        !s.ok()) {
      return s;
    }
  }
  if (d["activity_margin"]) {
    if (auto s = ReadDuration(origin, d["activity_margin"], "detectors.activity_margin",
                              &o->activity_margin_ns);
        !s.ok()) {
      return s;
    }
  }
  if (const YAML::Node m = d["missing_service"]; m && !m.IsNull()) {
    if (auto s =
            CheckKeys(origin, m, "detectors.missing_service.", {"share", "min_traces", "expected"});
        !s.ok()) {
      return s;
    }
    if (m["share"]) {
      if (auto s =
              ReadShare(origin, m["share"], "detectors.missing_service.share", &o->expected_share);
          !s.ok()) {
        return s;
      }
    }
    if (m["min_traces"]) {
      if (auto s = ReadUint(origin, m["min_traces"], "detectors.missing_service.min_traces",
                            1u << 30, &v);
          !s.ok()) {
        return s;
      }
      o->min_traces = static_cast<uint32_t>(v);
    }
    if (const YAML::Node e = m["expected"]; e && !e.IsNull()) {
      if (!e.IsMap()) {
        return Bad(origin, e, "detectors.missing_service.expected",
                   "must map a trace kind to its services, e.g. {\"POST /checkout\": [payments]}");
      }
      for (const auto& kv : e) {
        std::vector<std::string> names;
        if (auto s = ReadNames(origin, kv.second, "detectors.missing_service.expected", &names);
            !s.ok()) {
          return s;
        }
        o->expected_services[kv.first.as<std::string>()] = names;
      }
    }
  }
  if (const YAML::Node q = d["incomplete_sequence"]; q && !q.IsNull()) {
    if (auto s = CheckKeys(origin, q, "detectors.incomplete_sequence.",
                           {"share", "weak_share", "min_traces", "expected"});
        !s.ok()) {
      return s;
    }
    if (q["weak_share"]) {
      if (auto s = ReadShare(origin, q["weak_share"], "detectors.incomplete_sequence.weak_share",
                             &o->weak_follow_share);
          !s.ok()) {
        return s;
      }
    }
    if (q["share"]) {
      if (auto s = ReadShare(origin, q["share"], "detectors.incomplete_sequence.share",
                             &o->follow_share);
          !s.ok()) {
        return s;
      }
    }
    if (q["min_traces"]) {
      if (auto s = ReadUint(origin, q["min_traces"], "detectors.incomplete_sequence.min_traces",
                            1u << 30, &v);
          !s.ok()) {
        return s;
      }
      o->min_event_traces = static_cast<uint32_t>(v);
    }
    if (const YAML::Node e = q["expected"]; e && !e.IsNull()) {
      if (!e.IsSequence()) {
        return Bad(origin, e, "detectors.incomplete_sequence.expected",
                   "must be a list of {service, event, follow}");
      }
      for (const auto& item : e) {
        if (auto s = CheckKeys(origin, item, "detectors.incomplete_sequence.expected[].",
                               {"service", "event", "follow"});
            !s.ok()) {
          return s;
        }
        if (!item["service"] || !item["event"] || !item["follow"]) {
          return Bad(origin, item, "detectors.incomplete_sequence.expected[]",
                     "needs service, event and follow");
        }
        o->expected_sequences.push_back({item["service"].as<std::string>(),
                                         item["event"].as<std::string>(),
                                         item["follow"].as<std::string>()});
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ReadServe(const std::string& origin, const YAML::Node& root, ServeConfig* serve) {
  if (const YAML::Node s = root["serve"]; s && !s.IsNull()) {
    if (auto st = CheckKeys(
            origin, s, "serve.",
            {"address", "analysis_interval", "state_dir", "follow_start_at", "ingest_nice"});
        !st.ok()) {
      return st;
    }
    if (s["state_dir"]) serve->state_dir = s["state_dir"].as<std::string>();
    if (s["follow_start_at"]) {
      serve->follow_start_at = s["follow_start_at"].as<std::string>();
      if (serve->follow_start_at != "beginning" && serve->follow_start_at != "end") {
        return Bad(origin, s["follow_start_at"], "serve.follow_start_at",
                   "must be beginning or end");
      }
    }
    if (s["address"]) {
      if (!s["address"].IsScalar() || s["address"].Scalar().find(':') == std::string::npos) {
        return Bad(origin, s["address"], "serve.address", "must be host:port, e.g. 127.0.0.1:7070");
      }
      serve->address = s["address"].Scalar();
    }
    if (s["ingest_nice"]) {
      uint64_t nice;
      if (auto st = ReadUint(origin, s["ingest_nice"], "serve.ingest_nice", 19, &nice); !st.ok()) {
        return st;
      }
      serve->ingest_nice = static_cast<int>(nice);
    }
    if (s["analysis_interval"]) {
      if (auto st = ReadDuration(origin, s["analysis_interval"], "serve.analysis_interval",
                                 &serve->analysis_interval_ns);
          !st.ok()) {
        return st;
      }
    }
  }
  if (const YAML::Node k = root["kafka"]; k && !k.IsNull()) {
    if (auto st =
            CheckKeys(origin, k, "kafka.",
                      {"brokers", "group_id", "topics", "start", "service_from", "properties"});
        !st.ok()) {
      return st;
    }
    if (k["brokers"]) serve->kafka_brokers = k["brokers"].as<std::string>();
    if (k["group_id"]) serve->kafka_group_id = k["group_id"].as<std::string>();
    if (k["topics"]) {
      if (auto st = ReadNames(origin, k["topics"], "kafka.topics", &serve->kafka_topics);
          !st.ok()) {
        return st;
      }
    }
    if (k["start"]) serve->kafka_start = k["start"].as<std::string>();
    if (k["service_from"]) serve->kafka_service_from = k["service_from"].as<std::string>();
    if (const YAML::Node props = k["properties"]; props && !props.IsNull()) {
      if (!props.IsMap()) {
        return Bad(origin, props, "kafka.properties",
                   "must map librdkafka properties to values, e.g. {security.protocol: SSL}");
      }
      for (const auto& kv : props) {
        serve->kafka_properties.emplace_back(kv.first.as<std::string>(),
                                             kv.second.as<std::string>());
      }
    }
    if (serve->kafka_brokers.empty() || serve->kafka_topics.empty()) {
      return Bad(origin, k, "kafka", "needs brokers and topics");
    }
  }
  if (const YAML::Node list = root["sources"]; list && !list.IsNull()) {
    if (!list.IsSequence()) {
      return Bad(origin, list, "sources", "must be a list, e.g. [{replay: [logs/]}]");
    }
    for (const auto& item : list) {
      if (auto st = CheckKeys(origin, item, "sources[].", {"replay", "follow", "kafka"});
          !st.ok()) {
        return st;
      }
      if (item["kafka"]) {
        return Bad(origin, item, "sources[]",
                   "kafka sources are configured under `kafka:` (see docs/config.md)");
      }
      for (const char* kind : {"replay", "follow"}) {
        if (!item[kind]) continue;
        std::vector<std::string> paths;
        if (auto st = ReadNames(origin, item[kind], absl::StrCat("sources[].", kind), &paths);
            !st.ok()) {
          return st;
        }
        auto& list = std::string(kind) == "replay" ? serve->replay : serve->follow;
        list.insert(list.end(), paths.begin(), paths.end());
      }
    }
  }
  return absl::OkStatus();
}

// Reads the keys of one plugin section, each into its option, stopping at
// the first bad value (status() says which). A key that is absent leaves
// its option at the default.
class PluginKeyReader {
 public:
  PluginKeyReader(const std::string& origin, const YAML::Node& section, std::string prefix)
      : origin_(origin), section_(section), prefix_(std::move(prefix)) {}

  void Bool(const char* key, bool* out) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
        return Bad(origin_, n, name, "must be true or false");
      }
      *out = n.Scalar() == "true";
      return absl::OkStatus();
    });
  }
  // A key or a list of keys; replaces the default list.
  void Names(const char* key, std::vector<std::string>* out) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      out->clear();
      return ReadNames(origin_, n, name, out);
    });
  }
  template <typename T>
  void Count(const char* key, T* out) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      uint64_t v = 0;
      absl::Status s = ReadUint(origin_, n, name, 1u << 30, &v);
      if (s.ok()) *out = static_cast<T>(v);
      return s;
    });
  }
  // A number in [min, max).
  void Number(const char* key, double min, double max, const char* example, double* out) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      double v;
      if (!n.IsScalar() || !absl::SimpleAtod(n.Scalar(), &v) || !(v >= min && v < max)) {
        return Bad(origin_, n, name,
                   absl::StrCat("must be ", example, " (from ", min, " to below ", max, ")"));
      }
      *out = v;
      return absl::OkStatus();
    });
  }
  void Duration(const char* key, bool zero_ok, int64_t* out_ns) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      if (zero_ok && n.IsScalar() && n.Scalar() == "0") {
        *out_ns = 0;
        return absl::OkStatus();
      }
      return ReadDuration(origin_, n, name, out_ns);
    });
  }
  void Word(const char* key, std::string* out) {
    Step(key, [&](const YAML::Node& n, const std::string& name) {
      if (!n.IsScalar() || n.Scalar().empty()) return Bad(origin_, n, name, "must be a word");
      *out = n.Scalar();
      return absl::OkStatus();
    });
  }
  const absl::Status& status() const { return status_; }

 private:
  template <typename Read>
  void Step(const char* key, Read read) {
    if (status_.ok() && section_[key]) status_ = read(section_[key], prefix_ + key);
  }

  const std::string& origin_;
  const YAML::Node& section_;
  const std::string prefix_;
  absl::Status status_;
};

// plugins.canary (see CanaryOptions; `enabled` defaults to true once the
// section is there).
absl::Status ReadCanary(const std::string& origin, const YAML::Node& c, CanaryOptions* o) {
  if (auto s = CheckKeys(
          origin, c, "plugins.canary.",
          {"enabled", "canary_versions", "services", "version_fields", "latency_fields",
           "status_fields", "latency_unit", "max_error_rate", "max_p99", "interval", "window",
           "strikes", "min_requests", "lateness", "max_pending_requests", "action"});
      !s.ok()) {
    return s;
  }
  o->enabled = true;
  PluginKeyReader r(origin, c, "plugins.canary.");
  r.Bool("enabled", &o->enabled);
  r.Names("canary_versions", &o->canary_versions);
  r.Names("services", &o->services);
  r.Names("version_fields", &o->version_fields);
  r.Names("latency_fields", &o->latency_fields);
  r.Names("status_fields", &o->status_fields);
  r.Duration("latency_unit", /*zero_ok=*/false, &o->latency_unit_ns);
  r.Number("max_error_rate", 0, 1, "a share, e.g. 0.05", &o->max_error_rate);
  r.Duration("max_p99", /*zero_ok=*/false, &o->max_p99_ns);
  r.Duration("interval", /*zero_ok=*/false, &o->interval_ns);
  r.Duration("window", /*zero_ok=*/false, &o->window_ns);
  r.Duration("lateness", /*zero_ok=*/true, &o->lateness_ns);
  r.Count("strikes", &o->strikes);
  r.Count("min_requests", &o->min_requests);
  r.Count("max_pending_requests", &o->max_pending_requests);
  r.Word("action", &o->action);
  return r.status();
}

// plugins.cost (see CostOptions; `enabled` defaults to true once the section is there).
absl::Status ReadCost(const std::string& origin, const YAML::Node& c, CostOptions* o) {
  if (auto s = CheckKeys(
          origin, c, "plugins.cost.",
          {"enabled", "services", "cost_fields", "service_fields", "time_fields", "history_days",
           "min_history_days", "stdevs", "lateness", "max_pending_lines"});
      !s.ok()) {
    return s;
  }
  o->enabled = true;
  PluginKeyReader r(origin, c, "plugins.cost.");
  r.Bool("enabled", &o->enabled);
  r.Names("services", &o->services);
  r.Names("cost_fields", &o->cost_fields);
  r.Names("service_fields", &o->service_fields);
  r.Names("time_fields", &o->time_fields);
  r.Count("history_days", &o->history_days);
  r.Count("min_history_days", &o->min_history_days);
  r.Number("stdevs", 0, 100, "a number of standard deviations, e.g. 2", &o->stdevs);
  r.Duration("lateness", /*zero_ok=*/true, &o->lateness_ns);
  r.Count("max_pending_lines", &o->max_pending_lines);
  return r.status();
}

// plugins.drift (see DriftOptions; `enabled` defaults to true once the section is there).
absl::Status ReadDrift(const std::string& origin, const YAML::Node& c, DriftOptions* o) {
  if (auto s = CheckKeys(
          origin, c, "plugins.drift.",
          {"enabled", "terraform_state", "live_rules", "ignore_groups", "max_pending_events"});
      !s.ok()) {
    return s;
  }
  o->enabled = true;
  PluginKeyReader r(origin, c, "plugins.drift.");
  r.Bool("enabled", &o->enabled);
  r.Word("terraform_state", &o->terraform_state);
  r.Word("live_rules", &o->live_rules);
  r.Names("ignore_groups", &o->ignore_groups);
  r.Count("max_pending_events", &o->max_pending_events);
  return r.status();
}

absl::StatusOr<PipelineOptions> FromYaml(const YAML::Node& root, const std::string& origin) {
  PipelineOptions options;
  if (root.IsNull()) return options;  // an empty file: all defaults
  if (absl::Status s =
          CheckKeys(origin, root, "",
                    {"threads", "queue_bytes", "max_line_bytes", "batch_lines", "batch_bytes",
                     "index", "fields", "detectors", "plugins", "serve", "sources"});
      !s.ok()) {
    return s;
  }
  uint64_t v;
  if (root["threads"]) {
    if (auto s = ReadUint(origin, root["threads"], "threads", 1024, &v); !s.ok()) return s;
    options.threads = static_cast<uint32_t>(v);
  }
  if (root["queue_bytes"]) {
    if (auto s = ReadSize(origin, root["queue_bytes"], "queue_bytes", &options.queue_bytes);
        !s.ok()) {
      return s;
    }
    if (options.queue_bytes < (1u << 20)) {
      return Bad(origin, root["queue_bytes"], "queue_bytes",
                 absl::StrCat("must be at least 1MiB (got ", options.queue_bytes, ")"));
    }
  }
  if (root["max_line_bytes"]) {
    if (auto s = ReadSize(origin, root["max_line_bytes"], "max_line_bytes", &v); !s.ok()) return s;
    if (v == 0 || v > (1u << 30)) {
      return Bad(origin, root["max_line_bytes"], "max_line_bytes", "must be between 1 and 1GiB");
    }
    options.batching.max_line_bytes = static_cast<uint32_t>(v);
  }
  if (root["batch_lines"]) {
    if (auto s = ReadUint(origin, root["batch_lines"], "batch_lines", 1u << 20, &v); !s.ok()) {
      return s;
    }
    if (v == 0) return Bad(origin, root["batch_lines"], "batch_lines", "must be at least 1");
    options.batching.batch_lines = static_cast<uint32_t>(v);
  }
  if (root["batch_bytes"]) {
    if (auto s = ReadSize(origin, root["batch_bytes"], "batch_bytes", &v); !s.ok()) return s;
    if (v == 0 || v > (1u << 30)) {
      return Bad(origin, root["batch_bytes"], "batch_bytes", "must be between 1 and 1GiB");
    }
    options.batching.batch_bytes = static_cast<uint32_t>(v);
  }
  if (const YAML::Node index = root["index"]; index && !index.IsNull()) {
    if (auto s =
            CheckKeys(origin, index, "index.", {"shards", "dedupe", "dedupe_window", "max_bytes"});
        !s.ok()) {
      return s;
    }
    if (index["dedupe_window"]) {
      if (auto s = ReadUint(origin, index["dedupe_window"], "index.dedupe_window", 1ull << 32,
                            &options.index.dedupe_window);
          !s.ok()) {
        return s;
      }
    }
    if (index["max_bytes"]) {
      if (auto s =
              ReadSize(origin, index["max_bytes"], "index.max_bytes", &options.index.max_bytes);
          !s.ok()) {
        return s;
      }
      if (options.index.max_bytes != 0 && options.index.max_bytes < (64ull << 20)) {
        return Bad(origin, index["max_bytes"], "index.max_bytes",
                   absl::StrCat("must be 0 (no limit) or at least 64MiB (got ",
                                options.index.max_bytes, ")"));
      }
    }
    if (index["shards"]) {
      if (auto s = ReadUint(origin, index["shards"], "index.shards", 4096, &v); !s.ok()) return s;
      options.index.shards = static_cast<uint32_t>(v);
    }
    if (index["dedupe"]) {
      std::string b = absl::AsciiStrToLower(index["dedupe"].Scalar());
      if (b != "true" && b != "false") {
        return Bad(origin, index["dedupe"], "index.dedupe", "must be true or false");
      }
      options.index.dedupe = b == "true";
    }
  }
  if (const YAML::Node fields = root["fields"]; fields && !fields.IsNull()) {
    if (auto s = CheckKeys(origin, fields, "fields.",
                           {"trace_id", "time", "level", "service", "message", "route"});
        !s.ok()) {
      return s;
    }
    FieldNames& f = options.parser.fields;
    for (auto [key, names] : {std::pair{"trace_id", &f.trace_id}, std::pair{"time", &f.time},
                              std::pair{"level", &f.level}, std::pair{"service", &f.service},
                              std::pair{"message", &f.message}, std::pair{"route", &f.route}}) {
      if (!fields[key]) continue;
      if (auto s = ReadNames(origin, fields[key], absl::StrCat("fields.", key), names); !s.ok()) {
        return s;
      }
    }
  }
  if (const YAML::Node d = root["detectors"]; d && !d.IsNull()) {
    if (auto s = ReadDetectors(origin, d, &options.detectors); !s.ok()) return s;
  }
  if (const YAML::Node p = root["plugins"]; p && !p.IsNull()) {
    if (auto s = CheckKeys(origin, p, "plugins.", {"canary", "cost", "drift"}); !s.ok()) return s;
    if (const YAML::Node c = p["canary"]; c && !c.IsNull()) {
      if (auto s = ReadCanary(origin, c, &options.plugins.canary); !s.ok()) return s;
    }
    if (const YAML::Node c = p["cost"]; c && !c.IsNull()) {
      if (auto s = ReadCost(origin, c, &options.plugins.cost); !s.ok()) return s;
    }
    if (const YAML::Node c = p["drift"]; c && !c.IsNull()) {
      if (auto s = ReadDrift(origin, c, &options.plugins.drift); !s.ok()) return s;
    }
  }
  if (absl::Status s = options.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", s.message()));
  }
  return options;
}

}  // namespace

uint64_t ServeIndexBudget(uint64_t physical_memory) {
  return std::max<uint64_t>(physical_memory / 2, 64ull << 20);
}

absl::StatusOr<Config> LoadFullConfigString(const std::string& yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  try {
    Config config;
    absl::StatusOr<PipelineOptions> pipeline = FromYaml(root, origin);
    if (!pipeline.ok()) return pipeline.status();
    config.pipeline = *pipeline;
    if (!root.IsNull()) {
      if (absl::Status s = ReadServe(origin, root, &config.serve); !s.ok()) return s;
      const YAML::Node index = root["index"];
      config.serve.index_max_bytes_given = index && index.IsMap() && index["max_bytes"];
    }
    return config;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ":", e.mark.line + 1, ": ", e.msg));
  }
}

absl::StatusOr<Config> LoadFullConfigFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("config: \"", path, "\" is a directory; give the path of a YAML file"));
  }
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config: cannot open \"", path, "\"; check the path given to --config"));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Config> config = LoadFullConfigString(text.str(), path);
  if (!config.ok()) return config;
  // Files the config names are found relative to the config's own directory.
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  for (std::string* file : {&config->pipeline.plugins.drift.terraform_state,
                            &config->pipeline.plugins.drift.live_rules}) {
    if (!file->empty() && std::filesystem::path(*file).is_relative()) {
      *file = (dir / *file).lexically_normal().string();
    }
  }
  return config;
}

absl::StatusOr<PipelineOptions> LoadConfigString(const std::string& yaml,
                                                 const std::string& origin) {
  absl::StatusOr<Config> config = LoadFullConfigString(yaml, origin);
  if (!config.ok()) return config.status();
  return config->pipeline;
}

absl::StatusOr<PipelineOptions> LoadConfigFile(const std::string& path) {
  absl::StatusOr<Config> config = LoadFullConfigFile(path);
  if (!config.ok()) return config.status();
  return config->pipeline;
}

}  // namespace logweave

// The config loader: the engine's own sections, the rule plugins' sections
// through the plugin registry, and every other section through the parser
// the caller registered for it.
#include "logweave/config.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "logweave/file_text.h"
#include "plugins/registry.h"
#include "redact/redactor.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace logweave {
namespace {

// The top-level keys the engine reads itself, in the order it reads them.
constexpr std::string_view kEngineKeys[] = {
    "threads", "queue_bytes", "max_line_bytes", "batch_lines", "batch_bytes",
    "index",   "fields",      "detectors",      "plugins",     "redact"};

bool Given(const YAML::Node& node) { return node && !node.IsNull(); }

absl::Status ReadIndex(const ConfigSection& index, IndexOptions* o) {
  ConfigReader r(index, {"shards", "dedupe", "dedupe_window", "max_bytes", "lines_in_files"});
  r.Uint("dedupe_window", 1024, 1ull << 32, &o->dedupe_window);
  r.Size("max_bytes", &o->max_bytes);
  if (!r.status().ok()) return r.status();
  if (o->max_bytes != 0 && o->max_bytes < (64ull << 20)) {
    return index.Error("max_bytes", absl::StrCat("must be 0 (no limit) or at least 64MiB (got ",
                                                 o->max_bytes, ")"));
  }
  r.Uint("shards", 4096, &o->shards);
  r.Bool("dedupe", &o->dedupe);
  r.Bool("lines_in_files", &o->lines_in_files);
  return r.status();
}

absl::Status ReadFields(const ConfigSection& fields, FieldNames* f) {
  ConfigReader r(fields, {"trace_id", "time", "level", "service", "message", "route"});
  for (auto [key, names] : {std::pair{"trace_id", &f->trace_id}, std::pair{"time", &f->time},
                            std::pair{"level", &f->level}, std::pair{"service", &f->service},
                            std::pair{"message", &f->message}, std::pair{"route", &f->route}}) {
    r.NamesFirst(key, names);  // configured names first, the built-in ones after them
  }
  return r.status();
}

// detectors.missing_service
absl::Status ReadMissingService(const ConfigSection& m, DetectorOptions* o) {
  if (auto s = m.CheckKeys({"share", "min_traces", "expected"}); !s.ok()) return s;
  ConfigReader r(m);
  r.Share("share", &o->expected_share);
  r.Uint("min_traces", 1, 1u << 30, &o->min_traces);
  if (!r.status().ok()) return r.status();
  const YAML::Node& e = m.node()["expected"];
  if (!Given(e)) return absl::OkStatus();
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
  r.Uint("min_traces", 1, 1u << 30, &o->min_event_traces);
  if (!r.status().ok()) return r.status();
  const YAML::Node& e = q.node()["expected"];
  if (!Given(e)) return absl::OkStatus();
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

// detectors: the detectors' windows and what they expect.
absl::Status ReadDetectors(const ConfigSection& d, DetectorOptions* o) {
  ConfigReader r(d, {"trace_idle", "source_idle", "attribution_window", "activity_margin",
                     "missing_service", "incomplete_sequence"});
  r.Duration("trace_idle", /*zero_ok=*/false, &o->trace_idle_ns);
  r.Duration("source_idle", /*zero_ok=*/false, &o->source_idle_ns);
  r.Duration("attribution_window", /*zero_ok=*/false, &o->attribution_window_ns);
  r.Duration("activity_margin", /*zero_ok=*/false, &o->activity_margin_ns);
  if (!r.status().ok()) return r.status();
  if (Given(d.node()["missing_service"])) {
    if (auto s = ReadMissingService(d.Child("missing_service"), o); !s.ok()) return s;
  }
  if (Given(d.node()["incomplete_sequence"])) {
    if (auto s = ReadIncompleteSequence(d.Child("incomplete_sequence"), o); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// redact: {enabled, fields, patterns: [{name, pattern}]}; the patterns are
// compiled here, so that a bad one is named with its line.
absl::Status ReadRedact(const ConfigSection& redact, RedactOptions* o) {
  ConfigReader r(redact, {"enabled", "fields", "patterns"});
  r.Bool("enabled", &o->enabled);
  r.Names("fields", &o->fields);
  if (!r.status().ok()) return r.status();
  if (redact.Has("patterns")) {
    const YAML::Node patterns = redact.node()["patterns"];
    if (!patterns.IsSequence()) {
      return redact.Error("patterns", "must be a list of {name: NAME, pattern: RE2}");
    }
    for (const YAML::Node& item : patterns) {
      const ConfigSection rule(item, "redact.patterns[].", redact.origin());
      ConfigReader p(rule, {"name", "pattern"});
      std::string name, pattern;
      p.Word("name", &name);
      p.Word("pattern", &pattern);
      if (!p.status().ok()) return p.status();
      if (name.empty() || pattern.empty()) {
        return redact.ErrorAt(item, "patterns[]", "needs both name and pattern");
      }
      o->patterns.emplace_back(name, pattern);
    }
  }
  if (absl::StatusOr<std::unique_ptr<internal::Redactor>> made = internal::Redactor::Create(*o);
      !made.ok()) {
    return redact.Error("patterns", std::string(made.status().message()));
  }
  return absl::OkStatus();
}

// plugins: each key is a rule plugin's section, read by the plugin
// registered under that name; configs are kept in the registry's order.
absl::Status ReadPlugins(const ConfigSection& plugins,
                         std::vector<std::shared_ptr<const RulePluginConfig>>* out) {
  std::vector<std::string> known;
  for (const internal::RulePluginEntry& entry : internal::RulePluginRegistry()) {
    known.emplace_back(entry.name);
  }
  if (auto s = plugins.CheckKeys(known); !s.ok()) return s;
  for (const internal::RulePluginEntry& entry : internal::RulePluginRegistry()) {
    const std::string name(entry.name);
    if (!Given(plugins.node()[name])) continue;  // `canary:` alone: as if absent
    absl::StatusOr<std::shared_ptr<const RulePluginConfig>> config =
        entry.read(plugins.Child(name));
    if (!config.ok()) return config.status();
    out->push_back(std::move(*config));
  }
  return absl::OkStatus();
}

// The engine's own sections of `root` (a map) into `options`.
absl::Status ReadEngineSections(const ConfigSection& root, PipelineOptions* options) {
  ConfigReader r(root);
  r.Uint("threads", 1024, &options->threads);
  r.Size("queue_bytes", &options->queue_bytes);
  if (!r.status().ok()) return r.status();
  if (options->queue_bytes != 0 && options->queue_bytes < (1u << 20)) {  // 0: chosen
    return root.Error("queue_bytes",
                      absl::StrCat("must be at least 1MiB, or 0 for the default (got ",
                                   options->queue_bytes, ")"));
  }
  uint64_t v = options->batching.max_line_bytes;
  r.Size("max_line_bytes", &v);
  if (!r.status().ok()) return r.status();
  if (v == 0 || v > LineBatcherOptions::kMaxLineBytesLimit) {
    return root.Error("max_line_bytes", "must be between 1 and 1GiB");
  }
  options->batching.max_line_bytes = static_cast<uint32_t>(v);
  r.Uint("batch_lines", 1, 1u << 20, &options->batching.batch_lines);
  if (!r.status().ok()) return r.status();
  v = options->batching.batch_bytes;
  r.Size("batch_bytes", &v);
  if (!r.status().ok()) return r.status();
  if (v == 0 || v > (1u << 30)) return root.Error("batch_bytes", "must be between 1 and 1GiB");
  options->batching.batch_bytes = static_cast<uint32_t>(v);
  const YAML::Node& node = root.node();
  if (Given(node["index"])) {
    if (auto s = ReadIndex(root.Child("index"), &options->index); !s.ok()) return s;
  }
  if (Given(node["fields"])) {
    if (auto s = ReadFields(root.Child("fields"), &options->parser.fields); !s.ok()) return s;
  }
  if (Given(node["detectors"])) {
    if (auto s = ReadDetectors(root.Child("detectors"), &options->detectors); !s.ok()) return s;
  }
  if (Given(node["plugins"])) {
    if (auto s = ReadPlugins(root.Child("plugins"), &options->plugins); !s.ok()) return s;
  }
  if (Given(node["redact"])) {
    if (auto s = ReadRedact(root.Child("redact"), &options->parser.redact); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> FromYaml(const YAML::Node& node, const std::string& origin,
                                const std::string& dir, const ConfigSections& sections) {
  Config config;
  if (node.IsNull()) return config;  // an empty file: all defaults
  const ConfigSection root(node, "", origin, dir);
  std::vector<std::string> known(std::begin(kEngineKeys), std::end(kEngineKeys));
  for (const auto& [key, parser] : sections) {
    if (std::find(known.begin(), known.end(), key) != known.end()) {
      return absl::InternalError(
          absl::StrCat("config: section \"", key, "\" is the engine's; it cannot be registered"));
    }
    known.push_back(key);
  }
  if (absl::Status s = root.CheckKeys(known); !s.ok()) return s;
  if (absl::Status s = ReadEngineSections(root, &config.pipeline); !s.ok()) return s;
  if (absl::Status s = config.pipeline.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", s.message()));
  }
  const YAML::Node index = node["index"];
  config.index_max_bytes_given = index && index.IsMap() && index["max_bytes"];
  for (const std::string& key : root.Keys()) {
    auto parser = sections.find(key);
    if (parser == sections.end() || !Given(node[key])) continue;
    if (absl::Status s = parser->second(root.Child(key)); !s.ok()) return s;
  }
  return config;
}

// The YAML documents in `yaml` that hold anything (a line that is neither blank nor a comment
// between "---" lines), and in `first` where the first of them starts. yaml-cpp 0.7's LoadAll
// can loop without end on malformed input, so the text is counted instead.
size_t CountYamlDocuments(std::string_view yaml, size_t* first) {
  size_t documents = 0, start = 0, pos = 0;
  bool content = false;
  *first = 0;
  while (pos < yaml.size()) {
    const size_t eol = std::min(yaml.find('\n', pos), yaml.size());
    std::string_view line = yaml.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t line_start = pos;
    pos = eol + 1;
    if (line == "---" || line.starts_with("--- ")) {
      documents += content;
      content = false;
      start = line_start;
      continue;
    }
    const size_t text = line.find_first_not_of(" \t");
    if (text != std::string_view::npos && line[text] != '#' && !content) {
      content = true;
      if (documents == 0) *first = start;
    }
  }
  return documents + content;
}

// Nodes a config may have, aliases counted where they are used: far above any real config,
// far below what an alias bomb expands to.
constexpr size_t kMaxConfigNodes = 200'000;

// INVALID_ARGUMENT if a map in `node` has a key twice: YAML keeps one of them and the other
// setting would be ignored without a word.
absl::Status CheckNoKeyTwice(const YAML::Node& node, const std::string& origin, size_t& budget) {
  if (budget == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": more than ", kMaxConfigNodes,
                     " values (aliases expanded); a config is smaller"));
  }
  --budget;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (absl::Status s = CheckNoKeyTwice(item, origin, budget); !s.ok()) return s;
    }
  } else if (node.IsMap()) {
    absl::flat_hash_set<std::string> keys;
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && !keys.insert(entry.first.Scalar()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ":", entry.first.Mark().line + 1, ": key \"", entry.first.Scalar(),
                         "\" is given twice in the same map; only one would count: keep one"));
      }
      if (absl::Status s = CheckNoKeyTwice(entry.second, origin, budget); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> Load(const std::string& yaml, const std::string& origin,
                            const std::string& dir, const ConfigSections& sections) {
  YAML::Node root;
  try {
    size_t first = 0;
    if (const size_t documents = CountYamlDocuments(yaml, &first); documents > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": holds ", documents,
          " YAML documents (separated by ---); a config is one: merge them into one map"));
    }
    root = YAML::Load(first == 0 ? yaml : yaml.substr(first));
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp says only "bad file"
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", e.mark.line + 1, ": not valid YAML: nested more than ",
                     e.depth() - 1, " levels deep (a config is a few levels deep)"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  try {
    size_t budget = kMaxConfigNodes;
    if (absl::Status s = CheckNoKeyTwice(root, origin, budget); !s.ok()) return s;
    return FromYaml(root, origin, dir, sections);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ":", e.mark.line + 1, ": ", e.msg));
  }
}

}  // namespace

absl::StatusOr<Config> LoadFullConfigString(const std::string& yaml, const std::string& origin,
                                            const ConfigSections& sections) {
  return Load(yaml, origin, /*dir=*/"", sections);
}

absl::StatusOr<Config> LoadFullConfigFile(const std::string& path, const ConfigSections& sections) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("config: \"", path, "\" is a directory; give the path of a YAML file"));
  }
  // A config is a few KiB; a path to a device or a log file by mistake stops here.
  constexpr uint64_t kMaxConfigBytes = 16 << 20;
  absl::StatusOr<std::string> text =
      ReadFileText(path, absl::StrCat("config: \"", path, "\""), kMaxConfigBytes);
  if (text.status().code() == absl::StatusCode::kInvalidArgument) return text.status();
  if (!text.ok()) {
    return absl::NotFoundError(
        absl::StrCat("config: cannot open \"", path, "\"; check the path given to --config"));
  }
  // Files the config names are found relative to the config's own directory.
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return Load(*text, path, dir.empty() ? "." : dir, sections);
}

absl::StatusOr<PipelineOptions> LoadConfigString(const std::string& yaml, const std::string& origin,
                                                 const ConfigSections& sections) {
  absl::StatusOr<Config> config = LoadFullConfigString(yaml, origin, sections);
  if (!config.ok()) return config.status();
  return std::move(config->pipeline);
}

absl::StatusOr<PipelineOptions> LoadConfigFile(const std::string& path,
                                               const ConfigSections& sections) {
  absl::StatusOr<Config> config = LoadFullConfigFile(path, sections);
  if (!config.ok()) return config.status();
  return std::move(config->pipeline);
}

}  // namespace logweave

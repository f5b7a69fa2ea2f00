// One section of the YAML config file, and the reading of its keys into an
// Options struct. The engine reads its own sections with it, and so does
// every component that registers a parser for a section of its own
// (ConfigSections in config.h): a connector's `kafka:`, a rule plugin's
// `plugins.canary:`. Errors name the file, the line and the whole key:
//
//   config.yaml:7: kafka.topics must be a key or a list of keys, e.g. [a, b]
//
// Example, a parser for `kafka: {brokers: ..., topics: [...]}`:
//
//   absl::Status ReadKafka(const ConfigSection& section, KafkaSourceOptions* out) {
//     ConfigReader r(section, {"brokers", "topics"});  // other keys: an error
//     r.Word("brokers", &out->brokers);
//     r.Names("topics", &out->topics);
//     return r.status();
//   }
//
// Both classes are thread-compatible values; nothing here is kept after the
// config is read.
#ifndef LOGWEAVE_CONFIG_SECTION_H_
#define LOGWEAVE_CONFIG_SECTION_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace logweave {

// A map of the config: a top-level section or a map inside one.
class ConfigSection {
 public:
  // `node`: the section's YAML. `prefix`: what its keys' full names start
  // with ("kafka.", "plugins.canary."; "" for the whole file). `origin`: the
  // file's path (or "config" for text), named in errors. `dir`: the
  // directory relative paths in the file are read from ("": as given).
  ConfigSection(YAML::Node node, std::string prefix, std::string origin, std::string dir = "");

  const YAML::Node& node() const { return node_; }
  const std::string& prefix() const { return prefix_; }
  const std::string& origin() const { return origin_; }

  // The map under `key`, its keys named prefix + key + ".".
  ConfigSection Child(std::string_view key) const;
  // Whether `key` is given with a value (a key given as null counts as absent).
  bool Has(std::string_view key) const;
  // The keys of the section, in file order (none unless it is a map).
  std::vector<std::string> Keys() const;
  // For a key whose value is a map of names the user chooses (services,
  // headers): OK if `key` is absent; INVALID_ARGUMENT "<key> <not_a_map>" if
  // its value is not a map; else `read(map, name)` for each name of the map
  // (Child(key)) in file order, returning the first error.
  absl::Status ForEachInMap(std::string_view key, std::string_view not_a_map,
                            const std::function<absl::Status(const ConfigSection& map,
                                                             const std::string& name)>& read) const;

  // OK if the section is a map whose keys are all in `known`; else
  // INVALID_ARGUMENT naming the first other key, its line and `known`.
  absl::Status CheckKeys(std::initializer_list<std::string_view> known) const;
  absl::Status CheckKeys(const std::vector<std::string>& known) const;

  // INVALID_ARGUMENT "<origin>:<line>: <prefix><key> <what>", at the line of
  // `key` (of the section when `key` is absent or empty).
  absl::Status Error(std::string_view key, std::string_view what) const;
  // Same, at the line of `node` (an item inside the section).
  absl::Status ErrorAt(const YAML::Node& node, std::string_view name, std::string_view what) const;

  // `path` read relative to the config file's directory (absolute paths and
  // text configs: unchanged).
  std::string ResolvePath(const std::string& path) const;

 private:
  YAML::Node node_;
  std::string prefix_;
  std::string origin_;
  std::string dir_;
};

// Reads keys of one section into options, each with its rule, and stops at
// the first bad value (status() says which key and why). A key that is
// absent leaves its option as it was (the default).
class ConfigReader {
 public:
  // `section` must outlive the reader.
  explicit ConfigReader(const ConfigSection& section) : section_(section) {}
  // Same, and first checks that the section is a map with only `known` keys
  // (ConfigSection::CheckKeys): if not, status() says so and nothing is read.
  ConfigReader(const ConfigSection& section, std::initializer_list<std::string_view> known)
      : section_(section), status_(section.CheckKeys(known)) {}

  // true or false (any case).
  void Bool(std::string_view key, bool* out);
  // A key or a list of keys; replaces `out`.
  void Names(std::string_view key, std::vector<std::string>* out);
  // A key or a list of keys, tried before the ones in `out`, which stay as
  // fallbacks (a name given again moves to the front).
  void NamesFirst(std::string_view key, std::vector<std::string>* out);
  // A whole number from `min` (0 if not given) to `max`.
  void Uint(std::string_view key, uint64_t min, uint64_t max, uint64_t* out);
  template <typename T>
  void Uint(std::string_view key, uint64_t min, uint64_t max, T* out) {
    uint64_t v = static_cast<uint64_t>(*out);
    Uint(key, min, max, &v);
    *out = static_cast<T>(v);
  }
  template <typename T>
  void Uint(std::string_view key, uint64_t max, T* out) {
    Uint(key, 0, max, out);
  }
  // A whole number from 0 to 2^30.
  template <typename T>
  void Count(std::string_view key, T* out) {
    Uint(key, uint64_t{1} << 30, out);
  }
  // A byte size (ParseByteSize).
  void Size(std::string_view key, uint64_t* out);
  // A number in [min, max); `example` says what it is ("a share, e.g. 0.05").
  void Number(std::string_view key, double min, double max, std::string_view example, double* out);
  // A share in (0, 1].
  void Share(std::string_view key, double* out);
  // A positive duration (30s, 500ms, 2m, or a number of seconds), in
  // nanoseconds; with `zero_ok`, "0" too.
  void Duration(std::string_view key, bool zero_ok, int64_t* out_ns);
  // Same, into an absl::Duration.
  void Duration(std::string_view key, bool zero_ok, absl::Duration* out);
  // A non-empty scalar.
  void Word(std::string_view key, std::string* out);
  // Any scalar, empty included.
  void Text(std::string_view key, std::string* out);
  // A non-empty path, relative to the config file's directory.
  void Path(std::string_view key, std::string* out);

  const absl::Status& status() const { return status_; }

 private:
  // Runs `read(node, full_name)` for `key` if it is given and nothing failed yet.
  template <typename Read>
  void Step(std::string_view key, Read read);

  const ConfigSection& section_;
  absl::Status status_;
};

// Parses a byte size: a plain number or one with a unit: 512, 64KiB, 64KB, 1M, 1MiB, 2G.
// Units are binary (K = 1024). False for anything else.
bool ParseByteSize(std::string_view text, uint64_t* out);

}  // namespace logweave

#endif  // LOGWEAVE_CONFIG_SECTION_H_

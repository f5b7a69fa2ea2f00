// The YAML configuration file, read once at the edge into Options structs.
//
//   KafkaSourceOptions kafka;
//   ConfigSections sections = {
//       {"kafka", [&](const ConfigSection& s) { return ReadKafkaSection(s, &kafka); }}};
//   absl::StatusOr<Config> config = LoadFullConfigFile("logweave.yaml", sections);
//
// The engine reads its own top-level keys (all optional; docs/config.md has
// every key and its default):
//   threads, queue_bytes, max_line_bytes, batch_lines, batch_bytes,
//   index: {...}, fields: {...}, detectors: {...},
//   plugins: {<name>: {...}}   each read by the rule plugin registered under
//                              that name (engine/src/plugins/registry.cc)
// and hands every other top-level section to the parser the caller
// registered for it (a connector's `kafka:`, the server's `serve:`). A key
// that no one registered is an error that names it and the known keys. A
// section given with no value (`serve:`) is as if absent.
#ifndef LOGWEAVE_CONFIG_H_
#define LOGWEAVE_CONFIG_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/config_section.h"
#include "logweave/options.h"

namespace logweave {

// Reads one top-level section into the caller's options (captured by the
// function). OK, or INVALID_ARGUMENT naming the key (ConfigSection::Error).
// Called once per load, on the loading thread, after the engine's sections
// were read and validated, in the file's order.
using ConfigSectionParser = std::function<absl::Status(const ConfigSection& section)>;
// Parsers by top-level key. Keys the engine reads itself cannot be registered.
using ConfigSections = std::map<std::string, ConfigSectionParser, std::less<>>;

struct Config {
  PipelineOptions pipeline;
  // Whether the file set index.max_bytes (0 included), so that a daemon
  // picks a budget of its own only when it did not.
  bool index_max_bytes_given = false;
};

// Reads and validates a config file. NOT_FOUND if it cannot be opened;
// INVALID_ARGUMENT naming the file, line and key for a bad value or an
// unknown key; a section parser's error as it returned it. Paths in the file
// (plugins.drift.terraform_state, ...) are relative to its directory.
absl::StatusOr<Config> LoadFullConfigFile(const std::string& path,
                                          const ConfigSections& sections = {});
// Same, from YAML text. `origin` names it in error messages; paths stay as written.
absl::StatusOr<Config> LoadFullConfigString(const std::string& yaml,
                                            const std::string& origin = "config",
                                            const ConfigSections& sections = {});

// The pipeline's options of LoadFullConfigFile / LoadFullConfigString.
absl::StatusOr<PipelineOptions> LoadConfigFile(const std::string& path,
                                               const ConfigSections& sections = {});
absl::StatusOr<PipelineOptions> LoadConfigString(const std::string& yaml,
                                                 const std::string& origin = "config",
                                                 const ConfigSections& sections = {});

}  // namespace logweave

#endif  // LOGWEAVE_CONFIG_H_

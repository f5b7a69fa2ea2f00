// How the logweave command sets up its own logs (logweave/log.h): the global
// flags --log-format and --log-level, accepted anywhere on the command line,
// and the config file's `log:` section (log.format, log.level), which only
// `serve` reads. Precedence: flag, then config, then the default (serve: JSON
// when stderr is not a terminal; the one-shot commands: text).
//
//   LogFlags log_flags;
//   if (absl::Status s = ExtractLogFlags(&args, &log_flags); !s.ok()) ...  // in main
//   ApplyLogSettings(log_flags, config.log, "serve");                     // in serve
#ifndef LOGWEAVE_TOOLS_LOG_SETTINGS_H_
#define LOGWEAVE_TOOLS_LOG_SETTINGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "logweave/config_section.h"
#include "logweave/log.h"

namespace logweave::cli {

// The global flags, as given (nullopt: not given).
struct LogFlags {
  std::optional<LogFormat> format = {};  // --log-format json|text
  std::optional<LogLevel> level = {};    // --log-level debug|info|warn|error
};

// The `log:` section of the config file (nullopt: not set).
struct LogSettings {
  std::optional<LogFormat> format = {};  // log.format: json | text (default: by terminal)
  std::optional<LogLevel> level = {};    // log.level: debug | info | warn | error (default info)
};

// The help line of the global flags, for usage texts.
extern const char kLogFlagsHelp[];

// Removes --log-format/--log-level (with a value or =value) from `args`
// (up to a "--") into `out`. INVALID_ARGUMENT for a missing or bad value.
absl::Status ExtractLogFlags(std::vector<std::string>* args, LogFlags* out);

// Reads `log:` into `out`; INVALID_ARGUMENT naming the key.
absl::Status ReadLogSection(const ConfigSection& section, LogSettings* out);

// Sets the process's log options (SetLogOptions): flags over `config`, and
// where neither says, `default_format` and info. `component` prefixes lines.
void ApplyLogSettings(const LogFlags& flags, const LogSettings& config, LogFormat default_format,
                      const std::string& component);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOG_SETTINGS_H_

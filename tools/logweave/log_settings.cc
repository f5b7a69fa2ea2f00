#include "tools/logweave/log_settings.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace logweave::cli {

const char kLogFlagsHelp[] =
    "global flags (any command, anywhere on the line):\n"
    "  --log-format json|text   logweave's own log lines on stderr (serve's default: json\n"
    "                           when stderr is not a terminal, else text; config log.format)\n"
    "  --log-level LEVEL        debug, info, warn or error (default info; config log.level)\n";

namespace {

// Parses `value` of flag `name` into `out`.
absl::Status SetFlag(const std::string& name, const std::string& value, LogFlags* out) {
  if (name == "log-format") {
    absl::StatusOr<LogFormat> f = ParseLogFormat(value);
    if (!f.ok())
      return absl::InvalidArgumentError(absl::StrCat("--", name, " ", f.status().message()));
    out->format = *f;
  } else {
    absl::StatusOr<LogLevel> l = ParseLogLevel(value);
    if (!l.ok())
      return absl::InvalidArgumentError(absl::StrCat("--", name, " ", l.status().message()));
    out->level = *l;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExtractLogFlags(std::vector<std::string>* args, LogFlags* out) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& a = (*args)[i];
    if (a == "--") {
      kept.insert(kept.end(), args->begin() + static_cast<std::ptrdiff_t>(i), args->end());
      break;
    }
    bool matched = false;
    for (const std::string name : {"log-format", "log-level"}) {
      const std::string flag = "--" + name;
      if (a == flag) {
        if (i + 1 == args->size()) {
          return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
        }
        if (absl::Status s = SetFlag(name, (*args)[++i], out); !s.ok()) return s;
        matched = true;
      } else if (absl::StartsWith(a, flag + "=")) {
        if (absl::Status s = SetFlag(name, a.substr(flag.size() + 1), out); !s.ok()) return s;
        matched = true;
      }
    }
    if (!matched) kept.push_back(a);
  }
  *args = std::move(kept);
  return absl::OkStatus();
}

absl::Status ReadLogSection(const ConfigSection& section, LogSettings* out) {
  if (absl::Status s = section.CheckKeys({"format", "level"}); !s.ok()) return s;
  ConfigReader r(section);
  std::string format, level;
  r.Word("format", &format);
  r.Word("level", &level);
  if (!r.status().ok()) return r.status();
  if (!format.empty()) {
    absl::StatusOr<LogFormat> f = ParseLogFormat(format);
    if (!f.ok()) return section.Error("format", "must be json or text");
    out->format = *f;
  }
  if (!level.empty()) {
    absl::StatusOr<LogLevel> l = ParseLogLevel(level);
    if (!l.ok()) return section.Error("level", "must be debug, info, warn or error");
    out->level = *l;
  }
  return absl::OkStatus();
}

void ApplyLogSettings(const LogFlags& flags, const LogSettings& config, LogFormat default_format,
                      const std::string& component) {
  LogOptions options;
  options.format = flags.format.value_or(config.format.value_or(default_format));
  options.level = flags.level.value_or(config.level.value_or(LogLevel::kInfo));
  options.component = component;
  SetLogOptions(options);
}

}  // namespace logweave::cli

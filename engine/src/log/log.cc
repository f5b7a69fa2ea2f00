#include "logweave/log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "logweave/enum_names.h"
#include "logweave/utf8.h"

namespace logweave {
namespace {

// The process's log options: set once by main, read by every Log call.
struct Settings {
  absl::Mutex mu;
  LogOptions options ABSL_GUARDED_BY(mu);
};

Settings& ProcessSettings() {
  static Settings* const settings = new Settings;  // never destroyed: threads may log at exit
  return *settings;
}

std::string Valid(std::string_view bytes) {
  std::string out;
  AppendValidUtf8(bytes, &out);
  return out;
}

void WriteAll(int fd, const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing log
    done += static_cast<size_t>(n);
  }
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "json") return LogFormat::kJson;
  if (lower == "text") return LogFormat::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("must be json or text (got \"", Valid(name), "\")"));
}

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("must be debug, info, warn or error (got \"", Valid(name), "\")"));
}

std::string_view LogLevelName(LogLevel level) {
  constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
  static_assert(NamesCover(kNames, LogLevel::kError), "a log level without a name");
  return NameOf(kNames, level, "info");
}

LogFormat DefaultLogFormat(int fd) { return ::isatty(fd) ? LogFormat::kText : LogFormat::kJson; }

void SetLogOptions(const LogOptions& options) {
  Settings& s = ProcessSettings();
  absl::MutexLock lock(&s.mu);
  s.options = options;
}

LogOptions GetLogOptions() {
  Settings& s = ProcessSettings();
  absl::MutexLock lock(&s.mu);
  return s.options;
}

std::string FormatLogLine(const LogOptions& options, absl::Time now, LogLevel level,
                          std::string_view msg, const std::vector<LogField>& fields) {
  if (options.format == LogFormat::kText) {
    return absl::StrCat("logweave", options.component.empty() ? "" : " ", options.component, ": ",
                        Valid(msg), "\n");
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](std::string_view s) {
    const std::string valid = Valid(s);
    w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  };
  w.StartObject();
  w.Key("ts");
  string(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()));
  w.Key("level");
  string(LogLevelName(level));
  w.Key("service");
  string("logweave");
  if (!options.component.empty()) {
    w.Key("component");
    string(options.component);
  }
  w.Key("msg");
  string(msg);
  for (const LogField& field : fields) {
    string(field.key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            string(v);
          } else if constexpr (std::is_same_v<T, uint64_t>) {
            w.Uint64(v);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            w.Int64(v);
          } else if constexpr (std::is_same_v<T, double>) {
            w.Double(v);
          } else {
            w.Bool(v);
          }
        },
        field.value);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void Log(LogLevel level, std::string_view msg, const std::vector<LogField>& fields) {
  const LogOptions options = GetLogOptions();
  if (level < options.level) return;
  WriteAll(options.fd, FormatLogLine(options, absl::Now(), level, msg, fields));
}

}  // namespace logweave

// logweave's own diagnostics: one line per event on stderr, as JSON lines
// (what log shippers and logweave itself index) or as the plain text a person
// reads on a terminal.
//
//   LogOptions options;
//   options.format = LogFormat::kJson;
//   options.component = "serve";
//   SetLogOptions(options);                      // once, in main, before threads start
//   Log(LogLevel::kInfo, "ready: 120 lines indexed", {{"lines", uint64_t{120}}});
//   // {"ts":"2026-12-05T18:30:00.123Z","level":"info","service":"logweave",
//   //  "component":"serve","msg":"ready: 120 lines indexed","lines":120}
//   // text: "logweave serve: ready: 120 lines indexed"
//
// The text form is the message alone (the fields are the figures it already
// names, kept apart for machines). The JSON keys are ones logweave's parser
// reads by default (ts, level, service, msg), so `logweave replay` of its own
// log indexes these lines as JSON events of the service "logweave".
#ifndef LOGWEAVE_LOG_H_
#define LOGWEAVE_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace logweave {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// How and what the process logs. Thread-compatible value.
struct LogOptions {
  LogFormat format = LogFormat::kText;  // --log-format, log.format
  LogLevel level = LogLevel::kInfo;     // --log-level, log.level: lines below it are dropped
  // Who logs: "serve" prints "logweave serve: msg" in text and "component":"serve"
  // in JSON; empty prints "logweave: msg" and no component.
  std::string component = {};
  int fd = 2;  // where lines go (stderr); one write(2) per line
};

// One extra key of a JSON line.
struct LogField {
  std::string key;
  std::variant<std::string, uint64_t, int64_t, double, bool> value;
};

// "json" or "text"; INVALID_ARGUMENT naming the choices otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name);
// "debug", "info", "warn" (or "warning") or "error"; INVALID_ARGUMENT otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name);
// "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);

// The format when none is chosen: JSON when `fd` is not a terminal (a
// container runtime, systemd, a file), text on a terminal.
LogFormat DefaultLogFormat(int fd = 2);

// The process-wide options every Log call uses (default: LogOptions{}).
// Thread-safe; meant to be set by main before it starts threads.
void SetLogOptions(const LogOptions& options);
LogOptions GetLogOptions();

// Writes one line if `level` is at least the configured level. Thread-safe;
// a line is written whole (one write call), never interleaved with another.
void Log(LogLevel level, std::string_view msg, const std::vector<LogField>& fields = {});

// The line Log writes for these options at time `now`, with its "\n".
// Invalid UTF-8 in `msg` or string fields is replaced (the line stays JSON).
std::string FormatLogLine(const LogOptions& options, absl::Time now, LogLevel level,
                          std::string_view msg, const std::vector<LogField>& fields);

}  // namespace logweave

#endif  // LOGWEAVE_LOG_H_

// Small helpers the rule plugins share.
#ifndef LOGWEAVE_PLUGINS_COMMON_H_
#define LOGWEAVE_PLUGINS_COMMON_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "logweave/file_text.h"
#include "logweave/finding.h"
#include "logweave/index.h"
#include "logweave/record.h"
#include "parse/time_parse.h"

namespace logweave::internal {

// Plugins ignore times further than this from 1970 (~146 years), so that the
// check and day boundaries they compute never overflow int64.
inline constexpr int64_t kMaxPluginTimeNs = int64_t{1} << 62;

inline bool PluginTimeInRange(int64_t time_ns) {
  return time_ns <= kMaxPluginTimeNs && time_ns >= -kMaxPluginTimeNs;
}

// `t` rounded down to a multiple of `step` (> 0), also for negative times.
inline int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

// RFC 3339 UTC with milliseconds, as FormatTimestamp writes it.
inline std::string TimeText(int64_t ns) {
  char buf[48];
  return std::string(buf, FormatTimestamp(ns, buf));
}

// A UTC day in nanoseconds, and day number `day` (days since 1970-01-01) as
// YYYY-MM-DD.
inline constexpr int64_t kDayNs = 86'400'000'000'000;
inline std::string DayText(int64_t day) { return TimeText(day * kDayNs).substr(0, 10); }

// The last event time a streaming plugin may treat as settled: `lateness`
// before the watermark, the watermark clamped so that nothing overflows.
inline int64_t SettledThrough(int64_t watermark_ns, int64_t lateness_ns) {
  return std::clamp(watermark_ns, -kMaxPluginTimeNs, kMaxPluginTimeNs) - lateness_ns;
}

// The JSON a service wrote on this line: a container runtime's wrapper holds
// it in `message`.
inline std::string_view ServiceJson(const Record& r) {
  return (r.flags & kRecordContainerWrapped) ? r.message : r.raw;
}

// The keys an HTTP response status is logged under, best first (OpenTelemetry's
// semantic conventions, ECS, pino, the usual hand-written spellings).
inline constexpr std::string_view kHttpStatusKeys[] = {"status",
                                                       "status_code",
                                                       "statusCode",
                                                       "http_status",
                                                       "http.status_code",
                                                       "http.status",
                                                       "http.response.status_code",
                                                       "response.status",
                                                       "response.status_code",
                                                       "res.statusCode"};

// Whether `value` is one of `list`.
inline bool Listed(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The keys from the config, then the built-in ones: the order a picker slot tries them in.
inline std::vector<std::string> ConfiguredThenBuiltin(const std::vector<std::string>& configured,
                                                      std::span<const std::string_view> builtin) {
  std::vector<std::string> keys = configured;
  keys.insert(keys.end(), builtin.begin(), builtin.end());
  return keys;
}

// An evidence line of a plugin's finding.
inline EvidenceLine PluginEvidence(const SourceNames& sources, uint32_t source_id, uint64_t line_no,
                                   int64_t time_ns, const std::string& text) {
  return EvidenceLine{std::string(sources.Name(source_id)), line_no, time_ns, text};
}

// `options` with `enabled` set, if they are valid: what a plugin's Create
// starts from (the config may have left `enabled` to the pipeline).
template <typename Options>
absl::StatusOr<Options> EnabledOptions(Options options) {
  options.enabled = true;
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  return options;
}

// The whole of a file a plugin or a one-shot command reads (a state, a
// snapshot, a bill). NOT_FOUND "cannot read PATH: REASON".
inline absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileText(path, absl::StrCat("cannot read ", path));
  if (!text.ok()) return absl::NotFoundError(text.status().message());
  return text;
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_COMMON_H_

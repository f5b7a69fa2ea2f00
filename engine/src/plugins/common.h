// Small helpers the rule plugins share.
#ifndef LOGWEAVE_PLUGINS_COMMON_H_
#define LOGWEAVE_PLUGINS_COMMON_H_

#include <cstdint>
#include <string>

#include "logweave/time_parse.h"

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

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_COMMON_H_

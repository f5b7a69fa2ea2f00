// The config file's settings of the follow source, read into FollowOptions
// (keys and defaults: docs/config.md): two keys of the `serve:` section and
// the `follow:` items of `sources:`. Read for `logweave replay` and `serve`
// through tools/logweave/serve_config.cc.
//
//   serve:
//     state_dir: /var/lib/logweave        # FollowOptions::state_dir
//     follow_start_at: end                # FollowOptions::start_at
//   sources:
//     - follow: [/var/log/app/*.log]      # FollowOptions::paths
#ifndef LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_CONFIG_H_
#define LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_CONFIG_H_

#include "absl/status/status.h"
#include "connectors/follow/follow_source.h"
#include "logweave/config_section.h"

namespace logweave {

// The keys of `serve:` that ReadFollowServeKeys reads.
inline constexpr std::string_view kFollowServeKeys[] = {"state_dir", "follow_start_at"};

// Reads serve.state_dir and serve.follow_start_at (beginning or end) from
// `serve` into `out`; other keys are the caller's. INVALID_ARGUMENT naming the key.
absl::Status ReadFollowServeKeys(const ConfigSection& serve, FollowOptions* out);

// Appends the paths (or globs) of a `follow:` item of `sources:` (`item`,
// named sources[]) to out->paths. INVALID_ARGUMENT naming the key.
absl::Status ReadFollowPaths(const ConfigSection& item, FollowOptions* out);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FOLLOW_FOLLOW_CONFIG_H_

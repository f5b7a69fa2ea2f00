#include "connectors/follow/follow_config.h"

#include <string>
#include <vector>

namespace logweave {

absl::Status ReadFollowServeKeys(const ConfigSection& serve, FollowOptions* out) {
  ConfigReader r(serve);
  r.Text("state_dir", &out->state_dir);
  r.Text("follow_start_at", &out->start_at);
  if (!r.status().ok()) return r.status();
  if (out->start_at != "beginning" && out->start_at != "end") {
    return serve.Error("follow_start_at", "must be beginning or end");
  }
  return absl::OkStatus();
}

absl::Status ReadFollowPaths(const ConfigSection& item, FollowOptions* out) {
  std::vector<std::string> paths;
  ConfigReader r(item);
  r.Names("follow", &paths);
  if (!r.status().ok()) return r.status();
  out->paths.insert(out->paths.end(), paths.begin(), paths.end());
  return absl::OkStatus();
}

}  // namespace logweave

// logweave serve's plan: its flags, and what it runs once the config file is
// read and the flags are applied (ServePlan). Used by serve_command.cc only;
// thread-compatible values and functions of the command's main thread.
#ifndef LOGWEAVE_TOOLS_LOGWEAVE_SERVE_PLAN_H_
#define LOGWEAVE_TOOLS_LOGWEAVE_SERVE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "connectors/follow/follow_source.h"
#include "connectors/grpc/peers/peer_set.h"
#include "connectors/grpc/server.h"
#include "connectors/kafka/kafka_source.h"
#include "logweave/runtime.h"
#include "tools/logweave/command_config.h"

namespace logweave::cli {

// Goes on: the value the steps below return when they did not end the command.
constexpr int kGoOn = -1;

// Logs "[what: ]message" as an error ("logweave serve: ..." in text) and
// returns `exit_code`.
int Fail(int exit_code, const absl::Status& status, const char* what = nullptr);

// serve's command line.
struct ServeFlags {
  std::string config_path, address;
  absl::Duration interval;  // --analysis-interval; zero: not given
  uint64_t threads = 0;
  bool final = false;
  bool check = false;
  bool copy_lines = false;
  std::vector<std::string> follow;
  std::string state_dir;
  bool demo_kafka = false;
  std::string kafka_brokers, kafka_group;
  absl::Duration kafka_rebuild_window = absl::ZeroDuration();  // zero: the config's
  std::vector<std::string> kafka_topics;
  std::vector<std::string> paths;
  ServerSecurityOptions security;  // --tls-*, --auth-tokens, --allow-insecure
  std::string http_address;
  std::string peers;                                   // --peers a:7070,b:7070
  absl::Duration peer_timeout = absl::ZeroDuration();  // --peer-timeout; zero: the config's
};

// Reads the flags into `f`. Returns kGoOn, or the exit code (usage error, --help).
int ParseServeFlags(const std::vector<std::string>& args, ServeFlags* f);

// What serve runs: the config file with the flags applied.
struct ServePlan {
  CommandConfig config;
  RuntimeOptions runtime;  // its pipeline options are set by SetIndexBudget
  ServerOptions server;
  PeerOptions peers;         // no peers: answers alone
  std::string http_address;  // empty: no HTTP listener
  KafkaSourceOptions kafka;
  std::vector<std::string> replay;  // read before ready
  std::vector<std::string> follow;  // followed after ready
  std::string state_dir;
  bool follow_stdin = false;  // PATH "-": streamed until EOF, not replayed before ready
  bool demo_kafka = false;
  bool final = false;
};

// Reads the config file and applies the flags. Returns kGoOn, or kExitUsage
// (a config that cannot be read or is invalid, a bad flag value).
int ReadSettings(const ServeFlags& flags, ServePlan* out);

// Without index.max_bytes in the config, the index keeps at most half of the
// memory the process may use (and says so unless `quiet`). Completes
// settings->runtime.pipeline.
void SetIndexBudget(ServePlan* settings, bool quiet = false);

// The follow source's options of `settings`.
FollowOptions FollowOptionsOf(const ServePlan& settings);

// --check: validates what serve would run, starting nothing. Returns kExitOk
// (and says so on stdout) or kExitUsage (and says what is wrong).
int CheckPlan(ServePlan* settings);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOGWEAVE_SERVE_PLAN_H_

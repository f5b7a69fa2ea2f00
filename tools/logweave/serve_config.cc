#include "tools/logweave/serve_config.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "connectors/follow/follow_config.h"
#include "connectors/grpc/security/security_config.h"

namespace logweave::cli {

absl::Status ReadServeSection(const ConfigSection& s, ServeSettings* serve, FollowOptions* follow) {
  std::vector<std::string> known = {"address", "analysis_interval", "ingest_nice"};
  known.insert(known.end(), std::begin(kFollowServeKeys), std::end(kFollowServeKeys));
  known.insert(known.end(), std::begin(kServerSecurityKeys), std::end(kServerSecurityKeys));
  known.insert(known.end(), {"wal", "wal_max_bytes", "http_address"});
  known.insert(known.end(), {"peers", "peer_timeout", "peer_resolve_interval", "peer_tls_ca",
                             "peer_token_file"});
  if (absl::Status st = s.CheckKeys(known); !st.ok()) return st;
  if (absl::Status st = ReadFollowServeKeys(s, follow); !st.ok()) return st;
  if (absl::Status st = ReadServerSecurity(s, &serve->security); !st.ok()) return st;
  if (s.Has("address")) {
    const YAML::Node address = s.node()["address"];
    if (!address.IsScalar() || address.Scalar().find(':') == std::string::npos) {
      return s.Error("address", "must be host:port, e.g. 127.0.0.1:7070");
    }
    serve->address = address.Scalar();
  }
  if (s.Has("http_address")) {
    const YAML::Node address = s.node()["http_address"];
    if (!address.IsScalar() || address.Scalar().find(':') == std::string::npos) {
      return s.Error("http_address", "must be host:port, e.g. 127.0.0.1:9090");
    }
    serve->http_address = address.Scalar();
  }
  ConfigReader r(s);
  r.Uint("ingest_nice", 19, &serve->ingest_nice);
  r.Duration("analysis_interval", /*zero_ok=*/false, &serve->analysis_interval_ns);
  r.Bool("wal", &serve->wal);
  r.Size("wal_max_bytes", &serve->wal_max_bytes);
  if (s.Has("peers") && s.node()["peers"].IsScalar()) {  // "a:7070,b:7070"
    serve->peers.peers = SplitPeerList(s.node()["peers"].Scalar());
  } else {
    r.Names("peers", &serve->peers.peers);
  }
  r.Duration("peer_timeout", /*zero_ok=*/false, &serve->peers.timeout);
  r.Duration("peer_resolve_interval", /*zero_ok=*/false, &serve->peers.resolve_interval);
  r.Path("peer_tls_ca", &serve->peers.tls_ca);
  r.Path("peer_token_file", &serve->peers.token_file);
  if (!r.status().ok()) return r.status();
  if (absl::Status st = serve->peers.Validate(); !st.ok()) {
    // An entry that is not host:port: said at its line.
    constexpr absl::string_view kPeers = "serve.peers: ";
    if (!absl::StartsWith(st.message(), kPeers)) return st;
    return s.Error("peers", std::string(st.message().substr(kPeers.size())));
  }
  return r.status();
}

absl::Status ReadSourcesSection(const ConfigSection& s, ServeSettings* serve,
                                FollowOptions* follow) {
  if (!s.node().IsSequence()) {
    return s.Error("", "must be a list, e.g. [{replay: [logs/]}]");
  }
  for (const auto& node : s.node()) {
    const ConfigSection item(node, "sources[].", s.origin());
    if (absl::Status st = item.CheckKeys({"replay", "follow", "kafka"}); !st.ok()) return st;
    if (item.Has("kafka")) {
      return s.ErrorAt(node, "sources[]",
                       "kafka sources are configured under `kafka:` (see docs/config.md)");
    }
    ConfigReader r(item);
    std::vector<std::string> paths;
    r.Names("replay", &paths);
    if (!r.status().ok()) return r.status();
    serve->replay.insert(serve->replay.end(), paths.begin(), paths.end());
    if (absl::Status st = ReadFollowPaths(item, follow); !st.ok()) return st;
  }
  return absl::OkStatus();
}

void ServerSecurityFlags(FlagSet& flags, ServerSecurityOptions* out) {
  flags.String("tls-cert", &out->tls_cert, "FILE",
               "serve over TLS with this PEM certificate (chain); needs --tls-key. Re-read "
               "when it changes (serve.tls.cert)");
  flags.String("tls-key", &out->tls_key, "FILE",
               "the PEM private key of --tls-cert (serve.tls.key)");
  flags.String("tls-client-ca", &out->tls_client_ca, "FILE",
               "mTLS: refuse clients without a certificate this CA signed (serve.tls.client_ca)");
  flags.String("auth-tokens", &out->auth_tokens, "FILE",
               "every call needs one of these bearer tokens (one per line: TOKEN [read|admin]; "
               "serve.auth_tokens)");
  flags.Bool("allow-insecure", &out->allow_insecure,
             "allow listening beyond loopback without TLS or tokens (serve.allow_insecure)");
}

uint64_t ServeIndexBudget(uint64_t physical_memory) {
  return std::max<uint64_t>(physical_memory / 2, 64ull << 20);
}

uint64_t AvailableMemory() {
  uint64_t limit =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    uint64_t value = 0;
    if (in >> value && value > 0) limit = std::min(limit, value);  // "max": no number, no limit
  }
  return limit;
}

uint64_t DefaultIndexBudget(const PipelineOptions& options) {
  return std::max(ServeIndexBudget(AvailableMemory()), options.MinMaxBytes());
}

}  // namespace logweave::cli

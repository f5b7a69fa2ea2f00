// logweave probe URL: one HTTP GET, for container health checks in images
// without curl (debian:bookworm-slim has none). Exit 0 on a 2xx answer, 1 on
// any other answer or no answer, 2 on a usage error.
#include <httplib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "tools/flags/flags.h"
#include "tools/logweave/commands.h"

namespace logweave::cli {
namespace {

constexpr char kProbeDescription[] =
    R"(GETs URL once and exits 0 if the answer is 2xx, else 1 (the status or the
connection error on stderr). For HEALTHCHECK in the container image, where
no curl is installed:

  logweave probe http://127.0.0.1:7071/healthz

https:// URLs verify the server's certificate unless --insecure (a probe of
the local listener, whose certificate names the service, not 127.0.0.1).
)";

}  // namespace

int RunProbe(const std::vector<std::string>& args) {
  FlagSet flags("logweave probe", "[flags] URL", kProbeDescription);
  absl::Duration timeout = absl::Seconds(2);
  bool insecure = false;
  flags.Duration("timeout", &timeout, "DURATION", "connect and read timeout (default 2s)");
  flags.Bool("insecure", &insecure, "https: do not verify the server's certificate");
  std::vector<std::string> urls;
  if (int code = flags.ParseCommand(args, &urls); code >= 0) return code;
  const bool https = urls.size() == 1 && absl::StartsWith(urls[0], "https://");
  if (urls.size() != 1 || !(https || absl::StartsWith(urls[0], "http://"))) {
    std::fputs("logweave probe: give exactly one http:// or https:// URL\n", stderr);
    return kExitUsage;
  }
  const std::string& url = urls[0];
  const size_t path_at = url.find('/', url.find("://") + 3);
  const std::string origin = url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  httplib::Client client(origin);
  client.enable_server_certificate_verification(!insecure);
  const int64_t us = std::max<int64_t>(1, absl::ToInt64Microseconds(timeout));
  client.set_connection_timeout(us / 1000000, us % 1000000);
  client.set_read_timeout(us / 1000000, us % 1000000);
  httplib::Result res = client.Get(path);
  if (!res) {
    std::fprintf(stderr, "logweave probe: GET %s: %s\n", url.c_str(),
                 httplib::to_string(res.error()).c_str());
    return kExitRuntimeError;
  }
  if (res->status < 200 || res->status >= 300) {
    std::fprintf(stderr, "logweave probe: GET %s: HTTP %d %s\n", url.c_str(), res->status,
                 res->body.substr(0, 200).c_str());
    return kExitRuntimeError;
  }
  return kExitOk;
}

}  // namespace logweave::cli

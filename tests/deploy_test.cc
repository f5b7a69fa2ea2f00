// The deployment files (issue 21, items 4-6) checked against the binary and
// the install layout, since images cannot be built nor clusters reached here:
// deploy/logweave.yaml through the real config parser and `serve --check`,
// the ConfigMap equal to it, `cmake --install`'s layout, the Dockerfile's
// user, paths, ports and probe, and every Kubernetes manifest's flags, config
// keys, probe paths, ports, security settings and volumes. Also `logweave
// probe`, the image's health check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "testdata/run_command.h"
#include "tools/logweave/command_config.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kSource = LOGWEAVE_SOURCE_DIR;
const std::string kBin = LOGWEAVE_BIN;

std::string ReadAll(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path).rdbuf();
  return s.str();
}

testdata::CommandResult Sh(const std::string& command) {
  return testdata::RunCommand(command, ::testing::TempDir() + "/deploy_test.err");
}

// The port of "host:port".
int PortOf(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  return port;
}

// Kubernetes quantities of memory: 3Gi, 2560Mi, 512M.
uint64_t Bytes(const std::string& quantity) {
  static const std::map<std::string, uint64_t> kUnits = {
      {"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30}, {"", 1}};
  for (const auto& [unit, factor] : kUnits) {
    if (unit.empty() || !absl::EndsWith(quantity, unit)) continue;
    uint64_t n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(quantity.substr(0, quantity.size() - unit.size()), &n));
    return n * factor;
  }
  uint64_t n = 0;
  EXPECT_TRUE(absl::SimpleAtoi(quantity, &n)) << quantity;
  return n;
}

// Every document of every manifest in deploy/k8s.
std::vector<YAML::Node> Manifests() {
  std::vector<YAML::Node> docs;
  for (const auto& e : fs::directory_iterator(kSource + "/deploy/k8s")) {
    if (e.path().extension() != ".yaml") continue;
    for (const YAML::Node& d : YAML::LoadAllFromFile(e.path().string())) {
      if (d.IsMap()) docs.push_back(d);
    }
  }
  return docs;
}

YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind,
                const std::string& name) {
  for (const YAML::Node& d : docs) {
    if (d["kind"].as<std::string>() == kind && d["metadata"]["name"].as<std::string>() == name) {
      return d;
    }
  }
  ADD_FAILURE() << "no " << kind << " " << name << " in deploy/k8s";
  return YAML::Node();
}

std::string ServeHelp() {
  testdata::CommandResult r = Sh(kBin + " serve --help");
  EXPECT_EQ(r.exit_code, 0);
  return r.out;
}

// --- deploy/logweave.yaml and the install layout -----------------------------

TEST(ExampleConfigTest, LoadsThroughTheRealParserAsTheProductionShape) {
  absl::StatusOr<cli::CommandConfig> c = cli::LoadCommandConfig(kSource + "/deploy/logweave.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->kafka.brokers.empty());  // a Kafka source
  EXPECT_FALSE(c->kafka.topics.empty());
  EXPECT_TRUE(c->index_max_bytes_given);  // budgets
  EXPECT_GT(c->pipeline.index.max_bytes, 0u);
  EXPECT_GT(c->serve.wal_max_bytes, 0u);
  EXPECT_TRUE(c->pipeline.plugins.empty());  // rules off
  EXPECT_FALSE(c->serve.http_address.empty());
  EXPECT_FALSE(c->follow.state_dir.empty());
  EXPECT_EQ(c->log.format, LogFormat::kJson);
}

TEST(ExampleConfigTest, ServeCheckAcceptsIt) {
  testdata::CommandResult r =
      Sh(absl::StrCat(kBin, " serve --check --config ", kSource, "/deploy/logweave.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("configuration OK"));
  // And --check does check: a bad value is a usage error naming the key.
  const std::string bad = ::testing::TempDir() + "/bad_logweave.yaml";
  std::string text = ReadAll(kSource + "/deploy/logweave.yaml");
  text.replace(text.find("threads: 0"), 10, "threads: many");
  std::ofstream(bad) << text;
  r = Sh(absl::StrCat(kBin, " serve --check --config ", bad));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("threads"));
}

// Every key with a value says what it is: the line before it is a comment
// (librdkafka's own properties, under `properties:`, excepted).
TEST(ExampleConfigTest, EveryKeyIsCommented) {
  const std::vector<std::string> lines =
      absl::StrSplit(ReadAll(kSource + "/deploy/logweave.yaml"), '\n');
  const std::regex leaf(R"(^( *)([a-z_]+): *[^ #].*$)");
  std::string previous;
  bool in_properties = false;
  int checked = 0;
  for (const std::string& line : lines) {
    std::smatch m;
    if (line.rfind("  properties:", 0) == 0) in_properties = true;
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_properties = false;
    if (std::regex_match(line, m, leaf) && !in_properties) {
      ++checked;
      EXPECT_EQ(std::string(absl::StripLeadingAsciiWhitespace(previous)).rfind('#', 0), 0u)
          << "no comment before: " << line;
    }
    previous = line;
  }
  EXPECT_GT(checked, 20);
}

// The dotted names of the keys a config sets (lists and librdkafka's
// `kafka.properties` end the walk: they are documented as one key).
void KeyNames(const YAML::Node& node, const std::string& prefix, std::vector<std::string>* out) {
  for (const auto& kv : node) {
    const std::string name = prefix + kv.first.as<std::string>();
    if (kv.second.IsMap() && name != "kafka.properties") {
      KeyNames(kv.second, name + ".", out);
    } else {
      out->push_back(name);
    }
  }
}

// Every key the example and the ConfigMaps set is documented in docs/config.md.
TEST(ExampleConfigTest, EveryKeyUsedIsDocumented) {
  const std::string reference = ReadAll(kSource + "/docs/config.md");
  std::vector<std::string> keys;
  KeyNames(YAML::LoadFile(kSource + "/deploy/logweave.yaml"), "", &keys);
  KeyNames(
      YAML::Load(Find(Manifests(), "ConfigMap", "logweave-node-config")["data"]["logweave.yaml"]
                     .as<std::string>()),
      "", &keys);
  EXPECT_GT(keys.size(), 25u);
  for (const std::string& key : keys) {
    EXPECT_THAT(reference, HasSubstr("`" + key + "`")) << key;
  }
}

TEST(ExampleConfigTest, TheConfigMapIsTheFile) {
  const YAML::Node map = Find(Manifests(), "ConfigMap", "logweave-config");
  EXPECT_EQ(map["data"]["logweave.yaml"].as<std::string>(),
            ReadAll(kSource + "/deploy/logweave.yaml"))
      << "run deploy/k8s/update-configmap";
}

TEST(InstallTest, PutsTheBinaryDocsAndExampleConfigInTheirPlaces) {
  const std::string prefix = ::testing::TempDir() + "/logweave_install";
  fs::remove_all(prefix);
  testdata::CommandResult r =
      Sh(absl::StrCat(CMAKE_COMMAND, " --install ", BUILD_DIR, " --prefix ", prefix, " 2>&1"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Sh(prefix + "/bin/logweave version").out, "logweave 0.1.0\n");
  for (const char* doc : {"README.md", "config.md", "security.md", "operations.md"}) {
    EXPECT_TRUE(fs::exists(prefix + "/share/doc/logweave/" + doc)) << doc;
  }
  EXPECT_EQ(ReadAll(prefix + "/share/logweave/logweave.yaml"),
            ReadAll(kSource + "/deploy/logweave.yaml"));
  EXPECT_TRUE(fs::exists(prefix + "/share/logweave/k8s/deployment.yaml"));
  fs::remove_all(prefix);
}

// --- the Dockerfile ------------------------------------------------------------

// The Dockerfile's instructions, continuation lines joined: {"FROM", "..."}.
std::vector<std::pair<std::string, std::string>> Instructions() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string pending;
  for (absl::string_view piece : absl::StrSplit(ReadAll(kSource + "/Dockerfile"), '\n')) {
    std::string line(piece);
    if (pending.empty() && (line.empty() || line[0] == '#')) continue;
    const bool more = absl::EndsWith(line, "\\");
    if (more) line.pop_back();
    pending += line + " ";
    if (more) continue;
    const size_t space = pending.find(' ');
    out.emplace_back(pending.substr(0, space), pending.substr(space + 1));
    pending.clear();
  }
  return out;
}

std::vector<std::string> Of(const std::string& op) {
  std::vector<std::string> values;
  for (const auto& [o, v] : Instructions()) {
    if (o == op) values.push_back(std::string(absl::StripAsciiWhitespace(v)));
  }
  return values;
}

TEST(DockerfileTest, MultiStageFromDebianWithTheRuntimeLibrariesOfTheBinary) {
  const std::vector<std::string> from = Of("FROM");
  ASSERT_EQ(from.size(), 2u);
  EXPECT_EQ(from[0], "debian:bookworm AS build");
  EXPECT_EQ(from[1], "debian:bookworm-slim");
  const std::string run = absl::StrJoin(Of("RUN"), "\n");
  EXPECT_THAT(run, HasSubstr("tools/bootstrap"));
  EXPECT_THAT(run, HasSubstr("cmake --install"));
  EXPECT_THAT(run, HasSubstr("deploy/runtime-packages /stage/usr/bin/logweave"));
  // The script finds a package for every library the binary loads.
  testdata::CommandResult r = Sh(absl::StrCat(kSource, "/deploy/runtime-packages ", kBin, " 2>&1"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::vector<std::string> packages = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  for (const char* needed : {"librdkafka1", "libyaml-cpp0.7", "libc6"}) {
    EXPECT_NE(std::find(packages.begin(), packages.end(), needed), packages.end()) << needed;
  }
  EXPECT_EQ(std::count_if(packages.begin(), packages.end(),
                          [](const std::string& p) { return absl::EndsWith(p, "-dev"); }),
            0);
}

TEST(DockerfileTest, UserPathsPortsAndProbeMatchTheBinaryAndTheConfig) {
  absl::StatusOr<cli::CommandConfig> c = cli::LoadCommandConfig(kSource + "/deploy/logweave.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Of("USER"), std::vector<std::string>{"10001:10001"});
  EXPECT_EQ(Of("VOLUME"), std::vector<std::string>{"[\"" + c->follow.state_dir + "\"]"});
  const std::vector<std::string> expose = Of("EXPOSE");
  ASSERT_EQ(expose.size(), 1u);
  EXPECT_EQ(expose[0], absl::StrCat(PortOf(c->serve.address), " ", PortOf(c->serve.http_address)));
  // The install layout under the prefix /usr, and the config where CMD reads it.
  EXPECT_THAT(absl::StrJoin(Of("RUN"), "\n"), HasSubstr("-DCMAKE_INSTALL_PREFIX=/usr"));
  EXPECT_EQ(Of("ENTRYPOINT"), std::vector<std::string>{"[\"/usr/bin/logweave\"]"});
  EXPECT_EQ(Of("CMD"),
            std::vector<std::string>{"[\"serve\", \"--config\", \"/etc/logweave/logweave.yaml\"]"});
  EXPECT_THAT(absl::StrJoin(Of("COPY"), "\n"),
              HasSubstr("/stage/usr/share/logweave/logweave.yaml /etc/logweave/logweave.yaml"));
  EXPECT_THAT(ServeHelp(), HasSubstr("--config FILE"));
  // HEALTHCHECK: logweave probe on /healthz at the HTTP listener's port.
  const std::vector<std::string> health = Of("HEALTHCHECK");
  ASSERT_EQ(health.size(), 1u);
  EXPECT_THAT(health[0], HasSubstr(absl::StrCat("CMD [\"/usr/bin/logweave\", \"probe\", "
                                                "\"http://127.0.0.1:",
                                                PortOf(c->serve.http_address), "/healthz\"]")));
  EXPECT_THAT(Sh(kBin + " help").out, HasSubstr("probe URL"));
  // The runtime user is the one the Deployment runs as.
  const YAML::Node pod =
      Find(Manifests(), "Deployment", "logweave")["spec"]["template"]["spec"]["securityContext"];
  EXPECT_EQ(pod["runAsUser"].as<int>(), 10001);
  EXPECT_EQ(pod["runAsGroup"].as<int>(), 10001);
}

// --- Kubernetes --------------------------------------------------------------

// Checks one workload's pod against the binary and the config in `config_map`.
void CheckWorkload(const std::vector<YAML::Node>& docs, const YAML::Node& workload,
                   const std::string& serve_help) {
  SCOPED_TRACE(workload["metadata"]["name"].as<std::string>());
  const YAML::Node spec = workload["spec"]["template"]["spec"];
  EXPECT_GE(spec["terminationGracePeriodSeconds"].as<int>(), 10);  // serve stops within 10 s
  const YAML::Node container = spec["containers"][0];
  // Flags: each exists in `serve --help`; --config names the ConfigMap's mount.
  const std::vector<std::string> args = container["args"].as<std::vector<std::string>>();
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args[0], "serve");
  std::string config_path;
  for (size_t i = 1; i < args.size(); ++i) {
    if (!absl::StartsWith(args[i], "--")) continue;
    EXPECT_THAT(serve_help, HasSubstr(args[i] + " ")) << args[i];
    if (args[i] == "--config") config_path = args[i + 1];
  }
  ASSERT_FALSE(config_path.empty());
  std::map<std::string, YAML::Node> volumes;
  for (const YAML::Node& v : spec["volumes"]) volumes[v["name"].as<std::string>()] = v;
  std::map<std::string, YAML::Node> mounts;  // by mountPath
  for (const YAML::Node& m : container["volumeMounts"]) {
    mounts[m["mountPath"].as<std::string>()] = m;
    EXPECT_TRUE(volumes.count(m["name"].as<std::string>())) << m["name"];
  }
  ASSERT_TRUE(mounts.count(config_path)) << config_path;
  const YAML::Node config_mount = mounts[config_path];
  const YAML::Node config_volume = volumes[config_mount["name"].as<std::string>()];
  const YAML::Node map =
      Find(docs, "ConfigMap", config_volume["configMap"]["name"].as<std::string>());
  const std::string yaml = map["data"][config_mount["subPath"].as<std::string>()].as<std::string>();
  // Config keys: the real parser takes the ConfigMap's data.
  absl::StatusOr<cli::CommandConfig> c = cli::LoadCommandConfigString(yaml, "ConfigMap");
  ASSERT_TRUE(c.ok()) << c.status();
  // Ports: the container's are the config's; the probes use the HTTP one.
  std::map<std::string, int> ports;
  for (const YAML::Node& p : container["ports"]) {
    ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  }
  EXPECT_EQ(ports["grpc"], PortOf(c->serve.address));
  ASSERT_FALSE(c->serve.http_address.empty());
  EXPECT_EQ(ports["http"], PortOf(c->serve.http_address));
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  for (const char* probe : {"readinessProbe", "livenessProbe"}) {
    EXPECT_EQ(ports.at(container[probe]["httpGet"]["port"].as<std::string>()), ports["http"]);
  }
  // Resources: limits, and memory for the index budget (1.1 x + 64 MiB).
  const YAML::Node limits = container["resources"]["limits"];
  ASSERT_TRUE(limits["cpu"] && limits["memory"]);
  EXPECT_GE(Bytes(limits["memory"].as<std::string>()),
            c->pipeline.index.max_bytes * 11 / 10 + (64ull << 20));
  // A read-only root filesystem; state, tokens and /tmp on volumes.
  const YAML::Node security = container["securityContext"];
  EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>());
  EXPECT_EQ(security["capabilities"]["drop"][0].as<std::string>(), "ALL");
  ASSERT_TRUE(mounts.count(c->follow.state_dir)) << c->follow.state_dir;
  EXPECT_FALSE(mounts[c->follow.state_dir]["readOnly"] &&
               mounts[c->follow.state_dir]["readOnly"].as<bool>());
  if (!c->serve.security.auth_tokens.empty()) {
    const std::string dir = fs::path(c->serve.security.auth_tokens).parent_path().string();
    ASSERT_TRUE(mounts.count(dir)) << dir;
    const YAML::Node secret = volumes[mounts[dir]["name"].as<std::string>()]["secret"];
    EXPECT_EQ(secret["items"][0]["path"].as<std::string>(),
              fs::path(c->serve.security.auth_tokens).filename().string());
  }
  EXPECT_TRUE(mounts.count("/tmp"));
}

TEST(KubernetesTest, EveryManifestParsesAndNamesItsKind) {
  const std::vector<YAML::Node> docs = Manifests();
  EXPECT_GE(docs.size(), 8u);
  for (const YAML::Node& d : docs) {
    EXPECT_TRUE(d["apiVersion"] && d["kind"] && d["metadata"]["name"]) << YAML::Dump(d);
  }
}

TEST(KubernetesTest, TheKafkaDeploymentMatchesTheBinary) {
  const std::vector<YAML::Node> docs = Manifests();
  const YAML::Node deployment = Find(docs, "Deployment", "logweave");
  CheckWorkload(docs, deployment, ServeHelp());
  const YAML::Node spec = deployment["spec"]["template"]["spec"];
  EXPECT_TRUE(spec["securityContext"]["runAsNonRoot"].as<bool>());
  // State on a persistent volume, which one pod at a time holds.
  EXPECT_EQ(deployment["spec"]["strategy"]["type"].as<std::string>(), "Recreate");
  bool pvc = false;
  for (const YAML::Node& v : spec["volumes"]) {
    if (v["persistentVolumeClaim"]) {
      pvc = true;
      Find(docs, "PersistentVolumeClaim",
           v["persistentVolumeClaim"]["claimName"].as<std::string>());
    }
  }
  EXPECT_TRUE(pvc);
}

TEST(KubernetesTest, TheDaemonSetFollowsContainerLogsWithCheckpointsOnTheNode) {
  const std::vector<YAML::Node> docs = Manifests();
  const YAML::Node daemonset = Find(docs, "DaemonSet", "logweave-node");
  CheckWorkload(docs, daemonset, ServeHelp());
  const YAML::Node yaml = Find(docs, "ConfigMap", "logweave-node-config")["data"]["logweave.yaml"];
  absl::StatusOr<cli::CommandConfig> c = cli::LoadCommandConfigString(yaml.as<std::string>());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->follow.paths, std::vector<std::string>{"/var/log/containers/*.log"});
  std::map<std::string, std::string> host_paths;  // mountPath -> hostPath
  const YAML::Node spec = daemonset["spec"]["template"]["spec"];
  for (const YAML::Node& m : spec["containers"][0]["volumeMounts"]) {
    for (const YAML::Node& v : spec["volumes"]) {
      if (v["name"].as<std::string>() == m["name"].as<std::string>() && v["hostPath"]) {
        host_paths[m["mountPath"].as<std::string>()] = v["hostPath"]["path"].as<std::string>();
      }
    }
  }
  EXPECT_EQ(host_paths["/var/log"], "/var/log");  // the symlinks' targets in /var/log/pods too
  EXPECT_FALSE(host_paths[c->follow.state_dir].empty());
}

TEST(KubernetesTest, ServicesAndScrapeConfigPointAtTheContainersPorts) {
  const std::vector<YAML::Node> docs = Manifests();
  for (const auto& [service_name, workload] : std::vector<std::pair<std::string, YAML::Node>>{
           {"logweave", Find(docs, "Deployment", "logweave")},
           {"logweave-node", Find(docs, "DaemonSet", "logweave-node")}}) {
    SCOPED_TRACE(service_name);
    const YAML::Node service = Find(docs, "Service", service_name);
    const YAML::Node labels = workload["spec"]["template"]["metadata"]["labels"];
    for (const auto& kv : service["spec"]["selector"]) {
      EXPECT_EQ(labels[kv.first.as<std::string>()].as<std::string>(), kv.second.as<std::string>());
    }
    std::map<std::string, int> ports;
    for (const YAML::Node& p : workload["spec"]["template"]["spec"]["containers"][0]["ports"]) {
      ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
    }
    std::set<std::string> names;
    for (const YAML::Node& p : service["spec"]["ports"]) {
      names.insert(p["name"].as<std::string>());
      EXPECT_TRUE(ports.count(p["targetPort"].as<std::string>())) << p["targetPort"];
    }
    EXPECT_EQ(names, (std::set<std::string>{"grpc", "http"}));
    // Prometheus annotations: on the Service, or on the pods of the headless one.
    const YAML::Node annotations = service["metadata"]["annotations"]
                                       ? service["metadata"]["annotations"]
                                       : workload["spec"]["template"]["metadata"]["annotations"];
    ASSERT_TRUE(annotations) << "no prometheus.io annotations";
    EXPECT_EQ(annotations["prometheus.io/scrape"].as<std::string>(), "true");
    EXPECT_EQ(annotations["prometheus.io/port"].as<std::string>(), std::to_string(ports["http"]));
    EXPECT_EQ(annotations["prometheus.io/path"].as<std::string>(), "/metrics");
  }
  const YAML::Node monitor = Find(docs, "ServiceMonitor", "logweave");
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["port"].as<std::string>(), "http");
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["path"].as<std::string>(), "/metrics");
}

// The HTTP listener's flag, which the docs and operators use with the image.
TEST(KubernetesTest, ServeHasTheHttpListenerFlag) {
  const std::string help = ServeHelp();
  EXPECT_THAT(help, HasSubstr("--http-address"));
  EXPECT_THAT(help, HasSubstr("serve.http_address"));
}

// --- logweave probe ----------------------------------------------------------

TEST(ProbeTest, ExitsZeroOnlyFor2xx) {
  httplib::Server server;
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
    r.set_content("ok\n", "text/plain");
  });
  server.Get("/readyz", [](const httplib::Request&, httplib::Response& r) {
    r.status = 503;
    r.set_content("not ready: replaying\n", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::yield();
  const std::string base = absl::StrCat(kBin, " probe http://127.0.0.1:", port);
  EXPECT_EQ(Sh(base + "/healthz").exit_code, 0);
  testdata::CommandResult r = Sh(base + "/readyz");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("HTTP 503 not ready: replaying"));
  server.stop();
  thread.join();
  EXPECT_EQ(Sh(base + "/healthz --timeout 1s").exit_code, 1);  // nothing listens now
  EXPECT_EQ(Sh(kBin + " probe ftp://x").exit_code, 2);
}

}  // namespace
}  // namespace logweave

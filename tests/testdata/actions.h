// Builders for the action tests: findings as the rules report them, an
// `actions:` section read from YAML text, a dispatcher over it, and a
// temporary directory with executable scripts.
#ifndef LOGWEAVE_TESTS_TESTDATA_ACTIONS_H_
#define LOGWEAVE_TESTS_TESTDATA_ACTIONS_H_

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "connectors/actions/action_options.h"
#include "connectors/actions/dispatcher.h"
#include "logweave/config_section.h"
#include "logweave/finding.h"
#include "testdata/test_dir.h"
#include "tools/logweave/output.h"
#include "yaml-cpp/yaml.h"

namespace logweave::testdata {

// A canary rollback decision about `service`, as plugins/canary reports it.
inline Finding CanaryRollback(const std::string& service, const std::string& first_failed) {
  Finding f;
  f.kind = "canary_rollback";
  f.severity = Severity::kCritical;
  f.subject = service + "@v2";
  f.time_ns = 1795428045000000000;  // 2026-11-23T10:00:45Z
  f.id = FindingId(f.kind, {service, "v2", first_failed});
  f.summary = "ROLLBACK " + service + " v2: 3 checks in a row failed";
  f.details = {{"action", "rollback"}, {"service", service}, {"version", "v2"}};
  return f;
}

// A drift finding about a security group (no service detail: its subject is used).
inline Finding Drift(const std::string& group) {
  Finding f;
  f.kind = "drift";
  f.severity = Severity::kError;
  f.subject = group;
  f.time_ns = 1795428000000000000;
  f.id = FindingId(f.kind, {group});
  f.summary = "sg drifted";
  f.details = {{"changed_by", "arn:aws:iam::123456789012:user/alice"}};
  return f;
}

// A config with one action in block style: `name`, acting on the finding kinds `on`
// ("drift, canary_rollback"), then `rest` (the action's other keys, each line indented four
// spaces and ending in a newline).
inline std::string OneActionYaml(const std::string& name, const std::string& on,
                                 const std::string& rest) {
  return "actions:\n  - name: " + name + "\n    on: [" + on + "]\n" + rest;
}

// Reads `yaml` (a whole config file's text) and returns its `actions:`;
// paths are relative to `dir`.
inline absl::StatusOr<std::vector<actions::ConfiguredAction>> ReadActions(
    const std::string& yaml, const std::string& dir = "") {
  YAML::Node root = YAML::Load(yaml);
  ConfigSection section(root["actions"], "actions.", "test.yaml", dir);
  std::vector<actions::ConfiguredAction> out;
  if (absl::Status s = actions::ReadActionsSection(section, &out); !s.ok()) return s;
  return out;
}

// A dispatcher over the actions of `yaml`; fails the test if it cannot be made.
inline std::unique_ptr<actions::ActionDispatcher> Dispatcher(
    const std::string& yaml, actions::DispatcherOptions options = {}) {
  auto read = ReadActions(yaml);
  EXPECT_TRUE(read.ok()) << read.status();
  if (!read.ok()) return nullptr;
  options.actions = *read;
  options.finding_json = cli::FormatFindingJson;
  auto d = actions::ActionDispatcher::Create(std::move(options));
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? std::move(*d) : nullptr;
}

// Runs the one action of `yaml` on `finding` (offered, then drained) and returns its record;
// fails the test unless it ran exactly once. `stats`, if given, receives the dispatcher's
// counters afterwards.
inline actions::ActionRun RunOnce(const std::string& yaml, const Finding& finding,
                                  actions::DispatcherStats* stats = nullptr) {
  auto d = Dispatcher(yaml);
  if (d == nullptr) return {};
  d->Offer(finding);
  d->Drain();
  std::vector<actions::ActionRun> runs = d->Runs();
  EXPECT_EQ(runs.size(), 1u);
  if (stats != nullptr) *stats = d->Stats();
  return runs.empty() ? actions::ActionRun{} : runs.front();
}

// A fresh directory under the test's temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() : path_(MakeTestDir("actions")) {}
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  // Writes an executable script `name` with `body` (after a bash shebang); returns its path.
  std::string Script(const std::string& name, const std::string& body) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p) << "#!/usr/bin/env bash\n" << body << "\n";
    chmod(p.c_str(), 0755);
    return p;
  }

 private:
  std::filesystem::path path_;
};

// Waits until `done()` or 60 s pass (a bound for a broken build, not a
// measurement); returns done().
template <typename Done>
bool Eventually(Done done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!done() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  return done();
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_ACTIONS_H_

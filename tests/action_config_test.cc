// The `actions:` section: the issue's shape, defaults, and the errors a
// config gets at start (never at the first finding).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "connectors/actions/template.h"
#include "testdata/actions.h"

namespace logweave {
namespace {

using testdata::ReadActions;
using ::testing::HasSubstr;

constexpr char kIssueExample[] = R"(
actions:
  - name: rollback                # required, unique
    on: [canary_rollback]         # finding kinds; required
    services: [myapp-canary]      # optional: only findings about these services
    min_severity: error           # optional
    exec: [bash, -c, "exit 0", "deployment/{service}"]   # argv, never a shell
    dry_run: false                # default true: record what would run, run nothing
    timeout: 30s
    cooldown: 10m                 # the same action for the same subject at most once per cooldown
  - name: page
    on: [drift, missing_service]
    webhook: https://hooks.example.com/incident   # POST the finding as JSON
    headers: {Authorization: "Bearer ${PAGER_TOKEN}"}   # ${VAR}: from the environment
    retries: 3                    # on 5xx or connection errors, with backoff
)";

TEST(ActionConfigTest, ReadsTheIssuesExampleWithItsDefaults) {
  setenv("PAGER_TOKEN", "t0ken", 1);
  auto actions = ReadActions(kIssueExample);
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->size(), 2u);
  const actions::ActionOptions& rollback = (*actions)[0].options;
  EXPECT_EQ(rollback.name, "rollback");
  EXPECT_EQ(rollback.kind, "exec");
  EXPECT_EQ(rollback.on, std::vector<std::string>{"canary_rollback"});
  EXPECT_EQ(rollback.services, std::vector<std::string>{"myapp-canary"});
  EXPECT_EQ(rollback.min_severity, Severity::kError);
  EXPECT_FALSE(rollback.dry_run);
  EXPECT_EQ(rollback.timeout_ns, 30'000'000'000);
  EXPECT_EQ(rollback.cooldown_ns, 600'000'000'000);
  const actions::ActionOptions& page = (*actions)[1].options;
  EXPECT_EQ(page.kind, "webhook");
  EXPECT_TRUE(page.dry_run) << "dry_run defaults to true";
  EXPECT_EQ(page.cooldown_ns, 0);
  EXPECT_EQ(page.min_severity, Severity::kInfo);
  EXPECT_EQ((*actions)[1].action->Describe(testdata::Drift("sg-web")),
            "POST https://hooks.example.com/incident");
  Finding f = testdata::CanaryRollback("myapp-canary", "t1");
  EXPECT_EQ((*actions)[0].action->Describe(f), "bash -c 'exit 0' deployment/myapp-canary");
}

TEST(ActionConfigTest, UnknownPlaceholderIsAnErrorNamingIt) {
  auto actions = ReadActions(R"(
actions:
  - name: rollback
    on: [canary_rollback]
    exec: [bash, "deployment/{sevrity}"]
)");
  ASSERT_EQ(actions.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(actions.status().message(), HasSubstr("actions[0].exec[1]"));
  EXPECT_THAT(actions.status().message(), HasSubstr("{sevrity}"));
  EXPECT_THAT(actions.status().message(), HasSubstr("test.yaml:5"));

  auto webhook = ReadActions(R"(
actions:
  - {name: page, on: [drift], webhook: "http://h/x/{details}"}
)");
  ASSERT_EQ(webhook.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(webhook.status().message(), HasSubstr("{details}"));

  auto header = ReadActions(R"(
actions:
  - {name: page, on: [drift], webhook: "http://h/x", headers: {X-Who: "{user}"}}
)");
  ASSERT_EQ(header.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(header.status().message(), HasSubstr("actions[0].headers.X-Who"));
  EXPECT_THAT(header.status().message(), HasSubstr("{user}"));
}

TEST(ActionConfigTest, UnknownFindingKindIsAnErrorAtStart) {
  auto actions = ReadActions(R"(
actions:
  - {name: rollback, on: [canary], exec: [bash]}
)");
  ASSERT_EQ(actions.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(actions.status().message(), HasSubstr("actions[0].on"));
  EXPECT_THAT(actions.status().message(), HasSubstr("unknown finding kind \"canary\""));
  EXPECT_THAT(actions.status().message(), HasSubstr("canary_rollback"));
}

TEST(ActionConfigTest, ProgramNotFoundIsAnErrorAtStart) {
  auto on_path = ReadActions(R"(
actions:
  - {name: rollback, on: [canary_rollback], exec: [kubectl-that-is-not-installed, rollout]}
)");
  ASSERT_EQ(on_path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(on_path.status().message(), HasSubstr("actions[0].exec[0]"));
  EXPECT_THAT(on_path.status().message(), HasSubstr("kubectl-that-is-not-installed"));

  // A relative path is read from the config file's directory.
  testdata::TempDir dir;
  const char* kYaml = R"(
actions:
  - {name: rollback, on: [canary_rollback], exec: [./bin/undo]}
)";
  EXPECT_EQ(ReadActions(kYaml, dir.path()).status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::create_directories(dir / "bin");
  dir.Script("bin/undo", "exit 0");
  EXPECT_TRUE(ReadActions(kYaml, dir.path()).ok());
}

TEST(ActionConfigTest, EntriesAreCheckedForWhatTheyMustHave) {
  struct Case {
    const char* yaml;
    const char* says;
  } cases[] = {
      {"actions: {name: x}", "must be a list of actions"},
      {"actions:\n  - {on: [drift], exec: [bash]}", "needs a name"},
      {"actions:\n  - {name: x, exec: [bash]}", "actions[0].on"},
      {"actions:\n  - {name: x, on: [drift]}", "needs what to do: one of exec, webhook"},
      {"actions:\n  - {name: x, on: [drift], exec: [bash], webhook: http://h}",
       "an action is of one kind"},
      {"actions:\n  - {name: x, on: [drift], exec: bash}", "must be a list of arguments"},
      {"actions:\n  - {name: x, on: [drift], exec: [bash]}\n  - {name: x, on: [drift], exec: "
       "[bash]}",
       "names are unique"},
      {"actions:\n  - {name: x, on: [drift], exec: [bash], retry: 3}",
       "unknown key \"actions[0].retry\""},
      {"actions:\n  - {name: x, on: [drift], webhook: ftp://h/x}", "http:// or https://"},
      {"actions:\n  - {name: x, on: [drift], exec: [bash], min_severity: loud}",
       "must be info, warning, error or critical"},
      {"actions:\n  - {name: x, on: [drift], exec: [bash], timeout: soon}", "actions[0].timeout"},
      {"actions:\n  - {name: x, on: [drift], exec: [\"{service}\"]}", "cannot have placeholders"},
  };
  for (const Case& c : cases) {
    auto actions = ReadActions(c.yaml);
    ASSERT_EQ(actions.status().code(), absl::StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_THAT(actions.status().message(), HasSubstr(c.says)) << c.yaml;
  }
}

TEST(ActionConfigTest, HeaderVariableNotSetIsAnErrorNamingIt) {
  unsetenv("LOGWEAVE_TEST_UNSET_TOKEN");
  auto actions = ReadActions(R"(
actions:
  - name: page
    on: [drift]
    webhook: http://127.0.0.1:9/hook
    headers: {Authorization: "Bearer ${LOGWEAVE_TEST_UNSET_TOKEN}"}
)");
  ASSERT_EQ(actions.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(actions.status().message(), HasSubstr("${LOGWEAVE_TEST_UNSET_TOKEN}"));
}

TEST(ActionConfigTest, UnreadableCaFileIsAnErrorNamingIt) {
  auto actions = ReadActions(R"(
actions:
  - name: page
    on: [drift]
    webhook: https://127.0.0.1:9/hook
    ca_file: /nonexistent/ca.pem
)");
  ASSERT_EQ(actions.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(actions.status().message(), HasSubstr("ca_file"));
  EXPECT_THAT(actions.status().message(), HasSubstr("/nonexistent/ca.pem"));
}

TEST(TemplateTest, ExpandsEveryPlaceholder) {
  auto t = actions::Template::Parse(
      "{kind} {id} {service} {subject} {trace_id} {severity} {time} {details.version} "
      "{details.none}|{{literal}}");
  ASSERT_TRUE(t.ok()) << t.status();
  Finding f = testdata::CanaryRollback("gateway", "t1");
  f.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_EQ(t->Expand(f), "canary_rollback " + f.id +
                              " gateway gateway@v2 4bf92f3577b34da6a3ce929d0e0e4736 critical "
                              "2026-11-23T10:00:45.000Z v2 |{literal}");
  // Without a service detail the service is the subject.
  EXPECT_EQ(actions::Template::Parse("{service}")->Expand(testdata::Drift("sg-web")), "sg-web");
}

TEST(TemplateTest, UnknownPlaceholderListsTheKnownOnes) {
  auto t = actions::Template::Parse("deployment/{sevrity}");
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(),
            "has an unknown placeholder {sevrity}; known: {kind} {id} {service} {subject} "
            "{trace_id} {severity} {time} {details.KEY}");
}

TEST(TemplateTest, EnvironmentValuesStayLiteral) {
  setenv("LOGWEAVE_TEST_BRACES", "a{kind}b", 1);
  auto text = actions::ExpandEnvironment("x ${LOGWEAVE_TEST_BRACES} y");
  ASSERT_TRUE(text.ok());
  auto t = actions::Template::Parse(*text);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Expand(testdata::Drift("sg")), "x a{kind}b y");
}

}  // namespace
}  // namespace logweave

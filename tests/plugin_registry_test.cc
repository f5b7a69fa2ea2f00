// The rule-plugin registry (engine/src/plugins/registry.cc) and the generic
// path from PipelineOptions::plugins to the analysis: a plugin made from any
// RulePluginConfig, built in or not, is fed by the workers and evaluated.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analysis/analyzer.h"
#include "logweave/pipeline.h"
#include "plugins/registry.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

TEST(RulePluginRegistryTest, ListsTheBuiltInRulesInOrder) {
  std::vector<std::string> names;
  for (const auto& entry : internal::RulePluginRegistry()) names.emplace_back(entry.name);
  EXPECT_EQ(names, (std::vector<std::string>{"canary", "cost", "drift", "rotation"}));
  EXPECT_NE(internal::FindRulePlugin("cost"), nullptr);
  EXPECT_EQ(internal::FindRulePlugin("costs"), nullptr);
}

TEST(RulePluginRegistryTest, FindingKindsAreTheDetectorsThenEachPluginsOnce) {
  std::vector<std::string> kinds = FindingKinds();
  EXPECT_EQ(kinds, (std::vector<std::string>{"missing_service", "incomplete_sequence",
                                             "unstructured_error", "canary_rollback",
                                             "cost_anomaly", "drift", "rotation_incomplete"}));
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(std::adjacent_find(kinds.begin(), kinds.end()), kinds.end());
}

TEST(RulePluginRegistryTest, EachReaderMakesAConfigOfItsOwnName) {
  for (const auto& entry : internal::RulePluginRegistry()) {
    const std::string prefix = absl::StrCat("plugins.", std::string(entry.name), ".");
    absl::StatusOr<std::shared_ptr<const RulePluginConfig>> config =
        entry.read(ConfigSection(YAML::Load("{enabled: false}"), prefix, "config"));
    ASSERT_TRUE(config.ok()) << entry.name << ": " << config.status();
    EXPECT_EQ((*config)->name(), entry.name);
    EXPECT_FALSE((*config)->enabled());
    absl::StatusOr<std::shared_ptr<const RulePluginConfig>> bad =
        entry.read(ConfigSection(YAML::Load("{no_such_key: 1}"), prefix, "config"));
    ASSERT_FALSE(bad.ok()) << entry.name;
    EXPECT_NE(bad.status().message().find(prefix + "no_such_key"), std::string::npos)
        << bad.status();
  }
}

// A rule from outside the engine: one finding per service, counting its lines.
class LineCountPlugin : public RulePlugin {
 public:
  std::string_view name() const override { return "line_count"; }
  void Observe(const ParsedBatch& batch) override { lines_ += batch.records.size(); }
  void Absorb() override {}
  void Evaluate(int64_t, std::vector<Finding>* out) override {
    Finding f;
    f.kind = "line_count";
    f.id = FindingId(f.kind, {"all"});
    f.subject = "all";
    f.summary = absl::StrCat(lines_.load(), " lines");
    out->push_back(std::move(f));
  }
  uint64_t dropped() const override { return 0; }

 private:
  std::atomic<uint64_t> lines_{0};
};

class LineCountConfig : public RulePluginConfig {
 public:
  explicit LineCountConfig(bool valid = true) : valid_(valid) {}
  std::string_view name() const override { return "line_count"; }
  bool enabled() const override { return true; }
  absl::Status Validate() const override {
    return valid_ ? absl::OkStatus() : absl::InvalidArgumentError("line_count: invalid");
  }
  absl::StatusOr<std::unique_ptr<RulePlugin>> Create(const SourceNames&) const override {
    return std::unique_ptr<RulePlugin>(new LineCountPlugin);
  }

 private:
  bool valid_;
};

TEST(RulePluginConfigTest, APluginConfiguredInCodeIsFedAndEvaluated) {
  PipelineOptions options;
  options.threads = 2;
  options.plugins = {std::make_shared<const LineCountConfig>()};
  PipelineOptions copy = options;  // configs are shared, immutable: copies are cheap
  auto p = Pipeline::Create(copy);
  ASSERT_TRUE(p.ok()) << p.status();
  testdata::SubmitLines(
      p->get(), (*p)->AddSource("a.log"),
      {R"({"level":"info","msg":"one"})", R"({"level":"info","msg":"two"})", "plain three"}, 2);
  (*p)->Flush();
  ASSERT_EQ((*p)->plugins().size(), 1u);
  Analyzer analyzer(DetectorOptions{}, (*p)->index(), (*p)->unstructured(), (*p)->plugins());
  std::vector<std::string> summaries;
  for (const Finding& f : analyzer.Run(INT64_MAX).findings) {
    if (f.kind == "line_count") summaries.push_back(f.summary);
  }
  EXPECT_EQ(summaries, std::vector<std::string>{"3 lines"});
}

TEST(RulePluginConfigTest, InvalidNullAndTwiceConfiguredPluginsAreRefused) {
  PipelineOptions options;
  options.plugins = {std::make_shared<const LineCountConfig>(/*valid=*/false)};
  EXPECT_EQ(options.Validate().message(), "line_count: invalid");
  options.plugins = {nullptr};
  EXPECT_TRUE(absl::IsInvalidArgument(options.Validate()));
  options.plugins = {std::make_shared<const LineCountConfig>(),
                     std::make_shared<const LineCountConfig>()};
  EXPECT_NE(options.Validate().message().find("\"line_count\" is configured twice"),
            std::string::npos)
      << options.Validate();
  EXPECT_FALSE(Pipeline::Create(options).ok());
}

}  // namespace
}  // namespace logweave

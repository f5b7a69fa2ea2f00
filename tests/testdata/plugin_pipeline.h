// Test helper for the rule plugin tests (engine/src/plugins/*/*_test.cc): a pipeline running
// one plugin, and the findings of one kind.
//
//   std::unique_ptr<Pipeline> p = testdata::PluginPipeline(std::make_shared<const CostConfig>());
#ifndef LOGWEAVE_TESTS_TESTDATA_PLUGIN_PIPELINE_H_
#define LOGWEAVE_TESTS_TESTDATA_PLUGIN_PIPELINE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "logweave/finding.h"
#include "logweave/pipeline.h"
#include "logweave/plugin.h"

namespace logweave::testdata {

// A pipeline of `threads` workers that runs the one rule plugin `config`; null, with a test
// failure, if it cannot be made.
inline std::unique_ptr<Pipeline> PluginPipeline(std::shared_ptr<const RulePluginConfig> config,
                                                uint32_t threads = 2) {
  PipelineOptions options;
  options.threads = threads;
  options.plugins = {std::move(config)};
  auto p = Pipeline::Create(options);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? std::move(*p) : nullptr;
}

// The findings of `kind`, in their order.
inline std::vector<Finding> FindingsOfKind(const std::vector<Finding>& findings,
                                           std::string_view kind) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.kind == kind) out.push_back(f);
  }
  return out;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_PLUGIN_PIPELINE_H_

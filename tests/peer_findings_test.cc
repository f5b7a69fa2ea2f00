// Detectors across instances (serve --peers, issue 23): a trace whose lines
// landed on two instances looks, to each alone, like a trace with a missing
// service or an incomplete sequence. With peers, each instance asks the
// other (LookupTraces) before it reports such a finding, and the gap that
// the other holds the rest of is not reported (counted: split_traces,
// findings_held_elsewhere); real gaps still are, and StreamFindings through
// one instance carries both instances' findings. Runs the real binary.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "testdata/free_port.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/serve_process.h"

namespace logweave {
namespace {

using testdata::Bin;
using testdata::Serve;

constexpr int kKeyedTraces = 60;  // per instance: enough to learn the kind (min_traces 50)

// A checkout service line of the "POST /checkout" route.
std::string Line(const std::string& service, const std::string& trace, int ms,
                 const std::string& event) {
  return absl::StrFormat(
      R"({"timestamp":"2026-11-23T10:%02d:%02d.%03dZ","level":"info","service":"%s","route":"POST /checkout","trace_id":"%s","message":"%s"})",
      ms / 60000, (ms / 1000) % 60, ms % 1000, service, trace, event);
}

// The four lines of a whole request, in order.
const std::vector<std::pair<std::string, std::string>> kSteps = {
    {"gateway", "request received"},
    {"checkout", "order placed"},
    {"checkout", "order confirmed"},
    {"ledger", "entry posted"},
};

// part-0.log and part-1.log: each instance's keyed traces whole; gap-K
// without its ledger line (a real gap); split-000 with its ledger line on
// instance 1 only; split-001 with "order confirmed" on instance 1 only.
std::vector<std::string> WriteParts(const std::string& dir) {
  std::vector<std::string> paths = {dir + "/part-0.log", dir + "/part-1.log"};
  std::ofstream out[2] = {std::ofstream(paths[0]), std::ofstream(paths[1])};
  int ms = 0;
  auto trace = [&](const std::string& id, const std::vector<int>& where) {
    for (size_t step = 0; step < kSteps.size(); ++step) {
      ms += 3;
      if (where[step] < 0) continue;
      out[where[step]] << Line(kSteps[step].first, id, ms, kSteps[step].second) << "\n";
    }
  };
  for (int k = 0; k < 2; ++k) {
    for (int t = 0; t < kKeyedTraces; ++t) trace(absl::StrFormat("k%d-%03d", k, t), {k, k, k, k});
    trace(absl::StrFormat("gap-%d", k), {k, k, k, -1});
  }
  trace("split-000", {0, 0, 0, 1});
  trace("split-001", {0, 0, 1, 0});
  return paths;
}

// The open findings of `kind` a server streams (`findings --json`), as
// "trace_id" -> subject, after their updates (a resolved update closes one).
std::map<std::string, std::string> OpenFindings(const std::string& address, const std::string& kind,
                                                const std::string& err_path) {
  testdata::CommandResult r = testdata::RunCommand(
      absl::StrCat(Bin(), " findings --json --kind ", kind, " --server ", address), err_path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::pair<std::string, std::string>> by_id;  // id -> (trace, subject)
  for (absl::string_view line : absl::StrSplit(r.out, '\n', absl::SkipEmpty())) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (!d.IsObject() || !d.HasMember("id")) continue;
    const std::string id = d["id"].GetString();
    if (std::string(d["status"].GetString()) == "resolved") {
      by_id.erase(id);
    } else {
      by_id[id] = {d["trace_id"].GetString(), d["subject"].GetString()};
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [id, f] : by_id) out[f.first] = f.second;
  return out;
}

// `stats --json` of a server, parsed.
rapidjson::Document Stats(const std::string& address, const std::string& err_path) {
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat(Bin(), " stats --json --server ", address), err_path);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  return d;
}

uint64_t OpenCount(const rapidjson::Document& stats, const char* kind) {
  if (!stats.IsObject() || !stats["findings"].HasMember(kind)) return 0;
  return stats["findings"][kind].GetUint64();
}

class PeerFindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testdata::TempDir("peer_findings");
    parts_ = WriteParts(dir_);
  }
  std::string err_path() const { return dir_ + "/client.err"; }

  std::string dir_;
  std::vector<std::string> parts_;
};

TEST_F(PeerFindingsTest, AloneEachInstanceReportsTheSplitTracesAsGaps) {
  Serve a({"--final", parts_[0]}, dir_ + "/a.err");
  Serve b({"--final", parts_[1]}, dir_ + "/b.err");
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  EXPECT_EQ(OpenFindings(a.address(), "missing_service", err_path()),
            (std::map<std::string, std::string>{{"gap-0", "ledger"}, {"split-000", "ledger"}}));
  EXPECT_EQ(OpenFindings(a.address(), "incomplete_sequence", err_path()),
            (std::map<std::string, std::string>{{"split-001", "checkout:order placed"}}));
  EXPECT_EQ(OpenFindings(b.address(), "missing_service", err_path()),
            (std::map<std::string, std::string>{{"gap-1", "ledger"},
                                                {"split-000", "checkout,gateway"},
                                                {"split-001", "gateway,ledger"}}));
  EXPECT_EQ(a.Stat("split_traces"), 0u);
}

TEST_F(PeerFindingsTest, WithPeersNeitherReportsAGapThatTheOtherHoldsTheRestOf) {
  const std::vector<std::string> addresses = {absl::StrCat("127.0.0.1:", testdata::FreePort()),
                                              absl::StrCat("127.0.0.1:", testdata::FreePort())};
  const std::string peers = absl::StrCat(addresses[0], ",", addresses[1]);
  std::vector<std::unique_ptr<Serve>> instances;
  for (int k = 0; k < 2; ++k) {
    instances.push_back(std::make_unique<Serve>(
        std::vector<std::string>{"--address", addresses[k], "--peers", peers, "--final",
                                 "--analysis-interval", "200ms", parts_[k]},
        absl::StrCat(dir_, "/serve", k, ".err")));
  }
  for (auto& s : instances) ASSERT_TRUE(s->WaitReady());
  // An instance that analysed before the other was ready asks again at the
  // next analysis: wait until both have their answers.
  ASSERT_TRUE(testdata::WaitFor(
      [&] {
        rapidjson::Document s = Stats(addresses[0], err_path());
        return s.IsObject() && s["findings_held_elsewhere"].GetUint64() == 4;
      },
      absl::Seconds(20)));
  rapidjson::Document stats = Stats(addresses[1], err_path());
  ASSERT_TRUE(stats.IsObject());
  EXPECT_FALSE(stats["partial"].GetBool());
  // Summed over both: each saw both split traces, and held back two findings.
  EXPECT_EQ(stats["split_traces"].GetUint64(), 4u);
  EXPECT_EQ(OpenCount(stats, "missing_service"), 2u);
  EXPECT_EQ(OpenCount(stats, "incomplete_sequence"), 0u);
  for (auto& s : instances) {
    EXPECT_EQ(s->Stat("split_traces"), 4u);  // GetStats through one instance sums both
  }
  // StreamFindings through either instance: both instances' real gaps, merged; no split trace.
  for (const std::string& address : addresses) {
    EXPECT_EQ(OpenFindings(address, "missing_service", err_path()),
              (std::map<std::string, std::string>{{"gap-0", "ledger"}, {"gap-1", "ledger"}}))
        << address;
    EXPECT_TRUE(OpenFindings(address, "incomplete_sequence", err_path()).empty()) << address;
  }
}

}  // namespace
}  // namespace logweave

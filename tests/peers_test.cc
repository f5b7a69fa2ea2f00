// Several `logweave serve` processes that answer as one (serve --peers,
// connectors/grpc/peers): the data split across instances, every query
// through any instance equals one instance's over all the data; a killed or
// stopped instance makes the answers partial, within the peer deadline,
// naming it. Runs the real binary on loopback and queries it with the real
// client commands.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "testdata/free_port.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"
#include "testdata/serve_process.h"

namespace logweave {
namespace {

using testdata::Bin;
using testdata::FreePort;
using testdata::Serve;

constexpr int kInstances = 3;
constexpr int kKeyedTraces = 60;  // all lines of trace t in file t % 3 (the documented setup)
constexpr int kSplitTraces = 12;  // lines spread over the three files
const char* const kServices[] = {"gateway", "checkout", "ledger", "notifier"};

// Writes part-0.log .. part-2.log under `dir`: keyed traces each in one
// file, split traces over all three, a plain-text error in each. Returns the paths.
std::vector<std::string> WriteParts(const std::string& dir) {
  std::vector<std::ofstream> out;
  std::vector<std::string> paths;
  for (int k = 0; k < kInstances; ++k) {
    paths.push_back(absl::StrCat(dir, "/part-", k, ".log"));
    out.emplace_back(paths.back());
  }
  int ms = 0;
  for (int t = 0; t < kKeyedTraces; ++t) {
    for (int step = 0; step < 4; ++step) {
      ms += 7;
      out[t % kInstances] << testdata::PythonLine(kServices[step], absl::StrFormat("keyed-%03d", t),
                                                  ms, absl::StrFormat("step %d of %d", step, t))
                          << "\n";
    }
  }
  for (int k = 0; k < kInstances; ++k) {
    out[k] << absl::StrFormat(
        "2026-11-23 10:00:%02d,500 ERROR [worker-%d] payment provider timed out after 30s\n", k + 2,
        k);
  }
  ms = 100'000;  // split traces come later: searches up to 10:01:30 see keyed traces only
  for (int t = 0; t < kSplitTraces; ++t) {
    for (int step = 0; step < 6; ++step) {
      ms += 5;
      out[step % kInstances] << testdata::PythonLine(
                                    kServices[step % 4], absl::StrFormat("split-%03d", t), ms,
                                    absl::StrFormat("split step %d of %d", step, t))
                             << "\n";
    }
  }
  return paths;
}

struct Answer {
  int exit_code = -1;
  std::string out, err;
  absl::Duration took;
};

Answer Query(const std::string& args, const std::string& address, const std::string& err_path) {
  const absl::Time start = absl::Now();
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat(Bin(), " ", args, " --server ", address), err_path);
  return {r.exit_code, r.out, r.err, absl::Now() - start};
}

// The events of a timeline as "source line message", in order.
std::vector<std::string> TimelineEvents(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  std::vector<std::string> out;
  if (!d.IsObject() || !d.HasMember("events")) return out;
  for (const auto& e : d["events"].GetArray()) {
    out.push_back(absl::StrCat(e["source"].GetString(), " ", e["line"].GetUint64(), " ",
                               e["message"].GetString()));
  }
  return out;
}

// Every page of `search --json --limit 25 ARGS`, trace lines only.
std::vector<std::string> AllPages(const std::string& args, const std::string& address,
                                  const std::string& err_path, uint64_t* matched) {
  std::vector<std::string> traces;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    Answer a = Query(absl::StrCat("search --json --limit 25 ", args,
                                  token.empty() ? "" : " --page-token " + token),
                     address, err_path);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    token.clear();
    for (absl::string_view line : absl::StrSplit(a.out, '\n', absl::SkipEmpty())) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      if (!d.IsObject()) continue;
      if (std::string(d["kind"].GetString()) == "page") {
        token = d["next_page_token"].GetString();
        *matched = d["matched"].GetUint64();
      } else {
        traces.emplace_back(line);
      }
    }
    if (token.empty()) break;
  }
  return traces;
}

class PeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testdata::TempDir("peers");
    parts_ = WriteParts(dir_);
    std::vector<int> ports;
    for (int k = 0; k < kInstances; ++k) ports.push_back(FreePort());
    for (int k = 0; k < kInstances; ++k) addresses_.push_back(absl::StrCat("127.0.0.1:", ports[k]));
    // Every instance lists all three, itself included (one config for all).
    // Instance 0 listens on and names itself as localhost (its v4 and v6
    // addresses): only its id tells that it is itself.
    for (int k = 0; k < kInstances; ++k) {
      std::vector<std::string> listed = addresses_;
      if (k == 0) listed[0] = absl::StrCat("localhost:", ports[0]);
      instances_.push_back(std::make_unique<Serve>(
          std::vector<std::string>{"--address", listed[k], "--peers", absl::StrJoin(listed, ","),
                                   "--peer-timeout", "1s", parts_[k]},
          absl::StrCat(dir_, "/serve", k, ".err")));
    }
    single_ = std::make_unique<Serve>(std::vector<std::string>{parts_[0], parts_[1], parts_[2]},
                                      dir_ + "/single.err");
    for (auto& s : instances_) ASSERT_TRUE(s->WaitReady());
    ASSERT_TRUE(single_->WaitReady());
  }

  std::string err_path() const { return dir_ + "/client.err"; }

  std::string dir_;
  std::vector<std::string> parts_, addresses_;
  std::vector<std::unique_ptr<Serve>> instances_;
  std::unique_ptr<Serve> single_;
};

TEST_F(PeersTest, EveryInstanceAnswersAsOneInstanceWithAllTheData) {
  // Timelines, split traces included: merged in event time, nothing twice.
  for (const std::string trace : {"keyed-031", "split-000", "split-011"}) {
    Answer want = Query("timeline --json " + trace, single_->address(), err_path());
    ASSERT_EQ(want.exit_code, 0) << want.err;
    const std::vector<std::string> events = TimelineEvents(want.out);
    ASSERT_FALSE(events.empty());
    for (const std::string& address : addresses_) {
      Answer got = Query("timeline --json " + trace, address, err_path());
      ASSERT_EQ(got.exit_code, 0) << got.err;
      EXPECT_EQ(TimelineEvents(got.out), events) << trace << " through " << address;
      EXPECT_NE(got.out.find("\"partial\":false"), std::string::npos) << got.out;
    }
  }
  // Search: every page, in order, through each instance (the page token
  // carries the position across instances).
  uint64_t want_matched = 0;
  const std::string range = "--until 2026-11-23T10:01:30Z";
  const std::vector<std::string> want =
      AllPages(range, single_->address(), err_path(), &want_matched);
  EXPECT_EQ(want.size(), size_t{kKeyedTraces});
  for (const std::string& address : addresses_) {
    uint64_t matched = 0;
    EXPECT_EQ(AllPages(range, address, err_path(), &matched), want) << address;
    EXPECT_EQ(matched, want_matched);
  }
  // Plain-text errors of every instance.
  Answer errors = Query("unstructured --json", single_->address(), err_path());
  ASSERT_EQ(errors.exit_code, 0) << errors.err;
  auto texts = [](const std::string& out) {
    std::multiset<std::string> s;
    for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      if (d.IsObject() && d.HasMember("text")) s.insert(d["text"].GetString());
    }
    return s;
  };
  EXPECT_EQ(texts(errors.out).size(), size_t{kInstances});
  Answer merged = Query("unstructured --json", addresses_[1], err_path());
  EXPECT_EQ(texts(merged.out), texts(errors.out));
  // Stats summed, each instance listed once (instance 0 ignored itself).
  Answer stats = Query("stats --json", addresses_[0], err_path());
  rapidjson::Document s;
  s.Parse(stats.out.c_str());
  ASSERT_TRUE(s.IsObject()) << stats.out << stats.err;
  EXPECT_EQ(s["lines"].GetUint64(), single_->Stat("lines"));
  EXPECT_EQ(s["traces"].GetUint64(), single_->Stat("traces") + 2 * kSplitTraces);  // per instance
  EXPECT_EQ(s["instances"].Size(), size_t{kInstances});
  EXPECT_FALSE(s["partial"].GetBool());
}

TEST_F(PeersTest, ADeadOrStuckPeerGivesAPartialAnswerWithinTheDeadline) {
  instances_[2]->Signal(SIGKILL);
  instances_[2]->Wait();
  Answer a = Query("search --json " + std::string("--limit 1000"), addresses_[0], err_path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(
      a.out.find(absl::StrCat("\"partial\":true,\"unreachable_peers\":[\"", addresses_[2], "\"]")),
      std::string::npos)
      << a.out;
  EXPECT_NE(a.err.find("warning: partial answer: peers " + addresses_[2]), std::string::npos)
      << a.err;
  EXPECT_LT(a.took, absl::Seconds(3));
  // A stuck peer (stopped, its socket open): the deadline, not a hang.
  instances_[1]->Signal(SIGSTOP);
  Answer t = Query("timeline --json keyed-000", addresses_[0], err_path());
  instances_[1]->Signal(SIGCONT);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_LT(t.took, absl::Seconds(3));
  EXPECT_NE(t.out.find("\"partial\":true"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find(addresses_[1]), std::string::npos) << t.out;
  EXPECT_NE(t.out.find(addresses_[2]), std::string::npos) << t.out;
  EXPECT_EQ(TimelineEvents(t.out).size(), 4u);  // keyed-000 is instance 0's own
  Answer stats = Query("stats", addresses_[1], err_path());
  EXPECT_NE(stats.err.find("partial answer: peers " + addresses_[2]), std::string::npos)
      << stats.err;
}

// Peer calls carry serve.peer_token_file's token when the caller had none:
// an instance without tokens asks one that requires them. Without the file
// the peer refuses, and the answer is partial.
TEST(PeerTokenTest, ThePeerTokenIsSentWhenTheCallerHadNone) {
  const std::string dir = testdata::TempDir("peer_token");
  const std::vector<std::string> parts = WriteParts(dir);
  std::ofstream(dir + "/tokens") << "peer-token-0123456789abcdef read\n";
  std::ofstream(dir + "/peer-token") << "peer-token-0123456789abcdef\n";
  std::ofstream(dir + "/with-token.yaml")
      << "serve:\n  peer_token_file: " << dir << "/peer-token\n";
  Serve locked({"--auth-tokens", dir + "/tokens", parts[1]}, dir + "/locked.err");
  ASSERT_TRUE(locked.WaitReady());
  Serve with({"--config", dir + "/with-token.yaml", "--peers", locked.address(), parts[0]},
             dir + "/with.err");
  Serve without({"--peers", locked.address(), parts[0]}, dir + "/without.err");
  ASSERT_TRUE(with.WaitReady());
  ASSERT_TRUE(without.WaitReady());
  // keyed-001 lies on the locked instance only.
  Answer a = Query("timeline --json keyed-001", with.address(), dir + "/client.err");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(TimelineEvents(a.out).size(), 4u);
  EXPECT_NE(a.out.find("\"partial\":false"), std::string::npos) << a.out;
  Answer b = Query("timeline --json keyed-001", without.address(), dir + "/client.err");
  EXPECT_NE(b.exit_code, 0) << b.out;  // not found where it asked; the peer refused
  EXPECT_NE(b.err.find(locked.address()), std::string::npos) << b.err;
  Answer s = Query("stats --json", without.address(), dir + "/client.err");
  EXPECT_NE(s.out.find("\"partial\":true"), std::string::npos) << s.out;
}

}  // namespace
}  // namespace logweave

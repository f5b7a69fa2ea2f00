// PeerSet (connectors/grpc/peers/peer_set.h): names resolved to every
// address, this instance's own address skipped, and the names resolved again
// every resolve_interval (a headless Service whose pods come and go).
#include "connectors/grpc/peers/peer_set.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace logweave {
namespace {

std::set<std::string> Names(const PeerSet& peers) {
  std::set<std::string> out;
  for (const PeerSet::Peer& p : peers.Current()) out.insert(p.name);
  return out;
}

TEST(PeerSetTest, LocalhostResolvesToItsLoopbackAddressesAndSkipsItsOwn) {
  PeerOptions options;
  options.peers = {"localhost:7123", "127.0.0.1:7124"};
  auto peers = PeerSet::Create(options, "127.0.0.1:7124", ServerSecurityOptions());
  ASSERT_TRUE(peers.ok()) << peers.status();
  const std::set<std::string> names = Names(**peers);
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    EXPECT_TRUE(name == "127.0.0.1:7123" || name == "[::1]:7123") << name;
  }
  for (const PeerSet::Peer& p : (*peers)->Current()) EXPECT_NE(p.stub, nullptr) << p.name;
}

// A DNS answer that the test changes.
class FakeDns {
 public:
  void Set(std::vector<std::string> ips) {
    absl::MutexLock lock(&mu_);
    ips_ = std::move(ips);
  }
  std::vector<std::string> Resolve(const std::string& host, const std::string& port) {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(host, "logweave-headless.logs.svc");
    std::vector<std::string> out;
    for (const std::string& ip : ips_) out.push_back(ip + ":" + port);
    return out;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> ips_ ABSL_GUARDED_BY(mu_);
};

TEST(PeerSetTest, AChangedDnsAnswerIsPickedUpAtTheNextResolve) {
  FakeDns dns;
  dns.Set({"10.0.0.5", "10.0.0.6"});
  PeerOptions options;
  options.peers = {"logweave-headless.logs.svc:7070"};
  options.resolve_interval = absl::Milliseconds(20);
  options.resolve_for_test = [&dns](const std::string& host, const std::string& port) {
    return dns.Resolve(host, port);
  };
  auto created = PeerSet::Create(options, "10.0.0.5:7070", ServerSecurityOptions());
  ASSERT_TRUE(created.ok()) << created.status();
  PeerSet& peers = **created;
  EXPECT_EQ(Names(peers), (std::set<std::string>{"10.0.0.6:7070"}));  // 10.0.0.5 is itself
  const auto kept = peers.Current()[0].stub;

  auto wait_for = [&](const std::set<std::string>& want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (Names(peers) != want && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Names(peers);
  };
  // A pod added, one gone: picked up without a restart; the channel of the
  // one that stayed is kept.
  dns.Set({"10.0.0.5", "10.0.0.6", "10.0.0.7"});
  EXPECT_EQ(wait_for({"10.0.0.6:7070", "10.0.0.7:7070"}),
            (std::set<std::string>{"10.0.0.6:7070", "10.0.0.7:7070"}));
  for (const PeerSet::Peer& p : peers.Current()) {
    if (p.name == "10.0.0.6:7070") {
      EXPECT_EQ(p.stub, kept);
    }
  }
  dns.Set({"10.0.0.5", "10.0.0.7"});
  EXPECT_EQ(wait_for({"10.0.0.7:7070"}), (std::set<std::string>{"10.0.0.7:7070"}));
  // The name stops resolving: it is one unreachable peer (no channel), not none.
  dns.Set({});
  EXPECT_EQ(wait_for({"logweave-headless.logs.svc:7070"}),
            (std::set<std::string>{"logweave-headless.logs.svc:7070"}));
  EXPECT_EQ(peers.Current()[0].stub, nullptr);
}

}  // namespace
}  // namespace logweave

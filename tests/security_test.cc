// The server's security: tokens and their scopes, the TLS and key checks at
// start, the refusal to listen beyond loopback unprotected, and TLS, mTLS and
// tokens end to end through a real server, gRPC clients and the logweave
// commands. Certificates are made by the openssl command in the test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/security/security_config.h"
#include "connectors/grpc/security/server_security.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/grpc/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tests/testdata/certificates.h"
#include "tests/testdata/grpc_health.h"
#include "tests/testdata/run_command.h"
#include "tests/testdata/submit_lines.h"

namespace logweave {
namespace {

using testdata::Certificates;
using ::testing::HasSubstr;

constexpr char kReadToken[] = "read-token-0123456789abcdef";
constexpr char kAdminToken[] = "admin-token-0123456789abcdef";

TEST(TokenStoreTest, ParsesTokensWithScopesAndSkipsCommentsAndBlankLines) {
  auto store = TokenStore::Parse(
      absl::StrCat("# dashboards\n\n", kReadToken, "\n", kAdminToken, " admin\n  \n"), "tokens");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->size(), 2u);
}

TEST(TokenStoreTest, RejectsWeakDuplicateOrUnknownEntriesNamingTheLine) {
  struct Case {
    std::string text;
    std::string says;
  } cases[] = {
      {"short read\n", "tokens:1: token shorter than 16"},
      {absl::StrCat("# c\n", kReadToken, " write\n"), "tokens:2: unknown scope \"write\""},
      {absl::StrCat(kReadToken, "\n", kReadToken, " admin\n"),
       "tokens:2: this token is given twice"},
      {absl::StrCat(kReadToken, " read extra\n"), "tokens:1: expected TOKEN [read|ingest|admin]"},
      {"# only a comment\n\n", "no tokens in it"},
  };
  for (const Case& c : cases) {
    auto store = TokenStore::Parse(c.text, "tokens");
    ASSERT_FALSE(store.ok()) << c.text;
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(c.says));
  }
}

TEST(TokenStoreTest, ChecksTheBearerTokenAndItsScope) {
  auto store = TokenStore::Parse(absl::StrCat(kReadToken, "\n", kAdminToken, " admin\n"), "t");
  ASSERT_TRUE(store.ok()) << store.status();
  const TokenStore& tokens = **store;
  const std::string read = absl::StrCat("Bearer ", kReadToken);
  const std::string admin = absl::StrCat("Bearer ", kAdminToken);
  EXPECT_TRUE(tokens.Check(read, TokenScope::kRead).ok());
  EXPECT_TRUE(tokens.Check(admin, TokenScope::kRead).ok());  // admin includes read
  EXPECT_TRUE(tokens.Check(admin, TokenScope::kAdmin).ok());
  EXPECT_EQ(tokens.Check(read, TokenScope::kAdmin).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tokens.Check("", TokenScope::kRead).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.Check(kReadToken, TokenScope::kRead).code(),  // no "Bearer "
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.Check(absl::StrCat(read, "x"), TokenScope::kRead).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.Check("Bearer read-token", TokenScope::kRead).code(),  // a prefix
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenStoreTest, FollowsItsFileAddingAndRevokingTokensWithoutARestart) {
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("followed_tokens_", ::getpid());
  std::ofstream(path) << kReadToken << "\n";
  auto store = TokenStore::Load(path.string());
  ASSERT_TRUE(store.ok()) << store.status();
  TokenStore& tokens = **store;
  tokens.set_recheck_interval(absl::ZeroDuration());
  const std::string read = absl::StrCat("Bearer ", kReadToken);
  const std::string admin = absl::StrCat("Bearer ", kAdminToken);
  EXPECT_TRUE(tokens.Check(read, TokenScope::kRead).ok());
  EXPECT_EQ(tokens.Check(admin, TokenScope::kRead).code(), absl::StatusCode::kUnauthenticated);

  // The read token revoked, an admin token added.
  std::ofstream(path, std::ios::trunc) << "# rotated\n" << kAdminToken << " admin\n";
  EXPECT_TRUE(tokens.Check(admin, TokenScope::kAdmin).ok());
  EXPECT_EQ(tokens.Check(read, TokenScope::kRead).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.reloads(), 1u);

  // An edit that does not parse keeps the tokens in force, and is counted.
  std::ofstream(path, std::ios::trunc) << "short\n";
  EXPECT_TRUE(tokens.Check(admin, TokenScope::kAdmin).ok());
  EXPECT_EQ(tokens.refused_reloads(), 1u);
  EXPECT_EQ(tokens.size(), 1u);
  std::filesystem::remove(path);
}

TEST(BindPolicyTest, LoopbackAddresses) {
  for (const char* a : {"127.0.0.1:7070", "127.3.2.1:1", "localhost:7070", "[::1]:7070"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0:7070", "[::]:7070", ":7070", "10.0.0.5:7070", "example.com:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(BindPolicyTest, BeyondLoopbackNeedsTlsTokensOrAllowInsecure) {
  ServerSecurityOptions open;
  EXPECT_TRUE(open.Validate("127.0.0.1:7070").ok());
  absl::Status refused = open.Validate("0.0.0.0:7070");
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  for (const char* names : {"--tls-cert", "--auth-tokens", "--allow-insecure"}) {
    EXPECT_THAT(std::string(refused.message()), HasSubstr(names));
  }
  ServerSecurityOptions allowed;
  allowed.allow_insecure = true;
  EXPECT_TRUE(allowed.Validate("0.0.0.0:7070").ok());
  ServerSecurityOptions with_tokens;
  with_tokens.auth_tokens = "/some/tokens";  // read when the server starts
  EXPECT_TRUE(with_tokens.Validate("0.0.0.0:7070").ok());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TlsFilesTest, MissingMismatchedOrHalfGivenFilesAreNamedAtStart) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("tls_files_", ::getpid());
  Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  ServerSecurityOptions o;
  o.tls_cert = certs("server.pem");
  o.tls_key = certs("server.key");
  EXPECT_TRUE(o.Validate("0.0.0.0:7070").ok()) << o.Validate("0.0.0.0:7070");
  o.tls_client_ca = certs("ca.pem");
  EXPECT_TRUE(o.Validate("0.0.0.0:7070").ok());

  auto expect_error = [](const ServerSecurityOptions& bad, const std::string& says) {
    absl::Status s = bad.Validate("127.0.0.1:7070");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << says;
    EXPECT_THAT(std::string(s.message()), HasSubstr(says));
  };
  ServerSecurityOptions bad = o;
  bad.tls_key = certs("client.key");
  expect_error(bad, "does not match the certificate " + certs("server.pem"));
  bad = o;
  bad.tls_cert = certs("missing.pem");
  expect_error(bad, certs("missing.pem") + ": No such file");
  bad = o;
  bad.tls_key.clear();
  expect_error(bad, "--tls-cert (serve.tls.cert) needs --tls-key");
  bad = o;
  bad.tls_client_ca = certs("server.key");  // a key, not a certificate
  expect_error(bad, "TLS client CA " + certs("server.key") + ": no PEM certificate");
  bad = ServerSecurityOptions();
  bad.tls_client_ca = certs("ca.pem");
  expect_error(bad, "--tls-client-ca (serve.tls.client_ca) needs --tls-cert");
}

TEST(SecurityConfigTest, ReadsTheServeKeysRelativeToTheConfigFile) {
  YAML::Node node = YAML::Load(
      "tls: {cert: certs/server.pem, key: certs/server.key, client_ca: /etc/ca.pem, refresh: 30s}\n"
      "auth_tokens: tokens.txt\n"
      "allow_insecure: true\n");
  ConfigSection serve(node, "serve.", "/etc/logweave/config.yaml", "/etc/logweave");
  ServerSecurityOptions o;
  ASSERT_TRUE(ReadServerSecurity(serve, &o).ok());
  EXPECT_EQ(o.tls_cert, "/etc/logweave/certs/server.pem");
  EXPECT_EQ(o.tls_key, "/etc/logweave/certs/server.key");
  EXPECT_EQ(o.tls_client_ca, "/etc/ca.pem");
  EXPECT_EQ(o.tls_refresh, absl::Seconds(30));
  EXPECT_EQ(o.auth_tokens, "/etc/logweave/tokens.txt");
  EXPECT_TRUE(o.allow_insecure);

  YAML::Node unknown = YAML::Load("tls: {cert: a.pem, ca: b.pem}\n");
  absl::Status s = ReadServerSecurity(ConfigSection(unknown, "serve.", "c.yaml"), &o);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("serve.tls.ca"));
}

TEST(TlsRotationTest, ANewCertificateIsServedWithoutARestart) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("tls_rotation_", ::getpid());
  Certificates certs(dir);
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  // The served files start as a copy of the server certificate of "ca".
  const auto live_cert = dir / "live.pem", live_key = dir / "live.key";
  std::filesystem::copy_file(certs("server.pem"), live_cert);
  std::filesystem::copy_file(certs("server.key"), live_key);
  auto runtime = Runtime::Create(RuntimeOptions());
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  ServerOptions options;
  options.address = "127.0.0.1:0";
  options.security.tls_cert = live_cert.string();
  options.security.tls_key = live_key.string();
  options.security.tls_refresh = absl::Seconds(1);
  auto server = LogweaveServer::Start(options, runtime->get());
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->SetReady(true);
  // GetStats from a fresh channel trusting `ca` (a new channel: a new handshake).
  auto stats_trusting = [&](const std::string& ca) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(certs(ca + ".pem"));
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                             grpc::SslCredentials(ssl), args);
    auto stub = v1::LogWeave::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::Stats stats;
    return stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  };
  EXPECT_TRUE(stats_trusting("ca").ok());
  EXPECT_FALSE(stats_trusting("other-ca").ok());

  // Rotate to a certificate of the other CA: written aside, then renamed in.
  ASSERT_TRUE(certs.IssueServer("new", "other-ca"));
  std::filesystem::rename(dir / "new.key", live_key);
  std::filesystem::rename(dir / "new.pem", live_cert);
  bool rotated = false;
  for (int i = 0; i < 200 && !rotated; ++i) {  // refreshed every second; waits up to 20 s
    rotated = stats_trusting("other-ca").ok();
    if (!rotated) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(rotated) << "the server never presented the new certificate";
  EXPECT_FALSE(stats_trusting("ca").ok());  // the old one is gone
  (*server)->Shutdown(absl::Seconds(1));
  std::filesystem::remove_all(dir);
}

// One TLS server with a client CA and tokens over a few lines.
class SecureServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::path(::testing::TempDir()) /
                                     absl::StrCat("secure_server_", ::getpid()));
    certs_ = new Certificates(*dir_);
    ASSERT_TRUE(certs_->ok()) << "openssl could not make the test certificates";
    std::ofstream((*dir_) / "tokens") << "# test tokens\n" << kReadToken << " read\n";
    auto runtime = Runtime::Create(RuntimeOptions());
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = runtime->release();
    Pipeline* pipeline = &runtime_->pipeline();
    testdata::SubmitLines(pipeline, pipeline->AddSource("logs/api.log"),
                          {R"({"ts":"2026-01-01T00:00:00Z","service":"api","trace_id":"t-1",)"
                           R"("level":"info","msg":"hello"})"},
                          /*batch_lines=*/16);
    pipeline->Flush();
    ServerOptions options;
    options.address = "127.0.0.1:0";
    options.security.tls_cert = (*certs_)("server.pem");
    options.security.tls_key = (*certs_)("server.key");
    options.security.tls_client_ca = (*certs_)("ca.pem");
    options.security.auth_tokens = ((*dir_) / "tokens").string();
    auto server = LogweaveServer::Start(options, runtime_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    server_->SetReady(true);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete runtime_;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete certs_;
    delete dir_;
  }

  static std::string Address() { return absl::StrCat("127.0.0.1:", server_->port()); }

  // A client with the given certificate ("" for none), trusting `ca`.
  static std::shared_ptr<grpc::Channel> TlsChannel(const std::string& ca,
                                                   const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile((*certs_)(ca + ".pem"));
    if (!client.empty()) {
      ssl.pem_cert_chain = ReadFile((*certs_)(client + ".pem"));
      ssl.pem_private_key = ReadFile((*certs_)(client + ".key"));
    }
    return grpc::CreateChannel(Address(), grpc::SslCredentials(ssl));
  }

  static grpc::Status GetStats(const std::shared_ptr<grpc::Channel>& channel,
                               const std::string& token) {
    auto stub = v1::LogWeave::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::Stats stats;
    return stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  }

  static std::filesystem::path* dir_;
  static Certificates* certs_;
  static Runtime* runtime_;
  static LogweaveServer* server_;
};

std::filesystem::path* SecureServerTest::dir_ = nullptr;
Certificates* SecureServerTest::certs_ = nullptr;
Runtime* SecureServerTest::runtime_ = nullptr;
LogweaveServer* SecureServerTest::server_ = nullptr;

TEST_F(SecureServerTest, ServesOnlyMtlsClientsWithAToken) {
  EXPECT_TRUE(GetStats(TlsChannel("ca", "client"), kReadToken).ok());
  // No TLS, no client certificate, a certificate of another CA: no connection.
  EXPECT_EQ(GetStats(grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()), kReadToken)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GetStats(TlsChannel("ca", ""), kReadToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GetStats(TlsChannel("ca", "stranger"), kReadToken).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A server this client does not trust.
  EXPECT_EQ(GetStats(TlsChannel("other-ca", "client"), kReadToken).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Over mTLS, a missing or unknown token.
  grpc::Status missing = GetStats(TlsChannel("ca", "client"), "");
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(missing.error_message(), HasSubstr("needs a token"));
  EXPECT_EQ(GetStats(TlsChannel("ca", "client"), "not-a-known-token-at-all").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SecureServerTest, EveryQueryNeedsTheTokenButHealthStaysOpen) {
  auto stub = v1::LogWeave::NewStub(TlsChannel("ca", "client"));
  auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(10); };
  {
    grpc::ClientContext c;
    c.set_deadline(deadline());
    v1::GetTimelineRequest request;
    request.set_trace_id("t-1");
    v1::GetTimelineResponse response;
    EXPECT_EQ(stub->GetTimeline(&c, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext c;
    c.set_deadline(deadline());
    v1::SearchTracesResponse response;
    EXPECT_EQ(stub->SearchTraces(&c, v1::SearchTracesRequest(), &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext c;
    c.set_deadline(deadline());
    v1::ListUnstructuredResponse response;
    EXPECT_EQ(stub->ListUnstructured(&c, v1::ListUnstructuredRequest(), &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext c;
    c.set_deadline(deadline());
    auto reader = stub->StreamFindings(&c, v1::StreamFindingsRequest());
    v1::Finding f;
    while (reader->Read(&f)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext c;
    c.set_deadline(deadline());
    c.AddMetadata("authorization", absl::StrCat("Bearer ", kReadToken));
    v1::GetTimelineRequest request;
    request.set_trace_id("t-1");
    v1::GetTimelineResponse response;
    ASSERT_TRUE(stub->GetTimeline(&c, request, &response).ok());
    EXPECT_EQ(response.events_size(), 1);
  }
  // Probes need no token (and learn nothing but SERVING): grpc.health.v1
  // Check with an empty request answers {status: SERVING}, bytes 08 01.
  EXPECT_EQ(testdata::HealthCheckBytes(TlsChannel("ca", "client")), testdata::kHealthServing);
}

// Repeats `call` until it is answered (the server looks at its token file at
// most once a second), for up to ten seconds.
grpc::Status OnceTheTokenIsKnown(const std::function<grpc::Status()>& call) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  grpc::Status status = call();
  while (!status.ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    status = call();
  }
  return status;
}

TEST_F(SecureServerTest, ATokenAddedToTheFileWorksAndARemovedOneIsRefusedWithoutARestart) {
  const std::filesystem::path tokens = (*dir_) / "tokens";
  const std::string added = "added-token-0123456789abcdef";
  auto get_stats = [](const std::string& token) {
    return [token] { return GetStats(TlsChannel("ca", "client"), token); };
  };
  std::ofstream(tokens, std::ios::trunc) << "# rotated\n" << added << " read\n";
  grpc::Status with_added = OnceTheTokenIsKnown(get_stats(added));
  EXPECT_TRUE(with_added.ok()) << with_added.error_message();
  EXPECT_EQ(get_stats(kReadToken)().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Back as the other tests expect it.
  std::ofstream(tokens, std::ios::trunc) << "# test tokens\n" << kReadToken << " read\n";
  grpc::Status with_read = OnceTheTokenIsKnown(get_stats(kReadToken));
  EXPECT_TRUE(with_read.ok()) << with_read.error_message();
}

TEST_F(SecureServerTest, TheCommandsConnectWithTlsFlagsAndTokens) {
  const std::string err = ((*dir_) / "stderr.txt").string();
  // `logweave stats --json` with `flags`, and `env` (VAR=value ...) in its environment.
  auto stats = [&](const std::string& env, const std::string& flags) {
    return testdata::RunCommand(
        absl::StrCat("env -u LOGWEAVE_TOKEN -u LOGWEAVE_TLS_CA -u LOGWEAVE_TLS_CERT ",
                     "-u LOGWEAVE_TLS_KEY ", env, " timeout -s KILL 30 ", LOGWEAVE_BIN,
                     " stats --json --server ", Address(), " ", flags),
        err);
  };
  const std::string tls =
      absl::StrCat(" --tls-ca ", (*certs_)("ca.pem"), " --tls-cert ", (*certs_)("client.pem"),
                   " --tls-key ", (*certs_)("client.key"));
  std::ofstream((*dir_) / "token") << kReadToken << "\n";
  testdata::CommandResult r = stats("", tls + " --token-file " + ((*dir_) / "token").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"lines\":1"));
  r = stats(absl::StrCat("LOGWEAVE_TOKEN=", kReadToken), tls);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = stats(absl::StrCat("LOGWEAVE_TOKEN=", kReadToken, " LOGWEAVE_TLS_CA=", (*certs_)("ca.pem"),
                         " LOGWEAVE_TLS_CERT=", (*certs_)("client.pem"),
                         " LOGWEAVE_TLS_KEY=", (*certs_)("client.key")),
            "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = stats("", tls);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("UNAUTHENTICATED"));
  r = stats(
      "", absl::StrCat("--tls-ca ", (*certs_)("ca.pem"), " --tls-cert ", (*certs_)("client.pem")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--tls-cert and --tls-key"));
}

TEST(ServeCommandTest, RefusesToListenBeyondLoopbackUnprotected) {
  const std::string err = absl::StrCat(::testing::TempDir(), "/serve_bind_", ::getpid(), ".txt");
  testdata::CommandResult r = testdata::RunCommand(
      absl::StrCat("timeout -s KILL 30 ", LOGWEAVE_BIN, " serve --address 0.0.0.0:0 </dev/null"),
      err);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("refusing to serve logs on 0.0.0.0:0"));
  EXPECT_THAT(r.err, HasSubstr("--allow-insecure"));
  std::filesystem::remove(err);
}

}  // namespace
}  // namespace logweave

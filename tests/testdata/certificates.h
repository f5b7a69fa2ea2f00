// Test helper: certificates made by the openssl command for TLS tests.
#ifndef LOGWEAVE_TESTS_TESTDATA_CERTIFICATES_H_
#define LOGWEAVE_TESTS_TESTDATA_CERTIFICATES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace logweave::testdata {

// Certificates for one test suite: a CA, a server certificate for
// localhost/127.0.0.1, a client certificate of the same CA, and one of
// another CA, in `dir`, which is removed with them.
class Certificates {
 public:
  explicit Certificates(const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir);
    ok_ = Run("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
              "-subj /CN=test-ca") &&
          Run("openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem "
              "-days 2 -subj /CN=other-ca") &&
          Issue("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1") &&
          Issue("client", "ca", "subjectAltName=DNS:client") &&
          Issue("stranger", "other-ca", "subjectAltName=DNS:stranger");
  }
  ~Certificates() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);  // its directory goes with it
  }
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;

  bool ok() const { return ok_; }
  // Issues NAME.pem and NAME.key: another server certificate for
  // localhost/127.0.0.1, signed by `ca` ("ca" or "other-ca").
  bool IssueServer(const std::string& name, const std::string& ca) {
    return Issue(name, ca, "subjectAltName=DNS:localhost,IP:127.0.0.1");
  }
  std::string operator()(const std::string& name) const { return (dir_ / name).string(); }

 private:
  bool Run(const std::string& command) {
    const std::string line = absl::StrCat("cd ", dir_.string(), " && ", command, " 2>/dev/null");
    return std::system(line.c_str()) == 0;
  }
  bool Issue(const std::string& name, const std::string& ca, const std::string& ext) {
    std::ofstream(dir_ / (name + ".ext")) << ext << "\n";
    return Run(absl::StrCat("openssl req -newkey rsa:2048 -nodes -keyout ", name, ".key -out ",
                            name, ".csr -subj /CN=", name)) &&
           Run(absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca, ".pem -CAkey ", ca,
                            ".key -CAcreateserial -out ", name, ".pem -days 2 -extfile ", name,
                            ".ext"));
  }
  std::filesystem::path dir_;
  bool ok_ = false;
};

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_CERTIFICATES_H_

// What the rotation rule reads from a line: a Secrets Manager rotation (a
// CloudTrail event), an authentication failure in a service's own words
// (a database's or its driver's error, plain text or JSON), or a health
// check's result.
#ifndef LOGWEAVE_PLUGINS_ROTATION_ROTATION_SIGNALS_H_
#define LOGWEAVE_PLUGINS_ROTATION_ROTATION_SIGNALS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logweave/record.h"
#include "plugins/json_fields.h"
#include "plugins/rotation/rotation_options.h"

namespace logweave {

// One signal of a line.
struct RotationSignal {
  enum Kind : uint8_t {
    kRotation = 0,    // a secret got a new value (secret, event)
    kFailedRotation,  // a rotation call that failed (errorCode): rotates nothing
    kAuthFailure,     // the service failed to authenticate (what, user)
    kDeepHealthOk,    // the service's deep health check passed
    kShallowHealth,   // the service's shallow health check answered (ok)
  };
  Kind kind = kAuthFailure;
  bool ok = false;     // kShallowHealth: 2xx
  std::string secret;  // kRotation, kFailedRotation: the secret's name (ARN suffix stripped)
  std::string event;   // kRotation, kFailedRotation: the CloudTrail event name
  std::string what;  // kAuthFailure: postgres, mysql, sqlserver, mongodb, ..., deep_health, pattern
  std::string user;  // kAuthFailure: the database user the message names, if any
};

// The name of a Secrets Manager secret given by name or ARN: an ARN's
// "arn:...:secret:" prefix and its random "-XXXXXX" suffix (6 characters)
// are stripped ("arn:aws:secretsmanager:eu-west-1:1234:secret:prod/db-AbC123"
// -> "prod/db"); a name is returned as it is.
std::string SecretName(std::string_view id_or_arn);

// Reads signals from records. Immutable after construction; Read is thread-safe.
// A copy shares the compiled patterns.
class RotationSignalReader {
 public:
  // `options` must be valid (Validate).
  explicit RotationSignalReader(const RotationOptions& options);

  // False if the line says nothing the rule needs. `text`: a plain-text
  // line's message, or the JSON a service wrote (`json` true).
  bool Read(std::string_view text, bool json, RotationSignal* out) const;

 private:
  bool ReadCloudTrail(std::string_view json, RotationSignal* out) const;
  bool ReadHealth(std::string_view text, bool json, RotationSignal* out) const;
  // Which auth-failure pattern `text` matches ("" if none).
  std::string MatchAuthFailure(std::string_view text) const;

  const RotationOptions options_;
  struct Patterns;
  std::shared_ptr<const Patterns> patterns_;  // compiled once; copies share them
  internal::JsonFieldPicker picker_;          // slots: path, status
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_ROTATION_ROTATION_SIGNALS_H_

// RotationOptions: their rules, and the reading of the plugins.rotation section.
#include "plugins/rotation/rotation_options.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "logweave/config_section.h"
#include "plugins/rotation/rotation.h"
#include "re2/re2.h"

namespace logweave {

absl::Status RotationOptions::Validate() const {
  if (!enabled) return absl::OkStatus();
  constexpr int64_t kYear = 366LL * 86'400'000'000'000;
  if (window_ns <= 0 || window_ns > kYear || resolve_after_ns <= 0 || resolve_after_ns > kYear) {
    return absl::InvalidArgumentError(
        "plugins.rotation: window and resolve_after must be positive durations of at most 366 "
        "days");
  }
  if (lateness_ns < 0 || lateness_ns > kYear) {
    return absl::InvalidArgumentError("plugins.rotation.lateness must be from 0 to 366 days");
  }
  if (max_pending < 1) {
    return absl::InvalidArgumentError("plugins.rotation.max_pending must be at least 1");
  }
  for (const auto& [secret, services] : secrets) {
    if (secret.empty() || services.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugins.rotation.secrets: each secret must name at least one service (got \"", secret,
          "\" with ", services.size(), "); e.g. secrets: {prod/db/orders: [orders]}"));
    }
  }
  for (const auto* paths : {&deep_health_paths, &shallow_health_paths}) {
    for (const std::string& p : *paths) {
      if (!absl::StartsWith(p, "/")) {
        return absl::InvalidArgumentError(
            absl::StrCat("plugins.rotation: a health path must start with / (got \"", p,
                         "\"), e.g. /healthz/db"));
      }
    }
  }
  for (const std::string& pattern : extra_patterns) {
    RE2 re(pattern, RE2::Quiet);
    if (!re.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("plugins.rotation.extra_patterns: \"", pattern,
                                                     "\" is not an RE2 pattern: ", re.error()));
    }
  }
  return absl::OkStatus();
}

namespace internal {
namespace {

// The keys of plugins.rotation after `enabled` (ReadPluginSection's `read`).
absl::Status ReadRotationKeys(const ConfigSection& section, ConfigReader& r, RotationOptions& o) {
  r.Duration("window", /*zero_ok=*/false, &o.window_ns);
  r.Duration("resolve_after", /*zero_ok=*/false, &o.resolve_after_ns);
  r.Names("deep_health_paths", &o.deep_health_paths);
  r.Names("shallow_health_paths", &o.shallow_health_paths);
  r.Names("extra_patterns", &o.extra_patterns);
  r.Names("path_fields", &o.path_fields);
  r.Names("status_fields", &o.status_fields);
  r.Duration("lateness", /*zero_ok=*/true, &o.lateness_ns);
  r.Count("max_pending", &o.max_pending);
  if (!r.status().ok()) return r.status();
  return section.ForEachInMap(
      "secrets", "must map each secret to its services, e.g. {prod/db/orders: [orders]}",
      [&o](const ConfigSection& secrets, const std::string& secret) {
        ConfigReader services(secrets);
        std::vector<std::string> names;
        services.Names(secret, &names);
        if (!services.status().ok()) return services.status();
        if (names.empty()) return secrets.Error(secret, "must name at least one service");
        o.secrets.emplace_back(secret, std::move(names));
        return absl::OkStatus();
      });
}

}  // namespace

// plugins.rotation (registered in plugins/registry.cc).
absl::StatusOr<std::shared_ptr<const RulePluginConfig>> ReadRotationConfig(
    const ConfigSection& section) {
  return ReadPluginSection<RotationConfig>(
      section,
      {"enabled", "window", "resolve_after", "secrets", "deep_health_paths", "shallow_health_paths",
       "extra_patterns", "path_fields", "status_fields", "lateness", "max_pending"},
      ReadRotationKeys);
}

}  // namespace internal
}  // namespace logweave

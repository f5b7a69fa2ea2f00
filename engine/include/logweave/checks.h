// One-shot checks over documents as AWS and Terraform print them, for the
// `logweave cost` and `logweave drift` commands: the same rules as the
// streaming `plugins.cost` and `plugins.drift`, over files read once.
//
//   CostCheckOptions options;
//   options.paths = {"ce-page1.json", "ce-page2.json"};
//   absl::StatusOr<CostCheckResult> r = CheckCost(options);
//   if (!r.ok()) ... // r.status().message() names the file and what is wrong
//   for (const CostAnomaly& a : r->anomalies) ...
#ifndef LOGWEAVE_CHECKS_H_
#define LOGWEAVE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace logweave {

// --- cost ---

struct CostCheckOptions {
  std::vector<std::string> paths;  // Cost Explorer pages, CUR CSV, JSON lines; at least one
  std::string format = "auto";     // auto, ce, cur or jsonl (for every path)
  double stdevs = 2.0;             // an anomaly is above mean + stdevs x stdev; > 0
  uint32_t history_days = 7;       // the prior days that make the baseline; 2-366
  uint32_t min_history_days = 7;   // of them, at least this many with cost; 2-history_days
  uint32_t recent_days = 0;        // report only the last N days of the data; 0: every day
};

// A day whose cost is above the threshold.
struct CostAnomaly {
  std::string service;
  std::string date;  // YYYY-MM-DD (UTC)
  double actual = 0;
  double baseline_avg = 0;    // mean of the prior days' totals
  double threshold = 0;       // baseline_avg + stdevs x stdev
  double stdev = 0;           // sample standard deviation of the prior days' totals
  std::string currency;       // "" if the data names none
  uint32_t history_days = 0;  // prior days with cost that made the baseline
};

struct CostCheckResult {
  std::vector<CostAnomaly> anomalies;  // by date, then service
  uint64_t lines = 0;                  // cost lines read (rows, groups, JSON lines)
  uint64_t skipped = 0;                // rows or lines without a cost, a day or a service
  uint64_t services = 0;
  std::string first_date, last_date;  // of the data; "" without any
  std::vector<std::string> formats;   // per path: "Cost Explorer JSON", "CUR CSV", "JSON lines"
};

// INVALID_ARGUMENT saying which option is wrong (no FILE, a format, a range).
absl::Status ValidateCostCheck(const CostCheckOptions& options);
// ValidateCostCheck's errors; then NOT_FOUND / INVALID_ARGUMENT "PATH: what
// is wrong" for a file that cannot be read or is not of its format.
absl::StatusOr<CostCheckResult> CheckCost(const CostCheckOptions& options);

// --- drift ---

struct DriftCheckOptions {
  std::string state;                    // `terraform state pull` output (state v4); required
  std::vector<std::string> live;        // describe-security-groups (or -rules) output; at least one
  std::vector<std::string> cloudtrail;  // CloudTrail: {"Records":[...]}, lookup-events, JSON lines
  std::vector<std::string> ignore_groups;
};

// One rule that differs (a rule of a group Terraform does not know is one
// difference per rule, kind "unmanaged_group").
struct DriftDifference {
  std::string kind;  // unmanaged_rule | missing_rule | unmanaged_group
  std::string group;
  std::string group_name;
  std::string direction;  // ingress | egress
  std::string protocol;   // tcp, udp, icmp, icmpv6, all, or a number
  int from_port = -1;     // -1: the protocol has no ports
  int to_port = -1;
  std::string source;       // CIDR, IPv6 CIDR, group id or prefix list id
  std::string source_kind;  // cidr | ipv6 | sg | prefix_list
  bool open_to_internet = false;
  // The CloudTrail event that made the difference; "" when none did.
  std::string changed_by, changed_at, event;
};

struct DriftCheckResult {
  std::vector<DriftDifference> differences;
  uint64_t events = 0;  // security-group changes read from CloudTrail
  // Changes that could not be applied (a rule id nobody had named): one line each.
  std::vector<std::string> notes;
};

absl::StatusOr<DriftCheckResult> CheckDrift(const DriftCheckOptions& options);

}  // namespace logweave

#endif  // LOGWEAVE_CHECKS_H_

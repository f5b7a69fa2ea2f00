// logweave cost: the cost-anomaly rule, once, over Cost Explorer pages, AWS
// CUR CSV or JSON lines (CheckCost in logweave/checks.h), with the exit codes
// of a cron job's check.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "logweave/checks.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"

namespace logweave::cli {
namespace {

constexpr char kCostDescription[] =
    R"(Reads a service's daily costs and reports each day whose total is above
mean + --stdevs x the sample standard deviation of the --history-days days
before it (days with cost only; at least --min-history-days of them), as the
plugins.cost rule does on a stream.

FILEs (the format is told from the content; --format overrides it):
  - `aws ce get-cost-and-usage --granularity DAILY --metrics UnblendedCost
    --group-by Type=DIMENSION,Key=SERVICE` output: one service per group key;
    ungrouped, the day's Total as the service "total". Give every page of a
    NextPageToken walk: they are merged.
  - AWS Cost and Usage Report CSV: lineItem/UsageStartDate, lineItem/ProductCode
    (or product/ProductName), lineItem/UnblendedCost; rows are summed per day.
  - JSON lines with a cost, as the stream's (docs: engine/src/plugins/cost/README.md).

Without --json, a table; with it, one JSON object per anomaly:
  {"service","date","actual","baseline_avg","threshold","stdev","currency",
   "history_days"}
)";

std::string Money(double amount) { return absl::StrFormat("%.2f", amount); }

std::string Table(const CostCheckResult& r) {
  std::string out = absl::StrFormat("%-40s %-10s %12s %12s %12s %10s\n", "SERVICE", "DATE",
                                    "ACTUAL", "BASELINE_AVG", "THRESHOLD", "STDEV");
  for (const CostAnomaly& a : r.anomalies) {
    absl::StrAppend(
        &out, absl::StrFormat("%-40s %-10s %12s %12s %12s %10s%s\n", Cell(a.service, 40), a.date,
                              Money(a.actual), Money(a.baseline_avg), Money(a.threshold),
                              Money(a.stdev), a.currency.empty() ? "" : " " + a.currency));
  }
  return out;
}

}  // namespace

int RunCost(const std::vector<std::string>& args) {
  const std::string command = "logweave cost";
  CostCheckOptions options;
  bool json = false;
  uint64_t history_days = options.history_days, recent_days = 0, min_history_days = 0;
  FlagSet flags(command, "[flags] FILE...", kCostDescription);
  flags.set_exit_codes(
      "Exit codes: 0 no anomaly; 3 anomalies found; 1 a FILE is missing or not of its\n"
      "format (the message names it); 2 usage error.\n");
  flags.set_examples(
      {"aws ce get-cost-and-usage --time-period Start=2026-10-01,End=2026-11-01 \\\n"
       "  --granularity DAILY --metrics UnblendedCost \\\n"
       "  --group-by Type=DIMENSION,Key=SERVICE > ce.json",
       "logweave cost ce.json --recent-days 1 --json",
       "logweave cost cur-2026-11.csv --stdevs 3 --history-days 14"});
  flags.Double("stdevs", &options.stdevs, "K",
               "an anomaly is above mean + K x stdev of the prior days (default 2)");
  flags.Uint("history-days", &history_days, "N",
             "the prior days that make the baseline, 2-366 (default 7)");
  flags.Uint("min-history-days", &min_history_days, "N",
             "judge a day only with at least N prior days of cost (default: --history-days)");
  flags.Uint("recent-days", &recent_days, "N",
             "report only anomalies of the last N days of the data (default: every day)");
  flags.String("format", &options.format, "FORMAT",
               "auto (default), ce (Cost Explorer JSON), cur (CUR CSV) or jsonl");
  flags.Bool("json", &json, "print one JSON object per anomaly");
  std::vector<std::string> paths;
  if (int code = ParseFlags(flags, args, &paths); code >= 0) return code;
  if (paths.empty()) return Usage(command, "no FILE given; see 'logweave cost --help'");
  if (history_days > 366 || recent_days > 100'000 || min_history_days > 366) {
    return Usage(command, "--history-days, --min-history-days: at most 366");
  }
  options.paths = paths;
  options.history_days = static_cast<uint32_t>(history_days);
  options.min_history_days =
      static_cast<uint32_t>(min_history_days > 0 ? min_history_days : history_days);
  options.recent_days = static_cast<uint32_t>(recent_days);
  if (absl::Status s = ValidateCostCheck(options); !s.ok()) {
    return Usage(command, std::string(s.message()));
  }
  absl::StatusOr<CostCheckResult> result = CheckCost(options);
  if (!result.ok()) {
    PrintError(absl::StrCat(command, ": ", result.status().message()));
    return kExitRuntimeError;
  }
  std::string out;
  if (json) {
    for (const CostAnomaly& a : result->anomalies) {
      JsonWriter w;
      w.StartObject();
      w.Field("service", a.service);
      w.Field("date", a.date);
      w.Field("actual", a.actual);
      w.Field("baseline_avg", a.baseline_avg);
      w.Field("threshold", a.threshold);
      w.Field("stdev", a.stdev);
      w.Field("currency", a.currency);
      w.Field("history_days", static_cast<uint64_t>(a.history_days));
      w.EndObject();
      absl::StrAppend(&out, w.str(), "\n");
    }
  } else if (!result->anomalies.empty()) {
    out = Table(*result);
  } else {
    out = absl::StrCat("no cost anomaly: ", result->services, " services, ",
                       result->first_date.empty()
                           ? std::string("no cost data")
                           : absl::StrCat(result->first_date, " to ", result->last_date),
                       "\n");
  }
  Print(out);
  PrintError(absl::StrCat(command, ": read ", result->lines, " cost lines (",
                          absl::StrJoin(result->formats, ", "), "), ", result->skipped,
                          " without cost skipped; ", result->anomalies.size(), " anomalies"));
  return result->anomalies.empty() ? kExitOk : kExitFound;
}

}  // namespace logweave::cli

// Findings checked with the other instances of a deployment (serve --peers):
// a missing service or an incomplete sequence of a trace whose missing lines
// another instance holds is not a gap, only a trace split across instances.
//
//   PeerCheck check;
//   check.Filter(lookup, &findings, &report);  // after the detectors, before reporting
#ifndef LOGWEAVE_ANALYSIS_PEER_CHECK_H_
#define LOGWEAVE_ANALYSIS_PEER_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "logweave/finding.h"
#include "logweave/report.h"
#include "logweave/trace_lookup.h"

namespace logweave::internal {

// Thread-compatible: owned by the Analyzer, used by one Run at a time.
class PeerCheck {
 public:
  // At most this many traces are asked about per run (the rest are
  // reported as they are, and the answer counts as incomplete).
  static constexpr size_t kMaxAsked = 10000;
  // What another instance said of a trace is asked again after this long
  // (its lines may still be arriving there).
  static constexpr absl::Duration kRecheck = absl::Seconds(30);

  // Asks `lookup` (one call) about the traces of the missing_service and
  // incomplete_sequence findings in *findings, and removes the findings
  // whose missing lines other instances hold: a missing_service whose every
  // missing service they hold lines of in that trace, an incomplete_sequence
  // whose service they hold lines of in that trace (the sequence may go on
  // there). Sets report->split_traces, findings_held_elsewhere and
  // lookup_incomplete. `now` is the wall clock (answers are reused until kRecheck).
  void Filter(TraceLookup& lookup, absl::Time now, std::vector<Finding>* findings,
              AnalysisReport* report);

 private:
  struct Known {
    std::vector<std::string> services;  // held elsewhere; empty: none
    absl::Time asked;
  };
  // Drops answers older than kRecheck once there are many.
  void Prune(absl::Time now);

  absl::flat_hash_map<std::string, Known> known_;  // by trace id
  absl::flat_hash_set<std::string> split_;         // traces found split (counted once)
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_PEER_CHECK_H_

// What other instances of a deployment hold of some traces: before the
// analysis reports a missing service or an incomplete sequence of a trace,
// it asks whether the rest of the trace is elsewhere (serve --peers: the
// topics were not co-partitioned by trace id, so a trace's lines landed on
// several instances). connectors/grpc/peers implements it over gRPC; the
// engine knows only this interface.
//
//   class MyLookup : public TraceLookup { ... };
//   runtime->SetTraceLookup(&lookup);  // every later analysis asks it
#ifndef LOGWEAVE_TRACE_LOOKUP_H_
#define LOGWEAVE_TRACE_LOOKUP_H_

#include <string>
#include <vector>

namespace logweave {

// Lines of one trace held by other instances.
struct HeldElsewhere {
  std::string trace_id;
  std::vector<std::string> services;  // the services those lines are of
};

struct TraceLookupAnswer {
  // The traces asked about that another instance holds lines of; the others
  // are left out.
  std::vector<HeldElsewhere> held;
  // False when some instance did not answer (down, slow, still replaying) or
  // not every trace could be asked about: what it holds is unknown.
  bool complete = true;
};

// Implementations are called from the analysis thread, one call at a time.
class TraceLookup {
 public:
  virtual ~TraceLookup() = default;
  // Which of `trace_ids` other instances hold lines of. Blocks at most the
  // implementation's deadline (the peer timeout); never fails: what could
  // not be learned makes the answer incomplete.
  virtual TraceLookupAnswer Lookup(const std::vector<std::string>& trace_ids) = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_TRACE_LOOKUP_H_

// Rule plugins: rules that watch the same stream as the index and the
// detectors, and report findings (canary rollback, ...).
//
// A plugin sees every parsed batch on the ingest path (Observe, on the
// pipeline's worker threads, concurrently) and is asked for its findings by
// the analysis (Evaluate), with the event-time watermark.
// Observe must be quick and must never block: a plugin takes what it needs
// from the records and hands it to Evaluate over a lock-free queue; what it
// cannot keep within its limits it drops and counts (dropped()).
#ifndef LOGWEAVE_PLUGIN_H_
#define LOGWEAVE_PLUGIN_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "logweave/finding.h"
#include "logweave/parser.h"

namespace logweave {

class RulePlugin {
 public:
  virtual ~RulePlugin() = default;

  // The name the config registers it under ("canary").
  virtual std::string_view name() const = 0;

  // Thread-safe, non-blocking: takes what the rule needs from a parsed batch.
  // The batch's views are valid only during the call.
  virtual void Observe(const ParsedBatch& batch) = 0;

  // Thread-safe (serialized with Evaluate): moves what Observe queued into
  // the plugin's own state, so that the queue's limit bounds what waits
  // between two calls, not all a replay reads. A replay calls it after every
  // batch it submits; Evaluate does it first.
  virtual void Absorb() = 0;

  // Thread-safe (serialized with Absorb): decides what the data up to
  // `watermark_ns` (event time; INT64_MAX: the data is complete) shows, and
  // appends the plugin's open findings to `out` (all of them, each time: the
  // analysis reports the new ones and the ones that went away).
  virtual void Evaluate(int64_t watermark_ns, std::vector<Finding>* out) = 0;

  // Inputs dropped because a limit of the plugin was reached. Thread-safe.
  virtual uint64_t dropped() const = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGIN_H_

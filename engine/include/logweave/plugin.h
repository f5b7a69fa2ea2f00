// Rule plugins: rules that watch the same stream as the index and the
// detectors, and report findings (canary rollback, ...).
//
// A plugin sees every parsed batch on the ingest path (Observe, on the
// pipeline's worker threads, concurrently) and is asked for its findings by
// the analysis (Evaluate), with the event-time watermark.
// Observe must be quick and must never block: a plugin takes what it needs
// from the records and hands it to Evaluate over a lock-free queue; what it
// cannot keep within its limits it drops and counts (dropped()).
//
// A plugin is configured by a RulePluginConfig: the config file's
// plugins.<name> section makes one (each built-in plugin registers the
// reader of its section in engine/src/plugins/registry.cc), and code that
// embeds the engine may add its own to PipelineOptions::plugins.
#ifndef LOGWEAVE_PLUGIN_H_
#define LOGWEAVE_PLUGIN_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/finding.h"
#include "logweave/record.h"

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

class SourceNames;  // logweave/index.h

// The settings of one rule plugin, and the factory that makes it from them.
// Immutable once made, so PipelineOptions (which holds them by shared_ptr)
// copies freely; thread-safe.
class RulePluginConfig {
 public:
  virtual ~RulePluginConfig() = default;

  // The plugin's name: the key of its config section (plugins.<name>).
  virtual std::string_view name() const = 0;
  // False when the section keeps the plugin off (enabled: false): the
  // pipeline makes no plugin from it.
  virtual bool enabled() const = 0;
  // OK, or INVALID_ARGUMENT naming the key (plugins.<name>.<key>), what is
  // wrong and what to do. Not checked when the plugin is off.
  virtual absl::Status Validate() const = 0;
  // Makes the plugin, for a pipeline whose sources are `sources` (the plugin
  // keeps the reference: it must outlive the plugin). INVALID_ARGUMENT for
  // invalid settings; the plugin's own errors (NOT_FOUND for a file it cannot read).
  virtual absl::StatusOr<std::unique_ptr<RulePlugin>> Create(const SourceNames& sources) const = 0;
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGIN_H_

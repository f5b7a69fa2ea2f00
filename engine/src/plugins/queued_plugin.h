// The scaffolding every rule plugin shares: Observe takes items from the
// records of a parsed batch (on the workers, lock-free) and offers them to a
// PluginQueue; Absorb and Evaluate move them into the plugin's own state
// under one mutex; Evaluate then decides. A plugin says only how to take an
// item from a record (Take), what to keep of it (Keep) and what the kept
// state shows (Decide).
#ifndef LOGWEAVE_PLUGINS_QUEUED_PLUGIN_H_
#define LOGWEAVE_PLUGINS_QUEUED_PLUGIN_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/plugin.h"
#include "parse/parser.h"
#include "plugins/common.h"
#include "plugins/plugin_queue.h"

namespace logweave::internal {

// Item: what Observe takes from one record; it has a `uint64_t line_hash`,
// set here, by which a repeated line is taken once.
//
// Observe and dropped(): thread-safe, lock-free. Absorb and Evaluate:
// thread-safe, serialized by mu_, under which Keep and Decide run.
template <typename Item>
class QueuedRulePlugin : public RulePlugin {
 public:
  void Observe(const ParsedBatch& batch) final {
    std::vector<Item> items;
    for (size_t i = 0; i < batch.records.size(); ++i) {
      Item item;
      if (!Take(batch.records[i], &item)) continue;
      item.line_hash = batch.line_hashes[i];
      items.push_back(std::move(item));
    }
    queue_.Offer(std::move(items));
  }

  void Absorb() final {
    absl::MutexLock lock(&mu_);
    AbsorbLocked();
  }

  void Evaluate(int64_t watermark_ns, std::vector<Finding>* out) final {
    absl::MutexLock lock(&mu_);
    AbsorbLocked();
    Decide(watermark_ns, out);
  }

  uint64_t dropped() const final { return queue_.dropped(); }

 protected:
  // At most `max_pending` items wait between Observe and Absorb; beyond,
  // a batch's items are dropped and counted.
  explicit QueuedRulePlugin(uint64_t max_pending) : queue_(max_pending) {}

  // On any worker thread, concurrently; must not block. False if `record`
  // is not the rule's business. The record's views are valid only during the call.
  virtual bool Take(const Record& record, Item* out) const = 0;
  // Under mu_: adds an item that is not a repeat to the plugin's state.
  virtual void Keep(Item&& item) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // Under mu_, after every queued item was kept: appends the plugin's open
  // findings up to `watermark_ns` (RulePlugin::Evaluate).
  virtual void Decide(int64_t watermark_ns, std::vector<Finding>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  // Guards the subclass's state; held around Keep and Decide.
  mutable absl::Mutex mu_;

 private:
  void AbsorbLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    queue_.Drain([this](Item&& item) ABSL_NO_THREAD_SAFETY_ANALYSIS { Keep(std::move(item)); });
  }

  PluginQueue<Item> queue_;  // MPSC: producers = workers (Observe); consumer = mu_'s holder
};

// A QueuedRulePlugin that valid options and the source names are all it
// takes to make: its Create and name(), and what every such plugin holds (the
// options, the source names, and a Reader made from the options that Take
// reads items with). Plugin (the derived class) has
// `static constexpr std::string_view kName` and a private constructor
// Plugin(const Options&, const SourceNames&), and befriends this class;
// Options has `bool enabled` and `absl::Status Validate() const`; Reader has
// an explicit constructor from `const Options&`.
template <typename Plugin, typename Options, typename Item, typename Reader>
class OptionsRulePlugin : public QueuedRulePlugin<Item> {
 public:
  // INVALID_ARGUMENT for invalid options. `sources` names the evidence
  // lines' sources; it must outlive the plugin.
  static absl::StatusOr<std::unique_ptr<Plugin>> Create(const Options& options,
                                                        const SourceNames& sources) {
    absl::StatusOr<Options> enabled = EnabledOptions(options);
    if (!enabled.ok()) return enabled.status();
    return std::unique_ptr<Plugin>(new Plugin(*enabled, sources));
  }

  std::string_view name() const final { return Plugin::kName; }

 protected:
  // `max_pending`: QueuedRulePlugin's.
  OptionsRulePlugin(const Options& options, const SourceNames& sources, uint64_t max_pending)
      : QueuedRulePlugin<Item>(max_pending),
        options_(options),
        sources_(sources),
        reader_(options_) {}

  const Options options_;       // valid, enabled
  const SourceNames& sources_;  // names the evidence lines' sources
  const Reader reader_;         // Reader(options_)
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_QUEUED_PLUGIN_H_

// Findings published by the runtime's analysis, for subscribers (StreamFindings,
// action sinks).
#ifndef LOGWEAVE_FINDINGS_HUB_H_
#define LOGWEAVE_FINDINGS_HUB_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "logweave/finding.h"
#include "logweave/report.h"

namespace logweave {

// A log of findings in publication order, each with a sequence number, kept up
// to `capacity` (the oldest are forgotten). Thread-safe: one publisher, many
// readers; readers block in Read until something new comes or Close is called.
class FindingsHub {
 public:
  explicit FindingsHub(size_t capacity = 100000) : capacity_(capacity) {}

  // Appends findings and wakes the readers.
  void Publish(const std::vector<Finding>& findings);
  // The same, moving them in (`findings` is left empty).
  void Publish(std::vector<Finding>&& findings);
  // Appends `findings` and the unstructured_error findings of `(*errors)[i]` for each i of
  // `which`, merged in the order of a report's findings (time, kind, id; `findings` and the
  // errors named sorted by it). An error is kept as a reference into `errors` (the published
  // report's, shared, never changed), its finding built when read. Each publication moves the
  // references into an earlier report over to the same error in `errors` where it reads the
  // same; an error that is gone or changed is copied then. So the hub holds no report but the
  // latest, and copies only of errors that have changed since they were published.
  void Publish(std::vector<Finding>&& findings,
               std::shared_ptr<const std::vector<AttributedEntry>> errors,
               const std::vector<size_t>& which);

  // Findings with sequence >= *next (those already forgotten are skipped),
  // waiting up to `timeout` for one to arrive. Advances *next past them.
  // Returns empty on timeout or once closed.
  std::vector<Finding> Read(uint64_t* next, absl::Duration timeout);

  // The sequence number the next published finding will get.
  uint64_t next_sequence() const;

  // Wakes every reader for good (server shutdown).
  void Close();
  bool closed() const;

 private:
  // A plain-text error of a published report, its finding built when read.
  struct ErrorRef {
    std::shared_ptr<const std::vector<AttributedEntry>> errors;
    size_t index;
    const AttributedEntry& entry() const { return (*errors)[index]; }
  };
  // A finding, a plain-text error of a report, or a copy of one that has changed since.
  // Shared, so that Read copies items under the lock and builds findings outside it.
  using Item = std::variant<std::shared_ptr<const Finding>, ErrorRef,
                            std::shared_ptr<const AttributedEntry>>;
  // Points the references into reports before `errors` at the same errors in it, or copies them.
  void MoveReferencesTo(const std::shared_ptr<const std::vector<AttributedEntry>>& errors)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static Finding Build(const Item& item);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<Item> log_ ABSL_GUARDED_BY(mu_);
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // sequence of log_.front()
  // The report the references point into, once one was published.
  std::shared_ptr<const std::vector<AttributedEntry>> latest_errors_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace logweave

#endif  // LOGWEAVE_FINDINGS_HUB_H_

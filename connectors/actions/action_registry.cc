#include "connectors/actions/action_registry.h"

#include "logweave/registry_table.h"

namespace logweave::actions {

// The kinds of action: one line each, X(key, keys, reader), where the reader
// is the function of <key>/ that reads the kind's keys and makes the action.
// Adding a kind: a folder <key>/ (the action, its reader, tests; add its
// sources to CMakeLists.txt) and one line here.
#define LOGWEAVE_ACTION_KINDS(X) \
  X("exec", "", ReadExecAction)  \
  X("webhook", "headers,retries,ca_file", ReadWebhookAction)

#define LOGWEAVE_DECLARE_READER(name, keys, reader)                          \
  absl::StatusOr<std::unique_ptr<Action>> reader(const ConfigSection& entry, \
                                                 const ActionContext& context);
LOGWEAVE_ACTION_KINDS(LOGWEAVE_DECLARE_READER)
#undef LOGWEAVE_DECLARE_READER

namespace {

#define LOGWEAVE_ENTRY(name, keys, reader) ActionKindEntry{name, keys, &reader},
constexpr ActionKindEntry kActionKinds[] = {LOGWEAVE_ACTION_KINDS(LOGWEAVE_ENTRY)};
#undef LOGWEAVE_ENTRY
#undef LOGWEAVE_ACTION_KINDS

static_assert(NamesAreUnique(kActionKinds), "two kinds of action registered under one name");

}  // namespace

std::span<const ActionKindEntry> ActionKinds() { return kActionKinds; }

}  // namespace logweave::actions

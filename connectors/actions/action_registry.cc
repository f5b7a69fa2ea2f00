#include "connectors/actions/action_registry.h"

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

constexpr bool NamesAreUnique() {
  for (size_t i = 0; i < std::size(kActionKinds); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (kActionKinds[i].name == kActionKinds[j].name) return false;
    }
  }
  return true;
}
static_assert(NamesAreUnique(), "two kinds of action registered under one name");

}  // namespace

std::span<const ActionKindEntry> ActionKinds() { return kActionKinds; }

}  // namespace logweave::actions

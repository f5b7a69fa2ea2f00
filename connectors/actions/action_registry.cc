#include "connectors/actions/action_registry.h"

#include "connectors/actions/exec/exec_action.h"
#include "connectors/actions/webhook/webhook_action.h"
#include "logweave/registry_table.h"

namespace logweave::actions {
namespace {

// The kinds of action: one line each, {key, keys, reader}, where the reader
// is the function of <key>/ that reads the kind's keys and makes the action.
// Adding a kind: a folder <key>/ (the action, its reader declared in its
// header, tests; add its sources to CMakeLists.txt), its header's include
// above and one line here.
constexpr ActionKindEntry kActionKinds[] = {
    {"exec", "", &ReadExecAction},
    {"webhook", "headers,retries,ca_file", &ReadWebhookAction},
};

static_assert(NamesAreUnique(kActionKinds), "two kinds of action registered under one name");

}  // namespace

std::span<const ActionKindEntry> ActionKinds() { return kActionKinds; }

}  // namespace logweave::actions

// Action runs (connectors/actions) to and from logweave.v1.ActionRun: the
// server's ListActions answers them, `logweave actions` prints them with the
// formatter `logweave replay` uses. Thread-safe.
#ifndef LOGWEAVE_CONNECTORS_GRPC_ACTIONS_CONVERT_H_
#define LOGWEAVE_CONNECTORS_GRPC_ACTIONS_CONVERT_H_

#include "connectors/actions/dispatcher.h"
#include "connectors/grpc/wire_text.h"
#include "logweave/v1/logweave.pb.h"

namespace logweave {

// Every string passes through `text` (valid UTF-8, repairs counted).
void ToProto(const actions::ActionRun& run, v1::ActionRun* out, WireText* text);
// The values as sent; an unknown outcome reads as failed.
actions::ActionRun FromProto(const v1::ActionRun& run);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_ACTIONS_CONVERT_H_

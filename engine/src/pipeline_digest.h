// What the pipeline hands the plain-text collector for each parsed batch:
// its plain-text lines with the time context they need (analysis/unstructured.h).
#ifndef LOGWEAVE_ENGINE_SRC_PIPELINE_DIGEST_H_
#define LOGWEAVE_ENGINE_SRC_PIPELINE_DIGEST_H_

#include "analysis/unstructured.h"
#include "parse/parser.h"

namespace logweave::internal {

// The plain-text lines of `parsed` (copied: the digest owns its text), each
// with its own time and the nearest earlier timed record's, and the batch's
// last event time. Pure; thread-safe.
BatchDigest DigestBatch(const ParsedBatch& parsed);

}  // namespace logweave::internal

#endif  // LOGWEAVE_ENGINE_SRC_PIPELINE_DIGEST_H_

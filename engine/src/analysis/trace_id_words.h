// The words of a plain-text error that could be trace ids: how an error that
// names its trace ("... trace_id=4bf9...") is matched to it.
#ifndef LOGWEAVE_ANALYSIS_TRACE_ID_WORDS_H_
#define LOGWEAVE_ANALYSIS_TRACE_ID_WORDS_H_

#include <string>
#include <string_view>
#include <vector>

namespace logweave::internal {

// Runs of letters, digits, '_' and '-' of 6 to 128 bytes with at least one
// digit (so "exception" is not one, "pay-abc123" and a UUID are), and the
// '-'-separated parts of such a run (a W3C traceparent "00-TRACE-SPAN-01"
// names TRACE), in the first 4 KiB of `text`; at most 64. Views into `text`;
// distinct, in order.
std::vector<std::string_view> TraceIdWords(std::string_view text);

// Each entry's words (TraceIdWords of its text), by the entry's index:
// copies, so that they outlive the texts (which an analysis parks, ParkedTexts).
using EntryWords = std::vector<std::vector<std::string>>;

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_TRACE_ID_WORDS_H_

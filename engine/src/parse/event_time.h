// Event time: where a log line's time comes from, in one place. A JSON line's time field (an
// RFC 3339 or similar string, or an epoch number in s/ms/us/ns), a plain-text line's leading
// timestamp, syslog time or logfmt "ts=" pair, and for lines with none, the time of their
// neighbours in the batch.
//
//   int64_t ns;
//   if (JsonFieldTime("1732377523.25", /*is_string=*/false, &ns)) ...
//   if (PlainTextTime(text, line, now_ns, &ns)) ...
//   InferMissingTimes(&records);  // after a batch: lines without a time take a neighbour's
//
// Every function is pure and thread-safe; none allocates.
#ifndef LOGWEAVE_PARSE_EVENT_TIME_H_
#define LOGWEAVE_PARSE_EVENT_TIME_H_

#include <cstdint>
#include <string_view>

namespace logweave::internal {

// The time a JSON time field's value states: a string by ParseTimestamp, a
// number (or, with !is_string, digits) as epoch seconds, milliseconds,
// microseconds or nanoseconds by magnitude. Sets *ns and returns true, or
// returns false (an unparseable time: the caller flags kRecordBadTime).
bool JsonFieldTime(std::string_view value, bool is_string, int64_t* ns);

// The time of a plain-text line: a timestamp at the start of `text` (the line
// after any syslog "<PRI>"), a syslog "Nov 23 10:00:01" time (its year from
// `now_ns`), or else a logfmt ts=/time=/timestamp= pair among the first 512
// bytes of `line`. Sets *ns and returns true, or returns false.
bool PlainTextTime(std::string_view text, std::string_view line, int64_t now_ns, int64_t* ns);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_EVENT_TIME_H_

// The header of a plain-text log line, found without per-source configuration: the time,
// pid, host or file fields before the level word, the level, and the thread and component
// fields after it ("[main] org.apache.Foo:", "nova.api.server [req-1 ...]", "- "). What is
// left is the message, which the template miner groups.
//
//   LineHeader h = SplitHeader("081109 203615 148 INFO dfs.DataNode$PacketResponder: Got 1");
//   // h.level == kInfo, h.component == "dfs.DataNode$PacketResponder", h.message == "Got 1"
//
// Pure and thread-safe; views point into the line given.
#ifndef LOGWEAVE_TEMPLATES_HEADER_H_
#define LOGWEAVE_TEMPLATES_HEADER_H_

#include <string_view>

#include "logweave/record.h"

namespace logweave::internal {

// A plain-text line split into its header fields and its message.
struct LineHeader {
  std::string_view time;        // the leading timestamp, when the parser reads one
  std::string_view level_word;  // the level field as written ("INFO", "[notice]"); empty: none
  Level level = Level::kUnknown;
  std::string_view component;  // the logger/class after the level, without its ':'
  std::string_view message;    // the rest: the whole line when no header was found
};

// Splits `line` (one line, no terminator). A syslog "<PRI>" and a leading timestamp
// (ParseLeadingTimestamp, ParseSyslogTimestamp) are header. A level word among the first
// kLevelFields fields is the header's end when every field before it looks like header
// (holds a digit, is bracketed, ends in ':', or is "-" or "|"); after it come at most four
// of: a bracketed field (may span words and nest: "[QuorumPeer[myid=1]/0:2181]"), "-" or
// "|", a dotted identifier ("nova.api.server"), or an identifier ending in ':' (the
// component, which ends the header) that is not an exception class. Without a level only
// the timestamp is header.
LineHeader SplitHeader(std::string_view line);

}  // namespace logweave::internal

#endif  // LOGWEAVE_TEMPLATES_HEADER_H_

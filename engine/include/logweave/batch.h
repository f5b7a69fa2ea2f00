// Raw line batches: the unit that sources hand to the pipeline.
//
// A source (file replay, follow, Kafka, stdin) never hands over single lines:
// it fills a RawBatch with many lines of one source, each with its position,
// and submits the batch. LineBatcher turns a byte stream into such batches.
//
//   LineBatcher batcher(source_id, {.max_line_bytes = 1 << 20}, emit);
//   while (n = read(fd, buf, size)) batcher.Append(buf, n);
//   batcher.Finish();
#ifndef LOGWEAVE_BATCH_H_
#define LOGWEAVE_BATCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace logweave {

// UTF-8's byte order mark: removed at the start of a stream (LineBatcher) and of a line.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Flags a source sets on a line.
enum LineFlags : uint8_t {
  kLineTruncated = 1 << 0,  // longer than max_line_bytes; the tail was cut off (counted)
  kLineHadCR = 1 << 1,      // ended in CRLF (the CR was removed), or in a lone CR (EndLinesAtCr)
  kLineHadBOM = 1 << 2,     // started with a UTF-8 byte order mark; the BOM was removed
  kLineRedacted = 1 << 3,   // secrets in it were replaced: its bytes are not the source's
  // Its bytes are those of the source's file at source_offset, registered in
  // the index's LineFiles (ReplaySource sets it; whoever rewrites a line clears it).
  kLineInFile = 1 << 4,
};

// One line inside RawBatch::data, without its line terminator.
struct LineSpan {
  uint32_t begin = 0;          // offset of the first byte in RawBatch::data
  uint32_t length = 0;         // bytes kept (after BOM/CR removal and truncation)
  uint64_t source_offset = 0;  // byte offset of the line in its source (file offset, Kafka offset)
  uint64_t line_no = 0;        // 1-based line number in the source (Kafka: message offset)
  uint8_t flags = 0;           // LineFlags
};

// A batch of lines from one source. Owned by whoever holds it; moved between
// stages, never shared. Invariant: every line in `data` is followed by one NUL
// byte (not counted in its length), so the in-situ JSON parser can read a copy
// of it as a C string; use AddLine() to keep it.
struct RawBatch {
  uint32_t source_id = 0;  // from Pipeline::AddSource
  uint64_t first_seq = 0;  // global arrival order of lines[0]; set by the pipeline
  uint64_t batch_no = 0;   // this source's batches, counted from 0; set by the pipeline
  std::string data;        // the bytes of all lines
  std::vector<LineSpan> lines;
  // Set once its secrets were replaced (before a write-ahead log stores it):
  // the parser does not redact it again, and counts `redactions` (by rule).
  bool redacted = false;
  std::vector<uint64_t> redactions;
  // What redaction added to the lines' bytes (negative: took away), so that
  // the bytes counted are those read, however long the replacements are.
  int64_t redaction_growth = 0;

  std::string_view Line(size_t i) const {
    return std::string_view(data.data() + lines[i].begin, lines[i].length);
  }
  size_t size() const { return lines.size(); }

  // Appends a line (and its NUL terminator) to `data`.
  void AddLine(std::string_view bytes, uint64_t source_offset, uint64_t line_no,
               uint8_t flags = 0) {
    LineSpan span;
    span.begin = static_cast<uint32_t>(data.size());
    span.length = static_cast<uint32_t>(bytes.size());
    span.source_offset = source_offset;
    span.line_no = line_no;
    span.flags = flags;
    data.append(bytes);
    data.push_back('\0');
    lines.push_back(span);
  }
};

struct LineBatcherOptions {
  // Lines longer than this many bytes keep their first max_line_bytes bytes and
  // are flagged kLineTruncated. Default 1 MiB. From 1 to kMaxLineBytesLimit.
  uint32_t max_line_bytes = 1u << 20;
  static constexpr uint32_t kMaxLineBytesLimit = 1u << 30;
  // A batch is emitted once it holds this many lines... Default 4096.
  uint32_t batch_lines = 4096;
  // ... or this many bytes. Default 1 MiB.
  uint32_t batch_bytes = 1u << 20;
};

// Splits a byte stream of one source into RawBatches of lines. A line ends at
// '\n' (and, after EndLinesAtCr, at a lone '\r' too); a trailing '\r' is
// removed; a UTF-8 BOM at the very start of the stream is removed; empty lines
// are emitted (the parser counts them). A final line without an end is emitted
// by Finish().
//
// Details of the contract:
//  - Append() may split the stream anywhere (inside a line, a CRLF pair or the
//    BOM); the result does not depend on where.
//  - Only CR immediately before '\n' is removed (kLineHadCR). A final line
//    that Finish() emits without '\n' keeps a trailing '\r': it did not end
//    in CRLF.
//  - The BOM (EF BB BF) is removed only as the first three bytes of the
//    stream; line 1 gets kLineHadBOM. Elsewhere the batcher keeps it as line
//    content; the parser removes one at the start of a line (files joined
//    with cat) and counts it as well.
//    A stream that is just a BOM yields one empty line 1 with kLineHadBOM.
//  - LineSpan::source_offset is the stream offset of the line's first byte,
//    the BOM included: line 1 is at offset 0 with or without a BOM, so that
//    every line starts one byte after the previous line's '\n' (or lone '\r',
//    after EndLinesAtCr) and reading the source from source_offset reproduces
//    the raw line.
//  - max_line_bytes limits the content after BOM and CR removal. The tail of a
//    longer line is counted in offset() but never buffered: memory per
//    instance stays O(max_line_bytes + batch_bytes) whatever the line length.
//  - A batch is emitted after the line that makes it hold batch_lines lines or
//    at least batch_bytes bytes of `data` (NULs included), so `data` exceeds
//    batch_bytes by at most one line. Batches are never empty. first_seq is
//    left 0 for the pipeline to set.
//
// Thread-compatible: one instance per source, used by one thread. `emit` is
// called on the thread that calls Append() or Finish().
class LineBatcher {
 public:
  // `emit` receives each full batch; it may block (backpressure).
  using EmitFn = std::function<void(RawBatch&&)>;

  LineBatcher(uint32_t source_id, const LineBatcherOptions& options, EmitFn emit);

  // Feeds the next `size` bytes of the stream.
  void Append(const char* bytes, size_t size);
  // Emits the pending partial line (if any) and the last batch.
  void Finish();
  // Emits the complete lines gathered so far as a batch (a partial last line
  // stays pending). For streaming sources that go quiet.
  void FlushBatch() { EmitBatch(); }

  // Before the first Append: a lone CR ends a line too (a file with classic
  // Mac OS line ends); a line ended by CR or CRLF gets kLineHadCR, one ended
  // by LF alone none.
  void EndLinesAtCr() { cr_ends_lines_ = true; }
  // Gives back what the batch being filled reserved beyond the lines it holds: for a source
  // that waits between reads, so that many waiting ones hold only their lines.
  void ShrinkPending() {
    batch_.data.shrink_to_fit();
    batch_.lines.shrink_to_fit();
  }

  // Bytes consumed so far (the source offset of the next byte).
  uint64_t offset() const { return offset_; }
  // Lines started so far.
  uint64_t lines() const { return line_no_; }

 private:
  // Starts line line_no_ + 1 at offset_ unless a line is in progress.
  void StartLineIfNeeded();
  // Matches the stream-start BOM against [p, end); returns the first byte not
  // consumed. Leaves at_stream_start_ once a mismatch or the full BOM is seen.
  const char* ConsumeBom(const char* p, const char* end);
  // Adds `n` bytes of the current line (no '\n') to the partial-line state,
  // keeping at most max_line_bytes + 1 of them in pending_.
  void AppendToLine(const char* p, size_t n);
  // Ends the current line. `head` holds its first bytes (at least
  // min(total, max_line_bytes + 1) of them), `total` its length and
  // `last_is_cr` whether its last byte is '\r' (ignored unless `terminated`),
  // `ended_at_cr` whether a CR ended it (EndLinesAtCr; not part of `total`).
  void EndLine(std::string_view head, uint64_t total, bool last_is_cr, bool terminated,
               bool ended_at_cr);
  void EmitBatch();

  const uint32_t source_id_;
  const LineBatcherOptions options_;
  EmitFn emit_;
  RawBatch batch_;
  bool in_line_ = false;  // a line has started and not yet ended
  uint64_t offset_ = 0;   // stream offset of the next byte
  uint64_t line_no_ = 0;  // number of lines started
  bool at_stream_start_ = true;
  uint8_t bom_matched_ = 0;     // bytes of a BOM seen at the stream start
  bool cr_ends_lines_ = false;  // EndLinesAtCr
  bool skip_lf_ = false;        // the line before ended at a CR: an LF next is its CRLF's

  // State of the line in progress when it spans Append() calls.
  uint64_t line_offset_ = 0;   // stream offset of its first byte
  uint64_t line_bytes_ = 0;    // content bytes seen so far (BOM excluded)
  uint8_t line_flags_ = 0;     // kLineHadBOM so far
  bool line_last_cr_ = false;  // its last byte seen so far is '\r'
  std::string pending_;        // its first min(line_bytes_, max_line_bytes + 1) bytes
};

}  // namespace logweave

#endif  // LOGWEAVE_BATCH_H_

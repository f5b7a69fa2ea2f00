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

// Flags a source sets on a line.
enum LineFlags : uint8_t {
  kLineTruncated = 1 << 0,  // longer than max_line_bytes; the tail was cut off (counted)
  kLineHadCR = 1 << 1,      // ended in CRLF; the CR was removed
  kLineHadBOM = 1 << 2,     // started with a UTF-8 byte order mark; the BOM was removed
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
  std::string data;        // the bytes of all lines
  std::vector<LineSpan> lines;

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
  // are flagged kLineTruncated. Default 1 MiB. Must be > 0.
  uint32_t max_line_bytes = 1u << 20;
  // A batch is emitted once it holds this many lines... Default 4096.
  uint32_t batch_lines = 4096;
  // ... or this many bytes. Default 1 MiB.
  uint32_t batch_bytes = 1u << 20;
};

// Splits a byte stream of one source into RawBatches of lines. A line ends at
// '\n'; a trailing '\r' is removed; a UTF-8 BOM at the very start of the
// stream is removed; empty lines are emitted (the parser counts them). A final
// line without '\n' is emitted by Finish().
//
// Thread-compatible: one instance per source, used by one thread.
class LineBatcher {
 public:
  // `emit` receives each full batch; it may block (backpressure).
  using EmitFn = std::function<void(RawBatch&&)>;

  LineBatcher(uint32_t source_id, const LineBatcherOptions& options, EmitFn emit);

  // Feeds the next `size` bytes of the stream.
  void Append(const char* bytes, size_t size);
  // Emits the pending partial line (if any) and the last batch.
  void Finish();

  // Bytes consumed so far (the source offset of the next byte).
  uint64_t offset() const { return offset_; }
  // Lines started so far.
  uint64_t lines() const { return line_no_; }

 private:
  void StartLineIfNeeded();
  void EndLine();
  void EmitBatch();

  const uint32_t source_id_;
  const LineBatcherOptions options_;
  EmitFn emit_;
  RawBatch batch_;
  bool in_line_ = false;     // a line has started and not yet ended
  uint64_t offset_ = 0;      // stream offset of the next byte
  uint64_t line_no_ = 0;     // number of lines started
  bool at_stream_start_ = true;
  uint8_t bom_matched_ = 0;  // bytes of a BOM seen at the stream start
};

}  // namespace logweave

#endif  // LOGWEAVE_BATCH_H_

// The on-disk format of the write-ahead log (connectors/wal): segment files
// of checksummed, zstd-compressed records, one record per submitted batch.
//
//   segment file   <dir>/<20-digit number>.wal, numbered from 1 in write order
//     header       8 bytes: "LWWAL" 0 0 1 (format version 1)
//     record...    header (24 bytes, little endian):
//                    u32 magic 0x52574C57 ("WLWR"), u32 compressed size,
//                    u32 decompressed size, u32 0,
//                    u64 XXH3-64 of the 16 bytes before it and the payload
//                  payload: one zstd frame of the batch:
//                    varint version (1), string source name, string default
//                    service, varint append time (unix ms), varint line count,
//                    per line: varint length, zigzag varint delta of its
//                    source offset and of its line number to the previous
//                    line's (the first: to 0), byte LineFlags;
//                    then the lines' bytes back to back.
//                  (string: varint length, bytes)
//
// A record is written with one write(2): a process killed mid-write leaves
// at most one torn record at the end of the last segment, which the reader
// finds by its size, checksum or zstd frame and stops at.
#ifndef LOGWEAVE_CONNECTORS_WAL_WAL_FORMAT_H_
#define LOGWEAVE_CONNECTORS_WAL_WAL_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/batch.h"

namespace logweave::wal {

inline constexpr char kSegmentMagic[8] = {'L', 'W', 'W', 'A', 'L', 0, 0, 1};
inline constexpr uint32_t kRecordMagic = 0x52574C57;
inline constexpr size_t kRecordHeaderBytes = 24;
// Larger records are corrupt: a batch is at most a few MiB.
inline constexpr uint32_t kMaxRecordBytes = 256u << 20;

// "<dir>/00000000000000000042.wal" for segment 42.
std::string SegmentPath(const std::string& dir, uint64_t number);
// The number of a segment's file name ("00000000000000000042.wal" -> 42); 0
// if the name is not one.
uint64_t SegmentNumber(std::string_view file_name);
// The segment numbers in `dir`, ascending. An errno-based status if it
// cannot be listed; NOT_FOUND if it does not exist.
absl::StatusOr<std::vector<uint64_t>> ListSegments(const std::string& dir);

// A batch as the log holds it.
struct LoggedBatch {
  std::string source_name;
  std::string default_service;
  int64_t append_unix_ms = 0;
  RawBatch batch;  // source_id, first_seq, batch_no left 0
};

// The record (header and payload) of `batch`, compressed at zstd `level`.
std::string EncodeRecord(const RawBatch& batch, std::string_view source_name,
                         std::string_view default_service, int64_t append_unix_ms, int level);

// Reads the record at the start of `data`: fills `out`, sets `*size` to its
// length. DATA_LOSS saying what is wrong (cut short, bad magic, checksum,
// zstd frame, payload) for a torn or corrupt record.
absl::Status DecodeRecord(std::string_view data, LoggedBatch* out, size_t* size);

}  // namespace logweave::wal

#endif  // LOGWEAVE_CONNECTORS_WAL_WAL_FORMAT_H_

#include "connectors/wal/wal_format.h"

#include <dirent.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace logweave::wal {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Bounds-checked reading of a payload.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      *v |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Bytes(uint64_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool String(std::string* out) {
    uint64_t n;
    std::string_view s;
    if (!Varint(&n) || !Bytes(n, &s)) return false;
    out->assign(s);
    return true;
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

uint64_t Checksum(std::string_view header16, std::string_view payload) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header16.data(), header16.size());
  XXH3_64bits_update(state, payload.data(), payload.size());
  const uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

}  // namespace

std::string SegmentPath(const std::string& dir, uint64_t number) {
  return absl::StrFormat("%s/%020u.wal", dir, number);
}

uint64_t SegmentNumber(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".wal") return 0;
  uint64_t n = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

absl::StatusOr<std::vector<uint64_t>> ListSegments(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    const int err = errno;
    return absl::ErrnoToStatus(err, absl::StrCat("wal: cannot list ", dir));
  }
  std::vector<uint64_t> out;
  while (const dirent* e = ::readdir(d)) {
    if (uint64_t n = SegmentNumber(e->d_name); n != 0) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string EncodeRecord(const RawBatch& batch, std::string_view source_name,
                         std::string_view default_service, int64_t append_unix_ms, int level) {
  std::string raw;
  raw.reserve(batch.data.size() + batch.lines.size() * 8 + 64);
  PutVarint(&raw, 1);
  PutString(&raw, source_name);
  PutString(&raw, default_service);
  PutVarint(&raw, static_cast<uint64_t>(std::max<int64_t>(append_unix_ms, 0)));
  PutVarint(&raw, batch.lines.size());
  uint64_t prev_offset = 0, prev_line = 0;
  for (const LineSpan& l : batch.lines) {
    PutVarint(&raw, l.length);
    PutVarint(&raw, ZigZag(static_cast<int64_t>(l.source_offset - prev_offset)));
    PutVarint(&raw, ZigZag(static_cast<int64_t>(l.line_no - prev_line)));
    raw.push_back(static_cast<char>(l.flags));
    prev_offset = l.source_offset;
    prev_line = l.line_no;
  }
  for (size_t i = 0; i < batch.lines.size(); ++i) raw.append(batch.Line(i));

  std::string record(kRecordHeaderBytes, '\0');
  record.resize(kRecordHeaderBytes + ZSTD_compressBound(raw.size()));
  const size_t compressed =
      ZSTD_compress(record.data() + kRecordHeaderBytes, record.size() - kRecordHeaderBytes,
                    raw.data(), raw.size(), level);
  // ZSTD_compressBound leaves room for any input: compression cannot fail.
  record.resize(kRecordHeaderBytes + compressed);
  std::string header;
  PutU32(&header, kRecordMagic);
  PutU32(&header, static_cast<uint32_t>(compressed));
  PutU32(&header, static_cast<uint32_t>(raw.size()));
  PutU32(&header, 0);
  PutU64(&header, Checksum(header, std::string_view(record).substr(kRecordHeaderBytes)));
  record.replace(0, kRecordHeaderBytes, header);
  return record;
}

absl::Status DecodeRecord(std::string_view data, LoggedBatch* out, size_t* size) {
  if (data.size() < kRecordHeaderBytes) {
    return absl::DataLossError(
        absl::StrCat("record header cut short (", data.size(), " of 24 bytes)"));
  }
  if (GetU32(data.data()) != kRecordMagic) return absl::DataLossError("bad record magic");
  const uint32_t compressed = GetU32(data.data() + 4);
  const uint32_t raw_size = GetU32(data.data() + 8);
  if (compressed > kMaxRecordBytes || raw_size > kMaxRecordBytes) {
    return absl::DataLossError("record size out of range");
  }
  if (data.size() - kRecordHeaderBytes < compressed) {
    return absl::DataLossError(absl::StrCat("record cut short (", data.size() - kRecordHeaderBytes,
                                            " of ", compressed, " bytes)"));
  }
  const std::string_view payload = data.substr(kRecordHeaderBytes, compressed);
  if (Checksum(data.substr(0, 16), payload) != GetU64(data.data() + 16)) {
    return absl::DataLossError("record checksum mismatch");
  }
  std::string raw(raw_size, '\0');
  const size_t got = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
  if (ZSTD_isError(got) || got != raw_size) {
    return absl::DataLossError(absl::StrCat(
        "bad zstd frame: ", ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch"));
  }
  Reader r(raw);
  uint64_t version = 0, ms = 0, count = 0;
  *out = LoggedBatch();
  if (!r.Varint(&version) || version != 1) return absl::DataLossError("unknown record version");
  if (!r.String(&out->source_name) || !r.String(&out->default_service) || !r.Varint(&ms) ||
      !r.Varint(&count) || count > r.remaining()) {
    return absl::DataLossError("bad record payload");
  }
  out->append_unix_ms = static_cast<int64_t>(ms);
  std::vector<LineSpan> spans(count);
  uint64_t offset = 0, line_no = 0, total = 0;
  for (LineSpan& l : spans) {
    uint64_t length, d_offset, d_line;
    if (!r.Varint(&length) || !r.Varint(&d_offset) || !r.Varint(&d_line) || !r.Byte(&l.flags) ||
        length > kMaxRecordBytes) {
      return absl::DataLossError("bad record payload");
    }
    offset += static_cast<uint64_t>(UnZigZag(d_offset));
    line_no += static_cast<uint64_t>(UnZigZag(d_line));
    l.length = static_cast<uint32_t>(length);
    l.source_offset = offset;
    l.line_no = line_no;
    total += length;
  }
  std::string_view bytes;
  if (!r.Bytes(total, &bytes) || r.remaining() != 0) {
    return absl::DataLossError("bad record payload");
  }
  out->batch.data.reserve(total + count);
  for (const LineSpan& l : spans) {
    out->batch.AddLine(bytes.substr(0, l.length), l.source_offset, l.line_no, l.flags);
    bytes.remove_prefix(l.length);
  }
  *size = kRecordHeaderBytes + compressed;
  return absl::OkStatus();
}

}  // namespace logweave::wal

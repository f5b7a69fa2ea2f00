#include "connectors/otlp/otlp_status.h"

#include <cstdint>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace logweave::otlp {

namespace {

using google::protobuf::io::CodedOutputStream;

void WriteBytes(CodedOutputStream& out, int field, absl::string_view bytes) {
  out.WriteTag(static_cast<uint32_t>(field << 3) | 2);  // length-delimited
  out.WriteVarint32(static_cast<uint32_t>(bytes.size()));
  out.WriteRaw(bytes.data(), static_cast<int>(bytes.size()));
}

// `fill` writes a message into the returned string.
template <typename Fill>
std::string Message(Fill fill) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    CodedOutputStream coded(&stream);
    fill(coded);
  }
  return out;
}

}  // namespace

std::string RpcStatusBytes(int code, absl::string_view message, absl::Duration retry_delay) {
  std::string any;
  if (retry_delay > absl::ZeroDuration()) {
    const int64_t seconds = absl::IDivDuration(retry_delay, absl::Seconds(1), &retry_delay);
    const int64_t nanos = absl::ToInt64Nanoseconds(retry_delay);
    // google.protobuf.Duration{seconds = 1, nanos = 2}
    const std::string duration = Message([&](CodedOutputStream& out) {
      if (seconds != 0) {
        out.WriteTag(1 << 3);
        out.WriteVarint64(static_cast<uint64_t>(seconds));
      }
      if (nanos != 0) {
        out.WriteTag(2 << 3);
        out.WriteVarint64(static_cast<uint64_t>(nanos));
      }
    });
    // google.rpc.RetryInfo{retry_delay = 1}
    const std::string retry_info =
        Message([&](CodedOutputStream& out) { WriteBytes(out, 1, duration); });
    // google.protobuf.Any{type_url = 1, value = 2}
    any = Message([&](CodedOutputStream& out) {
      WriteBytes(out, 1, "type.googleapis.com/google.rpc.RetryInfo");
      WriteBytes(out, 2, retry_info);
    });
  }
  // google.rpc.Status{code = 1, message = 2, details = 3}
  return Message([&](CodedOutputStream& out) {
    out.WriteTag(1 << 3);
    out.WriteVarint32(static_cast<uint32_t>(code));
    WriteBytes(out, 2, message);
    if (!any.empty()) WriteBytes(out, 3, any);
  });
}

}  // namespace logweave::otlp

#include "connectors/otlp/otlp_http.h"

#include <zlib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/otlp/otlp_json.h"
#include "connectors/otlp/otlp_status.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave::otlp {

namespace {

constexpr char kProtobuf[] = "application/x-protobuf";
constexpr char kJson[] = "application/json";

constexpr int kInvalidArgument = kRpcInvalidArgument, kResourceExhausted = kRpcResourceExhausted,
              kUnavailable = kRpcUnavailable;

// A google.rpc.Status with `code` and `message`, encoded as `json` or protobuf.
std::string StatusBody(bool json, int code, absl::string_view message) {
  if (!json) return RpcStatusBytes(code, message);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("code");
  w.Int(code);
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string SuccessBody(bool json, const OtlpExportResult& r) {
  collector::ExportLogsServiceResponse response;
  if (r.rejected > 0) {
    response.mutable_partial_success()->set_rejected_log_records(r.rejected);
    response.mutable_partial_success()->set_error_message(r.message);
  }
  if (!json) return response.SerializeAsString();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  if (r.rejected > 0) {
    w.Key("partialSuccess");
    w.StartObject();
    w.Key("rejectedLogRecords");
    const std::string n = absl::StrCat(r.rejected);  // int64 as a string, as OTLP/JSON has it
    w.String(n.data(), static_cast<rapidjson::SizeType>(n.size()));
    w.Key("errorMessage");
    w.String(r.message.data(), static_cast<rapidjson::SizeType>(r.message.size()));
    w.EndObject();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void Handle(OtlpReceiver& receiver, const httplib::Request& request, httplib::Response& response,
            const httplib::ContentReader& read_body) {
  std::string type = absl::AsciiStrToLower(request.get_header_value("Content-Type"));
  if (const size_t semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  type = std::string(absl::StripAsciiWhitespace(type));
  const bool json = type == kJson;
  auto fail = [&](int http, int code, absl::string_view message) {
    receiver.CountRefused();
    response.status = http;
    response.set_content(StatusBody(json, code, message), json ? kJson : kProtobuf);
  };
  if (!json && type != kProtobuf) {
    return fail(
        415, kInvalidArgument,
        absl::StrCat("Content-Type must be ", kProtobuf, " or ", kJson, " (got \"", type, "\")"));
  }
  const size_t max = static_cast<size_t>(receiver.options().max_request_bytes);
  const std::string too_large = absl::StrCat(
      "the request is larger than ", max, " bytes (otlp.max_request_bytes); send smaller batches");
  // httplib inflates a body with Content-Encoding as it arrives: reading
  // stops at the limit, so a compressed bomb is never inflated beyond it.
  std::string received;
  bool over_limit = false;
  const bool whole = read_body([&](const char* data, size_t n) {
    if (received.size() + n > max) {
      over_limit = true;
      return false;
    }
    received.append(data, n);
    return true;
  });
  if (over_limit) return fail(413, kResourceExhausted, too_large);
  if (!whole) {
    return fail(400, kInvalidArgument,
                "the body could not be read whole (cut short, or corrupt compressed data)");
  }
  absl::string_view body = received;
  std::string inflated;
  // A body that is still gzip (sent without Content-Encoding) is inflated
  // here, also up to the limit.
  if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
      static_cast<unsigned char>(body[1]) == 0x8b) {
    absl::StatusOr<std::string> out = Gunzip(body, max);
    if (!out.ok()) {
      return out.status().code() == absl::StatusCode::kResourceExhausted
                 ? fail(413, kResourceExhausted, too_large)
                 : fail(400, kInvalidArgument, out.status().message());
    }
    inflated = *std::move(out);
    body = inflated;
  }
  if (body.size() > max) return fail(413, kResourceExhausted, too_large);
  collector::ExportLogsServiceRequest export_request;
  OtlpMapReport report;
  if (json) {
    if (absl::Status s = DecodeOtlpJson(body, &export_request, &report); !s.ok()) {
      return fail(400, kInvalidArgument, s.message());
    }
  } else if (!export_request.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return fail(400, kInvalidArgument, "the body is not a protobuf ExportLogsServiceRequest");
  }
  const OtlpExportResult result =
      receiver.Export(OtlpTransport::kHttp, export_request, std::move(report));
  if (result.code == OtlpExportResult::Code::kRetryLater) {
    response.status = 503;
    response.set_header("Retry-After", absl::StrCat(receiver.options().retry_after_s));
    response.set_content(
        StatusBody(json, kUnavailable, "the index is behind; retry after the delay given"),
        json ? kJson : kProtobuf);
    return;
  }
  response.status = 200;
  response.set_content(SuccessBody(json, result), json ? kJson : kProtobuf);
}

}  // namespace

absl::StatusOr<std::string> Gunzip(absl::string_view compressed, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return absl::InternalError("zlib: inflateInit2 failed");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  char buf[64 * 1024];
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    ret = inflate(&zs, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError(absl::StrCat(
          "the gzip body is corrupt (", zs.msg != nullptr ? zs.msg : "truncated", ")"));
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return absl::ResourceExhaustedError("the inflated body is too large");
    }
    if (ret == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError("the gzip body is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

void AddOtlpHttpRoutes(HttpListener& listener, OtlpReceiver& receiver) {
  listener.HandleBody(
      "/v1/logs", HttpAccess::kIngest,
      [&receiver](const httplib::Request& request, httplib::Response& response,
                  const httplib::ContentReader& read_body) {
        Handle(receiver, request, response, read_body);
      },
      [&receiver] { receiver.CountRefused(); });
}

}  // namespace logweave::otlp

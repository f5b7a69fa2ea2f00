#include "tools/loggen/output.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace loggen {

absl::Status Output::Open(const std::vector<std::string>& logs,
                          const std::vector<std::string>& extra, size_t flush_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create output directory ", dir_, ": ", ec.message()));
  }
  flush_bytes_ = flush_bytes;
  files_.resize(logs.size() + extra.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    const std::string& name = i < logs.size() ? logs[i] : extra[i - logs.size()];
    if (absl::Status s = OpenFile(name, &files_[i]); !s.ok()) return s;
  }
  if (truth_on_) return OpenFile(".truth.jsonl", &truth_);
  return absl::OkStatus();
}

absl::Status Output::OpenFile(std::string name, Sink* sink) const {
  sink->name = std::move(name);
  const std::string path = (std::filesystem::path(dir_) / sink->name).string();
  sink->file = std::fopen(path.c_str(), "wb");
  if (sink->file == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot open ", path, " for writing: ", std::strerror(errno)));
  }
  std::setvbuf(sink->file, nullptr, _IONBF, 0);  // we buffer ourselves
  sink->buf.reserve(flush_bytes_ + (64 << 10));
  return absl::OkStatus();
}

void Output::Appended(Sink& sink, size_t start, int lines) {
  sink.lines += lines;
  lines_ += lines;
  bytes_ += sink.buf.size() - start;
  if (sink.buf.size() >= flush_bytes_) Flush(sink);
}

std::string* Output::TruthStart(std::string_view kind) {
  ++faults_;
  std::string& out = truth_.buf;
  if (!truth_on_) out.clear();
  out.append(R"({"kind":")");
  out.append(kind);
  out.push_back('"');
  return &out;
}

std::string* Output::TruthStart(std::string_view kind, std::string_view trace_id,
                                std::string_view service) {
  std::string* out = TruthStart(kind);
  out->append(R"(,"trace_id":)");
  out->append(trace_id);
  out->append(R"(,"service":")");
  out->append(service);
  out->push_back('"');
  return out;
}

void Output::TruthEnd() {
  if (!truth_on_) {
    truth_.buf.clear();
    return;
  }
  truth_.buf.append("}\n");
  if (truth_.buf.size() >= flush_bytes_) Flush(truth_);
}

void Output::Flush(Sink& sink) {
  if (sink.buf.empty()) return;
  if (error_.empty() &&
      std::fwrite(sink.buf.data(), 1, sink.buf.size(), sink.file) != sink.buf.size()) {
    error_ = absl::StrCat("writing ", sink.name, " in ", dir_, " failed: ", std::strerror(errno));
  }
  sink.buf.clear();
}

void Output::CloseFile(Sink& sink) {
  if (sink.file == nullptr) return;
  Flush(sink);
  const bool ok = std::fclose(sink.file) == 0;
  sink.file = nullptr;
  if (!ok && error_.empty()) {
    error_ = absl::StrCat("closing ", sink.name, " failed: ", std::strerror(errno));
  }
}

absl::Status Output::Close() {
  for (Sink& sink : files_) CloseFile(sink);
  CloseFile(truth_);
  if (!error_.empty()) return absl::UnavailableError(error_);
  return absl::OkStatus();
}

}  // namespace loggen

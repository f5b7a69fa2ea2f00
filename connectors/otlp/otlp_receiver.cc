#include "connectors/otlp/otlp_receiver.h"

#include <memory>
#include <tuple>
#include <utility>

#include "absl/synchronization/notification.h"
#include "connectors/common/relaxed_counters.h"

namespace logweave::otlp {

absl::Status OtlpOptions::Validate() const {
  if (max_request_bytes <= 0) {
    return absl::InvalidArgumentError("otlp.max_request_bytes must be a positive number of bytes");
  }
  if (index_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("otlp.index_timeout must be positive");
  }
  if (grpc_room_wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("otlp.grpc_room_wait must not be negative");
  }
  if (retry_after_s <= 0) {
    return absl::InvalidArgumentError("otlp.retry_after_s must be a positive number of seconds");
  }
  return absl::OkStatus();
}

OtlpReceiver::OtlpReceiver(Pipeline* pipeline, const OtlpOptions& options)
    : pipeline_(pipeline), options_(options) {}

OtlpExportResult OtlpReceiver::Export(OtlpTransport transport,
                                      const collector::ExportLogsServiceRequest& request,
                                      OtlpMapReport report, absl::Time room_deadline) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  const int t = transport == OtlpTransport::kHttp ? 0 : 1;
  RawBatch batch;
  uint64_t line_no = 0;
  mapper_.Append(request, &batch, &line_no, &report);
  OtlpExportResult result;
  auto retry = [&] {
    retry_answers_.fetch_add(1, std::memory_order_relaxed);
    result.code = OtlpExportResult::Code::kRetryLater;
    return result;
  };
  auto done = std::make_shared<absl::Notification>();
  if (!batch.lines.empty()) {
    if (!pipeline_->HasRoom()) {
      if (room_deadline <= absl::Now()) return retry();
      room_waits_.fetch_add(1, std::memory_order_relaxed);
      if (!pipeline_->WaitForRoom(room_deadline)) return retry();
    }
    absl::MutexLock lock(&mu_);
    if (!registered_[t]) {
      source_[t] = pipeline_->AddSource(t == 0 ? "otlp-http" : "otlp-grpc", "unknown_service");
      registered_[t] = true;
    }
    batch.source_id = source_[t];
    for (LineSpan& span : batch.lines) {
      span.line_no += next_line_[t];
      span.source_offset = span.line_no;
    }
    next_line_[t] += batch.lines.size();
    pipeline_->Submit(std::move(batch), [done] { done->Notify(); });
  } else {
    done->Notify();
  }
  if (!done->WaitForNotificationWithTimeout(options_.index_timeout)) return retry();
  records_.fetch_add(report.records, std::memory_order_relaxed);
  rejected_.fetch_add(report.rejected, std::memory_order_relaxed);
  result.rejected = static_cast<int64_t>(report.rejected);
  if (report.rejected > 0) result.message = report.first_error;
  return result;
}

OtlpStats OtlpReceiver::Stats() const {
  OtlpStats s;
  LoadRelaxed(std::tie(s.requests, s.records, s.rejected, s.retry_answers, s.refused, s.room_waits),
              std::tie(requests_, records_, rejected_, retry_answers_, refused_, room_waits_));
  return s;
}

}  // namespace logweave::otlp

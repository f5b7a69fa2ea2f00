#include "logweave/options.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <thread>

#include "absl/strings/str_cat.h"
#include "index/shard.h"
#include "internal/strings.h"
#include "logweave/plugin.h"

namespace logweave {
namespace {

absl::Status CheckNames(const char* field, const std::vector<std::string>& names) {
  if (names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fields.", field, " must list at least one JSON key"));
  }
  for (const std::string& name : names) {
    if (name.empty() || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("fields.", field, ": \"", name,
                                                     "\" is not a usable key; use a JSON key "
                                                     "or a dotted path like \"trace.id\""));
    }
    if (name.size() > 200) {
      return absl::InvalidArgumentError(
          absl::StrCat("fields.", field, ": keys longer than 200 bytes are not supported"));
    }
  }
  return absl::OkStatus();
}

// Each configured plugin, and that no name comes twice.
absl::Status ValidatePlugins(const std::vector<std::shared_ptr<const RulePluginConfig>>& plugins) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < plugins.size(); ++i) {
    if (plugins[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("plugins[", i, "] is null"));
    }
    if (!names.insert(plugins[i]->name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugins: \"", internal::Av(plugins[i]->name()), "\" is configured twice; keep one"));
    }
    if (!plugins[i]->enabled()) continue;
    if (absl::Status s = plugins[i]->Validate(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FieldNames::Validate() const {
  for (auto [field, names] : {std::pair{"trace_id", &trace_id}, std::pair{"time", &time},
                              std::pair{"level", &level}, std::pair{"service", &service},
                              std::pair{"message", &message}, std::pair{"route", &route}}) {
    if (absl::Status s = CheckNames(field, *names); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status IndexOptions::Validate() const {
  if (dedupe_window < 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("index.dedupe_window must be at least 1024 lines (got ", dedupe_window, ")"));
  }
  if (shards > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("index.shards must be between 0 (auto) and 4096 (got ", shards, ")"));
  }
  if (max_bytes != 0 && max_bytes < (64ull << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index.max_bytes must be 0 (no limit) or at least 64MiB (got ", max_bytes, ")"));
  }
  return absl::OkStatus();
}

absl::Status PipelineOptions::Validate() const {
  if (threads > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads must be between 0 (one per core) and 1024 (got ", threads, ")"));
  }
  if (queue_bytes != 0 && queue_bytes < (1ull << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat("queue_bytes must be at least 1048576 (1 MiB), or 0 for the default (got ",
                     queue_bytes, ")"));
  }
  if (absl::Status s = ValidatePlugins(plugins); !s.ok()) return s;
  if (worker_nice < 0 || worker_nice > 19) {
    return absl::InvalidArgumentError(
        absl::StrCat("worker_nice must be between 0 and 19 (got ", worker_nice, ")"));
  }
  if (index.max_bytes != 0 && index.max_bytes < MinMaxBytes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index.max_bytes (", index.max_bytes, ") is below the smallest budget that holds with ",
        EffectiveShards(), " index shards: ", MinMaxBytes(), " (", kMinBatchMemory >> 20,
        " MiB for batches in flight, ", kMinShardBytes >> 20,
        " MiB a shard, a 32nd for plain-text errors); raise index.max_bytes to at least ",
        MinMaxBytes(), " or lower index.shards"));
  }
  if (batching.max_line_bytes == 0 ||
      batching.max_line_bytes > LineBatcherOptions::kMaxLineBytesLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_line_bytes must be between 1 and 1073741824 (got ", batching.max_line_bytes, ")"));
  }
  if (batching.batch_lines == 0 || batching.batch_bytes == 0) {
    return absl::InvalidArgumentError("batch_lines and batch_bytes must be positive");
  }
  if (absl::Status s = parser.Validate(); !s.ok()) return s;
  if (absl::Status s = detectors.Validate(); !s.ok()) return s;
  return index.Validate();
}

absl::Status DetectorOptions::Validate() const {
  if (trace_idle_ns <= 0) {
    return absl::InvalidArgumentError("detectors.trace_idle must be a positive duration");
  }
  if (source_idle_ns <= 0) {
    return absl::InvalidArgumentError("detectors.source_idle must be a positive duration");
  }
  if (!(expected_share > 0 && expected_share <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "detectors.missing_service.share must be in (0, 1] (got ", expected_share, ")"));
  }
  if (!(follow_share > 0 && follow_share <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "detectors.incomplete_sequence.share must be in (0, 1] (got ", follow_share, ")"));
  }
  if (!(weak_follow_share > 0 && weak_follow_share <= follow_share)) {
    return absl::InvalidArgumentError(
        absl::StrCat("detectors.incomplete_sequence.weak_share must be in (0, share] (got ",
                     weak_follow_share, ")"));
  }
  if (min_traces == 0 || min_event_traces == 0) {
    return absl::InvalidArgumentError("detectors: min_traces must be at least 1");
  }
  if (attribution_window_ns <= 0 || activity_margin_ns < 0) {
    return absl::InvalidArgumentError("detectors: windows must be positive durations");
  }
  return absl::OkStatus();
}

uint32_t PipelineOptions::EffectiveThreads() const {
  if (threads != 0) return threads;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 2 : cores;
}

uint32_t PipelineOptions::EffectiveShards() const {
  return index.shards != 0 ? index.shards : 4 * EffectiveThreads();
}

uint64_t PipelineOptions::EffectiveQueueBytes() const {
  if (queue_bytes != 0) return queue_bytes;
  return std::max<uint64_t>(4ull << 20, uint64_t{EffectiveThreads()} * (2ull << 20));
}

// A shard's minimum leaves room beyond what it holds whatever it holds (the
// dedupe window takes at most an eighth of a shard's budget, the window of
// evicted traces about a 170th).
static_assert(internal::Shard::FixedBytes() + PipelineOptions::kMinShardBytes / 8 + (1 << 20) <=
              PipelineOptions::kMinShardBytes);

uint64_t PipelineOptions::BatchMemoryBytes() const {
  if (index.max_bytes == 0) return 0;
  return std::max(kMinBatchMemory, std::min(index.max_bytes / 8, 4 * EffectiveQueueBytes()));
}

uint64_t PipelineOptions::UnstructuredMemoryBytes() const { return index.max_bytes / 32; }

uint64_t PipelineOptions::IndexMemoryBytes() const {
  if (index.max_bytes == 0) return 0;
  const uint64_t others = BatchMemoryBytes() + UnstructuredMemoryBytes();
  return index.max_bytes > others ? index.max_bytes - others : 1;
}

uint64_t PipelineOptions::MinMaxBytes() const {
  // The smallest B with B - max(kMinBatchMemory, B / 8) - B / 32 >= shards x
  // kMinShardBytes (a smaller 4 x queue_bytes only leaves the index more).
  const uint64_t shards = uint64_t{EffectiveShards()} * kMinShardBytes;
  const uint64_t small = ((kMinBatchMemory + shards) * 32 + 30) / 31;
  if (small / 8 <= kMinBatchMemory) return small;
  return (shards * 32 + 26) / 27;
}

}  // namespace logweave

#include "tools/loggen/shapes.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/loggen/common.h"
#include "tools/loggen/output.h"
#include "tools/loggen/shapes_lines.h"
#include "tools/loggen/shapes_model.h"

namespace loggen {
namespace shapes {
namespace {

// ---------------------------------------------------------------------------------------------
// The generator.

constexpr double kIncompleteRate = 0.005;  // traces where one service stops early

// Runs one generation. Thread-compatible; used from GenerateShape only.
class Generator {
 public:
  Generator(const Model& model, const ShapeOptions& options)
      : model_(model), options_(options), output_(options.out_dir, options.truth) {}

  absl::Status Open();
  absl::Status Run();
  std::string Summary(std::string_view shape, double seconds) const;

 private:
  void GenerateTrace(uint64_t index, int64_t t0);
  void Push(const Event& e) { pending_.Push(e); }
  void Emit(const Event& e);
  // Counts a fault and starts its .truth.jsonl line (Output::TruthStart); the caller appends the
  // rest of the object to the returned string, then calls output_.TruthEnd().
  std::string* TruthStart(std::string_view kind, const Event& e, uint16_t service);

  const Model& model_;
  const ShapeOptions options_;
  Output output_;             // a file per service, or one (all.log) with --single-file
  std::vector<int> sink_of_;  // service -> index of its file in output_
  std::vector<uint32_t> cumulative_weight_;  // of routes, for picking one
  EventQueue<Event> pending_;
  std::vector<const Step*> steps_;  // the current trace's steps (reused)
  uint64_t next_seq_ = 0;
  uint64_t traces_ = 0;
  uint64_t json_events_ = 0;
  uint64_t plain_lines_ = 0;
};

absl::Status Generator::Open() {
  // A file per service that some route uses.
  std::vector<bool> used(model_.services.size(), false);
  for (const Route& route : model_.routes) {
    for (const auto* steps : {&route.head, &route.loop, &route.tail}) {
      for (const Step& step : *steps) used[step.service] = true;
    }
  }
  sink_of_.assign(model_.services.size(), 0);
  std::vector<std::string> names;
  if (options_.single_file) {
    names.push_back("all.log");
  } else {
    for (size_t s = 0; s < model_.services.size(); ++s) {
      if (!used[s]) continue;
      sink_of_[s] = static_cast<int>(names.size());
      names.push_back(model_.services[s].name + ".log");
    }
  }
  // 32 MiB of buffers in all: 2.3 MiB each for the shop, 256 KiB for 200 services.
  const size_t flush_bytes = std::clamp<size_t>((32u << 20) / names.size(), 256u << 10, 4u << 20);
  if (absl::Status s = output_.Open(names, {}, flush_bytes); !s.ok()) return s;
  uint32_t total = 0;
  for (const Route& route : model_.routes) cumulative_weight_.push_back(total += route.weight);
  return absl::OkStatus();
}

absl::Status Generator::Run() {
  RunArrivals(
      {options_.seed, options_.rate, options_.start_ns, options_.traces, options_.bytes, 200.0},
      output_, pending_, [this](uint64_t index, int64_t t) { GenerateTrace(index, t); },
      [this](const Event& e) { Emit(e); });
  return output_.Close();
}

std::string* Generator::TruthStart(std::string_view kind, const Event& e, uint16_t service) {
  std::string id;
  AppendId(model_, e, &id);
  return output_.TruthStart(kind, id, model_.services[service].name);
}

void Generator::GenerateTrace(uint64_t index, int64_t t0) {
  Rng r(StreamSeed(options_.seed, index, 1));
  Rng faults(StreamSeed(options_.seed, index, 2));  // so --faults off leaves the traces as they are
  Event e{};
  e.hi = model_.short_lines ? 0 : r.Next();
  e.lo = r.Next();
  if (e.lo == 0) e.lo = 1;  // an all-zero id is invalid in W3C
  const uint32_t pick = r.Below(cumulative_weight_.back());
  e.route = static_cast<uint32_t>(
      std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), pick) -
      cumulative_weight_.begin());
  const Route& route = model_.routes[e.route];
  steps_.clear();
  for (const Step& s : route.head) steps_.push_back(&s);
  const uint32_t loops =
      route.loop.empty() ? 0 : route.loop_min + r.Below(route.loop_max - route.loop_min + 1);
  for (uint32_t i = 0; i < loops; ++i) {
    for (const Step& s : route.loop) steps_.push_back(&s);
  }
  for (const Step& s : route.tail) steps_.push_back(&s);
  ++traces_;

  // Faults, from dice always drawn in the same order.
  constexpr uint16_t kNone = std::numeric_limits<uint16_t>::max();
  const double missing_die = faults.Unit();
  const uint64_t missing_pick = faults.Next();
  const double incomplete_die = faults.Unit();
  const uint64_t incomplete_pick = faults.Next();
  uint16_t silent = kNone;  // logs nothing in this trace
  uint16_t cut = kNone;     // logs its first event only
  if (options_.faults) {
    // The services after the entry, each once, and those with two or more events.
    uint16_t services[256], repeated[256];
    int num_services = 0, num_repeated = 0;
    const uint16_t entry = steps_[0]->service;
    for (const Step* s : steps_) {
      uint16_t* end = services + num_services;
      if (s->service != entry && num_services < 256 &&
          std::find(services, end, s->service) == end) {
        services[num_services++] = s->service;
      }
    }
    if (num_services >= 1 && missing_die < options_.missing_service_rate) {
      silent = services[missing_pick % num_services];
      std::string* truth = TruthStart("missing_service", e, silent);
      truth->append(R"(,"route":")");
      truth->append(route.name);
      truth->push_back('"');
      output_.TruthEnd();
    }
    if (incomplete_die < kIncompleteRate) {
      // Services that log again after their first event, which comes before the loop: an
      // event in the loop is the service's last in every trace once, so nothing is expected
      // to follow it.
      for (size_t i = 0; i < route.head.size(); ++i) {
        const uint16_t s = steps_[i]->service;
        uint16_t* end = repeated + num_repeated;
        if (s == silent || num_repeated >= 256 || std::find(repeated, end, s) != end) continue;
        for (size_t j = i + 1; j < steps_.size(); ++j) {
          if (steps_[j]->service == s) {
            repeated[num_repeated++] = s;
            break;
          }
        }
      }
      if (num_repeated > 0) {
        cut = repeated[incomplete_pick % num_repeated];
        std::string_view first, next;
        for (const Step* s : steps_) {
          if (s->service != cut) continue;
          (first.empty() ? first : next) = s->message;
          if (!next.empty()) break;
        }
        std::string* truth = TruthStart("incomplete_sequence", e, cut);
        truth->append(R"(,"event":")");
        truth->append(first);
        truth->append(R"(","missing":")");
        truth->append(next);
        truth->push_back('"');
        output_.TruthEnd();
      }
    }
  }

  int64_t t = t0;
  int64_t async_t = -1;
  bool cut_seen = false, cut_reported = false;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = *steps_[i];
    int64_t time;
    if (step.async) {
      async_t = async_t < 0 ? t + r.Latency(15 * kMs, 2500 * kMs)
                            : async_t + r.Latency(5 * kMs, 1200 * kMs);
      time = async_t;
    } else {
      if (i > 0) {
        t += step.service == steps_[i - 1]->service ? r.Latency(100 * kUs, 8 * kMs)
                                                    : r.Latency(300 * kUs, 12 * kMs);
      }
      time = t;
    }
    // Plain-text dice, drawn whether or not the event is dropped.
    bool plain = false;
    int64_t plain_bits = 0, plain_after = 0;
    if (model_.plain_block_rate > 0 && r.Unit() < model_.plain_block_rate) {
      plain = true;
      const uint64_t bits = r.Next();
      plain_bits = static_cast<int64_t>(bits & 0xffffff);
      plain_after = static_cast<int64_t>((bits >> 32) % (20 * kMs)) + 100 * kUs;
    }
    if (step.service == silent) continue;
    e.time_ns = time;
    e.step = &step;
    e.pos = static_cast<uint16_t>(i);
    if (step.service == cut) {
      if (cut_seen) {
        // The service failed here: in the plain-text shape it says so, without the trace id.
        if (!cut_reported && model_.plain_block_rate > 0) {
          e.kind = EventKind::kPlain;
          e.value = 0;  // an error with a stack trace, naming no trace
          e.seq = next_seq_++;
          Push(e);
        }
        cut_reported = true;
        continue;
      }
      cut_seen = true;
    }
    e.kind = EventKind::kJson;
    e.value = step.attr == Attr::kResponse ? t - t0 : 0;
    e.seq = next_seq_++;
    Push(e);
    if (plain) {
      e.kind = EventKind::kPlain;
      e.value = plain_bits;
      e.time_ns = time + plain_after;
      e.seq = next_seq_++;
      Push(e);
    }
  }
}

void Generator::Emit(const Event& e) {
  Sink& sink = output_.file(sink_of_[e.step->service]);
  std::string& out = sink.buf;
  const size_t start = out.size();
  int lines = 1;
  if (e.kind == EventKind::kJson) {
    FormatJson(model_, e, &out);
    ++json_events_;
  } else {
    lines = FormatPlain(model_, e, &out);
    plain_lines_ += lines;
  }
  output_.Appended(sink, start, lines);
}

std::string Generator::Summary(std::string_view shape, double seconds) const {
  const uint64_t lines = output_.lines(), bytes = output_.bytes();
  return absl::StrFormat(
      "loggen: shape %s: %d files, %d lines (%d plain text), %.1f MiB (%d bytes), %.1f bytes per "
      "line, %d traces, %.1f events per trace, %d faults, %.2f s (%.0f MB/s) in %s",
      shape, output_.num_files(), lines, plain_lines_, bytes / 1048576.0, bytes,
      lines > 0 ? static_cast<double>(bytes) / lines : 0.0, traces_,
      traces_ > 0 ? static_cast<double>(json_events_) / traces_ : 0.0, output_.faults(), seconds,
      seconds > 0 ? bytes / 1e6 / seconds : 0.0, options_.out_dir);
}

}  // namespace
}  // namespace shapes

bool IsShapeName(std::string_view name) {
  for (std::string_view rest = kShapeNames; !rest.empty();) {
    const size_t comma = rest.find(", ");
    if (rest.substr(0, comma) == name) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return false;
}

absl::StatusOr<std::string> GenerateShape(std::string_view name, const ShapeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  shapes::Model model;
  if (!shapes::BuildModel(name, &model)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shape must be one of ", shapes::Av(kShapeNames), " (got \"", shapes::Av(name), "\")"));
  }
  shapes::Generator generator(model, options);
  if (absl::Status s = generator.Open(); !s.ok()) return s;
  if (absl::Status s = generator.Run(); !s.ok()) return s;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return generator.Summary(name, seconds);
}

}  // namespace loggen

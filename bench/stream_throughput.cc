// Streaming throughput in one run: the same generated lines through
//  1. batch replay (the reference),
//  2. the Kafka consumer group, from librdkafka's in-process mock broker
//     (produced beforehand, not timed; timed from subscribe to all indexed),
//  3. file follow (one PollOnce scan over the files: the same read path a
//     live follower takes when it catches up).
//
//   stream_throughput [--partitions P] DIR_OF_LOGS
//
// The mock broker keeps about 5 MB per partition (older messages are deleted),
// so give it enough partitions for the data: P x 5 MB > the largest file.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "file/file_source.h"
#include "follow/follow_source.h"
#include "kafka/embedded_kafka.h"
#include "kafka/kafka_source.h"
#include "logweave/parser.h"
#include "logweave/pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::unique_ptr<logweave::Pipeline> NewPipeline() {
  return std::move(*logweave::Pipeline::Create(logweave::PipelineOptions{}));
}

void Row(const char* name, uint64_t lines, uint64_t bytes, double seconds, double reference) {
  std::printf(
      "| %s | %llu | %.3f | %.0f | %.1f | %s |\n", name, static_cast<unsigned long long>(lines),
      seconds, lines / seconds, bytes / seconds / 1e6,
      reference > 0 ? std::to_string(lines / seconds / reference).substr(0, 4).c_str() : "1.00");
}

}  // namespace

int main(int argc, char** argv) {
  int partitions = 6;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--partitions" && i + 1 < argc) {
      partitions = std::stoi(argv[++i]);
    } else {
      args.push_back(a);
    }
  }
  logweave::ExpandedPaths paths = logweave::ExpandReplayPaths(args);
  if (paths.files.empty()) {
    std::fprintf(stderr, "usage: stream_throughput [--partitions P] DIR (make one with loggen)\n");
    return 2;
  }
  // Load the lines once (also warms the page cache).
  std::vector<std::pair<std::string, std::vector<std::string>>> files;
  uint64_t total_lines = 0, total_bytes = 0;
  for (const auto& f : paths.files) {
    auto& [topic, lines] =
        files.emplace_back(logweave::ServiceFromSourceName(f), std::vector<std::string>{});
    (void)logweave::ReadSource(f, {}, 0, [&](logweave::RawBatch&& b) {
      for (size_t i = 0; i < b.size(); ++i) {
        lines.emplace_back(b.Line(i));
        total_bytes += b.lines[i].length;
      }
    });
    total_lines += lines.size();
  }
  std::printf(
      "| source | lines | seconds | lines/s | MB/s | vs replay |\n|---|---|---|---|---|---|\n");

  // 1. Replay.
  double replay_lps = 0;
  {
    auto p = NewPipeline();
    auto start = Clock::now();
    for (const auto& f : paths.files) {
      uint32_t src = p->AddSource(f);
      (void)logweave::ReadSource(f, {}, src,
                                 [&](logweave::RawBatch&& b) { p->Submit(std::move(b)); });
    }
    p->Flush();
    double s = Since(start);
    replay_lps = p->Stats().lines / s;
    Row("replay (files)", p->Stats().lines, total_bytes, s, 0);
  }

  // 2. Kafka.
  {
    auto kafka = std::move(*logweave::EmbeddedKafka::Create());
    logweave::KafkaSourceOptions o;
    o.brokers = kafka->bootstrap();
    for (const auto& [topic, lines] : files) {
      (void)kafka->CreateTopic(topic, partitions);
      auto produce_start = Clock::now();
      if (absl::Status st = kafka->ProduceLines(topic, lines); !st.ok()) {
        std::fprintf(stderr, "produce %s: %s\n", topic.c_str(), std::string(st.message()).c_str());
      }
      std::fprintf(stderr, "produced %zu lines to %s in %.1f s\n", lines.size(), topic.c_str(),
                   Since(produce_start));
      o.topics.push_back(topic);
    }
    o.start = "earliest";
    o.properties["session.timeout.ms"] = "6000";
    o.properties["heartbeat.interval.ms"] = "500";
    // The mock broker answers a fetch only after fetch.wait.max.ms (500 ms by
    // default) when it has less than fetch.min.bytes; a real broker does not.
    o.properties["fetch.wait.max.ms"] = "10";
    auto p = NewPipeline();
    auto source = std::move(*logweave::KafkaSource::Create(o, p.get()));
    std::atomic<bool> stop{false};
    auto start = Clock::now();
    std::thread consumer([&] { (void)source->Run(stop); });
    // The group join is part of the measurement; report it separately too.
    double first_line = 0;
    while (p->Stats().lines < total_lines && Since(start) < 300) {
      if (first_line == 0 && p->Stats().lines > 0) first_line = Since(start);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    p->Flush();
    double s = Since(start);
    stop = true;
    consumer.join();
    logweave::KafkaSourceStats ks = source->Stats();
    std::fprintf(stderr, "kafka: messages %llu batches %llu pauses %llu commits %llu errors %llu\n",
                 (unsigned long long)ks.messages, (unsigned long long)ks.batches,
                 (unsigned long long)ks.pauses, (unsigned long long)ks.commits,
                 (unsigned long long)ks.errors);
    Row("kafka consumer group (incl. group join)", p->Stats().lines, total_bytes, s, replay_lps);
    double steady = s - first_line;
    Row("kafka consumer group (after the first line)", p->Stats().lines, total_bytes, steady,
        replay_lps);
  }

  // 3. File follow.
  {
    auto p = NewPipeline();
    logweave::FollowOptions fo;
    fo.paths = paths.files;
    auto follower = std::move(*logweave::FollowSource::Create(fo, p.get()));
    auto start = Clock::now();
    while (p->Stats().lines < total_lines && Since(start) < 300) (void)follower->PollOnce();
    p->Flush();
    Row("file follow", p->Stats().lines, total_bytes, Since(start), replay_lps);
  }
  return 0;
}

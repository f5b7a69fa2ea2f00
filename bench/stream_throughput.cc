// Streaming throughput in one run: the same generated lines through
//  1. batch replay (the reference),
//  2. the Kafka consumer group, from librdkafka's in-process mock broker
//     (produced beforehand, not timed; timed from subscribe to all indexed),
//  3. file follow (one PollOnce scan over the files: the same read path a
//     live follower takes when it catches up),
// and, as the ceiling of any Kafka consumer built on librdkafka here, a bare
// librdkafka consumer that only receives the same messages from the same mock
// broker (partitions assigned, no group join) and indexes nothing.
//
//   stream_throughput [--partitions P] [--only replay|kafka|follow] [--kafka KEY=VALUE]...
//                     DIR_OF_LOGS
//
// Each row also gives the CPU the process used meanwhile, in cores (user +
// system time / wall time): below the core count, a path waits rather than
// works. --only runs one path (after replay, which the ratios need), e.g. to
// profile it.
//
// The mock broker keeps about 5 MB per partition (older messages are deleted),
// so give it enough partitions for the data: P x 5 MB > the largest file.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "connectors/file/file_source.h"
#include "connectors/follow/follow_source.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "librdkafka/rdkafka.h"
#include "logweave/pipeline.h"
#include "logweave/source.h"
#include "tools/flags/flags.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// User + system CPU seconds of the process so far.
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) used so far by this process's threads named
// `name` (librdkafka names the mock broker's thread "rdk:mock").
double ThreadCpuSeconds(const std::string& name) {
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm_in(task.path() / "comm");
    std::string comm;
    std::getline(comm_in, comm);
    if (comm != name) continue;
    std::ifstream stat_in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_in)), std::istreambuf_iterator<char>());
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));  // from field 3 on
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    total += static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  }
  return total;
}

std::unique_ptr<logweave::Pipeline> NewPipeline() {
  return std::move(*logweave::Pipeline::Create(logweave::PipelineOptions{}));
}

void Row(const char* name, uint64_t lines, uint64_t bytes, double seconds, double reference,
         double cpu_seconds) {
  std::printf(
      "| %s | %llu | %.3f | %.0f | %.1f | %s | %.2f |\n", name,
      static_cast<unsigned long long>(lines), seconds, lines / seconds, bytes / seconds / 1e6,
      reference > 0 ? std::to_string(lines / seconds / reference).substr(0, 4).c_str() : "1.00",
      cpu_seconds / seconds);
}

// What a bare librdkafka consumer took to receive the messages.
struct BareConsume {
  bool ok = false;
  double seconds = 0;           // from the first message to the last
  double cpu_seconds = 0;       // of the process meanwhile
  double mock_cpu_seconds = 0;  // of that, the mock broker's thread
};

// Receives `total` messages of `topics` (partitions 0..partitions-1 each,
// from the beginning) with a bare librdkafka consumer configured like
// KafkaSource (partitions assigned, no group join), touching each payload
// and indexing nothing: the ceiling of any consumer built on librdkafka here.
BareConsume ConsumeWithLibrdkafkaAlone(
    const std::string& brokers, const std::vector<std::string>& topics, int partitions,
    uint64_t total, const std::vector<std::pair<std::string, std::string>>& extra) {
  BareConsume result;
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> settings = {{"bootstrap.servers", brokers},
                                                               {"group.id", "bare-consumer"},
                                                               {"enable.auto.commit", "false"},
                                                               {"enable.partition.eof", "false"},
                                                               {"fetch.wait.max.ms", "10"}};
  const auto prefetch = logweave::KafkaPrefetchProperties();
  settings.insert(settings.end(), prefetch.begin(), prefetch.end());
  settings.insert(settings.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "librdkafka alone: %s\n", errstr);
      rd_kafka_conf_destroy(conf);
      return result;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::fprintf(stderr, "librdkafka alone: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return result;
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(0);
  for (const auto& topic : topics) {
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  const auto start = Clock::now();
  rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  uint64_t received = 0;
  uint64_t touched = 0;  // keeps the payload reads from being optimized away
  Clock::time_point first = start;
  double first_cpu = 0, first_mock_cpu = 0;
  while (received < total && Since(start) < 300) {
    // As KafkaSource polls: without a timeout first, waiting only when empty.
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 0);
    if (m == nullptr) m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (received++ == 0) {
        first = Clock::now();
        first_cpu = CpuSeconds();
        first_mock_cpu = ThreadCpuSeconds("rdk:mock");
      }
      if (m->len > 0) touched += static_cast<const unsigned char*>(m->payload)[m->len - 1];
    }
    rd_kafka_message_destroy(m);
  }
  result.ok = received == total;
  result.seconds = Since(first);
  result.cpu_seconds = CpuSeconds() - first_cpu;
  result.mock_cpu_seconds = ThreadCpuSeconds("rdk:mock") - first_mock_cpu;
  std::fprintf(stderr, "librdkafka alone: %llu messages (last-byte sum %llu)\n",
               static_cast<unsigned long long>(received), static_cast<unsigned long long>(touched));
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t partitions_flag = 6;
  std::string only;  // "": every path
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  std::vector<std::string> args;
  logweave::cli::FlagSet flags("stream_throughput", "[flags] DIR",
                               "Throughput of the streaming paths (replay, Kafka through the "
                               "embedded broker,\nfollowed files) over the log files in DIR "
                               "(make them with loggen); see bench/RESULTS.md.");
  flags.Int("partitions", &partitions_flag, "P", "partitions per Kafka topic (default 6)");
  flags.Custom("only", "PATH", "only this path: replay, kafka or follow (default: every path)",
               [&only](const std::string& v) {
                 if (v != "replay" && v != "kafka" && v != "follow") {
                   return absl::InvalidArgumentError(
                       "--only must be replay, kafka or follow (got \"" + v + "\")");
                 }
                 only = v;
                 return absl::OkStatus();
               });
  flags.Custom(
      "kafka", "KEY=VALUE", "a librdkafka property for the consumer (repeatable)",
      [&kafka_properties](const std::string& kv) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos) {
          return absl::InvalidArgumentError("--kafka needs KEY=VALUE (got \"" + kv + "\")");
        }
        kafka_properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        return absl::OkStatus();
      });
  if (int code = flags.ParseMain(argc, argv, &args); code >= 0) return code;
  if (partitions_flag <= 0 || partitions_flag > 1000) {
    std::fprintf(stderr, "stream_throughput: --partitions must be 1-1000 (got %lld)\n",
                 static_cast<long long>(partitions_flag));
    return 2;
  }
  const int partitions = static_cast<int>(partitions_flag);
  logweave::ExpandedPaths paths = logweave::ExpandReplayPaths(args);
  if (paths.files.empty()) {
    std::fprintf(stderr,
                 "usage: stream_throughput [--partitions P] [--only replay|kafka|follow] DIR "
                 "(make one with loggen)\n");
    return 2;
  }
  // Load the lines once (also warms the page cache).
  std::vector<std::pair<std::string, std::vector<std::string>>> files;
  uint64_t total_lines = 0, total_bytes = 0;
  for (const auto& f : paths.files) {
    // A named reference, not a structured binding: clang 14 cannot capture bindings in lambdas.
    std::vector<std::string>& lines =
        files.emplace_back(logweave::ServiceFromSourceName(f), std::vector<std::string>{}).second;
    (void)logweave::ReadSource(f, {}, 0, [&](logweave::RawBatch&& b) {
      for (size_t i = 0; i < b.size(); ++i) {
        lines.emplace_back(b.Line(i));
        total_bytes += b.lines[i].length;
      }
    });
    total_lines += lines.size();
  }
  std::printf(
      "| source | lines | seconds | lines/s | MB/s | vs replay | CPU (cores) |\n"
      "|---|---|---|---|---|---|---|\n");

  // 1. Replay.
  double replay_lps = 0;
  double replay_cpu = 0;  // CPU seconds of the replay
  std::string mock_note;  // printed after the table
  {
    auto p = NewPipeline();
    auto start = Clock::now();
    const double cpu = CpuSeconds();
    for (const auto& f : paths.files) {
      uint32_t src = p->AddSource(f);
      (void)logweave::ReadSource(f, {}, src,
                                 [&](logweave::RawBatch&& b) { p->Submit(std::move(b)); });
    }
    p->Flush();
    double s = Since(start);
    replay_lps = p->Stats().lines / s;
    replay_cpu = CpuSeconds() - cpu;
    Row("replay (files)", p->Stats().lines, total_bytes, s, 0, replay_cpu);
  }

  // 2. Kafka.
  if (only.empty() || only == "kafka") {
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
    for (const auto& [k, v] : kafka_properties) o.properties[k] = v;
    // First the ceiling, librdkafka alone, on the fresh broker (a consumer
    // left connected beside it slows it down).
    const BareConsume bare =
        ConsumeWithLibrdkafkaAlone(o.brokers, o.topics, partitions, total_lines, kafka_properties);
    auto p = NewPipeline();
    auto source = std::move(*logweave::KafkaSource::Create(o, p.get()));
    std::atomic<bool> stop{false};
    auto start = Clock::now();
    const double cpu = CpuSeconds();
    double first_line_cpu = 0;
    double first_line_mock_cpu = 0;
    std::thread consumer([&] { (void)source->Run(stop); });
    // The group join is part of the measurement; report it separately too.
    double first_line = 0;
    while (p->Stats().lines < total_lines && Since(start) < 300) {
      if (first_line == 0 && p->Stats().lines > 0) {
        first_line = Since(start);
        first_line_cpu = CpuSeconds();
        first_line_mock_cpu = ThreadCpuSeconds("rdk:mock");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    p->Flush();
    double s = Since(start);
    const double end_cpu = CpuSeconds();
    const double end_mock_cpu = ThreadCpuSeconds("rdk:mock");
    stop = true;
    consumer.join();
    logweave::KafkaSourceStats ks = source->Stats();
    std::fprintf(stderr, "kafka: messages %llu batches %llu pauses %llu commits %llu errors %llu\n",
                 (unsigned long long)ks.messages, (unsigned long long)ks.batches,
                 (unsigned long long)ks.pauses, (unsigned long long)ks.commits,
                 (unsigned long long)ks.errors);
    Row("kafka consumer group (incl. group join)", p->Stats().lines, total_bytes, s, replay_lps,
        end_cpu - cpu);
    double steady = s - first_line;
    Row("kafka consumer group (after the first line)", p->Stats().lines, total_bytes, steady,
        replay_lps, end_cpu - first_line_cpu);
    if (bare.ok) {
      Row("librdkafka alone, after the first message: receive only, no parse or index", total_lines,
          total_bytes, bare.seconds, replay_lps, bare.cpu_seconds);
      // Both cores are busy on either path, so lines/s ~ cores / CPU per
      // line, and a consumer that indexes does about what the replay does per
      // line plus what librdkafka alone does.
      const double bare_us = 1e6 * bare.cpu_seconds / total_lines;
      const double replay_us = 1e6 * replay_cpu / total_lines;
      mock_note += absl::StrFormat(
          "\nlibrdkafka alone used %.2f us of CPU per message (the mock broker's thread %.2f us "
          "of it): with the replay's %.2f us per line, a Kafka path on these cores reaches about "
          "%.2f of replay at most (replay / (replay + librdkafka alone)).\n",
          bare_us, 1e6 * bare.mock_cpu_seconds / total_lines, replay_us,
          replay_us / (replay_us + bare_us));
    }
    mock_note =
        absl::StrFormat(
            "\nAfter the first line the mock broker's thread used %.2f of those CPU seconds "
            "(%.0f%%): a real broker runs elsewhere. CPU per line: kafka %.2f us (without the mock "
            "broker %.2f us), replay %.2f us.\n",
            end_mock_cpu - first_line_mock_cpu,
            100 * (end_mock_cpu - first_line_mock_cpu) / std::max(end_cpu - first_line_cpu, 1e-9),
            1e6 * (end_cpu - first_line_cpu) / total_lines,
            1e6 * (end_cpu - first_line_cpu - (end_mock_cpu - first_line_mock_cpu)) / total_lines,
            1e6 * replay_cpu / total_lines) +
        mock_note;
  }

  // 3. File follow.
  if (only.empty() || only == "follow") {
    auto p = NewPipeline();
    logweave::FollowOptions fo;
    fo.paths = paths.files;
    auto follower = std::move(*logweave::FollowSource::Create(fo, p.get()));
    auto start = Clock::now();
    const double cpu = CpuSeconds();
    while (p->Stats().lines < total_lines && Since(start) < 300) (void)follower->PollOnce();
    p->Flush();
    Row("file follow", p->Stats().lines, total_bytes, Since(start), replay_lps, CpuSeconds() - cpu);
  }
  std::fputs(mock_note.c_str(), stdout);
  return 0;
}

// OTLP ingest throughput in one run, next to replay of the same records:
//  1. replay (the reference): the records as the JSON lines OTLP makes of
//     them (connectors/otlp/otlp_mapping.h), in a file read by ReplaySource;
//  2. OTLP/HTTP: POST /v1/logs, protobuf, batches of --batch records (512 by
//     default, as the SDKs' batch processors send), from --clients threads,
//     each waiting for its answer (which comes once the records are indexed);
//  3. OTLP/gRPC: LogsService/Export, the same requests.
// Each path gets a fresh pipeline; the time runs from the first request to the
// last answer (replay: to the last line indexed).
//
//   otlp_throughput [--records N] [--batch B] [--clients C] [--threads T]
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "connectors/file/replay_source.h"
#include "connectors/http/listener.h"
#include "connectors/otlp/otlp_grpc.h"
#include "connectors/otlp/otlp_http.h"
#include "connectors/otlp/otlp_mapping.h"
#include "connectors/otlp/otlp_receiver.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "httplib.h"
#include "logweave/pipeline.h"
#include "tools/flags/flags.h"

namespace {

using Clock = std::chrono::steady_clock;
using logweave::otlp::collector::ExportLogsServiceRequest;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds (user + system) of the whole process so far: the clients run in
// it too, so a path's figure includes what its exporters cost.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The first line of /proc/loadavg (the machine is shared: say how busy it was).
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string line;
  std::getline(in, line);
  return line;
}

// Requests of `batch` records each, `records` in all: a checkout trace over
// four services, eight records per trace, with attributes as SDKs send them.
std::vector<ExportLogsServiceRequest> MakeRequests(int64_t records, int64_t batch) {
  static const char* kServices[] = {"frontend", "cart", "payments", "ledger"};
  static const char* kMessages[] = {"request received", "cart loaded",  "charging card",
                                    "ledger write",     "card charged", "order placed",
                                    "response sent",    "slow upstream"};
  std::vector<ExportLogsServiceRequest> out;
  const uint64_t t0 = 1764970302000000000ull;
  for (int64_t n = 0; n < records;) {
    ExportLogsServiceRequest& req = out.emplace_back();
    for (int s = 0; s < 4 && n < records; ++s) {
      auto* rl = req.add_resource_logs();
      auto* kv = rl->mutable_resource()->add_attributes();
      kv->set_key("service.name");
      kv->mutable_value()->set_string_value(kServices[s]);
      kv = rl->mutable_resource()->add_attributes();
      kv->set_key("service.version");
      kv->mutable_value()->set_string_value("2.1.0");
      auto* scope = rl->add_scope_logs();
      scope->mutable_scope()->set_name("shop");
      for (int64_t i = 0; i < batch / 4 && n < records; ++i, ++n) {
        auto* r = scope->add_log_records();
        const uint64_t trace = static_cast<uint64_t>(n / 8);
        r->set_time_unix_nano(t0 + static_cast<uint64_t>(n) * 1'000'000);
        r->set_severity_number(
            static_cast<logweave::otlp::logs::SeverityNumber>(n % 97 == 0 ? 17 : 9));
        r->mutable_body()->set_string_value(kMessages[n % 8]);
        std::string id(16, '\0');
        for (int b = 0; b < 8; ++b) id[8 + b] = static_cast<char>((trace >> (8 * b)) & 0xff);
        id[0] = 0x4b;
        r->set_trace_id(id);
        r->set_span_id(std::string(8, static_cast<char>(1 + n % 200)));
        auto* a = r->add_attributes();
        a->set_key("http.response.status_code");
        a->mutable_value()->set_int_value(n % 97 == 0 ? 502 : 200);
        a = r->add_attributes();
        a->set_key("http.route");
        a->mutable_value()->set_string_value("/checkout");
      }
    }
  }
  return out;
}

std::unique_ptr<logweave::Pipeline> NewPipeline(int threads) {
  logweave::PipelineOptions options;
  options.threads = static_cast<uint32_t>(threads);
  auto p = logweave::Pipeline::Create(options);
  if (!p.ok()) {
    std::fprintf(stderr, "otlp_throughput: %s\n", std::string(p.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(p);
}

// Sends every request from `clients` threads with `send` (returns success);
// a refused request is sent again. Returns the seconds taken.
template <typename Send>
double SendAll(const std::vector<std::string>& bodies, int clients, Send send) {
  std::atomic<size_t> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto state = send.Connect(c);
      for (size_t i; (i = next.fetch_add(1)) < bodies.size();) {
        while (!send.Send(*state, bodies[i])) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return Since(start);
}

struct HttpSender {
  int port;
  std::unique_ptr<httplib::Client> Connect(int) const {
    return std::make_unique<httplib::Client>("127.0.0.1", port);
  }
  bool Send(httplib::Client& c, const std::string& body) const {
    auto r = c.Post("/v1/logs", body, "application/x-protobuf");
    return r && r->status == 200;
  }
};

struct GrpcSender {
  int port;
  std::unique_ptr<logweave::otlp::collector::LogsService::Stub> Connect(int c) const {
    grpc::ChannelArguments args;
    args.SetInt("logweave.client", c);  // one connection per client thread
    return logweave::otlp::collector::LogsService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
  }
  bool Send(logweave::otlp::collector::LogsService::Stub& stub, const std::string& body) const {
    ExportLogsServiceRequest req;
    req.ParseFromString(body);
    logweave::otlp::collector::ExportLogsServiceResponse resp;
    grpc::ClientContext ctx;
    return stub.Export(&ctx, req, &resp).ok();
  }
};

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 400'000, batch = 512, clients = 4, threads = 2;
  std::vector<std::string> args;
  logweave::cli::FlagSet flags("otlp_throughput", "[flags]",
                               "OTLP/HTTP and OTLP/gRPC ingest next to replay of the same "
                               "records; see bench/RESULTS.md.");
  flags.Int("records", &records, "N", "log records in all (default 400000)");
  flags.Int("batch", &batch, "B", "records per export request (default 512)");
  flags.Int("clients", &clients, "C", "exporters sending at once (default 4)");
  flags.Int("threads", &threads, "T", "pipeline worker threads (default 2)");
  if (int code = flags.ParseMain(argc, argv, &args); code >= 0) return code;
  if (records <= 0 || batch < 4 || clients <= 0 || threads <= 0) {
    std::fprintf(stderr, "otlp_throughput: --records, --clients, --threads > 0, --batch >= 4\n");
    return 2;
  }
  const std::vector<ExportLogsServiceRequest> requests = MakeRequests(records, batch);
  std::vector<std::string> bodies;
  uint64_t wire_bytes = 0;
  for (const auto& r : requests) {
    bodies.push_back(r.SerializeAsString());
    wire_bytes += bodies.back().size();
  }

  // 1. Replay of the same records, as the lines OTLP makes of them.
  const std::string path = absl::StrCat("/tmp/otlp_throughput.", getpid(), ".log");
  {
    logweave::otlp::OtlpMapper mapper;
    std::ofstream out(path);
    for (const auto& r : requests) {
      logweave::RawBatch b;
      uint64_t n = 0;
      logweave::otlp::OtlpMapReport report;
      mapper.Append(r, &b, &n, &report);
      for (size_t i = 0; i < b.size(); ++i) out << b.Line(i) << '\n';
    }
  }
  const std::string load_before = LoadAverage();
  double replay_s, replay_cpu, http_cpu, grpc_cpu;
  {
    auto pipeline = NewPipeline(static_cast<int>(threads));
    logweave::ReplaySource files({path}, pipeline->options().batching, pipeline.get());
    std::atomic<bool> stop{false};
    const double cpu = CpuSeconds();
    const auto start = Clock::now();
    (void)files.Run(stop);
    pipeline->Flush();
    replay_s = Since(start);
    replay_cpu = CpuSeconds() - cpu;
  }
  std::filesystem::remove(path);

  // 2. OTLP/HTTP.
  double http_s;
  {
    auto pipeline = NewPipeline(static_cast<int>(threads));
    logweave::otlp::OtlpReceiver receiver(pipeline.get(), {});
    logweave::HttpListenerOptions options;
    options.address = "127.0.0.1:0";
    options.threads = static_cast<int>(clients);
    auto listener = logweave::HttpListener::Create(options);
    if (!listener.ok()) return 1;
    logweave::otlp::AddOtlpHttpRoutes(**listener, receiver);
    (*listener)->Start();
    const double cpu = CpuSeconds();
    http_s = SendAll(bodies, static_cast<int>(clients), HttpSender{(*listener)->port()});
    http_cpu = CpuSeconds() - cpu;
    (*listener)->Stop();
    if (receiver.Stats().records != static_cast<uint64_t>(records)) {
      std::fprintf(stderr, "otlp_throughput: HTTP indexed %llu records of %lld\n",
                   static_cast<unsigned long long>(receiver.Stats().records),
                   static_cast<long long>(records));
    }
  }

  // 3. OTLP/gRPC.
  double grpc_s;
  {
    auto pipeline = NewPipeline(static_cast<int>(threads));
    logweave::otlp::OtlpReceiver receiver(pipeline.get(), {});
    logweave::otlp::OtlpLogsService service(&receiver, false);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(64 << 20);
    builder.RegisterService(&service);
    auto server = builder.BuildAndStart();
    const double cpu = CpuSeconds();
    grpc_s = SendAll(bodies, static_cast<int>(clients), GrpcSender{port});
    grpc_cpu = CpuSeconds() - cpu;
    server->Shutdown();
    if (receiver.Stats().records != static_cast<uint64_t>(records)) {
      std::fprintf(stderr, "otlp_throughput: gRPC indexed %llu records of %lld\n",
                   static_cast<unsigned long long>(receiver.Stats().records),
                   static_cast<long long>(records));
    }
  }

  std::printf("%lld records, %zu requests of %lld, %.1f MB protobuf, %lld clients, %lld threads\n",
              static_cast<long long>(records), bodies.size(), static_cast<long long>(batch),
              wire_bytes / 1e6, static_cast<long long>(clients), static_cast<long long>(threads));
  std::printf("load average before: %s; after: %s\n", load_before.c_str(), LoadAverage().c_str());
  std::printf("%-10s %9s %13s %8s %9s %15s %8s\n", "path", "wall s", "records/s", "x replay",
              "CPU s", "records/CPU s", "x replay");
  const double replay_rate = records / replay_s, replay_cpu_rate = records / replay_cpu;
  for (const auto& [name, s, cpu] :
       {std::tuple<const char*, double, double>{"replay", replay_s, replay_cpu},
        {"otlp/http", http_s, http_cpu},
        {"otlp/grpc", grpc_s, grpc_cpu}}) {
    std::printf("%-10s %9.3f %13.0f %8.2f %9.3f %15.0f %8.2f\n", name, s, records / s,
                (records / s) / replay_rate, cpu, records / cpu, (records / cpu) / replay_cpu_rate);
  }
  return 0;
}

// The model behind loggen's benchmark shapes (--shape NAME, shapes.h):
// services with their logging conventions, and the routes requests take.
// Shared by the line formats (shapes_lines.cc) and the generator (shapes.cc).
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHAPES_MODEL_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHAPES_MODEL_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/loggen/common.h"

namespace loggen::shapes {

// ---------------------------------------------------------------------------------------------
// The model: services, the convention each logs in, and the routes that requests take.

// The logging library a service uses, which fixes its line format. Only key names that
// logweave's parser reads (engine/include/logweave/options.h, FieldNames) carry the trace id,
// time, level, message and route; conventions without a service key (zap, pino,
// python-json-logger, and OTel, whose resource.service.name is not a path logweave reads)
// get their service from the file name.
enum class Convention : uint8_t {
  // Go zap, production JSON encoder: {"level":"info","ts":1795428000.123456,"caller":"..",
  // "msg":"..","trace_id":".."}, epoch seconds with microseconds.
  kZap,
  // Node pino: {"level":30,"time":1795428000123,"pid":..,"hostname":"..","msg":"..",
  // "traceId":".."}, numeric level, epoch milliseconds.
  kPino,
  // python-json-logger: {"asctime":"2026-11-23 10:00:00,123","levelname":"INFO","name":"..",
  // "message":"..","trace_id":".."}; asctime is local time without a zone, which is UTC here.
  kPython,
  // logback + logstash-logback-encoder with ECS names, dotted keys: {"@timestamp":"..Z",
  // "log.level":"info","message":"..","service.name":"..","trace.id":".."}.
  kEcs,
  // OpenTelemetry-style log record, nested: {"timestamp":"..Z","severity":"INFO","body":"..",
  // "resource":{"service.name":".."},"trace":{"id":".."},"attributes":{..}}.
  kOtel,
};

// What a line carries besides the common fields; values derive from the trace and the step.
enum class Attr : uint8_t {
  kNone,
  kRequest,   // entry service, request received: client ip, user agent
  kResponse,  // entry service, request completed: status, latency
  kUser,      // user id
  kCart,      // cart id, items
  kAmount,    // amount, currency
  kOrder,     // order id, amount
  kSku,       // sku, quantity
  kQuery,     // search query, hits
  kScore,     // fraud score, decision
  kEmail,     // template, masked recipient
  kRows,      // rows, database time
  kJob,       // job id, attempt
  kParcel,    // parcel id, carrier
};

struct ServiceDef {
  std::string name;  // also the file name, <name>.log
  Convention convention;
  std::string host;    // pino "hostname", OTel "host.name": a Kubernetes pod name
  std::string caller;  // zap "caller" file ("checkout/handler.go")
  std::string logger;  // python "name" ("checkout.api"), ECS "log.logger" (a Java class)
  int pid;             // pino "pid"
};

// One event of a route: which service logs what.
struct Step {
  uint16_t service;
  std::string_view message;  // the event name ("charge authorized"); logweave's event
  Attr attr = Attr::kNone;
  bool async = false;      // after the response, from a queue consumer (15 ms - 2.5 s later)
  uint16_t code_line = 0;  // the zap caller's line number, set by Model::Finalize
};

inline Step S(uint16_t service, std::string_view message, Attr attr = Attr::kNone) {
  return Step{service, message, attr, false, 0};
}
inline Step Async(uint16_t service, std::string_view message, Attr attr = Attr::kNone) {
  return Step{service, message, attr, true, 0};
}

// A kind of request. Its events are head, then loop repeated loop_min..loop_max times, then
// tail. head[0] is the entry service's "request received", which logs the route.
struct Route {
  std::string name;  // "POST /checkout"
  uint32_t weight;   // relative frequency
  std::vector<Step> head, loop, tail;
  uint32_t loop_min = 0, loop_max = 0;
};

// FNV-1a: a fixed hash, so that names map to the same pod names and line numbers everywhere
// (std::hash may differ between standard libraries).
inline uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// A route whose events are `steps`, with no loop.
inline Route Flat(std::string name, uint32_t weight, std::vector<Step> steps) {
  Route r;
  r.name = std::move(name);
  r.weight = weight;
  r.head = std::move(steps);
  return r;
}

// A route whose events are head, loop repeated loop_min..loop_max times, tail.
inline Route Looped(std::string name, uint32_t weight, std::vector<Step> head,
                    std::vector<Step> loop, std::vector<Step> tail, uint32_t loop_min = 0,
                    uint32_t loop_max = 0) {
  Route r = Flat(std::move(name), weight, std::move(head));
  r.loop = std::move(loop);
  r.tail = std::move(tail);
  r.loop_min = loop_min;
  r.loop_max = loop_max;
  return r;
}

// Everything a shape fixes. Built once; Steps are referenced by pointer while generating, so a
// Model is never changed after Finalize. Thread-compatible.
struct Model {
  std::vector<ServiceDef> services;
  std::vector<Route> routes;
  bool short_lines = false;       // 64-bit trace ids, no attributes: ~120-byte lines
  double plain_block_rate = 0;    // per JSON event: the chance its service prints a plain block
  std::deque<std::string> names;  // owns the generated event names (many-services)

  void Finalize() {
    for (Route& route : routes) {
      for (auto* steps : {&route.head, &route.loop, &route.tail}) {
        for (Step& step : *steps) {
          step.code_line = static_cast<uint16_t>(40 + Fnv1a(step.message) % 400);
        }
      }
    }
  }
};

inline uint64_t Mix(uint64_t x) { return SplitMix64(&x); }

// For absl::StrCat: this Abseil's string_view is its own type, not std::string_view.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Builds the model of `shape`; false for an unknown or the default shape.
bool BuildModel(std::string_view shape, Model* m);

}  // namespace loggen::shapes

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHAPES_MODEL_H_

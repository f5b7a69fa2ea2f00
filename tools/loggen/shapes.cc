#include "loggen/shapes.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "loggen/common.h"

namespace loggen {
namespace {

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

Step S(uint16_t service, std::string_view message, Attr attr = Attr::kNone) {
  return Step{service, message, attr, false, 0};
}
Step Async(uint16_t service, std::string_view message, Attr attr = Attr::kNone) {
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
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// A route whose events are `steps`, with no loop.
Route Flat(std::string name, uint32_t weight, std::vector<Step> steps) {
  Route r;
  r.name = std::move(name);
  r.weight = weight;
  r.head = std::move(steps);
  return r;
}

// A route whose events are head, loop repeated loop_min..loop_max times, tail.
Route Looped(std::string name, uint32_t weight, std::vector<Step> head, std::vector<Step> loop,
             std::vector<Step> tail, uint32_t loop_min = 0, uint32_t loop_max = 0) {
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

uint64_t Mix(uint64_t x) { return SplitMix64(&x); }

// For absl::StrCat: this Abseil's string_view is its own type, not std::string_view.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A pod name as Kubernetes makes it: <deployment>-<replica set hash>-<5 characters>.
std::string PodName(std::string_view service, uint64_t h) {
  static constexpr char kPodChars[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string pod = absl::StrCat(Av(service), "-");
  AppendHex(h & 0xffffffffff, 10, &pod);
  pod.push_back('-');
  for (int i = 0; i < 5; ++i) pod.push_back(kPodChars[(h >> (40 + 4 * i)) % 27]);
  return pod;
}

void AddService(Model* m, std::string name, Convention convention) {
  const uint64_t h = Mix(Fnv1a(name));
  ServiceDef s;
  s.convention = convention;
  s.host = PodName(name, h);
  std::string bare = name;
  std::replace(bare.begin(), bare.end(), '-', '_');
  s.caller = absl::StrCat(bare, "/handler.go");
  if (convention == Convention::kPython) {
    s.logger = absl::StrCat(bare, ".api");
  } else {
    // com.example.<first part>.<PascalCase name>Service: "com.example.billing.BillingStoreService".
    std::string cls;
    bool upper = true;
    for (char c : name) {
      if (c == '-') {
        upper = true;
        continue;
      }
      cls.push_back(upper ? static_cast<char>(c - 'a' + 'A') : c);
      upper = false;
    }
    s.logger = absl::StrCat("com.example.", name.substr(0, name.find('-')), ".", cls, "Service");
  }
  s.pid = 1 + static_cast<int>(h % 32000);
  s.name = std::move(name);
  m->services.push_back(std::move(s));
}

// The web shop that short-lines, short-traces, long-traces and plain-text share.
enum ShopService : uint16_t {
  kGateway,
  kAuth,
  kCatalog,
  kSearch,
  kCart,
  kCheckout,
  kPricing,
  kFraud,
  kPayments,
  kLedger,
  kInventory,
  kShipping,
  kNotifications,
  kRecommendations,
};

void AddShopServices(Model* m) {
  using C = Convention;
  const std::pair<std::string_view, Convention> kShop[] = {
      {"gateway", C::kZap},        {"auth", C::kPino},
      {"catalog", C::kOtel},       {"search", C::kZap},
      {"cart", C::kPython},        {"checkout", C::kEcs},
      {"pricing", C::kZap},        {"fraud", C::kPython},
      {"payments", C::kEcs},       {"ledger", C::kPino},
      {"inventory", C::kOtel},     {"shipping", C::kEcs},
      {"notifications", C::kPino}, {"recommendations", C::kPython},
  };
  for (const auto& [name, convention] : kShop) AddService(m, std::string(name), convention);
}

const Step kReceived = S(kGateway, "request received", Attr::kRequest);
const Step kCompleted = S(kGateway, "request completed", Attr::kResponse);
const Step kToken = S(kAuth, "token validated", Attr::kUser);

// Routes of 4 to 16 events (8 on average) over 2 to 10 services: short-lines and plain-text.
void AddShopRoutes(Model* m) {
  m->routes.push_back(Flat(
      "POST /checkout", 25,
      {kReceived, kToken, S(kCart, "cart loaded", Attr::kCart),
       S(kPricing, "cart priced", Attr::kAmount), S(kCheckout, "order created", Attr::kOrder),
       S(kFraud, "fraud check started", Attr::kAmount),
       S(kFraud, "fraud check completed", Attr::kScore),
       S(kPayments, "charge requested", Attr::kAmount),
       S(kPayments, "charge authorized", Attr::kAmount),
       S(kLedger, "ledger entry created", Attr::kAmount),
       S(kLedger, "balance updated", Attr::kAmount), S(kInventory, "stock reserved", Attr::kSku),
       S(kCheckout, "order confirmed", Attr::kOrder), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)}));
  m->routes.push_back(Looped("GET /cart", 25,
                             {kReceived, kToken, S(kCart, "cart loaded", Attr::kCart)},
                             {S(kInventory, "availability checked", Attr::kSku)},
                             {S(kPricing, "cart priced", Attr::kAmount), kCompleted}, 1, 3));
  m->routes.push_back(
      Flat("GET /products/{id}", 20,
           {kReceived, S(kCatalog, "product fetched", Attr::kSku),
            S(kInventory, "stock checked", Attr::kSku),
            S(kRecommendations, "related products ranked", Attr::kRows), kCompleted}));
  m->routes.push_back(Flat("GET /search", 15,
                           {kReceived, S(kSearch, "query parsed", Attr::kQuery),
                            S(kSearch, "query executed", Attr::kQuery),
                            S(kCatalog, "products fetched", Attr::kRows), kCompleted}));
  m->routes.push_back(Flat("POST /refund", 5,
                           {kReceived, kToken, S(kPayments, "refund requested", Attr::kAmount),
                            S(kPayments, "refund issued", Attr::kAmount),
                            S(kLedger, "ledger entry reversed", Attr::kAmount), kCompleted,
                            Async(kNotifications, "email queued", Attr::kEmail),
                            Async(kNotifications, "email sent", Attr::kEmail)}));
  m->routes.push_back(Flat("POST /login", 10,
                           {kReceived, S(kAuth, "credentials verified", Attr::kUser),
                            S(kAuth, "session created", Attr::kUser), kCompleted}));
}

// Routes of 3 to 5 events over 2 to 4 services.
void AddShortRoutes(Model* m) {
  m->routes.push_back(Flat("GET /products/{id}", 25,
                           {kReceived, S(kCatalog, "product fetched", Attr::kSku),
                            S(kInventory, "stock checked", Attr::kSku), kCompleted}));
  m->routes.push_back(
      Flat("GET /search", 20, {kReceived, S(kSearch, "query executed", Attr::kQuery), kCompleted}));
  m->routes.push_back(Flat("POST /cart/items", 20,
                           {kReceived, S(kCart, "item added", Attr::kCart),
                            S(kPricing, "cart priced", Attr::kAmount), kCompleted}));
  m->routes.push_back(Flat("POST /login", 15,
                           {kReceived, S(kAuth, "credentials verified", Attr::kUser),
                            S(kAuth, "session created", Attr::kUser), kCompleted}));
  m->routes.push_back(Flat(
      "GET /cart", 10,
      {kReceived, S(kCart, "cart loaded", Attr::kCart), S(kPricing, "cart priced", Attr::kAmount),
       S(kInventory, "availability checked", Attr::kSku), kCompleted}));
  m->routes.push_back(Flat("POST /payments/authorize", 10,
                           {kReceived, S(kPayments, "charge requested", Attr::kAmount),
                            S(kFraud, "fraud check completed", Attr::kScore),
                            S(kPayments, "charge authorized", Attr::kAmount), kCompleted}));
}

// Routes of 50 to 80 events: bulk orders, catalog imports, reports, warehouse waves.
void AddLongRoutes(Model* m) {
  // loop_min..loop_max keep head + loop x k + tail within [50, 80].
  auto bounded = [](Route r) {
    const uint32_t fixed = static_cast<uint32_t>(r.head.size() + r.tail.size());
    const uint32_t per = static_cast<uint32_t>(r.loop.size());
    r.loop_min = (50 - fixed + per - 1) / per;
    r.loop_max = (80 - fixed) / per;
    return r;
  };
  m->routes.push_back(bounded(Looped(
      "POST /orders/bulk", 40,
      {kReceived, kToken, S(kCheckout, "bulk order received", Attr::kOrder),
       S(kCart, "cart loaded", Attr::kCart)},
      {S(kCatalog, "product fetched", Attr::kSku), S(kInventory, "stock reserved", Attr::kSku),
       S(kPricing, "line priced", Attr::kAmount)},
      {S(kFraud, "fraud check completed", Attr::kScore),
       S(kPayments, "charge requested", Attr::kAmount),
       S(kPayments, "charge authorized", Attr::kAmount),
       S(kLedger, "ledger entry created", Attr::kAmount),
       S(kCheckout, "order confirmed", Attr::kOrder), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)})));
  m->routes.push_back(bounded(Looped(
      "POST /catalog/import", 30, {kReceived, kToken, S(kCatalog, "import started", Attr::kJob)},
      {S(kCatalog, "product upserted", Attr::kSku), S(kSearch, "document indexed", Attr::kSku),
       S(kInventory, "stock level set", Attr::kSku),
       S(kRecommendations, "embedding updated", Attr::kSku)},
      {S(kCatalog, "import completed", Attr::kJob), S(kSearch, "index refreshed", Attr::kRows),
       kCompleted, Async(kNotifications, "webhook delivered", Attr::kJob)})));
  m->routes.push_back(bounded(Looped("GET /reports/settlements", 15,
                                     {kReceived, kToken, S(kLedger, "report started", Attr::kJob)},
                                     {S(kLedger, "ledger page scanned", Attr::kRows),
                                      S(kPayments, "settlements fetched", Attr::kRows)},
                                     {S(kLedger, "report rendered", Attr::kRows), kCompleted})));
  m->routes.push_back(bounded(Looped(
      "POST /fulfillment/waves", 15, {kReceived, kToken, S(kShipping, "wave started", Attr::kJob)},
      {S(kInventory, "item picked", Attr::kSku), S(kShipping, "parcel packed", Attr::kSku),
       S(kShipping, "label created", Attr::kParcel)},
      {S(kShipping, "wave closed", Attr::kJob), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)})));
}

// 200 services: 20 business domains x 10 roles ("billing-api", "billing-store", ...). Each
// domain's api is the entry of two routes (GET and POST); the other 180 services are dealt
// out over the 40 routes, so every service logs. The topology does not depend on --seed.
void AddManyServices(Model* m) {
  static constexpr std::string_view kDomains[] = {
      "account",      "billing",  "catalog",   "cart",    "checkout", "coupon",  "delivery",
      "fraud",        "identity", "inventory", "invoice", "ledger",   "loyalty", "media",
      "notification", "order",    "payment",   "pricing", "review",   "search"};
  struct Role {
    std::string_view name;
    std::string_view first, second;  // event names; second empty = one event
    Attr attr;
    bool async;
  };
  static constexpr Role kRoles[] = {
      {"api", "request received", "request completed", Attr::kRequest, false},
      {"store", "record loaded", "record saved", Attr::kRows, false},
      {"cache", "cache lookup", "", Attr::kRows, false},
      {"rules", "rules evaluated", "", Attr::kScore, false},
      {"index", "index queried", "", Attr::kQuery, false},
      {"sync", "sync started", "sync completed", Attr::kJob, false},
      {"audit", "audit entry written", "", Attr::kUser, false},
      {"export", "export written", "", Attr::kRows, false},
      {"events", "event published", "", Attr::kJob, true},
      {"worker", "job started", "job finished", Attr::kJob, true},
  };
  constexpr int kRoleCount = static_cast<int>(std::size(kRoles));
  static constexpr Convention kEntryConventions[] = {Convention::kZap, Convention::kPino,
                                                     Convention::kPython, Convention::kEcs};
  for (size_t d = 0; d < std::size(kDomains); ++d) {
    for (int r = 0; r < kRoleCount; ++r) {
      std::string name = absl::StrCat(Av(kDomains[d]), "-", Av(kRoles[r].name));
      const Convention convention =
          r == 0 ? kEntryConventions[d % 4]
                 : static_cast<Convention>(Mix(d * kRoleCount + r + 0x5eed) % 5);
      AddService(m, std::move(name), convention);
    }
  }
  // Deal the non-api services over the routes in a fixed shuffled order.
  std::vector<uint16_t> others;
  for (size_t i = 0; i < m->services.size(); ++i) {
    if (i % kRoleCount != 0) others.push_back(static_cast<uint16_t>(i));
  }
  Rng topology(0x6d616e79);  // fixed: the same services for every --seed
  for (size_t i = others.size(); i > 1; --i) std::swap(others[i - 1], others[topology.Below(i)]);
  const size_t num_routes = 2 * std::size(kDomains);
  std::vector<std::vector<uint16_t>> dealt(num_routes);
  for (size_t i = 0; i < others.size(); ++i) dealt[i % num_routes].push_back(others[i]);
  auto name_of = [m](std::string_view domain, std::string_view event) {
    m->names.push_back(absl::StrCat(Av(domain), " ", Av(event)));
    return std::string_view(m->names.back());
  };
  for (size_t r = 0; r < num_routes; ++r) {
    const size_t d = r / 2;
    const uint16_t entry = static_cast<uint16_t>(d * kRoleCount);
    Route route;
    route.name = absl::StrCat(r % 2 == 0 ? "GET /v1/" : "POST /v1/", Av(kDomains[d]),
                              r % 2 == 0 ? "/{id}" : "");
    route.weight = 1 + static_cast<uint32_t>(topology.Below(12));
    route.head.push_back(S(entry, "request received", Attr::kRequest));
    std::vector<Step> async;
    for (uint16_t s : dealt[r]) {
      const Role& role = kRoles[s % kRoleCount];
      const std::string_view domain = kDomains[s / kRoleCount];
      auto& into = role.async ? async : route.head;
      Step step = role.async ? Async(s, name_of(domain, role.first), role.attr)
                             : S(s, name_of(domain, role.first), role.attr);
      into.push_back(step);
      if (!role.second.empty()) {
        step.message = name_of(domain, role.second);
        into.push_back(step);
      }
    }
    route.head.push_back(S(entry, "request completed", Attr::kResponse));
    route.head.insert(route.head.end(), async.begin(), async.end());
    m->routes.push_back(std::move(route));
  }
}

// Builds the model of `shape`; false for an unknown or the default shape.
bool BuildModel(std::string_view shape, Model* m) {
  if (shape == "many-services") {
    AddManyServices(m);
  } else {
    AddShopServices(m);
    if (shape == "short-lines") {
      AddShopRoutes(m);
      m->short_lines = true;
    } else if (shape == "short-traces") {
      AddShortRoutes(m);
    } else if (shape == "long-traces") {
      AddLongRoutes(m);
    } else if (shape == "plain-text") {
      AddShopRoutes(m);
      // About 30% of all lines plain text: blocks average ~5.3 lines in this model.
      m->plain_block_rate = 0.118;
    } else {
      return false;
    }
  }
  m->Finalize();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Events and their lines.

enum class EventKind : uint8_t { kJson, kPlain };
enum class Level : uint8_t { kInfo, kWarn, kError };

// One line (or one plain-text block) waiting to be written.
struct Event {
  int64_t time_ns;
  uint64_t seq;  // tie-break: generation order
  uint64_t hi, lo;
  int64_t value;     // kResponse: the request's latency in ns; kPlain: the block's variant bits
  const Step* step;  // the step logged (kPlain: the step whose service prints the block)
  uint32_t route;
  uint16_t pos;  // the step's index in its trace; attribute values derive from (trace, pos)
  EventKind kind;
};

struct LaterEvent {
  bool operator()(const Event& a, const Event& b) const {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.seq > b.seq;
  }
};

// Writes the attributes of a line in its convention: flat keys (zap, pino, python), ECS's
// dotted names, or OTel's nested "attributes" object with the same dotted names.
// Thread-compatible; one per line.
class AttrWriter {
 public:
  AttrWriter(Convention convention, std::string* out)
      : dotted_(convention == Convention::kEcs || convention == Convention::kOtel),
        nested_(convention == Convention::kOtel),
        out_(out) {}

  // Appends the key (`flat` or `dotted` by convention) and a ':'; the caller appends the value.
  std::string* Key(std::string_view flat, std::string_view dotted) {
    if (nested_ && !open_) {
      out_->append(R"(,"attributes":{")");
      open_ = true;
    } else {
      out_->append(R"(,")");
    }
    out_->append(dotted_ ? dotted : flat);
    out_->append(R"(":)");
    return out_;
  }
  void String(std::string_view flat, std::string_view dotted, std::string_view value) {
    Key(flat, dotted)->push_back('"');
    out_->append(value);
    out_->push_back('"');
  }
  void Int(std::string_view flat, std::string_view dotted, int64_t value) {
    AppendInt(value, Key(flat, dotted));
  }
  // Closes the nested object, if one was opened.
  void Close() {
    if (open_) out_->push_back('}');
  }

 private:
  const bool dotted_;
  const bool nested_;
  std::string* const out_;
  bool open_ = false;
};

constexpr std::string_view kUserAgents[] = {
    "shop-web/4.2 okhttp/4.12.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)",
    "shop-android/7.3.1 (Pixel 8; Android 14)", "curl/8.4.0"};
constexpr std::string_view kQueries[] = {"running shoes", "usb-c cable", "espresso machine",
                                         "winter jacket", "noise cancelling headphones"};
constexpr std::string_view kCarriers[] = {"dhl", "ups", "dpd", "gls"};
constexpr std::string_view kTemplates[] = {"order_confirmation", "refund_issued",
                                           "shipping_update"};

// HTTP status of a trace's response: 1 in 250 fail with 503, GETs of /{id} miss 2% (404).
uint32_t Status(const Event& e, std::string_view route) {
  const uint64_t th = Mix(e.hi ^ e.lo);
  if (th % 250 == 0) return 503;
  if (route[0] == 'P') return 201;
  if (route.back() == '}' && th % 50 == 1) return 404;
  return 200;
}

// Which language prints a convention's plain text: Java (ECS, OTel), Python, Node or Go.
enum class Language : uint8_t { kJava, kPython, kNode, kGo };
Language LanguageOf(Convention c) {
  switch (c) {
    case Convention::kPython:
      return Language::kPython;
    case Convention::kPino:
      return Language::kNode;
    case Convention::kZap:
      return Language::kGo;
    default:
      return Language::kJava;
  }
}

// Plain-block variant bits (Event::value): the kind, whether it names the trace, the message.
constexpr int64_t kPlainKindMask = 3;  // 0, 1: error with a stack trace; 2: error; 3: warning
constexpr int64_t kPlainNamesTrace = 4;
constexpr int kPlainMessageShift = 3;

constexpr std::string_view kErrorMessages[] = {
    "Request to upstream failed: read timed out after 5000 ms",
    "Database query failed: connection reset by peer",
    "Failed to publish event to topic orders.v1: broker not available",
    "Unhandled error while processing request",
    "Could not acquire a connection from the pool within 3000 ms",
};
constexpr std::string_view kWarnMessages[] = {
    "Retrying request to upstream (attempt 2 of 3) after 250 ms",
    "Connection pool nearly exhausted (active=48, idle=0, waiting=7)",
    "Slow query took 1843 ms: SELECT * FROM orders WHERE customer_id = ?",
    "Circuit breaker half-open for upstream, letting one request through",
};

// Stack traces as the runtimes print them, after the logged error line.
constexpr std::string_view kJavaStack[] = {
    "java.net.SocketTimeoutException: Read timed out",
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
    "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)",
    "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)",
    "\tat org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer("
    "SessionInputBufferImpl.java:149)",
    "\tat com.example.client.UpstreamClient.call(UpstreamClient.java:212)",
    "\tat com.example.api.RequestHandler.handle(RequestHandler.java:87)",
    "Caused by: java.net.SocketException: Connection reset",
    "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:323)",
    "\t... 9 more",
};
constexpr std::string_view kPythonStack[] = {
    "Traceback (most recent call last):",
    "  File \"/app/service/handlers.py\", line 142, in handle",
    "    result = await self.client.call(request, timeout=5)",
    "  File \"/usr/local/lib/python3.11/site-packages/httpx/_client.py\", line 1617, in send",
    "    response = await self._send_handling_auth(",
    "  File \"/usr/local/lib/python3.11/site-packages/httpcore/_async/connection.py\", line 99, "
    "in handle_async_request",
    "    raise exc",
    "httpx.ReadTimeout: timed out",
};
constexpr std::string_view kNodeStack[] = {
    "Error: connect ECONNREFUSED 10.0.3.7:5432",
    "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",
    "    at Pool.connect (/app/node_modules/pg-pool/index.js:45:11)",
    "    at async Repository.findById (/app/src/repository.js:31:18)",
    "    at async Handler.handle (/app/src/handler.js:58:22)",
};

// ---------------------------------------------------------------------------------------------
// The generator.

constexpr double kIncompleteRate = 0.005;  // traces where one service stops early

// Runs one generation. Thread-compatible; used from GenerateShape only.
class Generator {
 public:
  Generator(const Model& model, const ShapeOptions& options) : model_(model), options_(options) {}

  absl::Status Open();
  absl::Status Run();
  std::string Summary(std::string_view shape, double seconds) const;

 private:
  // An output file with its write buffer. Owned by the Generator.

  void GenerateTrace(uint64_t index, int64_t t0);
  void Push(const Event& e) { pending_.push(e); }
  void EmitBefore(int64_t time_ns);
  void Emit(const Event& e);
  void FormatJson(const Event& e, std::string* out) const;
  int FormatPlain(const Event& e, std::string* out) const;
  void AppendId(const Event& e, std::string* out) const;
  // Counts a fault and starts its .truth.jsonl line; the caller appends the rest of the object
  // to the returned string (a scratch string without --truth).
  std::string* TruthStart(std::string_view kind, const Event& e, uint16_t service);
  void Flush(Sink& sink);
  void Close(Sink& sink);

  const Model& model_;
  const ShapeOptions options_;
  std::vector<Sink> sinks_;   // by service, or one (all.log) with --single-file
  std::vector<int> sink_of_;  // service -> index into sinks_
  Sink truth_;
  size_t flush_bytes_ = 4 << 20;
  std::vector<uint32_t> cumulative_weight_;  // of routes, for picking one
  std::priority_queue<Event, std::vector<Event>, LaterEvent> pending_;
  std::vector<const Step*> steps_;  // the current trace's steps (reused)
  std::string scratch_;
  uint64_t next_seq_ = 0;
  uint64_t traces_ = 0;
  uint64_t json_events_ = 0;
  uint64_t plain_lines_ = 0;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
  uint64_t faults_ = 0;
  std::string io_error_;  // first write error, if any
};

absl::Status Generator::Open() {
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create output directory ", options_.out_dir, ": ", ec.message()));
  }
  // A file per service that some route uses.
  std::vector<bool> used(model_.services.size(), false);
  for (const Route& route : model_.routes) {
    for (const auto* steps : {&route.head, &route.loop, &route.tail}) {
      for (const Step& step : *steps) used[step.service] = true;
    }
  }
  sink_of_.assign(model_.services.size(), 0);
  if (options_.single_file) {
    sinks_.resize(1);
    sinks_[0].name = "all.log";
  } else {
    for (size_t s = 0; s < model_.services.size(); ++s) {
      if (!used[s]) continue;
      sink_of_[s] = static_cast<int>(sinks_.size());
      sinks_.emplace_back().name = model_.services[s].name + ".log";
    }
  }
  // 32 MiB of buffers in all: 2.3 MiB each for the shop, 256 KiB for 200 services.
  flush_bytes_ = std::clamp<size_t>((32u << 20) / sinks_.size(), 256u << 10, 4u << 20);
  auto open = [&](Sink& sink) -> absl::Status {
    const std::string path = (std::filesystem::path(options_.out_dir) / sink.name).string();
    sink.file = std::fopen(path.c_str(), "wb");
    if (sink.file == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot open ", path, " for writing: ", std::strerror(errno)));
    }
    std::setvbuf(sink.file, nullptr, _IONBF, 0);  // we buffer ourselves
    sink.buf.reserve(flush_bytes_ + (64 << 10));
    return absl::OkStatus();
  };
  for (Sink& sink : sinks_) {
    if (absl::Status s = open(sink); !s.ok()) return s;
  }
  if (options_.truth) {
    truth_.name = ".truth.jsonl";
    if (absl::Status s = open(truth_); !s.ok()) return s;
  }
  uint32_t total = 0;
  for (const Route& route : model_.routes) cumulative_weight_.push_back(total += route.weight);
  return absl::OkStatus();
}

void Generator::Flush(Sink& sink) { sink.Flush(options_.out_dir, &io_error_); }

void Generator::Close(Sink& sink) { sink.Close(options_.out_dir, &io_error_); }

absl::Status Generator::Run() {
  Rng arrivals(StreamSeed(options_.seed, ~uint64_t{0}, 0));
  const double mean_gap_ns = 1e9 / options_.rate;
  int64_t t = options_.start_ns;
  for (uint64_t index = 0; io_error_.empty(); ++index) {
    if (options_.bytes > 0) {
      // Stop once what is written plus what is pending reaches the target.
      const double avg_line = lines_ > 0 ? static_cast<double>(bytes_) / lines_ : 200.0;
      if (bytes_ + pending_.size() * avg_line >= options_.bytes) break;
    } else if (index >= options_.traces) {
      break;
    }
    EmitBefore(t);
    GenerateTrace(index, t);
    t += static_cast<int64_t>(-std::log1p(-arrivals.Unit()) * mean_gap_ns);  // Poisson arrivals
  }
  EmitBefore(std::numeric_limits<int64_t>::max());
  for (Sink& sink : sinks_) Close(sink);
  Close(truth_);
  if (!io_error_.empty()) return absl::UnavailableError(io_error_);
  return absl::OkStatus();
}

std::string* Generator::TruthStart(std::string_view kind, const Event& e, uint16_t service) {
  ++faults_;
  std::string& out = options_.truth ? truth_.buf : scratch_;
  if (!options_.truth) scratch_.clear();
  out.append(R"({"kind":")");
  out.append(kind);
  out.append(R"(","trace_id":)");
  AppendId(e, &out);
  out.append(R"(,"service":")");
  out.append(model_.services[service].name);
  out.push_back('"');
  return &out;
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
      truth->append("\"}\n");
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
        truth->append("\"}\n");
      }
    }
    if (options_.truth && truth_.buf.size() >= flush_bytes_) Flush(truth_);
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

void Generator::EmitBefore(int64_t time_ns) {
  while (!pending_.empty() && pending_.top().time_ns < time_ns) {
    Emit(pending_.top());
    pending_.pop();
  }
}

void Generator::Emit(const Event& e) {
  Sink& sink = sinks_[sink_of_[e.step->service]];
  std::string& out = sink.buf;
  const size_t start = out.size();
  if (e.kind == EventKind::kJson) {
    FormatJson(e, &out);
    ++json_events_;
    ++lines_;
  } else {
    const int lines = FormatPlain(e, &out);
    plain_lines_ += lines;
    lines_ += lines;
  }
  bytes_ += out.size() - start;
  if (out.size() >= flush_bytes_) Flush(sink);
}

void Generator::AppendId(const Event& e, std::string* out) const {
  out->push_back('"');
  if (!model_.short_lines) AppendHex(e.hi, 16, out);
  AppendHex(e.lo, 16, out);
  out->push_back('"');
}

void Generator::FormatJson(const Event& e, std::string* out) const {
  const Step& step = *e.step;
  const ServiceDef& svc = model_.services[step.service];
  const Route& route = model_.routes[e.route];
  const uint64_t th = Mix(e.hi ^ e.lo);                                    // per trace
  const uint64_t h = Mix(th ^ (uint64_t{e.pos} * 0x9e3779b97f4a7c15ULL));  // per event
  const uint32_t status = step.attr == Attr::kResponse ? Status(e, route.name) : 0;
  const Level level = status >= 500 ? Level::kError
                      : h % 64 == 0 ? Level::kWarn  // a slow call, a retry
                                    : Level::kInfo;
  switch (svc.convention) {
    case Convention::kZap:
      out->append(level == Level::kInfo   ? R"({"level":"info","ts":)"
                  : level == Level::kWarn ? R"({"level":"warn","ts":)"
                                          : R"({"level":"error","ts":)");
      AppendScaled(FloorDiv(e.time_ns, kUs), 1000000, 6, out);
      if (!model_.short_lines) {  // short lines: a logger built with zap.WithCaller(false)
        out->append(R"(,"caller":")");
        out->append(svc.caller);
        out->push_back(':');
        AppendInt(step.code_line, out);
        out->push_back('"');
      }
      out->append(R"(,"msg":")");
      out->append(step.message);
      out->append(R"(","trace_id":)");
      AppendId(e, out);
      break;
    case Convention::kPino:
      out->append(level == Level::kInfo   ? R"({"level":30,"time":)"
                  : level == Level::kWarn ? R"({"level":40,"time":)"
                                          : R"({"level":50,"time":)");
      AppendInt(FloorDiv(e.time_ns, kMs), out);
      if (!model_.short_lines) {  // short lines: pino({base: undefined}), no pid and hostname
        out->append(R"(,"pid":)");
        AppendInt(svc.pid, out);
        out->append(R"(,"hostname":")");
        out->append(svc.host);
        out->push_back('"');
      }
      out->append(R"(,"msg":")");
      out->append(step.message);
      out->append(R"(","traceId":)");
      AppendId(e, out);
      break;
    case Convention::kPython:
      out->append(R"({"asctime":")");
      AppendCivil(e.time_ns, ' ', 3, ',', out);
      out->append(level == Level::kInfo   ? R"(","levelname":"INFO","name":")"
                  : level == Level::kWarn ? R"(","levelname":"WARNING","name":")"
                                          : R"(","levelname":"ERROR","name":")");
      out->append(model_.short_lines ? svc.name : svc.logger);
      out->append(R"(","message":")");
      out->append(step.message);
      out->append(R"(","trace_id":)");
      AppendId(e, out);
      break;
    case Convention::kEcs:
      out->append(R"({"@timestamp":")");
      AppendCivil(e.time_ns, 'T', 3, '.', out);
      out->append(level == Level::kInfo   ? R"(Z","log.level":"info","message":")"
                  : level == Level::kWarn ? R"(Z","log.level":"warn","message":")"
                                          : R"(Z","log.level":"error","message":")");
      out->append(step.message);
      out->append(R"(","service.name":")");
      out->append(svc.name);
      out->append(R"(","trace.id":)");
      AppendId(e, out);
      if (!model_.short_lines) {
        out->append(R"(,"log.logger":")");
        out->append(svc.logger);
        out->push_back('"');
      }
      break;
    case Convention::kOtel:
      out->append(R"({"timestamp":")");
      AppendCivil(e.time_ns, 'T', 9, '.', out);
      out->append(level == Level::kInfo   ? R"(Z","severity":"INFO","body":")"
                  : level == Level::kWarn ? R"(Z","severity":"WARN","body":")"
                                          : R"(Z","severity":"ERROR","body":")");
      out->append(step.message);
      out->append(R"(","resource":{"service.name":")");
      out->append(svc.name);
      if (!model_.short_lines) {
        out->append(R"(","host.name":")");
        out->append(svc.host);
      }
      out->append(R"("},"trace":{"id":)");
      AppendId(e, out);
      out->push_back('}');
      break;
  }
  AttrWriter w(svc.convention, out);
  if (step.attr == Attr::kRequest || (step.attr == Attr::kResponse && !model_.short_lines)) {
    w.String("route", "http.route", route.name);
  }
  if (status != 0) w.Int("status", "http.response.status_code", status);
  if (model_.short_lines) {
    w.Close();
    out->append("}\n");
    return;
  }
  switch (step.attr) {
    case Attr::kNone:
      break;
    case Attr::kRequest: {
      std::string* o = w.Key("remote_ip", "client.ip");
      o->append(R"("10.)");
      AppendInt(static_cast<int64_t>((th >> 8) & 0xff), o);
      o->push_back('.');
      AppendInt(static_cast<int64_t>((th >> 16) & 0xff), o);
      o->push_back('.');
      AppendInt(static_cast<int64_t>(1 + (th >> 24) % 254), o);
      o->push_back('"');
      w.String("user_agent", "user_agent.original", kUserAgents[(th >> 32) % 4]);
      break;
    }
    case Attr::kResponse:
      AppendScaled(e.value / kUs, 1000, 3, w.Key("latency_ms", "http.server.duration_ms"));
      break;
    case Attr::kUser: {
      std::string* o = w.Key("user_id", "user.id");
      o->append(R"("u_)");
      AppendHex(th >> 32, 8, o);
      o->push_back('"');
      break;
    }
    case Attr::kCart: {
      std::string* o = w.Key("cart_id", "cart.id");
      o->append(R"("cart_)");
      AppendHex(th >> 24, 10, o);
      o->push_back('"');
      w.Int("items", "cart.items", static_cast<int64_t>(1 + th % 6));
      break;
    }
    case Attr::kOrder: {
      std::string* o = w.Key("order_id", "order.id");
      o->append(R"("ord_)");
      AppendHex(th >> 16, 12, o);
      o->push_back('"');
      AppendMoney(static_cast<int64_t>(299 + th % 40000), w.Key("amount", "order.amount"));
      break;
    }
    case Attr::kAmount:
      AppendMoney(static_cast<int64_t>(299 + th % 40000), w.Key("amount", "payment.amount"));
      w.String("currency", "payment.currency", "EUR");
      break;
    case Attr::kSku: {
      std::string* o = w.Key("sku", "product.sku");
      o->append(R"("SKU-)");
      AppendDigits(10000 + h % 90000, 5, o);
      o->push_back('"');
      w.Int("quantity", "product.quantity", static_cast<int64_t>(1 + (h >> 20) % 4));
      break;
    }
    case Attr::kQuery:
      w.String("query", "search.query", kQueries[th % std::size(kQueries)]);
      w.Int("hits", "search.hits", static_cast<int64_t>(h % 480));
      break;
    case Attr::kScore: {
      const uint64_t score = h % 1000;
      AppendScaled(static_cast<int64_t>(score), 1000, 3, w.Key("score", "fraud.score"));
      w.String("decision", "fraud.decision", score >= 900 ? "review" : "allow");
      break;
    }
    case Attr::kEmail: {
      w.String("template", "email.template", kTemplates[th % std::size(kTemplates)]);
      std::string* o = w.Key("to", "email.to");
      o->push_back('"');
      o->push_back(static_cast<char>('a' + th % 26));
      o->append(R"(***@example.com")");
      break;
    }
    case Attr::kRows:
      w.Int("rows", "db.rows", static_cast<int64_t>(h % 200));
      AppendScaled(static_cast<int64_t>(200 + (h >> 16) % 40000), 1000, 3,
                   w.Key("db_ms", "db.duration_ms"));
      break;
    case Attr::kJob: {
      std::string* o = w.Key("job_id", "job.id");
      o->append(R"("job_)");
      AppendHex(th >> 32, 8, o);
      o->push_back('"');
      w.Int("attempt", "job.attempt", h % 20 == 0 ? 2 : 1);
      break;
    }
    case Attr::kParcel: {
      std::string* o = w.Key("parcel_id", "parcel.id");
      o->append(R"("pcl_)");
      AppendHex(h >> 16, 12, o);
      o->push_back('"');
      w.String("carrier", "parcel.carrier", kCarriers[h % std::size(kCarriers)]);
      break;
    }
  }
  w.Close();
  out->append("}\n");
}

int Generator::FormatPlain(const Event& e, std::string* out) const {
  const ServiceDef& svc = model_.services[e.step->service];
  const Language language = LanguageOf(svc.convention);
  const int64_t kind = e.value & kPlainKindMask;
  const bool warn = kind == 3;
  const uint64_t message = static_cast<uint64_t>(e.value >> kPlainMessageShift);
  // The header: ISO time, level word, where, what.
  switch (language) {
    case Language::kJava:
      AppendCivil(e.time_ns, ' ', 3, '.', out);
      out->append(warn ? " WARN  [http-nio-8080-exec-" : " ERROR [http-nio-8080-exec-");
      AppendInt(static_cast<int64_t>(1 + e.lo % 10), out);
      out->append("] ");
      out->append(svc.logger);
      out->append(" - ");
      break;
    case Language::kPython:
      AppendCivil(e.time_ns, ' ', 3, ',', out);
      out->append(warn ? " WARNING " : " ERROR ");
      out->append(svc.logger);
      out->append(": ");
      break;
    case Language::kNode:
    case Language::kGo:
      AppendCivil(e.time_ns, 'T', 3, '.', out);
      out->append(warn ? "Z WARN " : "Z ERROR ");
      break;
  }
  out->append(warn ? kWarnMessages[message % std::size(kWarnMessages)]
                   : kErrorMessages[message % std::size(kErrorMessages)]);
  if (e.value & kPlainNamesTrace) {
    out->append(" trace_id=");
    if (!model_.short_lines) AppendHex(e.hi, 16, out);
    AppendHex(e.lo, 16, out);
  }
  out->push_back('\n');
  if (kind >= 2) return 1;
  // A stack trace in the service's language; Go services log errors on one line.
  std::span<const std::string_view> stack;
  switch (language) {
    case Language::kJava:
      stack = kJavaStack;
      break;
    case Language::kPython:
      stack = kPythonStack;
      break;
    case Language::kNode:
      stack = kNodeStack;
      break;
    case Language::kGo:
      return 1;
  }
  for (std::string_view line : stack) {
    out->append(line);
    out->push_back('\n');
  }
  return 1 + static_cast<int>(stack.size());
}

std::string Generator::Summary(std::string_view shape, double seconds) const {
  const uint64_t files = sinks_.size() + (options_.truth ? 1 : 0);
  return absl::StrFormat(
      "loggen: shape %s: %d files, %d lines (%d plain text), %.1f MiB (%d bytes), %.1f bytes per "
      "line, %d traces, %.1f events per trace, %d faults, %.2f s (%.0f MB/s) in %s",
      shape, files, lines_, plain_lines_, bytes_ / 1048576.0, bytes_,
      lines_ > 0 ? static_cast<double>(bytes_) / lines_ : 0.0, traces_,
      traces_ > 0 ? static_cast<double>(json_events_) / traces_ : 0.0, faults_, seconds,
      seconds > 0 ? bytes_ / 1e6 / seconds : 0.0, options_.out_dir);
}

}  // namespace

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
  Model model;
  if (!BuildModel(name, &model)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shape must be one of ", Av(kShapeNames), " (got \"", Av(name), "\")"));
  }
  Generator generator(model, options);
  if (absl::Status s = generator.Open(); !s.ok()) return s;
  if (absl::Status s = generator.Run(); !s.ok()) return s;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return generator.Summary(name, seconds);
}

}  // namespace loggen

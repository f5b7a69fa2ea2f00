#include "tools/loggen/shapes_lines.h"

#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/loggen/common.h"

namespace loggen::shapes {
namespace {

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
  // An id: `prefix` and the low `digits` hex digits of `value`, as a string ("u_1a2b3c4d").
  void HexId(std::string_view flat, std::string_view dotted, std::string_view prefix,
             uint64_t value, int digits) {
    Key(flat, dotted)->push_back('"');
    out_->append(prefix);
    AppendHex(value, digits, out_);
    out_->push_back('"');
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

// The text of a line's level in each convention, by Convention and then by Level (info, warn,
// error), with the keys around it: what starts the line (zap, pino) or follows the time.
constexpr std::string_view kLevelText[][3] = {
    {R"({"level":"info","ts":)", R"({"level":"warn","ts":)", R"({"level":"error","ts":)"},
    {R"({"level":30,"time":)", R"({"level":40,"time":)", R"({"level":50,"time":)"},
    {R"(","levelname":"INFO","name":")", R"(","levelname":"WARNING","name":")",
     R"(","levelname":"ERROR","name":")"},
    {R"(Z","log.level":"info","message":")", R"(Z","log.level":"warn","message":")",
     R"(Z","log.level":"error","message":")"},
    {R"(Z","severity":"INFO","body":")", R"(Z","severity":"WARN","body":")",
     R"(Z","severity":"ERROR","body":")"},
};
static_assert(std::size(kLevelText) == static_cast<size_t>(Convention::kOtel) + 1);

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

}  // namespace

void AppendId(const Model& model, const Event& e, std::string* out) {
  out->push_back('"');
  if (!model.short_lines) AppendHex(e.hi, 16, out);
  AppendHex(e.lo, 16, out);
  out->push_back('"');
}

void FormatJson(const Model& model, const Event& e, std::string* out) {
  const Step& step = *e.step;
  const ServiceDef& svc = model.services[step.service];
  const Route& route = model.routes[e.route];
  const uint64_t th = Mix(e.hi ^ e.lo);                                    // per trace
  const uint64_t h = Mix(th ^ (uint64_t{e.pos} * 0x9e3779b97f4a7c15ULL));  // per event
  const uint32_t status = step.attr == Attr::kResponse ? Status(e, route.name) : 0;
  const Level level = status >= 500 ? Level::kError
                      : h % 64 == 0 ? Level::kWarn  // a slow call, a retry
                                    : Level::kInfo;
  const std::string_view level_text =
      kLevelText[static_cast<int>(svc.convention)][static_cast<int>(level)];
  // The message and then the trace id, with the keys before each.
  auto message_and_id = [&](std::string_view message_key, std::string_view id_key) {
    out->append(message_key);
    out->append(step.message);
    out->append(id_key);
    AppendId(model, e, out);
  };
  switch (svc.convention) {
    case Convention::kZap:
      out->append(level_text);
      AppendScaled(FloorDiv(e.time_ns, kUs), 1000000, 6, out);
      if (!model.short_lines) {  // short lines: a logger built with zap.WithCaller(false)
        out->append(R"(,"caller":")");
        out->append(svc.caller);
        out->push_back(':');
        AppendInt(step.code_line, out);
        out->push_back('"');
      }
      message_and_id(R"(,"msg":")", R"(","trace_id":)");
      break;
    case Convention::kPino:
      out->append(level_text);
      AppendInt(FloorDiv(e.time_ns, kMs), out);
      if (!model.short_lines) {  // short lines: pino({base: undefined}), no pid and hostname
        out->append(R"(,"pid":)");
        AppendInt(svc.pid, out);
        out->append(R"(,"hostname":")");
        out->append(svc.host);
        out->push_back('"');
      }
      message_and_id(R"(,"msg":")", R"(","traceId":)");
      break;
    case Convention::kPython:
      out->append(R"({"asctime":")");
      AppendCivil(e.time_ns, ' ', 3, ',', out);
      out->append(level_text);
      out->append(model.short_lines ? svc.name : svc.logger);
      message_and_id(R"(","message":")", R"(","trace_id":)");
      break;
    case Convention::kEcs:
      out->append(R"({"@timestamp":")");
      AppendCivil(e.time_ns, 'T', 3, '.', out);
      out->append(level_text);
      out->append(step.message);
      out->append(R"(","service.name":")");
      out->append(svc.name);
      out->append(R"(","trace.id":)");
      AppendId(model, e, out);
      if (!model.short_lines) {
        out->append(R"(,"log.logger":")");
        out->append(svc.logger);
        out->push_back('"');
      }
      break;
    case Convention::kOtel:
      out->append(R"({"timestamp":")");
      AppendCivil(e.time_ns, 'T', 9, '.', out);
      out->append(level_text);
      out->append(step.message);
      out->append(R"(","resource":{"service.name":")");
      out->append(svc.name);
      if (!model.short_lines) {
        out->append(R"(","host.name":")");
        out->append(svc.host);
      }
      out->append(R"("},"trace":{"id":)");
      AppendId(model, e, out);
      out->push_back('}');
      break;
  }
  AttrWriter w(svc.convention, out);
  if (step.attr == Attr::kRequest || (step.attr == Attr::kResponse && !model.short_lines)) {
    w.String("route", "http.route", route.name);
  }
  if (status != 0) w.Int("status", "http.response.status_code", status);
  if (model.short_lines) {
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
    case Attr::kUser:
      w.HexId("user_id", "user.id", "u_", th >> 32, 8);
      break;
    case Attr::kCart:
      w.HexId("cart_id", "cart.id", "cart_", th >> 24, 10);
      w.Int("items", "cart.items", static_cast<int64_t>(1 + th % 6));
      break;
    case Attr::kOrder:
      w.HexId("order_id", "order.id", "ord_", th >> 16, 12);
      AppendMoney(static_cast<int64_t>(299 + th % 40000), w.Key("amount", "order.amount"));
      break;
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
    case Attr::kJob:
      w.HexId("job_id", "job.id", "job_", th >> 32, 8);
      w.Int("attempt", "job.attempt", h % 20 == 0 ? 2 : 1);
      break;
    case Attr::kParcel:
      w.HexId("parcel_id", "parcel.id", "pcl_", h >> 16, 12);
      w.String("carrier", "parcel.carrier", kCarriers[h % std::size(kCarriers)]);
      break;
  }
  w.Close();
  out->append("}\n");
}

int FormatPlain(const Model& model, const Event& e, std::string* out) {
  const ServiceDef& svc = model.services[e.step->service];
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
    if (!model.short_lines) AppendHex(e.hi, 16, out);
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

}  // namespace loggen::shapes

#include "tools/loggen/shop_format.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "tools/loggen/common.h"

namespace loggen::shop {
namespace {

// The event's time as a JSON string: civil time as AppendCivil writes it, then
// `zone` ("Z", "+00:00"); a bad time's text instead if the event is flagged so.
void AppendEventTime(const Event& e, int64_t time_ns, char sep, int frac_digits, char frac_sep,
                     std::string_view zone, std::string* out) {
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
    return;
  }
  out->push_back('"');
  AppendCivil(time_ns, sep, frac_digits, frac_sep, out);
  out->append(zone);
  out->push_back('"');
}

}  // namespace

// Go zap, production JSON encoder: epoch-seconds float "ts", no service field.
void FormatGateway(const Event& e, std::string* out) {
  const bool failed = e.type == EventType::kGwCompleted && e.aux >= 500;
  out->append(failed    ? R"({"level":"error","ts":)"
              : Warn(e) ? R"({"level":"warn","ts":)"
                        : R"({"level":"info","ts":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    AppendScaled(FloorDiv(e.time_ns, kUs), 1000000, 6, out);
  }
  switch (e.type) {
    case EventType::kGwReceived:
      out->append(R"(,"caller":"gw/handler.go:88","msg":"request received","trace_id":)");
      break;
    case EventType::kGwProxy:
      out->append(R"(,"caller":"gw/proxy.go:54","msg":"proxying request","trace_id":)");
      break;
    default:
      out->append(Warn(e)
                      ? R"(,"caller":"gw/handler.go:131","msg":"slow request","trace_id":)"
                      : R"(,"caller":"gw/handler.go:131","msg":"request completed","trace_id":)");
  }
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"route":)");
  AppendJsonString(kRoutes[e.route].name, out);
  switch (e.type) {
    case EventType::kGwReceived:
      out->append(R"(,"remote_ip":"10.)");
      AppendInt((e.aux >> 16) & 0xff, out);
      out->push_back('.');
      AppendInt((e.aux >> 8) & 0xff, out);
      out->push_back('.');
      AppendInt((e.aux & 0xfe) + 1, out);
      out->append(R"(","user_agent":"shop-web/4.2 okhttp/4.12.0"})");
      break;
    case EventType::kGwProxy:
      out->append(R"(,"upstream":"http://)");
      out->append(kServiceNames[e.aux]);
      out->append(R"(:8080"})");
      break;
    default:
      out->append(R"(,"status":)");
      AppendInt(e.aux, out);
      out->append(R"(,"latency_ms":)");
      AppendScaled(e.value / kUs, 1000, 3, out);
      if (e.flags & kFlagVersioned) {
        out->append((e.flags & kFlagCanary) ? R"(,"version":"v2")" : R"(,"version":"v1")");
      }
      out->push_back('}');
  }
  out->push_back('\n');
}

// python-json-logger: logger.info("cart_loaded", extra={...}) with asctime and an ISO timestamp.
void FormatCheckout(const Event& e, std::string* out) {
  std::string_view logger = "checkout.api";
  std::string_view message;
  switch (e.type) {
    case EventType::kCartLoaded:
      message = "cart_loaded";
      break;
    case EventType::kCartPriced:
      logger = "checkout.pricing";
      message = "cart_priced";
      break;
    case EventType::kOrderCreated:
      logger = "checkout.orders";
      message = "order_created";
      break;
    default:
      logger = "checkout.orders";
      message = "order_confirmed";
  }
  out->append(R"({"asctime":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
    out->append(R"(,"timestamp":)");
    AppendJsonString(BadTime(e), out);
  } else {
    out->push_back('"');
    AppendCivil(e.time_ns, ' ', 3, ',', out);
    out->append(R"(","timestamp":")");
    AppendCivil(e.time_ns, 'T', 6, '.', out);
    out->append(R"(Z")");
  }
  out->append(Warn(e) ? R"(,"levelname":"WARNING","name":")" : R"(,"levelname":"INFO","name":")");
  out->append(logger);
  out->append(R"(","message":")");
  out->append(message);
  out->append(R"(","trace_id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"service":"checkout")");
  switch (e.type) {
    case EventType::kCartLoaded:
      out->append(R"(,"cart_id":"cart_)");
      AppendHex(e.trace_lo >> 16, 10, out);
      out->append(R"(","items":)");
      AppendInt(e.aux, out);
      break;
    case EventType::kCartPriced:
      out->append(R"(,"items":)");
      AppendInt(e.aux, out);
      out->append(R"(,"total":)");
      AppendMoney(e.value, out);
      out->append(R"(,"currency":"EUR","price_changed":)");
      out->append(Warn(e) ? "true" : "false");
      break;
    case EventType::kOrderCreated:
      out->append(R"(,"order_id":"ord_)");
      AppendHex(e.trace_hi >> 8, 12, out);
      out->append(R"(","items":)");
      AppendInt(e.aux, out);
      out->append(R"(,"total":)");
      AppendMoney(e.value, out);
      out->append(R"(,"currency":"EUR")");
      break;
    default:
      out->append(R"(,"order_id":"ord_)");
      AppendHex(e.trace_hi >> 8, 12, out);
      out->append(R"(","payment_status":"authorized")");
  }
  out->append("}\n");
}

// A JSON logger configured with local time (-05:00) and unusual keys ("app", "trace-id").
void FormatFraud(const Event& e, std::string* out) {
  out->append(R"({"time":)");
  AppendEventTime(e, e.time_ns - 5 * 3600 * kSec, 'T', 3, '.', "-05:00", out);
  out->append(Warn(e) ? R"(,"level":"WARN")" : R"(,"level":"INFO")");
  out->append(R"(,"app":"fraud","trace-id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  if (e.type == EventType::kFraudStarted) {
    out->append(R"(,"message":"fraud_check_started","amount":)");
    AppendMoney(e.value, out);
    out->append(R"(,"model":"gbm-2026.10"})");
  } else {
    out->append(R"(,"message":"fraud_check_completed","score":)");
    AppendScaled(e.aux, 1000, 3, out);
    out->append(Warn(e) ? R"(,"decision":"review"})" : R"(,"decision":"allow"})");
  }
  out->push_back('\n');
}

// logback + logstash-logback-encoder with ECS field names (dotted keys).
void FormatPayments(const Event& e, std::string* out) {
  out->append(R"({"@timestamp":)");
  AppendEventTime(e, e.time_ns, 'T', 3, '.', "+00:00", out);
  out->append(Warn(e) ? R"(,"log.level":"WARN")" : R"(,"log.level":"INFO")");
  out->append(R"(,"service.name":"payments","message":)");
  std::string_view event;
  switch (e.type) {
    case EventType::kPaymentRequested:
      out->append(R"("Authorizing payment with acquirer")");
      event = "payment_requested";
      break;
    case EventType::kPaymentAuthorized:
      out->append(Warn(e) ? R"("Payment authorized after slow acquirer response")"
                          : R"("Payment authorized")");
      event = "payment_authorized";
      break;
    case EventType::kRefundRequested:
      out->append(R"("Refund requested")");
      event = "refund_requested";
      break;
    default:
      out->append(R"("Refund issued")");
      event = "refund_issued";
  }
  out->append(R"(,"trace.id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"event":")");
  out->append(event);
  out->append(R"(","process.thread.name":"http-nio-8080-exec-)");
  AppendInt(static_cast<int64_t>(e.trace_lo % 10 + 1), out);
  out->append(R"(","log.logger":"com.example.payments.PaymentService","amount":)");
  AppendMoney(e.value, out);
  out->append(R"(,"currency":"EUR")");
  if (e.type == EventType::kPaymentRequested) {
    out->append(R"(,"payment.method":")");
    out->append(kPaymentMethods[e.aux % std::size(kPaymentMethods)]);
    out->push_back('"');
  } else if (e.type == EventType::kPaymentAuthorized || e.type == EventType::kRefundIssued) {
    out->append(R"(,"acquirer.latency_ms":)");
    AppendInt(e.aux, out);
  }
  out->append(R"(,"ecs.version":"1.2.0"})");
  out->push_back('\n');
}

// Node pino: numeric level, epoch-millis "time", pid and hostname.
void FormatLedger(const Event& e, std::string* out) {
  out->append(Warn(e) ? R"({"level":40,"time":)" : R"({"level":30,"time":)");
  if (e.flags & kFlagBadTime) {
    AppendJsonString(BadTime(e), out);
  } else {
    AppendInt(FloorDiv(e.time_ns, kMs), out);
  }
  out->append(R"(,"pid":4242,"hostname":"ledger-7d9f8c6b5-x2kqp","service":"ledger","traceId":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"msg":")");
  switch (e.type) {
    case EventType::kLedgerEntryCreated:
      out->append(R"(ledger_entry_created","account":"merchant:main","direction":"credit")");
      break;
    case EventType::kLedgerBalanceUpdated:
      out->append(R"(ledger_balance_updated","account":"merchant:main")");
      break;
    default:
      out->append(R"(ledger_entry_reversed","account":"merchant:main","direction":"debit")");
  }
  out->append(R"(,"entryId":"le_)");
  AppendHex(e.trace_lo, 12, out);
  out->append(R"(","amountCents":)");
  AppendInt(e.value, out);
  out->append("}\n");
}

// OpenTelemetry-style log record: nested resource, service and trace objects, ns timestamps.
void FormatInventory(const Event& e, std::string* out) {
  out->append(R"({"timestamp":)");
  AppendEventTime(e, e.time_ns, 'T', 9, '.', "Z", out);
  out->append(Warn(e) ? R"(,"severity":"WARN")" : R"(,"severity":"INFO")");
  out->append(R"(,"resource":{"service.name":"inventory","host.name":"inventory-5c8b7"},)"
              R"("service":{"name":"inventory"},"trace":{"id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(},"body":)");
  if (e.type == EventType::kStockChecked) {
    out->append(R"("stock_checked","attributes":{"sku":"SKU-)");
    AppendDigits(e.aux, 5, out);
    out->append(R"(","available":)");
    AppendInt(e.value, out);
    out->append("}}\n");
  } else {
    out->append(R"("product_fetched","attributes":{"sku":"SKU-)");
    AppendDigits(e.aux, 5, out);
    out->append(e.value ? R"(","found":true}})" : R"(","found":false}})");
    out->push_back('\n');
  }
}

// structlog with JSONRenderer and TimeStamper(fmt="iso", utc=True).
void FormatEmail(const Event& e, std::string* out) {
  out->append(e.type == EventType::kEmailSendAttempt ? R"({"event":"email_send_attempt")"
                                                     : R"({"event":"email_queued")");
  out->append(R"(,"level":"info","timestamp":)");
  AppendEventTime(e, e.time_ns, 'T', 6, '.', "Z", out);
  out->append(R"(,"trace_id":)");
  AppendTraceId(e.trace_hi, e.trace_lo, out);
  out->append(R"(,"service":"email","template":")");
  out->append(kEmailTemplates[e.aux % std::size(kEmailTemplates)]);
  if (e.type == EventType::kEmailSendAttempt) {
    out->append(R"(","to":")");
    out->push_back(static_cast<char>('a' + e.trace_hi % 26));
    out->append(R"(***@example.com","provider":"smtp.example.net:587","attempt":1})");
  } else {
    out->append(R"(","provider_message_id":"<)");
    AppendHex(e.trace_hi ^ e.trace_lo, 16, out);
    out->append(R"(@smtp.example.net>","latency_ms":)");
    AppendInt(e.value / kMs, out);
    out->push_back('}');
  }
  out->push_back('\n');
}

// Python's logging on an error path: a plain-text line (no trace id) and maybe a traceback.
// Returns the number of lines written.
int FormatEmailError(const Event& e, std::string* out) {
  const bool refused = e.aux & 2;
  AppendCivil(e.time_ns, 'T', 3, '.', out);
  out->append(
      refused ? "Z ERROR SMTP connection to smtp.example.net:587 failed: [Errno 111] "
                "Connection refused\n"
              : "Z ERROR Connection timeout to email provider smtp.example.net:587 after 5000ms\n");
  if (!(e.aux & 1)) return 1;
  static constexpr std::string_view kTraceback[] = {
      "Traceback (most recent call last):",
      "  File \"/app/email/send.py\", line 88, in send",
      "    conn = smtplib.SMTP(host, port, timeout=5)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 255, in __init__",
      "    (code, msg) = self.connect(host, port)",
      "                  ^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 341, in connect",
      "    self.sock = self._get_socket(host, port, self.timeout)",
      "                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/smtplib.py\", line 312, in _get_socket",
      "    return socket.create_connection((host, port), timeout,",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/socket.py\", line 851, in create_connection",
      "    raise exceptions[0]",
      "  File \"/usr/local/lib/python3.11/socket.py\", line 836, in create_connection",
      "    sock.connect(sa)",
  };
  for (std::string_view line : kTraceback) {
    out->append(line);
    out->push_back('\n');
  }
  out->append(refused ? "ConnectionRefusedError: [Errno 111] Connection refused\n"
                      : "TimeoutError: timed out\n");
  return static_cast<int>(std::size(kTraceback)) + 2;
}

// logback's default pattern on an error path: a plain ERROR line, then the stack trace.
int FormatJavaError(const Event& e, std::string* out) {
  AppendCivil(e.time_ns, ' ', 3, ',', out);
  out->append(" ERROR [http-nio-8080-exec-");
  AppendInt(static_cast<int64_t>(e.trace_lo % 10 + 1), out);
  static constexpr std::string_view kTimeout[] = {
      "] c.e.payments.Gateway - Payment declined by upstream",
      "java.net.SocketTimeoutException: Read timed out",
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
      "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)",
      "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)",
      "\tat com.example.payments.upstream.AcquirerClient.authorize(AcquirerClient.java:212)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "\tat com.example.payments.PaymentService.authorize(PaymentService.java:54)",
      "Caused by: java.net.SocketTimeoutException: timeout waiting for acquirer response",
      "\tat java.base/sun.nio.ch.NioSocketImpl.park(NioSocketImpl.java:181)",
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:285)",
      "\t... 12 more",
  };
  static constexpr std::string_view kReset[] = {
      "] c.e.payments.Gateway - Payment declined by upstream",
      "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
      "\"https://acquirer.example.net/v2/authorize\": Connection reset",
      "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:791)",
      "\tat org.springframework.web.client.RestTemplate.execute(RestTemplate.java:711)",
      "\tat com.example.payments.upstream.AcquirerClient.authorize(AcquirerClient.java:207)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "\tat com.example.payments.PaymentService.authorize(PaymentService.java:54)",
      "Caused by: java.net.SocketException: Connection reset",
      "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:323)",
      "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:976)",
      "\tat java.base/sun.security.ssl.SSLSocketInputRecord.read(SSLSocketInputRecord.java:484)",
      "\t... 9 more",
  };
  int lines = 0;
  for (std::string_view line : (e.aux & 1) ? std::span<const std::string_view>(kReset)
                                           : std::span<const std::string_view>(kTimeout)) {
    out->append(line);
    out->push_back('\n');
    ++lines;
  }
  return lines;
}

}  // namespace loggen::shop

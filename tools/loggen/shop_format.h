// The web shop's lines, one logging library's convention per service (zap,
// python-json-logger, logstash/ECS, pino, OpenTelemetry, structlog, a JSON
// logger with a local UTC offset), and the plain-text errors with stack
// traces. Pure functions: each appends to *out.
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHOP_FORMAT_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHOP_FORMAT_H_

#include <string>

#include "tools/loggen/shop_model.h"

namespace loggen::shop {

// Go zap, production JSON encoder: epoch-seconds float "ts", no service field.
void FormatGateway(const Event& e, std::string* out);

// python-json-logger: logger.info("cart_loaded", extra={...}) with asctime and an ISO timestamp.
void FormatCheckout(const Event& e, std::string* out);

// A JSON logger configured with local time (-05:00) and unusual keys ("app", "trace-id").
void FormatFraud(const Event& e, std::string* out);

// logback + logstash-logback-encoder with ECS field names (dotted keys).
void FormatPayments(const Event& e, std::string* out);

// Node pino: numeric level, epoch-millis "time", pid and hostname.
void FormatLedger(const Event& e, std::string* out);

// OpenTelemetry-style log record: nested resource, service and trace objects, ns timestamps.
void FormatInventory(const Event& e, std::string* out);

// structlog with JSONRenderer and TimeStamper(fmt="iso", utc=True).
void FormatEmail(const Event& e, std::string* out);

// Python's logging on an error path: a plain-text line (no trace id) and maybe a traceback.
// Returns the number of lines written.
int FormatEmailError(const Event& e, std::string* out);

// logback's default pattern on an error path: a plain ERROR line, then the stack trace.
int FormatJavaError(const Event& e, std::string* out);

}  // namespace loggen::shop

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHOP_FORMAT_H_

// Tests for logweave/plain_text.h.
//
// The lines are written as the runtimes print them: logback and Tomcat (Java), Python logging and
// tracebacks, Go's log package, glog and panics, Node, .NET, Rust, nginx, Apache, syslog, logfmt
// and HTTP access logs. Each table row that fails prints its line.
#include "parse/plain_text.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace logweave {
namespace {

using std::string_view;
using namespace std::string_view_literals;

constexpr PlainLineClass kNothing{};
constexpr PlainLineClass kError{.error_like = true};
constexpr PlainLineClass kContinuation{.continuation = true};
constexpr PlainLineClass kErrorContinuation{.error_like = true, .continuation = true};
constexpr PlainLineClass kHeader{
    .error_like = true, .continuation = true, .exception_header = true};

// "{error_like continuation}", "{}": readable in a failure message.
std::string Describe(const PlainLineClass& c) {
  std::string out = "{";
  if (c.error_like) out += "error_like ";
  if (c.continuation) out += "continuation ";
  if (c.exception_header) out += "exception_header ";
  if (out.size() > 1) out.pop_back();
  return out + "}";
}

// The line with control and non-ASCII bytes escaped, cut after 120 bytes.
std::string Printable(string_view line) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < line.size() && i < 120; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  if (line.size() > 120) out += "... (" + std::to_string(line.size()) + " bytes)";
  return out;
}

void ExpectAll(std::span<const string_view> lines, const PlainLineClass& want) {
  for (string_view line : lines) {
    EXPECT_EQ(Describe(ClassifyPlainLine(line)), Describe(want)) << "line: " << Printable(line);
  }
}

TEST(ClassifyPlainLineTest, EmptyLineIsNothing) {
  EXPECT_EQ(Describe(ClassifyPlainLine("")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine(string_view())), Describe(kNothing));
}

TEST(ClassifyPlainLineTest, WhitespaceOnlyLineIsNothing) {
  constexpr string_view kLines[] = {" ", "    ", "\t", "\t\t", " \t \r", "\r", "\v\f"};
  ExpectAll(kLines, kNothing);
  std::string spaces(1 << 20, ' ');
  EXPECT_EQ(Describe(ClassifyPlainLine(spaces)), Describe(kNothing));
}

TEST(ClassifyPlainLineTest, ErrorLevelWordNearTheStartIsErrorLike) {
  constexpr string_view kLines[] = {
      // loggen's Python service, logback's default pattern, Python's "%(asctime)s - %(name)s ..."
      "2026-11-23T10:00:01.234Z ERROR Connection timeout to email provider smtp.example.net:587 "
      "after 5000ms",
      "2026-11-23 10:00:02,345 ERROR [http-nio-8080-exec-3] c.e.payments.Gateway - Payment "
      "declined by upstream",
      "2026-11-23 10:00:02,345 - payments.gateway - ERROR - Payment failed for order 8812",
      // zap's console encoder (tabs), zerolog's console writer, log4j2
      "2026-11-23T10:00:03.120Z\tERROR\tgateway/charge.go:88\tcharge failed\t{\"order_id\": "
      "\"8812\"}",
      "10:00AM ERR upstream call failed error=\"context deadline exceeded\" service=payments",
      "10:00:05.001 [main] FATAL com.example.payments.App - Unable to start: port 8080 in use",
      // syslog (RFC 3164, and RFC 5424 where the level is the 8th field)
      "Nov 23 10:00:04 web-1 payments[812]: ERROR charge failed for order 8812",
      "<11>1 2026-11-23T10:00:04.000Z web-1 payments 812 - - ERROR charge failed",
      "2026-11-23 10:00:05,001 CRITICAL [worker-2] database connection pool exhausted",
      // Tomcat's java.util.logging, PostgreSQL
      "SEVERE: Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
      "exception",
      "2026-11-23 10:00:11.456 UTC [4021] ERROR:  relation \"orders\" does not exist at character "
      "15",
      "2026-11-23 10:00:11.999 UTC [4022] PANIC:  could not write to file "
      "\"pg_wal/xlogtemp.4022\": "
      "No space left on device",
      // Go's log package and runtime, cargo, prose starting with the word
      "2026/11/23 10:00:07 error reading request body: unexpected EOF",
      "2026/11/23 10:00:07 http: panic serving 10.0.0.7:51234: runtime error: index out of range "
      "[3] with length 3",
      "fatal error: all goroutines are asleep - deadlock!",
      "error: could not compile `payments` (bin \"payments\") due to 2 previous errors",
      "Error connecting to database: dial tcp 10.0.0.5:5432: connect: connection refused",
      "2026-11-23T10:00:08Z ALERT replication lag 45s exceeds 30s on db-2",
      "2026-11-23T10:00:08Z Crit disk /var/lib/postgresql is 99% full",
  };
  ExpectAll(kLines, kError);
}

TEST(ClassifyPlainLineTest, LevelWordInCommonFieldShapesIsErrorLike) {
  constexpr string_view kLines[] = {
      // nginx, Apache ("module:level"), Maven
      "2026/11/23 10:00:00 [error] 123#0: *1 connect() failed (111: Connection refused) while "
      "connecting to upstream, client: 10.0.0.1, server: api.example.com, request: \"GET /api/pay "
      "HTTP/1.1\", upstream: \"http://10.0.0.2:8080/api/pay\", host: \"api.example.com\"",
      "2026/11/23 10:00:09 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
      "2026/11/23 10:00:10 [crit] 7#7: *31 SSL_do_handshake() failed (SSL: error:0A00006C:SSL "
      "routines::bad key share) while SSL handshaking, client: 10.0.0.9, server: 0.0.0.0:443",
      "[Sun Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 140245] [client "
      "10.0.0.1:51234] AH00126: Invalid URI in request GET /%%% HTTP/1.1",
      "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.2:test",
      // Python's basicConfig ("%(levelname)s:%(name)s:%(message)s"), Monolog, logrus, .NET
      "ERROR:payments.gateway:Payment declined by upstream",
      "[2026-11-23 10:00:00] production.ERROR: SQLSTATE[HY000] [2002] Connection refused",
      "ERRO[0005] failed to pull image                        error=\"manifest unknown\"",
      "FATA[0000] cannot start: listen tcp :8080: bind: address already in use",
      "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
      "--- FAIL: TestChargeDeclined (0.02s)",
      // logfmt (go-kit, logrus' text formatter)
      "time=2026-11-23T10:00:00Z level=error msg=\"charge failed\" order=8812",
      "ts=2026-11-23T10:00:00.123Z caller=main.go:42 lvl=ERROR msg=\"upstream timeout\"",
      "time=\"2026-11-23T10:00:00Z\" level=\"error\" msg=\"charge failed\"",
      "severity=critical component=ledger msg=\"balance mismatch\"",
  };
  ExpectAll(kLines, kError);
}

TEST(ClassifyPlainLineTest, GlogErrorAndFatalPrefixesAreErrorLike) {
  constexpr string_view kErrors[] = {
      "E1123 10:00:00.123456       1 main.go:42] failed to connect to 10.0.0.5:5432",
      "F1123 10:00:00.123456       1 main.go:50] Check failed: conn != nullptr",
      "E0101 00:00:00.000000 7 server.cc:12] bind: Address already in use",
  };
  ExpectAll(kErrors, kError);
  constexpr string_view kNotErrors[] = {
      "I1123 10:00:00.123456       1 main.go:30] starting payments on :8080",
      "W1123 10:00:00.123456       1 main.go:31] error budget 90% used",  // level WARN wins
      "E1323 10:00:00.123456 1 main.go:42] month 13 is not glog",
      "E112 10:00:00.123456 1 main.go:42] three digits",
      "E1123x 10:00:00 1 main.go:42] not a prefix",
  };
  ExpectAll(kNotErrors, kNothing);
}

TEST(ClassifyPlainLineTest, SingleLetterEIsNotALevel) {
  constexpr string_view kLines[] = {
      "E something happened",
      "2026-11-23T10:00:00Z E payments started",
      "[E] cache warmed",
  };
  ExpectAll(kLines, kNothing);
}

TEST(ClassifyPlainLineTest, LevelWordAfterTheEighthFieldIsIgnored) {
  // Fields: 2026-..., payments, worker, pool, report:, queue, depth, 3, then ERROR (9th).
  EXPECT_EQ(Describe(ClassifyPlainLine(
                "2026-11-23T10:00:00Z payments worker pool report: queue depth 3 ERROR")),
            Describe(kNothing));
  // The same word as the 8th field counts.
  EXPECT_EQ(Describe(ClassifyPlainLine(
                "2026-11-23T10:00:00Z payments worker pool report: queue depth ERROR")),
            Describe(kError));
}

TEST(ClassifyPlainLineTest, LevelWordMustBeAWholeField) {
  constexpr string_view kLines[] = {
      "The terror of the night is over",
      "errorless run of 120 jobs",
      "time=2026-11-23T10:00:00Z level=info msg=\"batch done\" error_count=0 errors=0",
      "error_count=0 errors=0 warnings=3",
      "Opening error.log for append",
      "Registered ErrorHandler for /api/pay",
      "Loaded /etc/payments/error-pages/500.html",
      "err_code=0 err_msg=\"\"",
      "Clearing alerts for payments",
  };
  ExpectAll(kLines, kNothing);
}

// Decision: plurals are counts, not levels, and "no"/"0"/"zero"/"without" negate the next error
// word. "Found 3 errors" is not error-like either (a summary, not an error report).
TEST(ClassifyPlainLineTest, NegatedAndCountedErrorsAreNotErrorLike) {
  constexpr string_view kLines[] = {
      "no errors found",
      "Lint finished: no errors found in 42 files",
      "No error",
      "Migration finished with 0 errors, 2 warnings",
      "Ran 120 tests, found 3 errors",
      "Backup completed without error in 12.3s",
      "zero error budget burn in the last hour",
  };
  ExpectAll(kLines, kNothing);
  // The word itself still counts without the negation.
  EXPECT_EQ(Describe(ClassifyPlainLine("Backup completed with error in 12.3s")), Describe(kError));
}

TEST(ClassifyPlainLineTest, OrdinaryLinesAreNothing) {
  constexpr string_view kLines[] = {
      "Starting server on :8080",
      "2026-11-23T10:00:00Z INFO Starting server on :8080",
      "Listening on http://0.0.0.0:8080",
      "GET /health 200 1.2ms",
      "2026-11-23 10:00:00,001 INFO retrying in 5s",
      "INFO retrying in 5s",
      "WARN disk 80% full",
      "2026-11-23T10:00:00Z WARN disk 80% full on /var/lib/data",
      "level=info msg=\"listening\" addr=:8080",
      "/app/payments/gateway.py:12: DeprecationWarning: datetime.datetime.utcnow() is deprecated",
      "an exception handler was registered for /api/pay",
      "Errors: 0",
      "Node is running, trace info written to /tmp/trace.json",
      "exit status 2",
  };
  ExpectAll(kLines, kNothing);
}

// Decision: the first level word is the line's level. A line the program logged at a non-error
// level is not error-like even when it names an exception or says "error" later.
TEST(ClassifyPlainLineTest, ExplicitNonErrorLevelOverridesLaterErrorWords) {
  constexpr string_view kLines[] = {
      "2026-11-23 10:00:02,345 WARN [http-nio-8080-exec-3] c.e.payments.Gateway - Retrying after "
      "java.net.SocketTimeoutException: Read timed out",
      "2026-11-23T10:00:00Z INFO recovered from error in worker 3",
      "2026-11-23T10:00:00Z DEBUG error path not taken",
      "level=warn msg=\"error talking to cache, falling back to database\"",
      "WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken by "
      "'NewConnectionError(\"Failed to establish a new connection\")'",
      "2026/11/23 10:00:00 [warn] 7#7: *12 an upstream response is buffered to a temporary file",
      "info: Microsoft.Hosting.Lifetime[14]",
      "[notice] 1#1: signal 3 (SIGQUIT) received, shutting down",
  };
  ExpectAll(kLines, kNothing);
}

TEST(ClassifyPlainLineTest, ExceptionClassMentionIsErrorLike) {
  constexpr string_view kLines[] = {
      "Exception in thread \"main\" java.lang.IllegalStateException: Failed to load "
      "ApplicationContext",
      "Failed to process message 8812: ValueError: invalid literal for int() with base 10: 'abc'",
      "Request to acquirer aborted by java.io.IOException",
      "Worker 3 crashed: MemoryError",
      "Unhandled exception. System.InvalidOperationException: Sequence contains no elements",
      "Unhandled exception.",
      "Uncaught exception in worker thread, restarting",
      "(node:4821) UnhandledPromiseRejectionWarning: Error: connect ECONNREFUSED 127.0.0.1:6379",
      "[UnhandledPromiseRejection: This promise was rejected with the reason \"boom\".] {",
  };
  ExpectAll(kLines, kError);
}

TEST(ClassifyPlainLineTest, GoAndRustPanicsAreErrorLike) {
  constexpr string_view kLines[] = {
      "panic: runtime error: invalid memory address or nil pointer dereference",
      "panic: send on closed channel",
      "panic: charge: acquirer returned no id [recovered]",
      "thread 'main' panicked at src/main.rs:14:5:",
      "thread 'tokio-runtime-worker' panicked at 'called `Result::unwrap()` on an `Err` value: Os "
      "{ code: 111, kind: ConnectionRefused, message: \"Connection refused\" }', "
      "src/client.rs:42:31",
      "thread '<unnamed>' panicked at library/core/src/panicking.rs:221:5:",
  };
  ExpectAll(kLines, kError);
}

TEST(ClassifyPlainLineTest, Http5xxIsErrorLike) {
  constexpr string_view kLines[] = {
      // nginx combined log format, HTTP status lines, reason phrases
      "10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] \"POST /api/pay HTTP/1.1\" 502 157 \"-\" "
      "\"okhttp/4.12.0\"",
      "10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] \"GET /api/orders HTTP/2.0\" 500 0 \"-\" "
      "\"Mozilla/5.0\"",
      "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 503 Service Unavailable",
      "upstream responded 502 Bad Gateway", "acquirer call ended in gateway timeout after 30s",
      "upstream returned HTTP 503",
      // morgan (Node), gin (Go), a method/path/status triple
      "GET /api/pay 500 12.345 ms - 25",
      "[GIN] 2026/11/23 - 10:00:00 | 500 |    1.234567ms |       10.0.0.1 | POST     \"/api/pay\"",
      "POST /api/charge 504 30001ms",
      // status keys
      "method=POST path=/api/pay status=503 duration=30.001s", "request failed: status 500",
      "Request failed with status code 500", "charge failed, status code: 502",
      "statusCode=504 url=https://acquirer.example.net/v2/authorize",
      "ts=2026-11-23T10:00:00Z route=/api/pay http.status_code=502",
      "{\"status\":500,\"error\":\"Internal Server Error\",\"path\":\"/api/pa",  // truncated JSON
  };
  ExpectAll(kLines, kError);
}

// Decision: access logs print every request at INFO, so a 5xx status wins over the level.
TEST(ClassifyPlainLineTest, Http5xxOnInfoLineIsStillErrorLike) {
  constexpr string_view kLines[] = {
      "2026-11-23T10:00:00Z INFO GET /api/pay 500 12ms",
      "level=info msg=\"request\" method=POST path=/api/pay status=503",
  };
  ExpectAll(kLines, kError);
}

TEST(ClassifyPlainLineTest, OtherHttpStatusesAndNumbersAreNotErrorLike) {
  constexpr string_view kLines[] = {
      "10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" "
      "\"kube-probe/1.29\"",
      "10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] \"GET /missing HTTP/1.1\" 404 153 \"-\" "
      "\"curl/8.4.0\"",
      "HTTP/1.1 429 Too Many Requests",
      "status=200 duration=12ms",
      "status=5000",
      "Processed 500 records in 2.1s",
      "Listening on port 5000",
      "request took 503ms",
      "GET /api/pay 200 503ms",
  };
  ExpectAll(kLines, kNothing);
}

TEST(ClassifyPlainLineTest, IndentedLinesAreContinuations) {
  constexpr string_view kLines[] = {
      // Java
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "\t... 12 more",
      "\t... 3 common frames omitted",
      // Node
      "    at Object.<anonymous> (/app/index.js:10:9)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    throw new Error('card declined');",
      "    ^",
      // .NET
      "   at Payments.Gateway.ChargeAsync(Order order) in /src/Payments/Gateway.cs:line 42",
      "   --- End of inner exception stack trace ---",
      "      Now listening on: http://[::]:8080",
      // Python
      "  File \"/app/email/send.py\", line 88, in send",
      "    conn = smtplib.SMTP(host, port, timeout=5)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  [Previous line repeated 996 more times]",
      // Go
      "\t/usr/local/go/src/net/http/server.go:1850 +0x1d",
      "\t/app/main.go:42 +0x1b4",
      // Rust
      "   0: rust_begin_unwind",
      "             at /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/"
      "panicking.rs:597:5",
      // Two spaces of padding are indentation, not log4j's "%5p"
      "  INFO [main] not a padded level",
  };
  ExpectAll(kLines, kContinuation);
}

// Decision: on an indented line only a chain marker is an error; a frame that merely names an
// error or exception class is part of the block, not a new error.
TEST(ClassifyPlainLineTest, IndentedFramesNamingErrorsAreNotErrorLike) {
  constexpr string_view kLines[] = {
      "\tat com.example.payments.ErrorHandler.handle(ErrorHandler.java:31)",
      "\tat com.example.payments.DeclinedException.<init>(DeclinedException.java:12)",
      "    raise ValueError(f\"bad amount {amount}\")",
      "   at Payments.ErrorMiddleware.InvokeAsync(HttpContext context) in "
      "/src/ErrorMiddleware.cs:line 27",
      "    ERROR: second line of a multi-line message",
      "    status=503",
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, IndentedChainMarkersAreExceptionHeaders) {
  constexpr string_view kLines[] = {
      "\tSuppressed: java.io.IOException: close failed",
      "\t\tCaused by: java.net.SocketException: Broken pipe",
      "  Caused by: java.lang.IllegalStateException: pool closed",
      " ---> System.Net.Sockets.SocketException (111): Connection refused",
      " ---> System.TimeoutException: The operation has timed out.",
  };
  ExpectAll(kLines, kHeader);
}

// Decision: log4j's "%5p" writes " INFO" and " WARN"; one space before them is padding.
TEST(ClassifyPlainLineTest, PaddedInfoAndWarnLevelsAreNotContinuations) {
  constexpr string_view kLines[] = {
      " INFO [main] com.example.payments.App - Started in 2.1 seconds",
      " WARN [pool-1] com.example.payments.Pool - pool 80% used",
  };
  ExpectAll(kLines, kNothing);
  EXPECT_EQ(Describe(ClassifyPlainLine(" INFO [http-1] GET /api/pay 500 12ms")), Describe(kError));
}

TEST(ClassifyPlainLineTest, JavaExceptionLinesAreHeaders) {
  constexpr string_view kLines[] = {
      "java.net.SocketTimeoutException: Read timed out",
      "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
      "\"https://acquirer.example.net/v2/authorize\": Connection reset",
      "java.lang.NullPointerException",
      "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
      "java.lang.OutOfMemoryError: Java heap space",
      "com.example.payments.Gateway$DeclinedException: card declined",
      "Caused by: java.net.SocketTimeoutException: timeout waiting for acquirer response",
      "Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for "
      "user \"app\"",
      "Suppressed: java.lang.IllegalStateException: already closed",
      "Wrapped by: org.springframework.dao.DataAccessResourceFailureException: connection lost",
      "java.lang.Throwable",
  };
  ExpectAll(kLines, kHeader);
}

TEST(ClassifyPlainLineTest, PythonFinalExceptionLinesAreHeaders) {
  constexpr string_view kLines[] = {
      "TimeoutError: timed out",
      "ConnectionRefusedError: [Errno 111] Connection refused",
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='acquirer.example.net', "
      "port=443): Max retries exceeded with url: /v2/authorize (Caused by "
      "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3a2c1b4d90>: Failed "
      "to establish a new connection: [Errno 111] Connection refused'))",
      "KeyError: 'order_id'",
      "asyncio.exceptions.CancelledError",
      "Exception: boom",
      "KeyboardInterrupt",
      "django.db.utils.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 "
      "failed: Connection refused",
      "ExceptionGroup: charge failed (2 sub-exceptions)",
  };
  ExpectAll(kLines, kHeader);
}

TEST(ClassifyPlainLineTest, NodeAndDotNetExceptionLinesAreHeaders) {
  constexpr string_view kLines[] = {
      "Error: connect ECONNREFUSED 127.0.0.1:5432",
      "TypeError: Cannot read properties of undefined (reading 'id')",
      "System.InvalidOperationException: Sequence contains no elements",
      "System.Net.Http.HttpRequestException: Connection refused (acquirer:443)",
      "System.Net.Sockets.SocketException (111): Connection refused",
  };
  ExpectAll(kLines, kHeader);
}

TEST(ClassifyPlainLineTest, LinesLikeHeadersButNotExceptionsAreNotHeaders) {
  EXPECT_EQ(Describe(ClassifyPlainLine("ERROR: relation \"orders\" does not exist")),
            Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine("Error connecting to database")), Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine("Failed: charge 8812")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine("java.lang.Error is a class")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine("Exception handling enabled")), Describe(kError));
}

TEST(ClassifyPlainLineTest, PythonTracebackMarkers) {
  EXPECT_EQ(Describe(ClassifyPlainLine("Traceback (most recent call last):")),
            Describe(kErrorContinuation));
  constexpr string_view kLines[] = {
      "During handling of the above exception, another exception occurred:",
      "The above exception was the direct cause of the following exception:",
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, GoPanicBlockLinesAreContinuations) {
  constexpr string_view kLines[] = {
      "goroutine 1 [running]:",
      "goroutine 34 [chan receive, 5 minutes]:",
      "main.main()",
      "main.(*Server).handleCharge(0xc0000a6000, {0x7a1f40, 0xc0001b2000}, 0xc0001a4100)",
      "net/http.(*conn).serve(0xc000146000, {0x6f6fe8, 0xc000112120})",
      "net/http.HandlerFunc.ServeHTTP(0x0?, {0x7a1f40?, 0xc0001b2000?}, 0x0?)",
      "github.com/gin-gonic/gin.(*Context).Next(...)",
      "main.Map[...]({0xc000012345, 0x3, 0x3}, 0x4b2c10)",
      "panic({0x5c4ae0?, 0x7a4bd0?})",
      "created by net/http.(*Server).Serve in goroutine 1",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]",
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, ProseWithParenthesesIsNotAGoFrame) {
  constexpr string_view kLines[] = {
      "Shutting down (SIGTERM received)",
      "Loaded config.yaml (3 plugins)",
      "payments.Gateway started",
      "main.go:42: retry(3)",
      "retry(3)",
  };
  ExpectAll(kLines, kNothing);
}

TEST(ClassifyPlainLineTest, RustBacktraceLinesAreContinuations) {
  constexpr string_view kLines[] = {
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
      "stack backtrace:",
      "   1: core::panicking::panic_fmt",
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, UnindentedTrailersAreContinuations) {
  constexpr string_view kLines[] = {
      "... 12 more",                                        // Java, printed without the tab
      "--- End of stack trace from previous location ---",  // .NET 5+
      "Node.js v20.11.0",                                   // Node, after an uncaught error
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, InvalidUtf8IsClassifiedByItsAsciiParts) {
  EXPECT_EQ(Describe(ClassifyPlainLine("2026-11-23T10:00:01Z ERROR caf\xc3 \xff\xfe payment")),
            Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine("\xff\xfe\xfd\xfc")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine("\xc0\xaf ERROR\xe9 x")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine("\tat com.example.Caf\xe9.run(Caf\xe9.java:1)")),
            Describe(kContinuation));
  EXPECT_EQ(Describe(ClassifyPlainLine("java.lang.IllegalArgumentException: bad byte \xc0\xaf")),
            Describe(kHeader));
  EXPECT_EQ(Describe(ClassifyPlainLine("\0\0\0 ERROR"sv)), Describe(kError));
}

TEST(ClassifyPlainLineTest, HugeLinesAreJudgedByTheirFirstBytes) {
  const std::string mib(1 << 20, 'x');
  EXPECT_EQ(Describe(ClassifyPlainLine("2026-11-23T10:00:01Z ERROR " + mib)), Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine(mib + " ERROR")), Describe(kNothing));
  EXPECT_EQ(Describe(ClassifyPlainLine("\tat " + mib)), Describe(kContinuation));
  EXPECT_EQ(Describe(ClassifyPlainLine("java.lang.NullPointerException: " + mib)),
            Describe(kHeader));
  // A line whose scanned bytes are all blank counts as blank.
  EXPECT_EQ(Describe(ClassifyPlainLine(std::string(600, ' ') + "at x")), Describe(kNothing));
  // A dotted identifier longer than the scan window is not a header.
  std::string dotted;
  while (dotted.size() < (1 << 20)) dotted += "java.lang.";
  EXPECT_EQ(Describe(ClassifyPlainLine(dotted + "NullPointerException")), Describe(kNothing));
  std::string errors;
  while (errors.size() < (1 << 20)) errors += "ERROR ";
  EXPECT_EQ(Describe(ClassifyPlainLine(errors)), Describe(kError));
}

TEST(ClassifyPlainLineTest, OnlyTheFirst512BytesAreRead) {
  ASSERT_EQ(kPlainLineScanBytes, 512u);
  // "error" ends at byte 506: seen. Ending at byte 516 it is cut to "er": not seen.
  EXPECT_EQ(Describe(ClassifyPlainLine(std::string(500, 'x') + " error")), Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine(std::string(510, 'x') + " error")), Describe(kNothing));
}

TEST(ClassifyPlainLineTest, TrailingCarriageReturnIsIgnored) {
  EXPECT_EQ(Describe(ClassifyPlainLine("2026-11-23T10:00:01Z ERROR payment failed\r")),
            Describe(kError));
  EXPECT_EQ(Describe(ClassifyPlainLine("java.lang.NullPointerException\r")), Describe(kHeader));
  EXPECT_EQ(Describe(ClassifyPlainLine("TimeoutError: timed out\r")), Describe(kHeader));
  EXPECT_EQ(Describe(ClassifyPlainLine("Traceback (most recent call last):\r")),
            Describe(kErrorContinuation));
  EXPECT_EQ(Describe(ClassifyPlainLine("main.main()\r")), Describe(kContinuation));
  EXPECT_EQ(Describe(ClassifyPlainLine("\tat x.Y.z(Y.java:1)\r")), Describe(kContinuation));
  EXPECT_EQ(Describe(ClassifyPlainLine("GET /api/pay 503\r")), Describe(kError));
}

// The grouping sketched in plain_text.h, with blank lines skipped as the parser's kEmpty
// records are: each block is {first line, number of lines}.
std::vector<std::pair<string_view, int>> GroupErrorBlocks(std::span<const string_view> lines) {
  std::vector<std::pair<string_view, int>> blocks;
  bool open = false;
  for (string_view line : lines) {
    if (line.find_first_not_of(" \t\r") == string_view::npos) continue;
    PlainLineClass c = ClassifyPlainLine(line);
    if (c.continuation && open) {
      ++blocks.back().second;
    } else if (c.error_like) {
      blocks.emplace_back(line, 1);
      open = true;
    } else {
      open = false;
    }
  }
  return blocks;
}

TEST(ClassifyPlainLineTest, GroupsRealOutputIntoErrorBlocks) {
  constexpr string_view kLines[] = {
      "2026-11-23 10:00:01,000 INFO [main] c.e.payments.App - Started PaymentsApplication in 4.2 "
      "seconds",
      // logback: ERROR line, exception, frames, cause (loggen's FormatJavaError)
      "2026-11-23 10:00:02,345 ERROR [http-nio-8080-exec-3] c.e.payments.Gateway - Payment "
      "declined by upstream",
      "java.net.SocketTimeoutException: Read timed out",
      "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
      "\tat com.example.payments.Gateway.charge(Gateway.java:87)",
      "Caused by: java.net.SocketTimeoutException: timeout waiting for acquirer response",
      "\tat java.base/sun.nio.ch.NioSocketImpl.park(NioSocketImpl.java:181)",
      "\t... 12 more",
      "2026-11-23 10:00:03,000 INFO [http-nio-8080-exec-4] c.e.payments.Gateway - Payment "
      "authorized",
      // Python: ERROR line and traceback (loggen's FormatEmailError)
      "2026-11-23T10:00:04.120Z ERROR Connection timeout to email provider smtp.example.net:587 "
      "after 5000ms",
      "Traceback (most recent call last):",
      "  File \"/app/email/send.py\", line 88, in send",
      "    conn = smtplib.SMTP(host, port, timeout=5)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/usr/local/lib/python3.11/socket.py\", line 836, in create_connection",
      "    sock.connect(sa)",
      "TimeoutError: timed out",
      "10.0.0.1 - - [23/Nov/2026:10:00:05 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" "
      "\"kube-probe/1.29\"",
      // Go panic, with its blank line
      "panic: runtime error: invalid memory address or nil pointer dereference",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b2a4f]",
      "",
      "goroutine 1 [running]:",
      "main.main()",
      "\t/app/main.go:42 +0x1b4",
      "exit status 2",
      // A header with no ERROR line before it starts its own block; an orphan frame does not.
      "\tat com.example.Orphan.run(Orphan.java:1)",
      "java.lang.OutOfMemoryError: Java heap space",
      "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
      // Two error lines in a row are two blocks.
      "2026/11/23 10:00:09 [error] 31#31: *7 upstream timed out (110: Connection timed out)",
      "10.0.0.1 - - [23/Nov/2026:10:00:09 +0000] \"POST /api/pay HTTP/1.1\" 504 167 \"-\" "
      "\"okhttp/4.12.0\"",
  };
  auto blocks = GroupErrorBlocks(kLines);
  ASSERT_EQ(blocks.size(), 6u);
  EXPECT_EQ(blocks[0], std::make_pair(kLines[1], 7));
  EXPECT_EQ(blocks[1], std::make_pair(kLines[9], 8));
  EXPECT_EQ(blocks[2], std::make_pair(kLines[18], 5));
  EXPECT_EQ(blocks[3], std::make_pair(kLines[26], 2));
  EXPECT_EQ(blocks[4], std::make_pair(kLines[28], 1));
  EXPECT_EQ(blocks[5], std::make_pair(kLines[29], 1));
}

// Random lines built from the fragments the classifier looks for: no crash (the sanitizer
// builds check the reads), and exception_header always comes with the other two flags.
TEST(ClassifyPlainLineTest, RandomLinesKeepTheInvariant) {
  constexpr string_view kFragments[] = {
      " ",           "\t",         "ERROR",       "error", "[",          "]",    ":",
      "=",           "level",      "status",      "503",   "HTTP/1.1\"", "GET",  "/x",
      "Caused by: ", "Exception",  "Error",       "java.", ".",          "(",    ")",
      "(*T)",        "main",       "panic",       "\xff",  "\xc3",       "\r",   "0",
      "E1123",       "---> ",      "...",         "no",    "Traceback",  "|",    "'",
      "\"",          "goroutine ", "created by ", "INFO",  "x",          "\0"sv,
  };
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<size_t> pick(0, std::size(kFragments) - 1);
  std::uniform_int_distribution<int> count(0, 40);
  std::string line;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    line.clear();
    for (int n = count(rng); n > 0; --n) line += kFragments[pick(rng)];
    PlainLineClass c = ClassifyPlainLine(line);
    if (c.exception_header) {
      ASSERT_TRUE(c.continuation && c.error_like) << "line: " << Printable(line);
    }
  }
}

}  // namespace
}  // namespace logweave

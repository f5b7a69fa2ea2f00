// Tests for ClassifyPlainLine: which plain-text lines are error-like (level words, exception
// mentions, panics, HTTP 5xx) and which are not. Shared classes: support/plain_line_classes.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/plain_line_classes.h"

namespace logweave::plain_text_test {
namespace {

TEST_P(ClassifyPlainLinesTest, PutsEachLineInTheClass) {
  ExpectAll(std::span<const string_view>(GetParam().lines), GetParam().want);
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
  ExpectAll({"Backup completed with error in 12.3s"}, kError);
}

std::vector<PlainLinesCase> LineCases() {
  return {
      {"ErrorLevelWordNearTheStartIsErrorLike",
       kError,
       {
           // loggen's Python service, logback's default pattern, Python's "%(asctime)s - %(name)s
           // ..."
           "2026-11-23T10:00:01.234Z ERROR Connection timeout to email provider "
           "smtp.example.net:587 after 5000ms",
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
           "SEVERE: Servlet.service() for servlet [dispatcherServlet] in context with path [] "
           "threw exception",
           "2026-11-23 10:00:11.456 UTC [4021] ERROR:  relation \"orders\" does not exist at "
           "character 15",
           "2026-11-23 10:00:11.999 UTC [4022] PANIC:  could not write to file "
           "\"pg_wal/xlogtemp.4022\": No space left on device",
           // Go's log package and runtime, cargo, prose starting with the word
           "2026/11/23 10:00:07 error reading request body: unexpected EOF",
           "2026/11/23 10:00:07 http: panic serving 10.0.0.7:51234: runtime error: index out of "
           "range [3] with length 3",
           "fatal error: all goroutines are asleep - deadlock!",
           "error: could not compile `payments` (bin \"payments\") due to 2 previous errors",
           "Error connecting to database: dial tcp 10.0.0.5:5432: connect: connection refused",
           "2026-11-23T10:00:08Z ALERT replication lag 45s exceeds 30s on db-2",
           "2026-11-23T10:00:08Z Crit disk /var/lib/postgresql is 99% full",
           // a level word longer than eight letters, in upper case
           "2026-11-23T10:00:09Z EMERGENCY power supply lost on rack 4",

       }},
      {"LevelWordInCommonFieldShapesIsErrorLike",
       kError,
       {
           // nginx, Apache ("module:level"), Maven
           "2026/11/23 10:00:00 [error] 123#0: *1 connect() failed (111: Connection refused) while "
           "connecting to upstream, client: 10.0.0.1, server: api.example.com, request: \"GET "
           "/api/pay HTTP/1.1\", upstream: \"http://10.0.0.2:8080/api/pay\", host: "
           "\"api.example.com\"",
           "2026/11/23 10:00:09 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in "
           "use)",
           "2026/11/23 10:00:10 [crit] 7#7: *31 SSL_do_handshake() failed (SSL: error:0A00006C:SSL "
           "routines::bad key share) while SSL handshaking, client: 10.0.0.9, server: 0.0.0.0:443",
           "[Sun Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 140245] [client "
           "10.0.0.1:51234] AH00126: Invalid URI in request GET /%%% HTTP/1.1",
           "[ERROR] Failed to execute goal "
           "org.apache.maven.plugins:maven-surefire-plugin:3.2.2:test",
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

       }},
      {"SingleLetterEIsNotALevel",
       kNothing,
       {
           "E something happened",
           "2026-11-23T10:00:00Z E payments started",
           "[E] cache warmed",

       }},
      {"LevelWordMustBeAWholeField",
       kNothing,
       {
           "The terror of the night is over",
           "errorless run of 120 jobs",
           "time=2026-11-23T10:00:00Z level=info msg=\"batch done\" error_count=0 errors=0",
           "error_count=0 errors=0 warnings=3",
           "Opening error.log for append",
           "Registered ErrorHandler for /api/pay",
           "Loaded /etc/payments/error-pages/500.html",
           "err_code=0 err_msg=\"\"",
           "Clearing alerts for payments",
           // also a prose word: a level only in upper case or in a level's place
           "emergency maintenance window starts at 02:00",

       }},
      {"OrdinaryLinesAreNothing",
       kNothing,
       {
           "Starting server on :8080",
           "2026-11-23T10:00:00Z INFO Starting server on :8080",
           "Listening on http://0.0.0.0:8080",
           "GET /health 200 1.2ms",
           "2026-11-23 10:00:00,001 INFO retrying in 5s",
           "INFO retrying in 5s",
           "WARN disk 80% full",
           "2026-11-23T10:00:00Z WARN disk 80% full on /var/lib/data",
           "level=info msg=\"listening\" addr=:8080",
           "/app/payments/gateway.py:12: DeprecationWarning: datetime.datetime.utcnow() is "
           "deprecated",
           "an exception handler was registered for /api/pay",
           "Errors: 0",
           "Node is running, trace info written to /tmp/trace.json",
           "exit status 2",

       }},
      // Decision: the first level word is the line's level. A line the program logged at a
      // non-error
      // level is not error-like even when it names an exception or says "error" later.
      {"ExplicitNonErrorLevelOverridesLaterErrorWords",
       kNothing,
       {
           "2026-11-23 10:00:02,345 WARN [http-nio-8080-exec-3] c.e.payments.Gateway - Retrying "
           "after java.net.SocketTimeoutException: Read timed out",
           "2026-11-23T10:00:00Z INFO recovered from error in worker 3",
           "2026-11-23T10:00:00Z DEBUG error path not taken",
           "level=warn msg=\"error talking to cache, falling back to database\"",
           "WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken by "
           "'NewConnectionError(\"Failed to establish a new connection\")'",
           "2026/11/23 10:00:00 [warn] 7#7: *12 an upstream response is buffered to a temporary "
           "file",
           "info: Microsoft.Hosting.Lifetime[14]",
           "[notice] 1#1: signal 3 (SIGQUIT) received, shutting down",

       }},
      {"ExceptionClassMentionIsErrorLike",
       kError,
       {
           "Exception in thread \"main\" java.lang.IllegalStateException: Failed to load "
           "ApplicationContext",
           "Failed to process message 8812: ValueError: invalid literal for int() with base 10: "
           "'abc'",
           "Request to acquirer aborted by java.io.IOException",
           "Worker 3 crashed: MemoryError",
           "Unhandled exception. System.InvalidOperationException: Sequence contains no elements",
           "Unhandled exception.",
           "Uncaught exception in worker thread, restarting",
           "(node:4821) UnhandledPromiseRejectionWarning: Error: connect ECONNREFUSED "
           "127.0.0.1:6379",
           "[UnhandledPromiseRejection: This promise was rejected with the reason \"boom\".] {",

       }},
      {"GoAndRustPanicsAreErrorLike",
       kError,
       {
           "panic: runtime error: invalid memory address or nil pointer dereference",
           "panic: send on closed channel",
           "panic: charge: acquirer returned no id [recovered]",
           "thread 'main' panicked at src/main.rs:14:5:",
           "thread 'tokio-runtime-worker' panicked at 'called `Result::unwrap()` on an `Err` "
           "value: Os { code: 111, kind: ConnectionRefused, message: \"Connection refused\" }', "
           "src/client.rs:42:31",
           "thread '<unnamed>' panicked at library/core/src/panicking.rs:221:5:",

       }},
      {"Http5xxIsErrorLike",
       kError,
       {
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
           "[GIN] 2026/11/23 - 10:00:00 | 500 |    1.234567ms |       10.0.0.1 | POST     "
           "\"/api/pay\"",
           "POST /api/charge 504 30001ms",
           // status keys
           "method=POST path=/api/pay status=503 duration=30.001s", "request failed: status 500",
           "Request failed with status code 500", "charge failed, status code: 502",
           "statusCode=504 url=https://acquirer.example.net/v2/authorize",
           "ts=2026-11-23T10:00:00Z route=/api/pay http.status_code=502",
           "{\"status\":500,\"error\":\"Internal Server Error\",\"path\":\"/api/pa",  // truncated
                                                                                      // JSON

       }},
      // Decision: access logs print every request at INFO, so a 5xx status wins over the level.
      {"Http5xxOnInfoLineIsStillErrorLike",
       kError,
       {
           "2026-11-23T10:00:00Z INFO GET /api/pay 500 12ms",
           "level=info msg=\"request\" method=POST path=/api/pay status=503",

       }},
      {"OtherHttpStatusesAndNumbersAreNotErrorLike",
       kNothing,
       {
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

       }},
  };
}
INSTANTIATE_TEST_SUITE_P(Lines, ClassifyPlainLinesTest, ::testing::ValuesIn(LineCases()),
                         PlainLinesCaseName);

}  // namespace
}  // namespace logweave::plain_text_test

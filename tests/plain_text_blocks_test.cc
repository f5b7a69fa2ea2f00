// Tests for ClassifyPlainLine: continuations and exception headers of stack traces, bytes
// that are not text, and real output grouped into error blocks. Shared classes:
// support/plain_line_classes.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/plain_line_classes.h"

namespace logweave::plain_text_test {
namespace {

// Decision: log4j's "%5p" writes " INFO" and " WARN"; one space before them is padding.
TEST(ClassifyPlainLineTest, PaddedInfoAndWarnLevelsAreNotContinuations) {
  constexpr string_view kLines[] = {
      " INFO [main] com.example.payments.App - Started in 2.1 seconds",
      " WARN [pool-1] com.example.payments.Pool - pool 80% used",
  };
  ExpectAll(kLines, kNothing);
  ExpectAll({" INFO [http-1] GET /api/pay 500 12ms"}, kError);
}

TEST(ClassifyPlainLineTest, LinesLikeHeadersButNotExceptionsAreNotHeaders) {
  ExpectAll({"ERROR: relation \"orders\" does not exist", "Error connecting to database",
             "Exception handling enabled"},
            kError);
  ExpectAll({"Failed: charge 8812", "java.lang.Error is a class"}, kNothing);
}

TEST(ClassifyPlainLineTest, PythonTracebackMarkers) {
  ExpectAll({"Traceback (most recent call last):"}, kErrorContinuation);
  constexpr string_view kLines[] = {
      "During handling of the above exception, another exception occurred:",
      "The above exception was the direct cause of the following exception:",
  };
  ExpectAll(kLines, kContinuation);
}

TEST(ClassifyPlainLineTest, InvalidUtf8IsClassifiedByItsAsciiParts) {
  ExpectAll({"2026-11-23T10:00:01Z ERROR caf\xc3 \xff\xfe payment", "\0\0\0 ERROR"sv}, kError);
  ExpectAll({"\xff\xfe\xfd\xfc", "\xc0\xaf ERROR\xe9 x"}, kNothing);
  ExpectAll({"\tat com.example.Caf\xe9.run(Caf\xe9.java:1)"}, kContinuation);
  ExpectAll({"java.lang.IllegalArgumentException: bad byte \xc0\xaf"}, kHeader);
}

TEST(ClassifyPlainLineTest, HugeLinesAreJudgedByTheirFirstBytes) {
  const std::string mib(1 << 20, 'x');
  ExpectAll({"2026-11-23T10:00:01Z ERROR " + mib}, kError);
  ExpectAll({mib + " ERROR"}, kNothing);
  ExpectAll({"\tat " + mib}, kContinuation);
  ExpectAll({"java.lang.NullPointerException: " + mib}, kHeader);
  // A line whose scanned bytes are all blank counts as blank.
  ExpectAll({std::string(600, ' ') + "at x"}, kNothing);
  // A dotted identifier longer than the scan window is not a header.
  std::string dotted;
  while (dotted.size() < (1 << 20)) dotted += "java.lang.";
  ExpectAll({dotted + "NullPointerException"}, kNothing);
  std::string errors;
  while (errors.size() < (1 << 20)) errors += "ERROR ";
  ExpectAll({errors}, kError);
}

TEST(ClassifyPlainLineTest, OnlyTheFirst512BytesAreRead) {
  ASSERT_EQ(kPlainLineScanBytes, 512u);
  // "error" ends at byte 506: seen. Ending at byte 516 it is cut to "er": not seen.
  ExpectAll({std::string(500, 'x') + " error"}, kError);
  ExpectAll({std::string(510, 'x') + " error"}, kNothing);
}

TEST(ClassifyPlainLineTest, TrailingCarriageReturnIsIgnored) {
  ExpectAll({"2026-11-23T10:00:01Z ERROR payment failed\r", "GET /api/pay 503\r"}, kError);
  ExpectAll({"java.lang.NullPointerException\r", "TimeoutError: timed out\r"}, kHeader);
  ExpectAll({"Traceback (most recent call last):\r"}, kErrorContinuation);
  ExpectAll({"main.main()\r", "\tat x.Y.z(Y.java:1)\r"}, kContinuation);
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

std::vector<PlainLinesCase> BlockCases() {
  return {
      {"IndentedLinesAreContinuations",
       kContinuation,
       {
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
           "             at "
           "/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/panicking.rs:597:5",
           // Two spaces of padding are indentation, not log4j's "%5p"
           "  INFO [main] not a padded level",

       }},
      // Decision: on an indented line only a chain marker is an error; a frame that merely names an
      // error or exception class is part of the block, not a new error.
      {"IndentedFramesNamingErrorsAreNotErrorLike",
       kContinuation,
       {
           "\tat com.example.payments.ErrorHandler.handle(ErrorHandler.java:31)",
           "\tat com.example.payments.DeclinedException.<init>(DeclinedException.java:12)",
           "    raise ValueError(f\"bad amount {amount}\")",
           "   at Payments.ErrorMiddleware.InvokeAsync(HttpContext context) in "
           "/src/ErrorMiddleware.cs:line 27",
           "    ERROR: second line of a multi-line message",
           "    status=503",

       }},
      {"IndentedChainMarkersAreExceptionHeaders",
       kHeader,
       {
           "\tSuppressed: java.io.IOException: close failed",
           "\t\tCaused by: java.net.SocketException: Broken pipe",
           "  Caused by: java.lang.IllegalStateException: pool closed",
           " ---> System.Net.Sockets.SocketException (111): Connection refused",
           " ---> System.TimeoutException: The operation has timed out.",

       }},
      {"JavaExceptionLinesAreHeaders",
       kHeader,
       {
           "java.net.SocketTimeoutException: Read timed out",
           "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
           "\"https://acquirer.example.net/v2/authorize\": Connection reset",
           "java.lang.NullPointerException",
           "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is "
           "null",
           "java.lang.OutOfMemoryError: Java heap space",
           "com.example.payments.Gateway$DeclinedException: card declined",
           "Caused by: java.net.SocketTimeoutException: timeout waiting for acquirer response",
           "Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed "
           "for user \"app\"",
           "Suppressed: java.lang.IllegalStateException: already closed",
           "Wrapped by: org.springframework.dao.DataAccessResourceFailureException: connection "
           "lost",
           "java.lang.Throwable",

       }},
      {"PythonFinalExceptionLinesAreHeaders",
       kHeader,
       {
           "TimeoutError: timed out",
           "ConnectionRefusedError: [Errno 111] Connection refused",
           "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='acquirer.example.net', "
           "port=443): Max retries exceeded with url: /v2/authorize (Caused by "
           "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3a2c1b4d90>: "
           "Failed to establish a new connection: [Errno 111] Connection refused'))",
           "KeyError: 'order_id'",
           "asyncio.exceptions.CancelledError",
           "Exception: boom",
           "KeyboardInterrupt",
           "django.db.utils.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 "
           "failed: Connection refused",
           "ExceptionGroup: charge failed (2 sub-exceptions)",

       }},
      {"NodeAndDotNetExceptionLinesAreHeaders",
       kHeader,
       {
           "Error: connect ECONNREFUSED 127.0.0.1:5432",
           "TypeError: Cannot read properties of undefined (reading 'id')",
           "System.InvalidOperationException: Sequence contains no elements",
           "System.Net.Http.HttpRequestException: Connection refused (acquirer:443)",
           "System.Net.Sockets.SocketException (111): Connection refused",

       }},
      {"GoPanicBlockLinesAreContinuations",
       kContinuation,
       {
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

       }},
      {"ProseWithParenthesesIsNotAGoFrame",
       kNothing,
       {
           "Shutting down (SIGTERM received)",
           "Loaded config.yaml (3 plugins)",
           "payments.Gateway started",
           "main.go:42: retry(3)",
           "retry(3)",

       }},
      {"RustBacktraceLinesAreContinuations",
       kContinuation,
       {
           "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
           "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose "
           "backtrace.",
           "stack backtrace:",
           "   1: core::panicking::panic_fmt",

       }},
      {"UnindentedTrailersAreContinuations",
       kContinuation,
       {
           "... 12 more",                                        // Java, printed without the tab
           "--- End of stack trace from previous location ---",  // .NET 5+
           "Node.js v20.11.0",                                   // Node, after an uncaught error

       }},
  };
}
INSTANTIATE_TEST_SUITE_P(Blocks, ClassifyPlainLinesTest, ::testing::ValuesIn(BlockCases()),
                         PlainLinesCaseName);

}  // namespace
}  // namespace logweave::plain_text_test

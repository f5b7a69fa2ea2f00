// Fuzz target: the functions that read text every line goes through, one
// input each: timestamps (ISO, epoch forms, leading plain-text stamps),
// plain-text classification, UTF-8 validation and repair, byte sizes and the
// YAML config. Nothing may crash, hang, throw or trip a sanitizer, and what
// comes out must keep each function's documented contract.
//
//   build/fuzz/tests/fuzz/text_fuzzer -max_total_time=60 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "logweave/config.h"
#include "logweave/parser.h"
#include "logweave/plain_text.h"
#include "logweave/time_parse.h"
#include "logweave/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logweave;
  using fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  int64_t ns = 0;
  if (ParseTimestamp(text, &ns)) {
    // What parses can be printed back and parsed again to the same instant.
    char buf[64];
    const size_t n = FormatTimestamp(ns, buf);
    Check(n > 0 && n < sizeof buf, "FormatTimestamp length");
    int64_t again = 0;
    Check(ParseTimestamp(std::string_view(buf, n), &again) && again == ns,
          "formatted timestamp does not parse back to the same instant");
  }
  Check(ParseLeadingTimestamp(text, &ns) <= text.size(), "leading timestamp longer than the line");

  const PlainLineClass c = ClassifyPlainLine(text);
  Check(!c.exception_header || (c.continuation && c.error_like),
        "exception_header without continuation and error_like");

  std::string repaired;
  AppendValidUtf8(text, &repaired);
  Check(IsValidUtf8(repaired), "AppendValidUtf8 left invalid UTF-8");
  Check(!IsValidUtf8(text) || repaired == text, "AppendValidUtf8 changed valid UTF-8");

  uint64_t bytes;
  (void)ParseByteSize(text, &bytes);
  (void)ServiceFromSourceName(text);
  (void)ParseLevelWord(text);

  // The config loader must turn anything into OK or an error message, never throw.
  (void)LoadFullConfigString(std::string(text), "fuzz.yaml");
  return 0;
}

// The web page in a real browser: headless Chromium (Debian package
// chromium) loads /trace/<id>, /search and / of `logweave serve` over the
// demo data, runs their scripts, and the rendered DOM (--dump-dom) shows
// every event and service of the trace, every trace of the search's page and
// every open finding, as the JSON API gives them, and the rule views. Screenshots at 1280x800
// (and the trace at a phone's width) are saved under the build tree
// (artifacts/web). Skipped, saying why, where chromium is not installed.
// Chromium takes 6-8 s to start on an idle 2-core machine (far longer on a
// loaded one: hence the 120 s limit per page): the suite is named Real* so
// that it runs in the release preset only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "httplib.h"
#include "rapidjson/document.h"
#include "testdata/demo_serve.h"
#include "testdata/run_command.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

bool ChromiumInstalled() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// Text as the DOM serialises it in an element's content.
std::string HtmlText(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

std::unique_ptr<rapidjson::Document> Json(const std::string& body) {
  auto d = std::make_unique<rapidjson::Document>();
  d->Parse(body.c_str());
  EXPECT_FALSE(d->HasParseError()) << body.substr(0, 200);
  return d;
}

// A decimal ("188.50") as JavaScript prints the number ("188.5").
std::string JsNumber(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// How often `needle` occurs in `haystack`.
size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

class RealBrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!ChromiumInstalled()) return;
    serve_ = new testdata::DemoServe;
    serve_->Start(LOGWEAVE_BIN, LOGWEAVE_SOURCE_DIR);
    std::filesystem::create_directories(LOGWEAVE_ARTIFACT_DIR);
  }
  static void TearDownTestSuite() {
    if (serve_ == nullptr) return;
    serve_->Stop();
    delete serve_;
    serve_ = nullptr;
  }
  void SetUp() override {
    if (!ChromiumInstalled()) {
      GTEST_SKIP() << "chromium is not installed (apt-get install chromium): the web page is "
                      "not checked in a browser";
    }
    ASSERT_FALSE(serve_->http_address().empty());
  }

  // Loads `path` in headless Chromium at `width`x`height`, lets its scripts
  // run (virtual time), saves a screenshot as artifacts/web/`shot`.png and
  // returns the DOM as rendered.
  static std::string Render(const std::string& path, const std::string& shot, int width = 1280,
                            int height = 800) {
    const std::string png = absl::StrCat(LOGWEAVE_ARTIFACT_DIR, "/", shot, ".png");
    std::filesystem::remove(png);
    const testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat("timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                     "--no-first-run --window-size=",
                     width, ",", height, " --virtual-time-budget=4000 --screenshot=", png,
                     " --dump-dom '", serve_->Url(path), "' </dev/null"),
        absl::StrCat(LOGWEAVE_ARTIFACT_DIR, "/", shot, ".chromium.log"));
    EXPECT_EQ(r.exit_code, 0) << "chromium failed; see " << shot << ".chromium.log";
    EXPECT_TRUE(std::filesystem::exists(png)) << png;
    return r.out;
  }

  // The trace id of the first open finding of `kind`.
  static std::string TraceOfFinding(const std::string& kind) {
    auto d = Json(serve_->Get("/api/findings?kind=" + kind).body);
    for (const auto& f : (*d)["findings"].GetArray()) {
      if (f["trace_id"].GetStringLength() > 0) return f["trace_id"].GetString();
    }
    return "";
  }

  static testdata::DemoServe* serve_;
};

testdata::DemoServe* RealBrowserTest::serve_ = nullptr;

// Every service as a lane, the missing one as an empty lane with its cause,
// every event as a row with its message.
void ExpectTraceShown(const std::string& dom, const rapidjson::Document& trace) {
  for (const auto& s : trace["services"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("class=\"lane\" data-service=\"", s.GetString(), "\"")))
        << s.GetString();
  }
  for (const auto& m : trace["missing_services"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("class=\"lane missing\" data-service=\"",
                                            m["service"].GetString(), "\" data-cause=\"",
                                            m["cause"].GetString(), "\"")));
  }
  EXPECT_EQ(Count(dom, "<tr class=\"event\""), trace["events"].Size());
  // Keyboard: each event expands with a button of its own (Tab, Enter, Space).
  EXPECT_EQ(Count(dom, "<button type=\"button\" class=\"expand\" aria-expanded=\"false\""),
            trace["events"].Size());
  for (const auto& e : trace["events"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("<td class=\"message\">",
                                            HtmlText(e["message"].GetString()), "</td>")));
  }
  // Its findings as cards.
  EXPECT_EQ(Count(dom, "<article class=\"card finding\""), trace["findings"].Size());
}

TEST_F(RealBrowserTest, TracePageShowsEveryEventAndServiceOfTheTrace) {
  const std::string id = TraceOfFinding("missing_service");
  ASSERT_FALSE(id.empty());
  auto trace = Json(serve_->Get("/api/trace/" + id).body);
  ASSERT_GT((*trace)["events"].Size(), 0u);
  ASSERT_GT((*trace)["missing_services"].Size(), 0u);
  const std::string dom = Render("/trace/" + id, "trace");
  ExpectTraceShown(dom, *trace);
}

TEST_F(RealBrowserTest, TracePageOnAPhoneShowsTheSameTraceWithItsPlainTextErrors) {
  const std::string id = TraceOfFinding("unstructured_error");
  ASSERT_FALSE(id.empty());
  auto trace = Json(serve_->Get("/api/trace/" + id).body);
  ASSERT_GT((*trace)["unstructured"].Size(), 0u);
  const std::string dom = Render("/trace/" + id, "trace-phone", 390, 844);
  ExpectTraceShown(dom, *trace);
  EXPECT_EQ(Count(dom, "<tr class=\"unstructured\""), (*trace)["unstructured"].Size());
}

TEST_F(RealBrowserTest, SearchPageListsEveryTraceOfTheResultPageLinkedToIt) {
  const std::string query = "?service=payments&level=error&page_size=20";
  auto found = Json(serve_->Get("/api/search" + query).body);
  ASSERT_GT((*found)["traces"].Size(), 0u);
  const std::string dom = Render("/search" + query, "search");
  EXPECT_EQ(Count(dom, "<tr class=\"trace\""), (*found)["traces"].Size());
  for (const auto& t : (*found)["traces"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("<a href=\"/trace/", t["trace_id"].GetString(), "\">",
                                            t["trace_id"].GetString(), "</a>")));
  }
  EXPECT_THAT(dom, HasSubstr(absl::StrCat((*found)["matched"].GetString(), " traces match")));
}

TEST_F(RealBrowserTest, FindingsPageListsEveryOpenFinding) {
  auto all = Json(serve_->Get("/api/findings?limit=1000").body);
  ASSERT_GT((*all)["findings"].Size(), 0u);
  const std::string dom = Render("/", "findings");
  EXPECT_EQ(Count(dom, "<tr class=\"finding\""), (*all)["findings"].Size());
  for (const auto& f : (*all)["findings"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-id=\"", f["id"].GetString(), "\"")));
  }
}

// The rule views from the findings' data: every canary check as a point of
// the canary and of its baseline in both charts (error rate, p99), failed
// checks marked with their strike, the action run beside the decision; the
// cost's days as bars with the threshold line; every drift.
TEST_F(RealBrowserTest, RulesPageDrawsTheCanaryCostAndDriftFindings) {
  auto canary = Json(serve_->Get("/api/findings?kind=canary_rollback").body);
  ASSERT_GT((*canary)["findings"].Size(), 0u);
  // The action runs on the dispatcher's thread, after the analysis.
  const std::string canary_id = (*canary)["findings"][0]["id"].GetString();
  std::unique_ptr<rapidjson::Document> runs;
  for (int i = 0; i < 500; ++i) {
    runs = Json(serve_->Get("/api/actions?finding_id=" + canary_id).body);
    if ((*runs)["runs"].Size() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT((*runs)["runs"].Size(), 0u) << "the demo's rollback action did not run";

  const std::string dom = Render("/rules", "rules");
  for (const char* kind : {"canary_rollback", "cost_anomaly", "drift"}) {
    auto found = Json(serve_->Get(absl::StrCat("/api/findings?limit=1000&kind=", kind)).body);
    ASSERT_GT((*found)["findings"].Size(), 0u) << kind;
    for (const auto& f : (*found)["findings"].GetArray()) {
      EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-id=\"", f["id"].GetString(), "\"")));
    }
  }
  size_t checks = 0, failed = 0;
  for (const auto& f : (*canary)["findings"].GetArray()) {
    for (absl::string_view check : absl::StrSplit(f["details"]["checks"].GetString(), "; ")) {
      const std::vector<std::string> c = absl::StrSplit(check, ' ');
      ASSERT_EQ(c.size(), 9u) << check;
      ++checks;
      failed += c[1] == "fail";
      // Both charts: a canary point (marked when it failed) and a baseline point.
      EXPECT_EQ(Count(dom, absl::StrCat("class=\"point canary ", c[1], "\" data-time=\"", c[0],
                                        "\" data-value=")),
                2u)
          << check;
      EXPECT_EQ(Count(dom, absl::StrCat("class=\"point baseline\" data-time=\"", c[0], "\"")), 2u)
          << check;
      if (c[1] == "fail") {
        EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-strikes=\"", c[2], "\"")));
      }
    }
  }
  ASSERT_GT(checks, 0u);
  EXPECT_EQ(Count(dom, "class=\"point canary "), 2 * checks);
  EXPECT_EQ(Count(dom, "class=\"strike\""), 2 * failed);
  EXPECT_EQ(Count(dom, "class=\"decision\""), 2 * (*canary)["findings"].Size());
  // The action run beside the decision.
  for (const auto& r : (*runs)["runs"].GetArray()) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("<li class=\"action-run\" data-outcome=\"",
                                            r["outcome"].GetString(), "\"><strong>",
                                            r["action"].GetString(), "</strong>")));
    EXPECT_THAT(dom, HasSubstr(HtmlText(r["command"].GetString())));
  }
  // Cost: a bar per day compared and one for the day judged, the threshold line at its value.
  auto cost = Json(serve_->Get("/api/findings?limit=1000&kind=cost_anomaly").body);
  size_t bars = 0;
  for (const auto& f : (*cost)["findings"].GetArray()) {
    bars +=
        std::vector<std::string>(absl::StrSplit(f["details"]["history"].GetString(), "; ")).size() +
        1;
    EXPECT_THAT(dom,
                HasSubstr(absl::StrCat("class=\"threshold\" data-value=\"",
                                       JsNumber(f["details"]["threshold"].GetString()), "\"")));
  }
  EXPECT_EQ(Count(dom, "class=\"bar"), bars);
  EXPECT_EQ(Count(dom, "class=\"bar judged\""), (*cost)["findings"].Size());
  // Drift: who changed it and when, as the finding says.
  auto drift = Json(serve_->Get("/api/findings?limit=1000&kind=drift").body);
  for (const auto& f : (*drift)["findings"].GetArray()) {
    const std::string by = f["details"]["changed_by"].GetString();
    if (!by.empty()) {
      EXPECT_THAT(dom, HasSubstr(absl::StrCat("<td>", HtmlText(by), "</td>")));
    }
  }
}

}  // namespace
}  // namespace logweave

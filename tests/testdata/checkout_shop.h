// Test helper: the log files of the checkout shop that the API and client fixtures serve
// (support/grpc_shop_server.h, support/client_cli_fixture.h, support/utf8_shop_server.h; the
// analyzer's shop, support/analyzer_shop.h, takes its trace ids and timeout line).
// Trace i is a POST /checkout request at i * 100 ms: gateway -> checkout -> payments, then an
// email job (attempt, queued 300 ms later). Each fixture places its own faults through `vary`.
//
//   auto files = testdata::CheckoutShopFiles({.traces = 200, .vary = [](int i,
//       testdata::CheckoutTrace& t) { if (i == 17) t.payments.clear(); }});
#ifndef LOGWEAVE_TESTS_TESTDATA_CHECKOUT_SHOP_H_
#define LOGWEAVE_TESTS_TESTDATA_CHECKOUT_SHOP_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "testdata/lines.h"

namespace logweave::testdata {

// The id of the shop's trace i: 32 hex digits.
inline std::string ShopTrace(int i) { return absl::StrFormat("%032x", 0xabc000 + i); }

// The plain-text error an email job that timed out prints at `ms`.
inline std::string EmailTimeoutError(int64_t ms) {
  return PlainTime(ms) +
         " ERROR Connection timeout to email provider smtp.example.net:587 after 5000ms";
}

// What trace i of the shop logs, beyond its gateway lines and email attempt. `vary` receives
// the defaults and may change any of them.
struct CheckoutTrace {
  // The trace id (default: ShopTrace(i)).
  std::string id = {};
  // checkout's line (default: python-json-logger order_created, 5 ms after the request).
  std::string checkout = {};
  // payments' lines (default: ECS payment_authorized, 20 ms after the request).
  std::vector<std::string> payments = {};
  // If set: printed 5060 ms after the request instead of email_queued.
  std::string email_timeout = {};
};

struct CheckoutShopOptions {
  int traces = 0;                              // how many POST /checkout requests
  std::string payments_file = "payments.log";  // the file payments writes
  // Places the faults of trace i (called once per trace with the defaults; one that changes
  // the id rebuilds the lines that hold it). Null: no faults.
  std::function<void(int i, CheckoutTrace& trace)> vary = {};
  // More email.log lines (event time in ms, line), merged in time order.
  std::vector<std::pair<int64_t, std::string>> more_email = {};
};

// The shop's files by name; email.log in time order (a service writes in time order).
inline std::map<std::string, std::vector<std::string>> CheckoutShopFiles(
    const CheckoutShopOptions& options) {
  std::map<std::string, std::vector<std::string>> files;
  std::vector<std::pair<int64_t, std::string>> email;  // (time, line), sorted below
  for (int i = 0; i < options.traces; ++i) {
    const int64_t ms = i * 100;
    CheckoutTrace c;
    c.id = ShopTrace(i);
    c.checkout = PythonLine("checkout", c.id, ms + 5, "order_created");
    c.payments = {EcsLine("payments", c.id, ms + 20, "payment_authorized")};
    if (options.vary) options.vary(i, c);
    const std::string& t = c.id;
    files["gateway.log"].push_back(GatewayLine(t, ms, "POST /checkout", "request received"));
    files["checkout.log"].push_back(c.checkout);
    for (std::string& line : c.payments) files[options.payments_file].push_back(line);
    files["gateway.log"].push_back(GatewayLine(t, ms + 40, "POST /checkout", "request completed"));
    email.emplace_back(ms + 60, EmailLine(t, ms + 60, "email_send_attempt"));
    if (!c.email_timeout.empty()) {
      email.emplace_back(ms + 5060, c.email_timeout);
    } else {
      email.emplace_back(ms + 360, EmailLine(t, ms + 360, "email_queued"));
    }
  }
  email.insert(email.end(), options.more_email.begin(), options.more_email.end());
  std::stable_sort(email.begin(), email.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [ms, line] : email) files["email.log"].push_back(std::move(line));
  return files;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_CHECKOUT_SHOP_H_

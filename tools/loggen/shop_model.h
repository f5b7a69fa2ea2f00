// The model of loggen's default data (--shape default): a small web shop
// whose requests ("traces") follow routes through seven services. The types
// the generator (shop_generator.cc) and the line formats (shop_format.cc)
// share; see loggen.cc for the whole picture.
#ifndef LOGWEAVE_TOOLS_LOGGEN_SHOP_MODEL_H_
#define LOGWEAVE_TOOLS_LOGGEN_SHOP_MODEL_H_

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace loggen::shop {

enum Service : uint8_t {
  kGateway,
  kCheckout,
  kFraud,
  kPayments,
  kLedger,
  kInventory,
  kEmail,
  kNumServices,
  kNoService = kNumServices,
};

inline constexpr std::string_view kServiceNames[kNumServices] = {
    "gateway", "checkout", "fraud", "payments", "ledger", "inventory", "email"};

inline bool IsServiceName(std::string_view name) {
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) !=
         std::end(kServiceNames);
}

enum RouteId : uint8_t { kRouteCheckout, kRouteCart, kRouteProduct, kRouteRefund, kRouteHealth };

struct Route {
  std::string_view name;  // as the gateway logs it
  uint32_t weight;        // relative frequency
  Service services[kNumServices];
  int num_services;
};

inline constexpr Route kRoutes[] = {
    {"POST /checkout", 30, {kGateway, kCheckout, kFraud, kPayments, kLedger, kEmail}, 6},
    {"GET /cart", 30, {kGateway, kCheckout, kInventory}, 3},
    {"GET /products/{id}", 12, {kGateway, kInventory}, 2},
    {"POST /refund", 8, {kGateway, kPayments, kLedger, kEmail}, 4},
    {"GET /health", 20, {kGateway}, 1},
};

enum class EventType : uint8_t {
  kGwReceived,            // value: -, aux: client IP bits
  kGwProxy,               // aux: upstream Service
  kGwCompleted,           // value: latency ns, aux: HTTP status
  kCartLoaded,            // value: cart total cents, aux: items
  kCartPriced,            // value: cart total cents, aux: items
  kOrderCreated,          // value: total cents, aux: items
  kOrderConfirmed,        // value: total cents
  kFraudStarted,          // value: total cents
  kFraudScored,           // aux: score in 1/1000
  kPaymentRequested,      // value: cents, aux: payment method
  kPaymentAuthorized,     // value: cents, aux: acquirer latency ms
  kRefundRequested,       // value: cents
  kRefundIssued,          // value: cents, aux: acquirer latency ms
  kLedgerEntryCreated,    // value: cents
  kLedgerBalanceUpdated,  // value: cents
  kLedgerEntryReversed,   // value: cents
  kStockChecked,          // value: units available, aux: sku
  kProductFetched,        // value: 1 found / 0 not found, aux: sku
  kEmailSendAttempt,      // aux: template
  kEmailQueued,           // value: provider latency ns, aux: template
  kEmailError,            // plain text; aux: bit 0 traceback, bit 1 connection refused
  kJavaError,             // plain text; aux: variant
};

inline bool IsPlainText(EventType type) {
  return type == EventType::kEmailError || type == EventType::kJavaError;
}

enum EventFlags : uint8_t {
  kFlagBadTime = 1 << 0,    // write an unparseable time value
  kFlagDuplicate = 1 << 1,  // write the line twice
  kFlagWarn = 1 << 2,       // log at warning level
  kFlagVersioned = 1 << 3,  // write the deployment's version (a canary is running)
  kFlagCanary = 1 << 4,     // ... which is the canary, v2
};

// One line (or one multi-line block) waiting to be written.
struct Event {
  int64_t time_ns;
  uint64_t seq;  // tie-break: generation order
  uint64_t trace_hi;
  uint64_t trace_lo;
  int64_t value;  // see EventType
  uint32_t aux;   // see EventType
  EventType type;
  Service service;
  RouteId route;
  uint8_t flags;
};

inline constexpr std::string_view kEmailTemplates[] = {"order_confirmation", "refund_issued"};
inline constexpr std::string_view kPaymentMethods[] = {"card", "card", "card", "paypal",
                                                       "sepa_debit"};
inline constexpr std::string_view kBadTimes[] = {"yesterday", "2026-02-30T25:61:00Z",
                                                 "0000-00-00 00:00:00"};

inline std::string_view BadTime(const Event& e) { return kBadTimes[e.seq % std::size(kBadTimes)]; }
inline bool Warn(const Event& e) { return e.flags & kFlagWarn; }

}  // namespace loggen::shop

#endif  // LOGWEAVE_TOOLS_LOGGEN_SHOP_MODEL_H_

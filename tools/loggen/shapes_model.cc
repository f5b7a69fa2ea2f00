#include "tools/loggen/shapes_model.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/loggen/common.h"

namespace loggen::shapes {
namespace {

// A pod name as Kubernetes makes it: <deployment>-<replica set hash>-<5 characters>.
std::string PodName(std::string_view service, uint64_t h) {
  static constexpr char kPodChars[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string pod = absl::StrCat(Av(service), "-");
  AppendHex(h & 0xffffffffff, 10, &pod);
  pod.push_back('-');
  for (int i = 0; i < 5; ++i) pod.push_back(kPodChars[(h >> (40 + 4 * i)) % 27]);
  return pod;
}

void AddService(Model* m, std::string name, Convention convention) {
  const uint64_t h = Mix(Fnv1a(name));
  ServiceDef s;
  s.convention = convention;
  s.host = PodName(name, h);
  std::string bare = name;
  std::replace(bare.begin(), bare.end(), '-', '_');
  s.caller = absl::StrCat(bare, "/handler.go");
  if (convention == Convention::kPython) {
    s.logger = absl::StrCat(bare, ".api");
  } else {
    // com.example.<first part>.<PascalCase name>Service: "com.example.billing.BillingStoreService".
    std::string cls;
    bool upper = true;
    for (char c : name) {
      if (c == '-') {
        upper = true;
        continue;
      }
      cls.push_back(upper ? static_cast<char>(c - 'a' + 'A') : c);
      upper = false;
    }
    s.logger = absl::StrCat("com.example.", name.substr(0, name.find('-')), ".", cls, "Service");
  }
  s.pid = 1 + static_cast<int>(h % 32000);
  s.name = std::move(name);
  m->services.push_back(std::move(s));
}

// The web shop that short-lines, short-traces, long-traces and plain-text share.
enum ShopService : uint16_t {
  kGateway,
  kAuth,
  kCatalog,
  kSearch,
  kCart,
  kCheckout,
  kPricing,
  kFraud,
  kPayments,
  kLedger,
  kInventory,
  kShipping,
  kNotifications,
  kRecommendations,
};

void AddShopServices(Model* m) {
  using C = Convention;
  const std::pair<std::string_view, Convention> kShop[] = {
      {"gateway", C::kZap},        {"auth", C::kPino},
      {"catalog", C::kOtel},       {"search", C::kZap},
      {"cart", C::kPython},        {"checkout", C::kEcs},
      {"pricing", C::kZap},        {"fraud", C::kPython},
      {"payments", C::kEcs},       {"ledger", C::kPino},
      {"inventory", C::kOtel},     {"shipping", C::kEcs},
      {"notifications", C::kPino}, {"recommendations", C::kPython},
  };
  for (const auto& [name, convention] : kShop) AddService(m, std::string(name), convention);
}

const Step kReceived = S(kGateway, "request received", Attr::kRequest);
const Step kCompleted = S(kGateway, "request completed", Attr::kResponse);
const Step kToken = S(kAuth, "token validated", Attr::kUser);

// Routes of 4 to 16 events (8 on average) over 2 to 10 services: short-lines and plain-text.
void AddShopRoutes(Model* m) {
  m->routes.push_back(Flat(
      "POST /checkout", 25,
      {kReceived, kToken, S(kCart, "cart loaded", Attr::kCart),
       S(kPricing, "cart priced", Attr::kAmount), S(kCheckout, "order created", Attr::kOrder),
       S(kFraud, "fraud check started", Attr::kAmount),
       S(kFraud, "fraud check completed", Attr::kScore),
       S(kPayments, "charge requested", Attr::kAmount),
       S(kPayments, "charge authorized", Attr::kAmount),
       S(kLedger, "ledger entry created", Attr::kAmount),
       S(kLedger, "balance updated", Attr::kAmount), S(kInventory, "stock reserved", Attr::kSku),
       S(kCheckout, "order confirmed", Attr::kOrder), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)}));
  m->routes.push_back(Looped("GET /cart", 25,
                             {kReceived, kToken, S(kCart, "cart loaded", Attr::kCart)},
                             {S(kInventory, "availability checked", Attr::kSku)},
                             {S(kPricing, "cart priced", Attr::kAmount), kCompleted}, 1, 3));
  m->routes.push_back(
      Flat("GET /products/{id}", 20,
           {kReceived, S(kCatalog, "product fetched", Attr::kSku),
            S(kInventory, "stock checked", Attr::kSku),
            S(kRecommendations, "related products ranked", Attr::kRows), kCompleted}));
  m->routes.push_back(Flat("GET /search", 15,
                           {kReceived, S(kSearch, "query parsed", Attr::kQuery),
                            S(kSearch, "query executed", Attr::kQuery),
                            S(kCatalog, "products fetched", Attr::kRows), kCompleted}));
  m->routes.push_back(Flat("POST /refund", 5,
                           {kReceived, kToken, S(kPayments, "refund requested", Attr::kAmount),
                            S(kPayments, "refund issued", Attr::kAmount),
                            S(kLedger, "ledger entry reversed", Attr::kAmount), kCompleted,
                            Async(kNotifications, "email queued", Attr::kEmail),
                            Async(kNotifications, "email sent", Attr::kEmail)}));
  m->routes.push_back(Flat("POST /login", 10,
                           {kReceived, S(kAuth, "credentials verified", Attr::kUser),
                            S(kAuth, "session created", Attr::kUser), kCompleted}));
}

// Routes of 3 to 5 events over 2 to 4 services.
void AddShortRoutes(Model* m) {
  m->routes.push_back(Flat("GET /products/{id}", 25,
                           {kReceived, S(kCatalog, "product fetched", Attr::kSku),
                            S(kInventory, "stock checked", Attr::kSku), kCompleted}));
  m->routes.push_back(
      Flat("GET /search", 20, {kReceived, S(kSearch, "query executed", Attr::kQuery), kCompleted}));
  m->routes.push_back(Flat("POST /cart/items", 20,
                           {kReceived, S(kCart, "item added", Attr::kCart),
                            S(kPricing, "cart priced", Attr::kAmount), kCompleted}));
  m->routes.push_back(Flat("POST /login", 15,
                           {kReceived, S(kAuth, "credentials verified", Attr::kUser),
                            S(kAuth, "session created", Attr::kUser), kCompleted}));
  m->routes.push_back(Flat(
      "GET /cart", 10,
      {kReceived, S(kCart, "cart loaded", Attr::kCart), S(kPricing, "cart priced", Attr::kAmount),
       S(kInventory, "availability checked", Attr::kSku), kCompleted}));
  m->routes.push_back(Flat("POST /payments/authorize", 10,
                           {kReceived, S(kPayments, "charge requested", Attr::kAmount),
                            S(kFraud, "fraud check completed", Attr::kScore),
                            S(kPayments, "charge authorized", Attr::kAmount), kCompleted}));
}

// Routes of 50 to 80 events: bulk orders, catalog imports, reports, warehouse waves.
void AddLongRoutes(Model* m) {
  // loop_min..loop_max keep head + loop x k + tail within [50, 80].
  auto bounded = [](Route r) {
    const uint32_t fixed = static_cast<uint32_t>(r.head.size() + r.tail.size());
    const uint32_t per = static_cast<uint32_t>(r.loop.size());
    r.loop_min = (50 - fixed + per - 1) / per;
    r.loop_max = (80 - fixed) / per;
    return r;
  };
  m->routes.push_back(bounded(Looped(
      "POST /orders/bulk", 40,
      {kReceived, kToken, S(kCheckout, "bulk order received", Attr::kOrder),
       S(kCart, "cart loaded", Attr::kCart)},
      {S(kCatalog, "product fetched", Attr::kSku), S(kInventory, "stock reserved", Attr::kSku),
       S(kPricing, "line priced", Attr::kAmount)},
      {S(kFraud, "fraud check completed", Attr::kScore),
       S(kPayments, "charge requested", Attr::kAmount),
       S(kPayments, "charge authorized", Attr::kAmount),
       S(kLedger, "ledger entry created", Attr::kAmount),
       S(kCheckout, "order confirmed", Attr::kOrder), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)})));
  m->routes.push_back(bounded(Looped(
      "POST /catalog/import", 30, {kReceived, kToken, S(kCatalog, "import started", Attr::kJob)},
      {S(kCatalog, "product upserted", Attr::kSku), S(kSearch, "document indexed", Attr::kSku),
       S(kInventory, "stock level set", Attr::kSku),
       S(kRecommendations, "embedding updated", Attr::kSku)},
      {S(kCatalog, "import completed", Attr::kJob), S(kSearch, "index refreshed", Attr::kRows),
       kCompleted, Async(kNotifications, "webhook delivered", Attr::kJob)})));
  m->routes.push_back(bounded(Looped("GET /reports/settlements", 15,
                                     {kReceived, kToken, S(kLedger, "report started", Attr::kJob)},
                                     {S(kLedger, "ledger page scanned", Attr::kRows),
                                      S(kPayments, "settlements fetched", Attr::kRows)},
                                     {S(kLedger, "report rendered", Attr::kRows), kCompleted})));
  m->routes.push_back(bounded(Looped(
      "POST /fulfillment/waves", 15, {kReceived, kToken, S(kShipping, "wave started", Attr::kJob)},
      {S(kInventory, "item picked", Attr::kSku), S(kShipping, "parcel packed", Attr::kSku),
       S(kShipping, "label created", Attr::kParcel)},
      {S(kShipping, "wave closed", Attr::kJob), kCompleted,
       Async(kNotifications, "email queued", Attr::kEmail),
       Async(kNotifications, "email sent", Attr::kEmail)})));
}

// 200 services: 20 business domains x 10 roles ("billing-api", "billing-store", ...). Each
// domain's api is the entry of two routes (GET and POST); the other 180 services are dealt
// out over the 40 routes, so every service logs. The topology does not depend on --seed.
void AddManyServices(Model* m) {
  static constexpr std::string_view kDomains[] = {
      "account",      "billing",  "catalog",   "cart",    "checkout", "coupon",  "delivery",
      "fraud",        "identity", "inventory", "invoice", "ledger",   "loyalty", "media",
      "notification", "order",    "payment",   "pricing", "review",   "search"};
  struct Role {
    std::string_view name;
    std::string_view first, second;  // event names; second empty = one event
    Attr attr;
    bool async;
  };
  static constexpr Role kRoles[] = {
      {"api", "request received", "request completed", Attr::kRequest, false},
      {"store", "record loaded", "record saved", Attr::kRows, false},
      {"cache", "cache lookup", "", Attr::kRows, false},
      {"rules", "rules evaluated", "", Attr::kScore, false},
      {"index", "index queried", "", Attr::kQuery, false},
      {"sync", "sync started", "sync completed", Attr::kJob, false},
      {"audit", "audit entry written", "", Attr::kUser, false},
      {"export", "export written", "", Attr::kRows, false},
      {"events", "event published", "", Attr::kJob, true},
      {"worker", "job started", "job finished", Attr::kJob, true},
  };
  constexpr int kRoleCount = static_cast<int>(std::size(kRoles));
  static constexpr Convention kEntryConventions[] = {Convention::kZap, Convention::kPino,
                                                     Convention::kPython, Convention::kEcs};
  for (size_t d = 0; d < std::size(kDomains); ++d) {
    for (int r = 0; r < kRoleCount; ++r) {
      std::string name = absl::StrCat(Av(kDomains[d]), "-", Av(kRoles[r].name));
      const Convention convention =
          r == 0 ? kEntryConventions[d % 4]
                 : static_cast<Convention>(Mix(d * kRoleCount + r + 0x5eed) % 5);
      AddService(m, std::move(name), convention);
    }
  }
  // Deal the non-api services over the routes in a fixed shuffled order.
  std::vector<uint16_t> others;
  for (size_t i = 0; i < m->services.size(); ++i) {
    if (i % kRoleCount != 0) others.push_back(static_cast<uint16_t>(i));
  }
  Rng topology(0x6d616e79);  // fixed: the same services for every --seed
  for (size_t i = others.size(); i > 1; --i) std::swap(others[i - 1], others[topology.Below(i)]);
  const size_t num_routes = 2 * std::size(kDomains);
  std::vector<std::vector<uint16_t>> dealt(num_routes);
  for (size_t i = 0; i < others.size(); ++i) dealt[i % num_routes].push_back(others[i]);
  auto name_of = [m](std::string_view domain, std::string_view event) {
    m->names.push_back(absl::StrCat(Av(domain), " ", Av(event)));
    return std::string_view(m->names.back());
  };
  for (size_t r = 0; r < num_routes; ++r) {
    const size_t d = r / 2;
    const uint16_t entry = static_cast<uint16_t>(d * kRoleCount);
    Route route;
    route.name = absl::StrCat(r % 2 == 0 ? "GET /v1/" : "POST /v1/", Av(kDomains[d]),
                              r % 2 == 0 ? "/{id}" : "");
    route.weight = 1 + static_cast<uint32_t>(topology.Below(12));
    route.head.push_back(S(entry, "request received", Attr::kRequest));
    std::vector<Step> async;
    for (uint16_t s : dealt[r]) {
      const Role& role = kRoles[s % kRoleCount];
      const std::string_view domain = kDomains[s / kRoleCount];
      auto& into = role.async ? async : route.head;
      Step step = role.async ? Async(s, name_of(domain, role.first), role.attr)
                             : S(s, name_of(domain, role.first), role.attr);
      into.push_back(step);
      if (!role.second.empty()) {
        step.message = name_of(domain, role.second);
        into.push_back(step);
      }
    }
    route.head.push_back(S(entry, "request completed", Attr::kResponse));
    route.head.insert(route.head.end(), async.begin(), async.end());
    m->routes.push_back(std::move(route));
  }
}

}  // namespace

bool BuildModel(std::string_view shape, Model* m) {
  if (shape == "many-services") {
    AddManyServices(m);
  } else {
    AddShopServices(m);
    if (shape == "short-lines") {
      AddShopRoutes(m);
      m->short_lines = true;
    } else if (shape == "short-traces") {
      AddShortRoutes(m);
    } else if (shape == "long-traces") {
      AddLongRoutes(m);
    } else if (shape == "plain-text") {
      AddShopRoutes(m);
      // About 30% of all lines plain text: blocks average ~5.3 lines in this model.
      m->plain_block_rate = 0.118;
    } else {
      return false;
    }
  }
  m->Finalize();
  return true;
}

}  // namespace loggen::shapes

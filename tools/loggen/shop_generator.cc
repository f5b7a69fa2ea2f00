#include "tools/loggen/shop_generator.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/loggen/shop_format.h"

namespace loggen::shop {
namespace {

// The JSON line of each service's convention, by Service (shop_format.h).
constexpr void (*kJsonLineFormats[kNumServices])(const Event&, std::string*) = {
    FormatGateway, FormatCheckout,  FormatFraud, FormatPayments,
    FormatLedger,  FormatInventory, FormatEmail};

}  // namespace

absl::Status Generator::Open() {
  std::vector<std::string> logs;
  if (options_.single_file) {
    logs.push_back("all.log");
  } else {
    for (std::string_view name : kServiceNames) logs.push_back(std::string(name) + ".log");
  }
  std::vector<std::string> extra;
  billing_file_ = logs.size();
  if (options_.cost_days > 0) extra.push_back("billing.ndjson");
  return output_.Open(logs, extra, kFlushBytes);
}

void Generator::WriteBilling() {
  if (options_.cost_days == 0) return;
  // Each service's usual daily cost in USD, with +-4% of daily noise before the last day.
  constexpr double kDailyUsd[kNumServices] = {420, 260, 310, 180, 150, 220, 90};
  Rng r(StreamSeed(options_.seed, ~uint64_t{0}, 4));
  const int64_t last_day = FloorDiv(options_.start_ns, kNsPerDay);
  for (int64_t day = last_day - options_.cost_days + 1; day <= last_day; ++day) {
    for (int s = 0; s < kNumServices; ++s) {
      // The last day at exactly the usual cost: only --cost-spike makes it stand out.
      const double noise = 0.96 + 0.08 * r.Unit();
      double total = kDailyUsd[s] * (day == last_day ? 1.0 : noise);
      const bool spike = day == last_day && options_.cost_spike == kServiceNames[s];
      if (spike) total *= options_.cost_spike_factor;
      for (int part = 0; part < 4; ++part) {
        Sink& billing = output_.file(billing_file_);
        std::string& out = billing.buf;
        const size_t start = out.size();
        out.append(R"({"timestamp":")");
        AppendCivil(day * kNsPerDay + part * 3 * 3600 * kSec, 'T', 0, '.', &out);
        out.append(R"(Z","service":")");
        out.append(kServiceNames[s]);
        out.append(R"(","event":"cost_allocation","sku":")");
        out.append(part % 2 == 0 ? "compute" : "storage");
        out.append(R"(","cost":)");
        out.append(absl::StrFormat("%.2f", total / 4));
        out.append(R"(,"currency":"USD"})");
        out.push_back('\n');
        output_.Appended(billing, start, 1);
      }
      if (spike) {
        std::string date;
        AppendCivil(day * kNsPerDay, 'T', 0, '.', &date);
        std::string* truth = output_.TruthStart("cost_anomaly");
        truth->append(R"(,"service":")");
        truth->append(kServiceNames[s]);
        truth->append(absl::StrCat(R"(","day":")", date.substr(0, 10), "\""));
        output_.TruthEnd();
      }
    }
  }
}

absl::Status Generator::Run() {
  WriteBilling();
  RunArrivals(
      {options_.seed, options_.rate, options_.start_ns, options_.traces, options_.bytes, 250.0},
      output_, pending_, [this](uint64_t index, int64_t t) { GenerateTrace(index, t); },
      [this](const Event& e) { Emit(e); });
  return output_.Close();
}

void Generator::Push(TraceContext& trace, Service service, EventType type, int64_t time_ns,
                     int64_t value, uint32_t aux, bool warn) {
  // Per-line fault dice are always drawn, so a fault never shifts the random streams.
  const double dup = trace.faults.Unit();
  const double bad_time = trace.faults.Unit();
  if (service == trace.silent) return;
  Event e;
  e.time_ns = time_ns;
  e.seq = next_seq_++;
  e.trace_hi = trace.hi;
  e.trace_lo = trace.lo;
  e.value = value;
  e.aux = aux;
  e.type = type;
  e.service = service;
  e.route = trace.route;
  e.flags = warn ? kFlagWarn : 0;
  if (type == EventType::kGwCompleted) e.flags |= trace.version_flags;
  if (options_.faults && !IsPlainText(type)) {
    if (bad_time < options_.bad_time_rate) {
      e.flags |= kFlagBadTime;
    } else if (dup < options_.duplicate_rate) {
      e.flags |= kFlagDuplicate;
    }
  }
  pending_.Push(e);
}

void Generator::SendEmail(TraceContext& trace, int64_t t, uint32_t email_template, bool fail) {
  Rng& r = trace.rng;
  // The email worker picks the job from a queue some time after the request finished.
  t += r.Latency(15 * kMs, 2500 * kMs);
  Push(trace, kEmail, EventType::kEmailSendAttempt, t, 0, email_template);
  const int64_t smtp = r.Latency(80 * kMs, 1200 * kMs);
  const uint32_t variant = static_cast<uint32_t>(trace.faults.Next() & 3);
  const bool refused = variant & 2;
  const int64_t fail_after =
      refused ? r.Latency(1 * kMs, 30 * kMs) : 5000 * kMs + r.Latency(100 * kUs, 3 * kMs);
  if (!fail) {
    Push(trace, kEmail, EventType::kEmailQueued, t + smtp, smtp, email_template);
    return;
  }
  Push(trace, kEmail, EventType::kEmailError, t + fail_after, 0, variant);
  TruthStart("incomplete_sequence", trace.hi, trace.lo, kEmail)
      ->append(R"(,"event":"email_send_attempt","missing":"email_queued")");
  output_.TruthEnd();
}

void Generator::GenerateTrace(uint64_t index, int64_t t0) {
  TraceContext trace{Rng(StreamSeed(options_.seed, index, 1)),
                     Rng(StreamSeed(options_.seed, index, 2))};
  Rng& r = trace.rng;
  trace.hi = r.Next();
  trace.lo = r.Next();
  if (trace.hi == 0 && trace.lo == 0) trace.lo = 1;  // all-zero is invalid in W3C
  if (options_.canary_share > 0) {
    // Its own stream, so that a canary leaves every other byte unchanged.
    Rng canary(StreamSeed(options_.seed, index, 3));
    const bool v2 = canary.Unit() < options_.canary_share;
    trace.version_flags = kFlagVersioned | (v2 ? kFlagCanary : 0);
    trace.canary_fails = v2 && t0 - options_.start_ns >= options_.canary_fail_after_s * 1e9 &&
                         canary.Unit() < options_.canary_error_rate;
  }
  uint32_t total_weight = 0;
  for (const Route& route : kRoutes) total_weight += route.weight;
  uint32_t pick = r.Below(total_weight);
  for (int i = 0;; ++i) {
    if (pick < kRoutes[i].weight) {
      trace.route = static_cast<RouteId>(i);
      break;
    }
    pick -= kRoutes[i].weight;
  }
  const Route& route = kRoutes[trace.route];
  ++traces_;

  // Trace-level fault dice, always drawn in the same order.
  const double missing_die = trace.faults.Unit();
  const uint32_t missing_pick = static_cast<uint32_t>(trace.faults.Next() >> 32);
  const double email_die = trace.faults.Unit();
  const double java_die = trace.faults.Unit();
  const uint32_t java_variant = static_cast<uint32_t>(trace.faults.Next() & 1);
  bool has_email = false, has_payments = false;
  for (int i = 0; i < route.num_services; ++i) {
    has_email |= route.services[i] == kEmail;
    has_payments |= route.services[i] == kPayments;
  }
  if (options_.faults && route.num_services >= 2 && missing_die < options_.missing_service_rate) {
    // Any service but the gateway, which is where the route is known from.
    trace.silent = route.services[1 + missing_pick % (route.num_services - 1)];
    std::string* truth = TruthStart("missing_service", trace.hi, trace.lo, trace.silent);
    truth->append(R"(,"route":)");
    AppendJsonString(route.name, truth);
    output_.TruthEnd();
  }
  const bool email_fault = options_.faults && has_email && trace.silent != kEmail &&
                           email_die < options_.email_error_rate;
  const bool java_fault = options_.faults && has_payments && trace.silent != kPayments &&
                          java_die < options_.java_error_rate;

  auto hop = [&r] { return r.Latency(150 * kUs, 1800 * kUs); };
  int64_t t = t0;
  const uint32_t ip = static_cast<uint32_t>(r.Next() >> 40);
  Push(trace, kGateway, EventType::kGwReceived, t, 0, ip);
  if (trace.route == kRouteHealth) {
    t += r.Latency(40 * kUs, 600 * kUs);
    Push(trace, kGateway, EventType::kGwCompleted, t, t - t0, trace.canary_fails ? 503 : 200);
    return;
  }
  const Service upstream = route.services[1];
  t += r.Latency(30 * kUs, 400 * kUs);
  Push(trace, kGateway, EventType::kGwProxy, t, 0, upstream);

  const uint32_t items = 1 + r.Below(6);
  int64_t cents = 0;
  for (uint32_t i = 0; i < items; ++i) cents += 299 + 100 * r.Below(90);
  uint32_t status = 200;
  int64_t email_from = -1;  // when set, the async email job starts from this time
  uint32_t email_template = 0;

  // Payment authorization (checkout) or refund (refund route), with the Java error fault.
  auto acquirer = [&](EventType requested, EventType done) {
    t += hop();
    Push(trace, kPayments, requested, t, cents, r.Below(5));
    // Drawn even without the fault, so the fault does not change the rest of the trace.
    const int64_t fail_after =
        java_variant ? r.Latency(20 * kMs, 400 * kMs) : 3000 * kMs + r.Latency(0, 5 * kMs);
    const int64_t backoff = r.Latency(50 * kMs, 300 * kMs);
    if (java_fault) {
      t += fail_after;
      Push(trace, kPayments, EventType::kJavaError, t, 0, java_variant);
      t += backoff;  // before the retry
    }
    const int64_t acq = r.Latency(35 * kMs, 1800 * kMs);
    t += acq;
    Push(trace, kPayments, done, t, cents, static_cast<uint32_t>(acq / kMs), acq > 1000 * kMs);
  };

  switch (trace.route) {
    case kRouteCheckout: {
      t += hop() + r.Latency(1 * kMs, 9 * kMs);
      Push(trace, kCheckout, EventType::kCartLoaded, t, cents, items);
      t += r.Latency(2 * kMs, 16 * kMs);
      Push(trace, kCheckout, EventType::kOrderCreated, t, cents, items);
      t += hop();
      Push(trace, kFraud, EventType::kFraudStarted, t, cents);
      t += r.Latency(3 * kMs, 45 * kMs);
      const double u = r.Unit();
      const uint32_t score = 10 + static_cast<uint32_t>(u * u * u * u * 980);
      Push(trace, kFraud, EventType::kFraudScored, t, 0, score, score >= 700);
      acquirer(EventType::kPaymentRequested, EventType::kPaymentAuthorized);
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kLedger, EventType::kLedgerEntryCreated, t, cents);
      t += r.Latency(500 * kUs, 6 * kMs);
      Push(trace, kLedger, EventType::kLedgerBalanceUpdated, t, cents);
      t += 2 * hop() + r.Latency(1 * kMs, 5 * kMs);
      Push(trace, kCheckout, EventType::kOrderConfirmed, t, cents);
      email_from = t;
      email_template = 0;
      status = 201;
      break;
    }
    case kRouteCart: {
      t += hop() + r.Latency(1 * kMs, 9 * kMs);
      Push(trace, kCheckout, EventType::kCartLoaded, t, cents, items);
      const uint32_t checks = items < 3 ? items : 3;
      for (uint32_t i = 0; i < checks; ++i) {
        t += hop() + r.Latency(300 * kUs, 5 * kMs);
        const int64_t available = r.Below(400);
        Push(trace, kInventory, EventType::kStockChecked, t, available, 10000 + r.Below(90000),
             available < 5);
      }
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kCheckout, EventType::kCartPriced, t, cents, items, r.Chance(0.04));
      break;
    }
    case kRouteProduct: {
      const uint32_t sku = 10000 + r.Below(90000);
      const bool found = !r.Chance(0.03);
      t += hop() + r.Latency(500 * kUs, 8 * kMs);
      Push(trace, kInventory, EventType::kProductFetched, t, found, sku, !found);
      if (found) {
        t += r.Latency(200 * kUs, 3 * kMs);
        const int64_t available = r.Below(400);
        Push(trace, kInventory, EventType::kStockChecked, t, available, sku, available < 5);
      } else {
        status = 404;
      }
      break;
    }
    case kRouteRefund: {
      acquirer(EventType::kRefundRequested, EventType::kRefundIssued);
      t += hop() + r.Latency(500 * kUs, 4 * kMs);
      Push(trace, kLedger, EventType::kLedgerEntryReversed, t, cents);
      email_from = t;
      email_template = 1;
      break;
    }
    case kRouteHealth:
      break;
  }
  t += hop();
  if (trace.canary_fails) status = 503;
  Push(trace, kGateway, EventType::kGwCompleted, t, t - t0, status, t - t0 > 1000 * kMs);
  if (email_from >= 0) SendEmail(trace, email_from, email_template, email_fault);
}

std::string* Generator::TruthStart(std::string_view kind, uint64_t hi, uint64_t lo,
                                   Service service) {
  std::string id;
  AppendTraceId(hi, lo, &id);
  return output_.TruthStart(kind, id, kServiceNames[service]);
}

void Generator::Emit(const Event& e) {
  Sink& sink = SinkFor(e.service);
  std::string& out = sink.buf;
  const size_t start = out.size();
  const uint64_t first_line = sink.lines + 1;
  int lines = 1;
  if (e.type == EventType::kJavaError) {
    lines = FormatJavaError(e, &out);
  } else if (e.type == EventType::kEmailError) {
    lines = FormatEmailError(e, &out);
  } else {
    kJsonLineFormats[e.service](e, &out);
  }
  auto line_truth = [&](std::string_view kind, uint64_t line) {
    std::string* t = TruthStart(kind, e.trace_hi, e.trace_lo, e.service);
    t->append(R"(,"line":)");
    AppendInt(static_cast<int64_t>(line), t);
    t->append(R"(,"file":")");
    t->append(sink.name);
    t->push_back('"');
    return t;
  };
  if (IsPlainText(e.type)) {
    std::string* t = line_truth("orphan_error", first_line);
    t->append(R"(,"lines":)");
    AppendInt(lines, t);
    output_.TruthEnd();
  } else if (e.flags & kFlagBadTime) {
    std::string* t = line_truth("bad_time", first_line);
    t->append(R"(,"value":)");
    AppendJsonString(BadTime(e), t);
    output_.TruthEnd();
  } else if (e.flags & kFlagDuplicate) {
    scratch_.assign(out, start, out.size() - start);
    out.append(scratch_);
    ++lines;
    line_truth("duplicate", first_line + 1);
    output_.TruthEnd();
  }
  output_.Appended(sink, start, lines);
}

std::string Generator::Summary(double seconds) const {
  return absl::StrFormat(
      "loggen: %d files, %d lines, %.1f MiB (%d bytes), %d traces, %d faults, %.2f s "
      "(%.0f MB/s) in %s",
      output_.num_files(), output_.lines(), output_.bytes() / 1048576.0, output_.bytes(), traces_,
      output_.faults(), seconds, seconds > 0 ? output_.bytes() / 1e6 / seconds : 0.0,
      options_.out_dir);
}

}  // namespace loggen::shop

#include "connectors/grpc/query_service.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "connectors/grpc/actions_convert.h"
#include "connectors/grpc/page_token.h"
#include "connectors/grpc/peers/fan_out.h"
#include "connectors/grpc/peers/findings_relay.h"
#include "connectors/grpc/peers/merge.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"

namespace logweave {
namespace {

grpc::Status InvalidRequest(const std::string& message) {
  return ToGrpcStatus(absl::InvalidArgumentError(message));
}

// The page size a listing call answers with: its page_size, the default for 0, clamped.
uint32_t PageSize(uint32_t asked) {
  return asked == 0 ? QueryService::kDefaultPageSize : std::min(asked, QueryService::kMaxPageSize);
}

// Asks the peers the listing call `request` (`call` starts one peer's) and
// merges their pages into `response`, which holds this instance's page
// (`merge`: MergeSearchPages, MergeUnstructuredPages); marks it partial as needed.
template <typename Request, typename Response, typename Call, typename Merge>
void MergePeerPages(PeerSet& peers, const grpc::ServerContext& context, const Request& request,
                    Response* response, Call call, Merge merge) {
  PeerAnswers<Response> answers = FanOutAndWait<Response>(peers, CallerOf(context), request, call);
  std::vector<Response> pages = {std::move(*response)};
  for (auto& a : answers.answered) pages.push_back(std::move(a.response));
  *response = merge(std::move(pages), PageSize(request.page_size()));
  MarkPartial(answers.unreachable, response);
}

// What every listing request has: a time range, a page size and a page token.
struct Paging {
  int64_t start = 0;
  int64_t end = INT64_MAX;
  uint32_t page_size = QueryService::kDefaultPageSize;
  bool paged = false;
  Cursor cursor;
};

// Reads the paging fields of a listing request (SearchTracesRequest,
// ListUnstructuredRequest): start_unix_nano, end_unix_nano, page_size and
// page_token. INVALID_ARGUMENT for an inverted range or a foreign token.
template <typename Request>
grpc::Status ParsePaging(const Request& request, Paging* out) {
  const int64_t start = request.start_unix_nano();
  const int64_t end = request.end_unix_nano();
  const uint32_t page_size = request.page_size();
  const std::string& page_token = request.page_token();
  if (start != 0 && end != 0 && start > end) {
    return InvalidRequest(absl::StrCat("the time range is inverted: start ", start, " > end ", end,
                                       "; give start <= end"));
  }
  out->start = start;
  out->end = end == 0 ? INT64_MAX : end;
  out->page_size = PageSize(page_size);
  out->paged = !page_token.empty();
  if (out->paged && !DecodeCursor(page_token, &out->cursor)) {
    return InvalidRequest("page_token is not one this server issued; start again without it");
  }
  return grpc::Status::OK;
}

}  // namespace

QueryService::QueryService(Runtime* runtime) : runtime_(runtime), started_(absl::Now()) {}

void QueryService::Close() { closed_.store(true, std::memory_order_release); }

void QueryService::set_stats_extender(std::function<void(v1::Stats*)> extender) {
  absl::MutexLock lock(&mu_);
  stats_extender_ = std::move(extender);
}

void QueryService::set_actions(const actions::ActionDispatcher* actions) {
  absl::MutexLock lock(&mu_);
  actions_ = actions;
}

grpc::Status QueryService::Authorize(const grpc::ServerContextBase& context,
                                     TokenScope needed) const {
  if (tokens_ == nullptr) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  const absl::string_view value = it == metadata.end()
                                      ? absl::string_view()
                                      : absl::string_view(it->second.data(), it->second.size());
  return ToGrpcStatus(tokens_->Check(value, needed));
}

uint64_t QueryService::stream_findings_dropped() const {
  absl::MutexLock lock(&mu_);
  return stream_findings_dropped_;
}

void QueryService::set_ready(bool ready) {
  absl::MutexLock lock(&mu_);
  ready_ = ready;
}

grpc::ServerUnaryReactor* QueryService::GetTimeline(grpc::CallbackServerContext* context,
                                                    const v1::GetTimelineRequest* request,
                                                    v1::GetTimelineResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status allowed = Authorize(*context, TokenScope::kRead);
  if (!allowed.ok() || LocalOnly(context)) {
    reactor->Finish(allowed.ok() ? AnswerTimeline(*request, response) : allowed);
    return reactor;
  }
  grpc::Status local = AnswerTimeline(*request, response);
  if (!local.ok() && local.error_code() != grpc::StatusCode::NOT_FOUND) {
    reactor->Finish(local);
    return reactor;
  }
  // Answered on a gRPC thread when the peers have answered (or the deadline passed).
  FanOut<v1::GetTimelineResponse>(
      *peers_, CallerOf(*context), *request,
      [](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const v1::GetTimelineRequest* req,
         v1::GetTimelineResponse* resp, std::function<void(grpc::Status)> done) {
        stub->async()->GetTimeline(c, req, resp, done);
      },
      [reactor, response, local](PeerAnswers<v1::GetTimelineResponse> answers) {
        std::vector<v1::GetTimelineResponse> parts;
        if (local.ok()) parts.push_back(std::move(*response));
        for (auto& a : answers.answered) {
          if (a.found) parts.push_back(std::move(a.response));
        }
        if (parts.empty()) {
          reactor->Finish(
              answers.unreachable.empty()
                  ? local
                  : grpc::Status(local.error_code(),
                                 absl::StrCat(local.error_message(), " (partial answer: peers ",
                                              absl::StrJoin(answers.unreachable, ", "),
                                              " did not answer)")));
          return;
        }
        *response = MergeTimelines(std::move(parts));
        MarkPartial(answers.unreachable, response);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

bool QueryService::LocalOnly(grpc::ServerContextBase* context) const {
  if (peers_ == nullptr) return true;
  if (!IsPeerCall(*context)) return false;
  context->AddInitialMetadata(kInstanceHeader, peers_->instance_id());
  return true;
}

grpc::Status QueryService::AnswerTimeline(const v1::GetTimelineRequest& req,
                                          v1::GetTimelineResponse* response) {
  const v1::GetTimelineRequest* request = &req;
  if (request->trace_id().size() > kMaxTraceIdBytes) {
    return InvalidRequest(absl::StrCat("the trace id is ", request->trace_id().size(),
                                       " bytes; at most ", kMaxTraceIdBytes, " are accepted"));
  }
  if (request->trace_id().empty()) {
    return InvalidRequest("trace_id is empty; give the id of a trace (see SearchTraces)");
  }
  // The id as stored: a client only ever saw an id that is not valid UTF-8 in
  // its repaired form, and asks with that.
  std::string trace_id = request->trace_id();
  const TimelineOptions options{.with_raw = request->include_raw()};
  absl::StatusOr<Timeline> t = pipeline().index().GetTimeline(trace_id, options);
  if (!t.ok() && t.status().code() == absl::StatusCode::kNotFound &&
      trace_id.find(kReplacementCharacter) != std::string::npos) {
    // Rare (an id with U+FFFD that is not stored as such): a scan of every
    // trace, stopped at the first whose repaired id is the one asked for.
    std::string stored;
    pipeline().index().ScanTraces(TraceFilter{}, [&](const TraceSummaryView& v) {
      if (v.trace_id == trace_id || !ReadsAs(v.trace_id, trace_id)) return true;
      stored = std::string(v.trace_id);
      return false;
    });
    if (!stored.empty()) {
      trace_id = std::move(stored);
      t = pipeline().index().GetTimeline(trace_id, options);
    }
  }
  if (!t.ok()) return ToGrpcStatus(t.status());
  ToProto(*t, request->include_raw(), response, &text_);
  auto snap = snapshot();
  if (auto it = snap->findings_by_trace.find(trace_id); it != snap->findings_by_trace.end()) {
    for (size_t i : it->second) {
      ToProto(snap->report.findings[i], response->add_findings(), &text_);
    }
  }
  if (auto it = snap->unstructured_by_trace.find(trace_id);
      it != snap->unstructured_by_trace.end()) {
    for (size_t i : it->second) {
      ToProto(snap->report.unstructured[i], response->add_unstructured(), &text_);
    }
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::SearchTraces(grpc::ServerContext* context,
                                        const v1::SearchTracesRequest* request,
                                        v1::SearchTracesResponse* response) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  if (LocalOnly(context)) return SearchLocal(context, request, response);
  if (grpc::Status s = SearchLocal(context, request, response); !s.ok()) return s;
  MergePeerPages(
      *peers_, *context, *request, response,
      [](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const v1::SearchTracesRequest* req,
         v1::SearchTracesResponse* resp, std::function<void(grpc::Status)> done) {
        stub->async()->SearchTraces(c, req, resp, done);
      },
      MergeSearchPages);
  return grpc::Status::OK;
}

grpc::Status QueryService::SearchLocal(grpc::ServerContext* context,
                                       const v1::SearchTracesRequest* request,
                                       v1::SearchTracesResponse* response) {
  for (const auto& [name, value] :
       {std::pair{"text", &request->text()}, std::pair{"service", &request->service()},
        std::pair{"finding_kind", &request->finding_kind()}}) {
    if (value->size() > kMaxSearchTextBytes) {
      return InvalidRequest(absl::StrCat("the search ", name, " is ", value->size(),
                                         " bytes; at most ", kMaxSearchTextBytes, " are accepted"));
    }
  }
  Paging paging;
  if (grpc::Status s = ParsePaging(*request, &paging); !s.ok()) return s;
  // Named references, not a structured binding: clang 14 (the asan preset)
  // cannot capture bindings in lambdas.
  const int64_t start = paging.start, end = paging.end;
  const uint32_t page_size = paging.page_size;
  const bool paged = paging.paged;
  const Cursor& cursor = paging.cursor;
  auto snap = snapshot();
  TraceFilter filter;
  filter.service = request->service();
  filter.min_level = FromProto(request->min_level());
  filter.start_ns = start;
  filter.end_ns = end;
  filter.text = request->text();

  // The best page_size + 1 hits so far (one more tells whether a next page
  // exists), as a min-heap on (end time, id): newest first wins.
  struct Hit {
    int64_t end_ns;
    std::string trace_id;
    int64_t start_ns;
    uint32_t events;
    Level max_level;
    std::string route;
  };
  auto newer = [](const Hit& a, const Hit& b) {
    return a.end_ns != b.end_ns ? a.end_ns > b.end_ns : a.trace_id > b.trace_id;
  };
  std::vector<Hit> heap;
  const size_t keep = static_cast<size_t>(page_size) + 1;
  uint64_t matched = 0;
  uint64_t visited = 0;
  bool cancelled = false;
  const absl::Time give_up = absl::Now() + max_call_time_;
  // IsCancelled polls the call on the sync server (~17 us): ask now and then.
  auto stop = [&] {
    return cancelled || (cancelled = context->IsCancelled() || absl::Now() >= give_up);
  };
  auto consider = [&](const TraceSummaryView& t) {
    if (++visited % 4096 == 0 && stop()) return false;
    ++matched;  // every page reports the whole count
    if (paged && (t.end_ns > cursor.time || (t.end_ns == cursor.time && t.trace_id >= cursor.id))) {
      return true;  // on an earlier page
    }
    if (heap.size() == keep) {
      const Hit& worst = heap.front();
      if (t.end_ns < worst.end_ns || (t.end_ns == worst.end_ns && t.trace_id < worst.trace_id)) {
        return true;
      }
      std::pop_heap(heap.begin(), heap.end(), newer);
      heap.pop_back();
    }
    heap.push_back(Hit{t.end_ns, std::string(t.trace_id), t.start_ns, t.events, t.max_level,
                       std::string(t.route)});
    std::push_heap(heap.begin(), heap.end(), newer);
    return true;
  };

  const bool by_finding = !request->finding_kind().empty();
  const uint64_t template_id = request->unstructured_template_id();
  const bool by_unstructured = request->has_unstructured_error() || template_id != 0;
  // Whether a plain-text error (of the template asked for, if any) is attributed to a trace.
  auto has_unstructured = [&](const std::string& id) {
    auto it = snap->unstructured_by_trace.find(id);
    if (it == snap->unstructured_by_trace.end()) return false;
    return template_id == 0 || std::any_of(it->second.begin(), it->second.end(), [&](size_t i) {
             return snap->report.unstructured[i].entry.template_id == template_id;
           });
  };
  if (by_finding || by_unstructured) {
    // The analysis names few traces: look those up instead of scanning.
    std::vector<std::string_view> ids;
    if (by_finding) {
      for (const auto& [id, indexes] : snap->findings_by_trace) {
        const bool kind = std::any_of(indexes.begin(), indexes.end(), [&](size_t i) {
          return snap->report.findings[i].kind == request->finding_kind();
        });
        if (kind && (!by_unstructured || has_unstructured(id))) ids.push_back(id);
      }
    } else {
      for (const auto& [id, indexes] : snap->unstructured_by_trace) {
        if (has_unstructured(id)) ids.push_back(id);
      }
    }
    pipeline().index().LookupTraces(ids, filter, consider);
  } else {
    // A selective filter may match little: ask about cancellation per chunk
    // of the scan too, not only per match.
    pipeline().index().ScanTraces(filter, consider, stop);
  }
  if (stop()) {
    if (context->IsCancelled()) return ToGrpcStatus(absl::CancelledError("cancelled"));
    return ToGrpcStatus(absl::DeadlineExceededError(absl::StrCat(
        "the search ran past the server's limit of ", absl::FormatDuration(max_call_time_),
        " per call; narrow it (a service, a time range, a level)")));
  }
  std::sort(heap.begin(), heap.end(), newer);
  response->set_matched(matched);
  for (size_t i = 0; i < heap.size() && i < page_size; ++i) {
    const Hit& h = heap[i];
    v1::TraceSummary* t = response->add_traces();
    t->set_trace_id(text_.Utf8(h.trace_id));
    t->set_start_unix_nano(h.start_ns);
    t->set_end_unix_nano(h.end_ns);
    t->set_events(h.events);
    t->set_max_level(ToProto(h.max_level));
    t->set_route(text_.Utf8(h.route));
    // Services in order of first appearance in time (as GetTimeline lists them).
    if (absl::StatusOr<TraceInfo> info = pipeline().index().GetTraceInfo(h.trace_id); info.ok()) {
      for (const std::string& s : info->services) t->add_services(text_.Utf8(s));
    }
    // Looked up by the id as stored (h.trace_id), not as sent.
    if (auto it = snap->findings_by_trace.find(h.trace_id); it != snap->findings_by_trace.end()) {
      for (size_t k : it->second) {
        const std::string kind = text_.Utf8(snap->report.findings[k].kind);
        if (std::find(t->finding_kinds().begin(), t->finding_kinds().end(), kind) ==
            t->finding_kinds().end()) {
          t->add_finding_kinds(kind);
        }
      }
    }
  }
  if (heap.size() > page_size) {
    // The cursor holds the id as stored (base64 on the wire), so that the next
    // page starts exactly after it even when the id is not valid UTF-8.
    const Hit& last = heap[page_size - 1];
    response->set_next_page_token(EncodeCursor({last.end_ns, last.trace_id}));
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::ListUnstructured(grpc::ServerContext* context,
                                            const v1::ListUnstructuredRequest* request,
                                            v1::ListUnstructuredResponse* response) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  if (LocalOnly(context)) return ListUnstructuredLocal(request, response);
  if (grpc::Status s = ListUnstructuredLocal(request, response); !s.ok()) return s;
  MergePeerPages(
      *peers_, *context, *request, response,
      [](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const v1::ListUnstructuredRequest* req,
         v1::ListUnstructuredResponse* resp, std::function<void(grpc::Status)> done) {
        stub->async()->ListUnstructured(c, req, resp, done);
      },
      MergeUnstructuredPages);
  return grpc::Status::OK;
}

grpc::Status QueryService::ListUnstructuredLocal(const v1::ListUnstructuredRequest* request,
                                                 v1::ListUnstructuredResponse* response) {
  Paging paging;
  if (grpc::Status s = ParsePaging(*request, &paging); !s.ok()) return s;
  // Named references, not a structured binding: clang 14 (the asan preset)
  // cannot capture bindings in lambdas.
  const int64_t start = paging.start, end = paging.end;
  const uint32_t page_size = paging.page_size;
  const bool paged = paging.paged;
  const Cursor& cursor = paging.cursor;
  auto snap = snapshot();
  auto matches = [&](const AttributedEntry& a) {
    const UnstructuredEntry& e = a.entry;
    if (!request->service().empty() && !ReadsAs(e.service, request->service())) return false;
    if (e.time_ns < start || e.time_ns > end) return false;
    if (request->unattributed_only() && !a.candidates.empty()) return false;
    return request->template_id() == 0 || e.template_id == request->template_id();
  };
  if (request->group_by_template()) {
    // Every matching error, whatever the page.
    std::vector<AttributedEntry> all;
    for (const AttributedEntry& a : snap->report.unstructured) {
      if (matches(a)) all.push_back(a);
    }
    for (const UnstructuredGroup& g : GroupByTemplate(all)) {
      ToProto(g, response->add_templates(), &text_);
    }
  }
  uint32_t added = 0;
  const AttributedEntry* last = nullptr;
  for (const AttributedEntry& a : snap->report.unstructured) {  // ordered by (time, id)
    const UnstructuredEntry& e = a.entry;
    if (paged && (e.time_ns < cursor.time || (e.time_ns == cursor.time && e.id <= cursor.id))) {
      continue;
    }
    if (!matches(a)) continue;
    if (added == page_size) {
      response->set_next_page_token(EncodeCursor({last->entry.time_ns, last->entry.id}));
      break;
    }
    ToProto(a, response->add_entries(), &text_);
    last = &a;
    ++added;
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::StreamFindings(grpc::ServerContext* context,
                                          const v1::StreamFindingsRequest* request,
                                          grpc::ServerWriter<v1::Finding>* writer) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    if (subscribers_ >= kMaxSubscribers) {
      return ToGrpcStatus(absl::ResourceExhaustedError(
          absl::StrCat(kMaxSubscribers,
                       " StreamFindings calls are open, the most this server "
                       "serves at once; retry later")));
    }
    ++subscribers_;
  }
  const bool local_only = LocalOnly(context);  // before the initial metadata goes
  // Tells the client it is subscribed: findings published from now on reach it.
  writer->SendInitialMetadata();
  // The local findings and, with peers, theirs from the relay's threads.
  absl::Mutex write_mu;
  auto write = [&write_mu, writer](const v1::Finding& f) {
    absl::MutexLock lock(&write_mu);
    return writer->Write(f);
  };
  std::unique_ptr<FindingsRelay> relay;
  if (!local_only) {
    relay = std::make_unique<FindingsRelay>(*peers_, CallerOf(*context), *request, write);
  }
  uint64_t dropped = 0;
  absl::Cleanup leave = [&] {
    if (relay != nullptr) {
      const std::vector<std::string> broken = relay->broken();
      if (!broken.empty()) {
        context->AddTrailingMetadata(kUnreachablePeersTrailer, absl::StrJoin(broken, ","));
      }
      relay.reset();
    }
    absl::MutexLock lock(&mu_);
    --subscribers_;
    stream_findings_dropped_ += dropped;
    if (dropped > 0) context->AddTrailingMetadata(kDroppedTrailer, absl::StrCat(dropped));
  };
  // With since: replay what was published before the call from that event time
  // on; everything published after the call is sent whatever its event time.
  const uint64_t subscribed_at = hub().next_sequence();
  uint64_t next = request->since_unix_nano() != 0 ? 0 : subscribed_at;
  auto wanted = [request, subscribed_at](const Finding& f, uint64_t seq) {
    if (request->since_unix_nano() != 0 && seq < subscribed_at &&
        f.time_ns < request->since_unix_nano()) {
      return false;
    }
    if (request->kinds().empty()) return true;
    return std::find(request->kinds().begin(), request->kinds().end(), f.kind) !=
           request->kinds().end();
  };
  // The hub log is read in slices so that a cancelled call or a stopping
  // server is noticed within the wait.
  while (!context->IsCancelled() && !hub().closed() && !closed()) {
    const uint64_t wanted_from = next;
    std::vector<Finding> batch = hub().Read(&next, absl::Milliseconds(200));
    // Read skips findings the hub forgot (this reader fell behind by more
    // than the hub holds); the batch ends at `next`.
    const uint64_t batch_start = next - batch.size();
    dropped += batch_start - wanted_from;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Finding& f = batch[i];
      if (!wanted(f, batch_start + i)) continue;
      v1::Finding out;
      ToProto(f, &out, &text_);
      if (!write(out)) return grpc::Status::OK;  // the client went away
    }
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* QueryService::GetStats(grpc::CallbackServerContext* context,
                                                 const v1::GetStatsRequest* request,
                                                 v1::Stats* out) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status allowed = Authorize(*context, TokenScope::kRead);
  if (!allowed.ok() || LocalOnly(context)) {
    reactor->Finish(allowed.ok() ? AnswerStats(out) : allowed);
    return reactor;
  }
  AnswerStats(out).IgnoreError();  // always OK
  FanOut<v1::Stats>(
      *peers_, CallerOf(*context), *request,
      [](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const v1::GetStatsRequest* req,
         v1::Stats* resp,
         std::function<void(grpc::Status)> done) { stub->async()->GetStats(c, req, resp, done); },
      [reactor, out](PeerAnswers<v1::Stats> answers) {
        std::vector<std::pair<std::string, v1::Stats>> peers;
        for (auto& a : answers.answered) peers.emplace_back(a.peer, std::move(a.response));
        *out = MergeStats(*out, std::move(peers));
        MarkPartial(answers.unreachable, out);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

v1::Stats QueryService::CurrentStats() {
  v1::Stats out;
  AnswerStats(&out).IgnoreError();  // always OK
  return out;
}

grpc::Status QueryService::AnswerStats(v1::Stats* out) {
  IngestStats s = pipeline().Stats();
  auto snap = snapshot();
  ToProto(s, out);
  out->set_lag_seconds(
      s.watermark_ns == 0
          ? 0
          : absl::ToDoubleSeconds(absl::Now() - absl::FromUnixNanos(s.watermark_ns)));
  out->set_unstructured_errors(snap->report.unstructured.size());
  out->set_stream_findings_dropped(stream_findings_dropped());
  out->set_traces_judged(snap->report.traces_judged);
  out->set_traces_waiting(snap->report.traces_waiting);
  out->set_late_events(snap->report.late_events);
  out->set_split_traces(snap->report.split_traces);
  out->set_findings_held_elsewhere(snap->report.findings_held_elsewhere);
  absl::flat_hash_map<std::string_view, uint64_t> by_kind;  // few kinds, many findings
  for (const Finding& f : snap->report.findings) ++by_kind[f.kind];
  for (const auto& [kind, n] : by_kind) (*out->mutable_findings())[text_.Utf8(kind)] += n;
  const double uptime = absl::ToDoubleSeconds(absl::Now() - started_);
  out->set_uptime_seconds(uptime);
  out->set_lines_per_second(uptime > 0 ? s.lines / uptime : 0);
  const SourceNames& sources = pipeline().sources();
  const std::vector<SourceStatus> statuses = pipeline().SourceStatuses();
  for (uint32_t i = 0; i < statuses.size(); ++i) {
    const SourceStatus& st = statuses[i];
    v1::SourceStats* src = out->add_sources();
    src->set_name(text_.Utf8(st.name));
    src->set_service(text_.Utf8(sources.DefaultService(i)));
    src->set_lines(st.lines);
    src->set_bytes(st.bytes);
    src->set_progress_unix_nano(st.progress_ns);
    src->set_ended(st.ended);
    src->set_holding(st.holding);
  }
  std::function<void(v1::Stats*)> extender;
  {
    absl::MutexLock lock(&mu_);
    out->set_ready(ready_);
    extender = stats_extender_;
    if (actions_ != nullptr) {
      const actions::DispatcherStats a = actions_->Stats();
      for (const auto& [outcome, n] : a.outcomes) (*out->mutable_actions())[outcome] = n;
      out->set_actions_dropped(a.dropped);
      out->set_actions_repeats(a.repeats);
    }
  }
  if (extender) {
    extender(out);
    // Kafka allows only [a-zA-Z0-9._-] in topic names; checked all the same.
    for (v1::PartitionLag& p : *out->mutable_kafka_partitions()) {
      if (!IsValidUtf8(p.topic())) p.set_topic(text_.Utf8(p.topic()));
    }
  }
  // Last, so that it counts the repairs of this answer too.
  out->set_utf8_repaired_strings(text_.repaired());
  return grpc::Status::OK;
}

grpc::Status QueryService::ListActions(grpc::ServerContext* context,
                                       const v1::ListActionsRequest* request,
                                       v1::ListActionsResponse* response) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  std::vector<actions::ActionRun> runs;
  {
    absl::MutexLock lock(&mu_);
    if (actions_ != nullptr) runs = actions_->Runs(request->limit(), request->action());
  }
  for (const actions::ActionRun& run : runs) ToProto(run, response->add_runs(), &text_);
  return grpc::Status::OK;
}

}  // namespace logweave

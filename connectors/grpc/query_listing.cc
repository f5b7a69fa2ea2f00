// QueryService's listing calls: SearchTraces and ListUnstructured (a time
// range, a page size and a page token; answered from the local index and
// analysis, then merged with the peers' pages).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/grpc/page_token.h"
#include "connectors/grpc/peers/fan_out.h"
#include "connectors/grpc/peers/merge.h"
#include "connectors/grpc/query_service.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"

namespace logweave {
namespace {

// The page size a listing call answers with: its page_size, the default for 0, clamped.
uint32_t PageSize(uint32_t asked) {
  return asked == 0 ? QueryService::kDefaultPageSize : std::min(asked, QueryService::kMaxPageSize);
}

// A stub's asynchronous call of a listing method: &LogWeave::Stub::async::SearchTraces, ...
template <typename Request, typename Response>
using AsyncListingCall = void (v1::LogWeave::Stub::async::*)(grpc::ClientContext*, const Request*,
                                                             Response*,
                                                             std::function<void(grpc::Status)>);

// Asks the peers the listing call `request` (`rpc`) and merges their pages
// into `response`, which holds this instance's page (`merge`:
// MergeSearchPages, MergeUnstructuredPages); marks it partial as needed.
template <typename Request, typename Response, typename Merge>
void MergePeerPages(PeerSet& peers, const grpc::ServerContext& context, const Request& request,
                    Response* response, AsyncListingCall<Request, Response> rpc, Merge merge) {
  PeerAnswers<Response> answers = FanOutAndWait<Response>(
      peers, CallerOf(context), request,
      [rpc](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const Request* req, Response* resp,
            std::function<void(grpc::Status)> done) {
        (stub->async()->*rpc)(c, req, resp, std::move(done));
      });
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
    return InvalidArgumentStatus(absl::StrCat("the time range is inverted: start ", start,
                                              " > end ", end, "; give start <= end"));
  }
  out->start = start;
  out->end = end == 0 ? INT64_MAX : end;
  out->page_size = PageSize(page_size);
  out->paged = !page_token.empty();
  if (out->paged && !DecodeCursor(page_token, &out->cursor)) {
    return InvalidArgumentStatus(
        "page_token is not one this server issued; start again without it");
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status QueryService::SearchTraces(grpc::ServerContext* context,
                                        const v1::SearchTracesRequest* request,
                                        v1::SearchTracesResponse* response) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  if (LocalOnly(context)) return SearchLocal(context, request, response);
  if (grpc::Status s = SearchLocal(context, request, response); !s.ok()) return s;
  MergePeerPages(*peers_, *context, *request, response, &v1::LogWeave::Stub::async::SearchTraces,
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
      return InvalidArgumentStatus(absl::StrCat("the search ", name, " is ", value->size(),
                                                " bytes; at most ", kMaxSearchTextBytes,
                                                " are accepted"));
    }
  }
  Paging paging;
  if (grpc::Status s = ParsePaging(*request, &paging); !s.ok()) return s;
  auto snap = snapshot();
  TraceFilter filter;
  filter.service = request->service();
  filter.min_level = FromProto(request->min_level());
  filter.start_ns = paging.start;
  filter.end_ns = paging.end;
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
  const size_t keep = static_cast<size_t>(paging.page_size) + 1;
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
    if (paging.paged && (t.end_ns > paging.cursor.time ||
                         (t.end_ns == paging.cursor.time && t.trace_id >= paging.cursor.id))) {
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
          return snap->FindingAt(i).kind() == request->finding_kind();
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
  for (size_t i = 0; i < heap.size() && i < paging.page_size; ++i) {
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
        const std::string kind = text_.Utf8(snap->FindingAt(k).kind());
        if (std::find(t->finding_kinds().begin(), t->finding_kinds().end(), kind) ==
            t->finding_kinds().end()) {
          t->add_finding_kinds(kind);
        }
      }
    }
  }
  if (heap.size() > paging.page_size) {
    // The cursor holds the id as stored (base64 on the wire), so that the next
    // page starts exactly after it even when the id is not valid UTF-8.
    const Hit& last = heap[paging.page_size - 1];
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
  MergePeerPages(*peers_, *context, *request, response,
                 &v1::LogWeave::Stub::async::ListUnstructured, MergeUnstructuredPages);
  return grpc::Status::OK;
}

grpc::Status QueryService::ListUnstructuredLocal(const v1::ListUnstructuredRequest* request,
                                                 v1::ListUnstructuredResponse* response) {
  Paging paging;
  if (grpc::Status s = ParsePaging(*request, &paging); !s.ok()) return s;
  auto snap = snapshot();
  auto matches = [&](const AttributedEntry& a) {
    const UnstructuredEntry& e = a.entry;
    if (!request->service().empty() && !ReadsAs(e.service, request->service())) return false;
    if (e.time_ns < paging.start || e.time_ns > paging.end) return false;
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
    if (paging.paged && (e.time_ns < paging.cursor.time ||
                         (e.time_ns == paging.cursor.time && e.id <= paging.cursor.id))) {
      continue;
    }
    if (!matches(a)) continue;
    if (added == paging.page_size) {
      response->set_next_page_token(EncodeCursor({last->entry.time_ns, last->entry.id}));
      break;
    }
    ToProto(a, response->add_entries(), &text_);
    last = &a;
    ++added;
  }
  return grpc::Status::OK;
}

}  // namespace logweave

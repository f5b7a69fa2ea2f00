#include "connectors/web/web_api.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/status_codes.h"
#include "connectors/grpc/wire_text.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "logweave/timestamp.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave {
namespace {

constexpr char kJson[] = "application/json; charset=utf-8";
// /api/findings answers at most this many (newest first).
constexpr uint64_t kDefaultFindings = 200;
constexpr uint64_t kMaxFindings = 5000;

void SetError(httplib::Response& response, grpc::StatusCode code, const std::string& message) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("error");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("code");
  w.String(GrpcCodeName(code).c_str());
  w.EndObject();
  response.status = HttpStatusOf(code);
  response.set_content(out.GetString(), kJson);
}

void SetBadParameter(httplib::Response& response, const std::string& message) {
  SetError(response, grpc::StatusCode::INVALID_ARGUMENT, message);
}

// `message` in protobuf's JSON mapping (proto field names, every field).
std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Only fails for messages with Any fields of unknown types: none here.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string Write(const rapidjson::Document& d) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  d.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

// What the handlers share; the routes keep it alive. The stub and WireText are thread-safe.
struct WebApi {
  WebApiOptions options;
  std::unique_ptr<v1::LogWeave::Stub> stub;
  mutable WireText text;  // thread-safe: an atomic counter
};

// Calls `method` of the query service with the caller's token and the API's deadline. On
// failure answers the error and returns false.
template <typename Call, typename Reply>
bool CallService(const WebApi& api,
                 grpc::Status (v1::LogWeave::Stub::*method)(grpc::ClientContext*, const Call&,
                                                            Reply*),
                 const Call& call, const httplib::Request& request, httplib::Response& response,
                 Reply* reply) {
  grpc::ClientContext context;
  const std::string authorization = request.get_header_value("Authorization");
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  context.set_deadline(absl::ToChronoTime(absl::Now() + api.options.timeout));
  const grpc::Status status = ((*api.stub).*method)(&context, call, reply);
  if (!status.ok()) SetError(response, status.error_code(), status.error_message());
  return status.ok();
}

// The services a trace lacks, from its missing_service findings: each with
// the analyser's cause (not_reached: the call never reached it; down: it
// logged nothing at all meanwhile) and the finding's id.
void AddMissingServices(const v1::GetTimelineResponse& timeline, rapidjson::Document* d) {
  auto& a = d->GetAllocator();
  rapidjson::Value missing(rapidjson::kArrayType);
  for (const v1::Finding& f : timeline.findings()) {
    if (f.kind() != "missing_service" || f.resolved()) continue;
    auto it = f.details().find("missing");
    const std::string& names = it != f.details().end() ? it->second : f.subject();
    auto cause = f.details().find("cause");
    for (absl::string_view name : absl::StrSplit(names, ',', absl::SkipWhitespace())) {
      rapidjson::Value m(rapidjson::kObjectType);
      m.AddMember("service", rapidjson::Value(name.data(), name.size(), a), a);
      m.AddMember("cause",
                  rapidjson::Value(cause != f.details().end() ? cause->second.c_str() : "", a), a);
      m.AddMember("finding_id", rapidjson::Value(f.id().c_str(), a), a);
      m.AddMember("summary", rapidjson::Value(f.summary().c_str(), a), a);
      missing.PushBack(m, a);
    }
  }
  d->AddMember("missing_services", missing, a);
}

// GET /api/trace/<id>: the timeline with each event's line, its findings,
// plain-text errors and missing services.
void AnswerTrace(const WebApi& api, const httplib::Request& request, httplib::Response& response) {
  v1::GetTimelineRequest call;
  call.set_trace_id(request.matches[1]);
  call.set_include_raw(true);
  v1::GetTimelineResponse timeline;
  if (!CallService(api, &v1::LogWeave::Stub::GetTimeline, call, request, response, &timeline)) {
    return;
  }
  // The line as text (raw) is enough for a page; its bytes would double it.
  for (v1::Event& e : *timeline.mutable_events()) e.clear_raw_bytes();
  rapidjson::Document d;
  d.Parse(ToJson(timeline).c_str());
  AddMissingServices(timeline, &d);
  response.set_content(Write(d), kJson);
}

// A time parameter: RFC 3339 or epoch seconds, as the CLI's --since/--until.
bool ParseTimeParameter(const httplib::Request& request, const char* name, int64_t* ns,
                        httplib::Response& response) {
  const std::string text = request.get_param_value(name);
  if (text.empty() || ParseTimestamp(text, ns)) return true;
  SetBadParameter(response, absl::StrCat(name,
                                         " needs an RFC 3339 time like 2026-11-23T10:00:00Z or "
                                         "epoch seconds like 1795428000 (got \"",
                                         text, "\")"));
  return false;
}

// GET /api/search: SearchTraces with the page's filters.
void AnswerSearch(const WebApi& api, const httplib::Request& request, httplib::Response& response) {
  v1::SearchTracesRequest call;
  call.set_service(request.get_param_value("service"));
  call.set_text(request.get_param_value("text"));
  call.set_finding_kind(request.get_param_value("kind"));
  call.set_page_token(request.get_param_value("page_token"));
  if (const std::string level = request.get_param_value("level"); !level.empty()) {
    v1::Level l = v1::LEVEL_UNSPECIFIED;
    if (!v1::Level_Parse(absl::StrCat("LEVEL_", absl::AsciiStrToUpper(level)), &l)) {
      return SetBadParameter(
          response, absl::StrCat("level must be one of trace, debug, info, warn, error, fatal "
                                 "(got \"",
                                 level, "\")"));
    }
    call.set_min_level(l);
  }
  if (const std::string size = request.get_param_value("page_size"); !size.empty()) {
    uint32_t n = 0;
    if (!absl::SimpleAtoi(size, &n)) {
      return SetBadParameter(response,
                             absl::StrCat("page_size must be a number (got \"", size, "\")"));
    }
    call.set_page_size(n);
  }
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseTimeParameter(request, "since", &start, response) ||
      !ParseTimeParameter(request, "until", &end, response)) {
    return;
  }
  call.set_start_unix_nano(start);
  call.set_end_unix_nano(end);
  call.set_has_unstructured_error(request.get_param_value("unstructured") == "true");
  v1::SearchTracesResponse found;
  if (CallService(api, &v1::LogWeave::Stub::SearchTraces, call, request, response, &found)) {
    response.set_content(ToJson(found), kJson);
  }
}

// GET /api/findings: the open findings of the latest analysis, newest first,
// of one kind and at least one severity if asked.
void AnswerFindings(const WebApi& api, const httplib::Request& request,
                    httplib::Response& response) {
  const std::string kind = request.get_param_value("kind");
  int min_severity = 0;
  if (const std::string severity = request.get_param_value("severity"); !severity.empty()) {
    if (severity != "info" && severity != "warning" && severity != "error" &&
        severity != "critical") {
      return SetBadParameter(response, absl::StrCat("severity must be one of info, warning, error, "
                                                    "critical (got \"",
                                                    severity, "\")"));
    }
    min_severity = static_cast<int>(SeverityFromName(severity));
  }
  uint64_t limit = kDefaultFindings;
  if (const std::string l = request.get_param_value("limit"); !l.empty()) {
    if (!absl::SimpleAtoi(l, &limit) || limit == 0 || limit > kMaxFindings) {
      return SetBadParameter(response, absl::StrCat("limit must be between 1 and ", kMaxFindings,
                                                    " (got \"", l, "\")"));
    }
  }
  const std::shared_ptr<const AnalysisSnapshot> snap = api.options.runtime->snapshot();
  // Stored findings, or plain-text errors whose findings are built only if listed.
  std::vector<FindingRef> wanted;
  ForEachFindingRef(snap->report, [&](FindingRef ref) {
    if ((kind.empty() || ref.kind() == kind) && static_cast<int>(ref.severity()) >= min_severity) {
      wanted.push_back(ref);
    }
  });
  // The report is ordered by time: newest first is its reverse.
  std::reverse(wanted.begin(), wanted.end());
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("total", static_cast<uint64_t>(wanted.size()), a);
  d.AddMember("watermark_unix_nano", rapidjson::Value(snap->report.watermark_ns), a);
  rapidjson::Value list(rapidjson::kArrayType);
  for (size_t i = 0; i < wanted.size() && i < limit; ++i) {
    v1::Finding wire;
    ToProto(wanted[i].Build(), &wire, &api.text);
    rapidjson::Document one(&a);
    one.Parse(ToJson(wire).c_str());
    list.PushBack(rapidjson::Value(one, a), a);
  }
  d.AddMember("findings", list, a);
  response.set_content(Write(d), kJson);
}

// GET /api/actions: ListActions, the runs the action dispatcher keeps
// (newest last), only those of one finding when `finding_id` is given.
void AnswerActions(const WebApi& api, const httplib::Request& request,
                   httplib::Response& response) {
  v1::ListActionsRequest call;
  call.set_action(request.get_param_value("action"));
  if (const std::string l = request.get_param_value("limit"); !l.empty()) {
    uint32_t limit = 0;
    if (!absl::SimpleAtoi(l, &limit)) {
      return SetBadParameter(response, absl::StrCat("limit must be a number (got \"", l, "\")"));
    }
    call.set_limit(limit);
  }
  v1::ListActionsResponse runs;
  if (!CallService(api, &v1::LogWeave::Stub::ListActions, call, request, response, &runs)) {
    return;
  }
  if (const std::string id = request.get_param_value("finding_id"); !id.empty()) {
    auto* list = runs.mutable_runs();
    list->erase(std::remove_if(list->begin(), list->end(),
                               [&](const v1::ActionRun& r) { return r.finding_id() != id; }),
                list->end());
  }
  response.set_content(ToJson(runs), kJson);
}

}  // namespace

void AddWebApiRoutes(HttpListener& listener, const WebApiOptions& options) {
  auto api = std::make_shared<WebApi>();
  api->options = options;
  api->stub = v1::LogWeave::NewStub(options.channel);
  using Answer = void (*)(const WebApi&, const httplib::Request&, httplib::Response&);
  struct Route {
    const char* path;
    Answer answer;
  };
  // "/api/trace/" routes the prefix; the rest their exact paths.
  for (const Route& route :
       {Route{"/api/trace/", AnswerTrace}, Route{"/api/search", AnswerSearch},
        Route{"/api/actions", AnswerActions}, Route{"/api/findings", AnswerFindings}}) {
    auto handler = [api, answer = route.answer](const httplib::Request& q, httplib::Response& r) {
      answer(*api, q, r);
    };
    if (absl::EndsWith(route.path, "/")) {
      listener.HandlePrefix(HttpMethod::kGet, route.path, HttpAccess::kRead, std::move(handler));
    } else {
      listener.Handle(HttpMethod::kGet, route.path, HttpAccess::kRead, std::move(handler));
    }
  }
}

}  // namespace logweave

#include "connectors/grpc/query_service.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "connectors/grpc/actions_convert.h"
#include "connectors/grpc/peers/fan_out.h"
#include "connectors/grpc/peers/findings_relay.h"
#include "connectors/grpc/peers/merge.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"

namespace logweave {

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
  if (AnsweredAlone(context, reactor, [&] { return AnswerTimeline(*request, response); })) {
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

bool QueryService::AnsweredAlone(grpc::CallbackServerContext* context,
                                 grpc::ServerUnaryReactor* reactor,
                                 const std::function<grpc::Status()>& answer) {
  grpc::Status allowed = Authorize(*context, TokenScope::kRead);
  if (allowed.ok() && !LocalOnly(context)) return false;
  reactor->Finish(allowed.ok() ? answer() : allowed);
  return true;
}

grpc::Status QueryService::AnswerTimeline(const v1::GetTimelineRequest& req,
                                          v1::GetTimelineResponse* response) {
  const v1::GetTimelineRequest* request = &req;
  if (request->trace_id().size() > kMaxTraceIdBytes) {
    return InvalidArgumentStatus(absl::StrCat("the trace id is ", request->trace_id().size(),
                                              " bytes; at most ", kMaxTraceIdBytes,
                                              " are accepted"));
  }
  if (request->trace_id().empty()) {
    return InvalidArgumentStatus("trace_id is empty; give the id of a trace (see SearchTraces)");
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
      ToProto(snap->FindingAt(i).Build(), response->add_findings(), &text_);
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
  if (AnsweredAlone(context, reactor, [&] { return AnswerStats(out); })) return reactor;
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
  out->set_traces_partly_evicted(snap->report.traces_partly_evicted);
  out->set_late_events(snap->report.late_events);
  out->set_split_traces(snap->report.split_traces);
  out->set_findings_held_elsewhere(snap->report.findings_held_elsewhere);
  for (const auto& [kind, n] : FindingCountsByKind(snap->report)) {
    (*out->mutable_findings())[text_.Utf8(kind)] += n;
  }
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
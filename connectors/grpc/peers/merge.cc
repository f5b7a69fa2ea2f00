#include "connectors/grpc/peers/merge.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "connectors/grpc/page_token.h"
#include "google/protobuf/reflection.h"
#include "logweave/index.h"

namespace logweave {
namespace {

// Appends each string of `from` not yet in `to`, in order; at most `limit` in `to`.
void Union(const google::protobuf::RepeatedPtrField<std::string>& from,
           google::protobuf::RepeatedPtrField<std::string>* to, int limit = 1 << 30) {
  for (const std::string& s : from) {
    if (to->size() >= limit) return;
    if (std::find(to->begin(), to->end(), s) == to->end()) *to->Add() = s;
  }
}

// Orders `items` by their (time, id) `position` (newest or oldest first),
// moves the first `page_size` into `out` and returns the next page token: the
// last one's position when there is more (`more`, or items beyond the page).
template <typename Item, typename Position>
std::string CutPage(std::vector<Item> items, uint32_t page_size, bool more, Position position,
                    bool newest_first, google::protobuf::RepeatedPtrField<Item>* out) {
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    const Cursor x = position(a), y = position(b);
    const bool less = std::tie(x.time, x.id) < std::tie(y.time, y.id);
    return newest_first ? std::tie(y.time, y.id) < std::tie(x.time, x.id) : less;
  });
  more = more || items.size() > page_size;
  if (items.size() > page_size) items.resize(page_size);
  for (Item& item : items) *out->Add() = std::move(item);
  if (!more || out->empty()) return "";
  return EncodeCursor(position(out->Get(out->size() - 1)));
}

int64_t MinKnown(int64_t a, int64_t b) {  // 0: unknown
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

}  // namespace

v1::GetTimelineResponse MergeTimelines(std::vector<v1::GetTimelineResponse> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  v1::GetTimelineResponse out;
  out.set_trace_id(parts.front().trace_id());
  absl::flat_hash_set<std::string> seen_events, seen_findings, seen_unstructured;
  std::vector<v1::Event> events;
  for (v1::GetTimelineResponse& part : parts) {
    out.set_start_unix_nano(MinKnown(out.start_unix_nano(), part.start_unix_nano()));
    out.set_end_unix_nano(std::max(out.end_unix_nano(), part.end_unix_nano()));
    out.set_evicted_events(out.evicted_events() + part.evicted_events());
    for (v1::Event& e : *part.mutable_events()) {
      if (seen_events.insert(absl::StrCat(e.source(), "\n", e.offset(), "\n", e.line())).second) {
        events.push_back(std::move(e));
      }
    }
    for (v1::Finding& f : *part.mutable_findings()) {
      if (seen_findings.insert(f.id()).second) *out.add_findings() = std::move(f);
    }
    for (v1::UnstructuredEntry& u : *part.mutable_unstructured()) {
      if (seen_unstructured.insert(u.id()).second) *out.add_unstructured() = std::move(u);
    }
  }
  // The order of one instance's timeline (TimelineLess), whichever peer holds which events.
  std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
    return TimelineLess(a.time_unix_nano(), a.service(), b.time_unix_nano(), b.service());
  });
  absl::flat_hash_set<std::string> services;
  for (v1::Event& e : events) {
    if (!e.service().empty() && services.insert(e.service()).second) out.add_services(e.service());
    *out.add_events() = std::move(e);
  }
  // Services the parts name without an event here (all of a part's events evicted).
  for (const v1::GetTimelineResponse& part : parts) Union(part.services(), out.mutable_services());
  std::stable_sort(out.mutable_unstructured()->begin(), out.mutable_unstructured()->end(),
                   [](const v1::UnstructuredEntry& a, const v1::UnstructuredEntry& b) {
                     return std::make_tuple(a.time_unix_nano(), a.id()) <
                            std::make_tuple(b.time_unix_nano(), b.id());
                   });
  return out;
}

v1::SearchTracesResponse MergeSearchPages(std::vector<v1::SearchTracesResponse> pages,
                                          uint32_t page_size) {
  v1::SearchTracesResponse out;
  absl::flat_hash_map<std::string, v1::TraceSummary> by_id;
  bool more = false;
  for (v1::SearchTracesResponse& page : pages) {
    out.set_matched(out.matched() + page.matched());
    more = more || !page.next_page_token().empty();
    for (v1::TraceSummary& t : *page.mutable_traces()) {
      auto [it, inserted] = by_id.try_emplace(t.trace_id(), t);
      if (inserted) continue;
      v1::TraceSummary& m = it->second;  // the trace's lines landed on several instances
      m.set_start_unix_nano(MinKnown(m.start_unix_nano(), t.start_unix_nano()));
      m.set_end_unix_nano(std::max(m.end_unix_nano(), t.end_unix_nano()));
      m.set_events(m.events() + t.events());
      m.set_max_level(std::max(m.max_level(), t.max_level()));
      Union(t.services(), m.mutable_services());
      Union(t.finding_kinds(), m.mutable_finding_kinds());
      if (m.route().empty()) m.set_route(t.route());
    }
  }
  std::vector<v1::TraceSummary> traces;
  traces.reserve(by_id.size());
  for (auto& [id, t] : by_id) traces.push_back(std::move(t));
  out.set_next_page_token(CutPage(
      std::move(traces), page_size, more,
      [](const v1::TraceSummary& t) {
        return Cursor{t.end_unix_nano(), t.trace_id()};
      },
      /*newest_first=*/true, out.mutable_traces()));
  return out;
}

v1::ListUnstructuredResponse MergeUnstructuredPages(std::vector<v1::ListUnstructuredResponse> pages,
                                                    uint32_t page_size) {
  v1::ListUnstructuredResponse out;
  absl::flat_hash_set<std::string> seen;
  std::vector<v1::UnstructuredEntry> entries;
  absl::flat_hash_map<uint64_t, v1::UnstructuredTemplate> templates;
  std::vector<v1::UnstructuredTemplate> untemplated;
  bool more = false;
  for (v1::ListUnstructuredResponse& page : pages) {
    more = more || !page.next_page_token().empty();
    for (v1::UnstructuredEntry& e : *page.mutable_entries()) {
      if (seen.insert(e.id()).second) entries.push_back(std::move(e));
    }
    for (v1::UnstructuredTemplate& t : *page.mutable_templates()) {
      if (t.template_id() == 0) {
        untemplated.push_back(std::move(t));
        continue;
      }
      auto [it, inserted] = templates.try_emplace(t.template_id(), t);
      if (inserted) continue;
      v1::UnstructuredTemplate& m = it->second;
      m.set_count(m.count() + t.count());
      m.set_first_unix_nano(MinKnown(m.first_unix_nano(), t.first_unix_nano()));
      m.set_last_unix_nano(std::max(m.last_unix_nano(), t.last_unix_nano()));
      Union(t.services(), m.mutable_services());
      Union(t.sample_traces(), m.mutable_sample_traces(), 5);
    }
  }
  out.set_next_page_token(CutPage(
      std::move(entries), page_size, more,
      [](const v1::UnstructuredEntry& e) {
        return Cursor{e.time_unix_nano(), e.id()};
      },
      /*newest_first=*/false, out.mutable_entries()));
  for (auto& [id, t] : templates) untemplated.push_back(std::move(t));
  std::stable_sort(untemplated.begin(), untemplated.end(),
                   [](const v1::UnstructuredTemplate& a, const v1::UnstructuredTemplate& b) {
                     return std::make_tuple(b.count(), a.template_id()) <
                            std::make_tuple(a.count(), b.template_id());
                   });
  for (v1::UnstructuredTemplate& t : untemplated) *out.add_templates() = std::move(t);
  return out;
}

namespace {

using google::protobuf::FieldDescriptor;

// Adds `from`'s figures into `to` (see MergeStats), field by field, so that
// counters added to Stats later are summed too.
void AddStats(const v1::Stats& from, v1::Stats* to) {
  const google::protobuf::Descriptor* d = v1::Stats::descriptor();
  const google::protobuf::Reflection* r = v1::Stats::GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string& name = f->name();
    if (name == "instance" || name == "partial" || name == "unreachable_peers" ||
        name == "instances") {
      continue;
    }
    if (f->is_map()) {  // map<string, uint64>: summed by key
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* value = f->message_type()->map_value();
      if (key->type() != FieldDescriptor::TYPE_STRING ||
          value->cpp_type() != FieldDescriptor::CPPTYPE_UINT64) {
        continue;
      }
      absl::flat_hash_map<std::string, uint64_t> sums;
      std::vector<std::string> order;
      for (const v1::Stats* s : {static_cast<const v1::Stats*>(to), &from}) {
        for (int k = 0; k < r->FieldSize(*s, f); ++k) {
          const google::protobuf::Message& entry = r->GetRepeatedMessage(*s, f, k);
          const google::protobuf::Reflection* er = entry.GetReflection();
          const std::string k_text = er->GetString(entry, key);
          if (!sums.contains(k_text)) order.push_back(k_text);
          sums[k_text] += er->GetUInt64(entry, value);
        }
      }
      r->ClearField(to, f);
      for (const std::string& k : order) {
        google::protobuf::Message* entry = r->AddMessage(to, f);
        entry->GetReflection()->SetString(entry, key, k);
        entry->GetReflection()->SetUInt64(entry, value, sums[k]);
      }
      continue;
    }
    if (f->is_repeated()) {  // sources, Kafka partitions: every instance's
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int k = 0; k < r->FieldSize(from, f); ++k) {
          r->AddMessage(to, f)->CopyFrom(r->GetRepeatedMessage(from, f, k));
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(to, f, r->GetUInt64(*to, f) + r->GetUInt64(from, f));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(to, f, r->GetUInt32(*to, f) + r->GetUInt32(from, f));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        if (name == "watermark_unix_nano") {  // the slowest instance holds everyone back
          r->SetInt64(to, f, MinKnown(r->GetInt64(*to, f), r->GetInt64(from, f)));
        } else {
          r->SetInt64(to, f, std::max(r->GetInt64(*to, f), r->GetInt64(from, f)));
        }
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (name == "lines_per_second") {
          r->SetDouble(to, f, r->GetDouble(*to, f) + r->GetDouble(from, f));
        } else {  // lag, uptime: the largest
          r->SetDouble(to, f, std::max(r->GetDouble(*to, f), r->GetDouble(from, f)));
        }
        break;
      case FieldDescriptor::CPPTYPE_BOOL:  // ready: all of them
        r->SetBool(to, f, r->GetBool(*to, f) && r->GetBool(from, f));
        break;
      default:
        break;
    }
  }
}

}  // namespace

v1::Stats MergeStats(const v1::Stats& local, std::vector<std::pair<std::string, v1::Stats>> peers) {
  v1::Stats out = local;
  *out.add_instances() = local;
  for (auto& [name, stats] : peers) {
    AddStats(stats, &out);
    stats.set_instance(name);
    *out.add_instances() = std::move(stats);
  }
  return out;
}

}  // namespace logweave

// The value of one member of a parsed JSON object, for the plugins that read
// whole documents (AWS and Terraform output, CloudTrail events).
#ifndef LOGWEAVE_PLUGINS_JSON_MEMBER_H_
#define LOGWEAVE_PLUGINS_JSON_MEMBER_H_

#include "rapidjson/document.h"

namespace logweave::internal {

// `v`'s member `name`, or null when `v` is no object or has no such member.
inline const rapidjson::Value* JsonMember(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_JSON_MEMBER_H_

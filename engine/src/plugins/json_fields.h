// Picks the values of chosen keys out of a JSON line, for the rule plugins
// (which need fields the parser does not normalize: a version, a status, a
// cost). Keys of nested objects are dotted paths ("http.response.status_code"),
// as a literal dotted key ("service.version") is too; values inside arrays
// are ignored.
#ifndef LOGWEAVE_PLUGINS_JSON_FIELDS_H_
#define LOGWEAVE_PLUGINS_JSON_FIELDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace logweave::internal {

// Immutable after construction; Pick is thread-safe.
class JsonFieldPicker {
 public:
  // slots[i]: the keys of slot i, best first. A key listed in several slots
  // belongs to the first. With `required_slot` >= 0, a line in which no key
  // of that slot can be (none's last dotted or slashed part appears in its
  // bytes) is not parsed at all: most lines of a log are not the plugin's.
  // (A key spelt with JSON escapes is then missed.)
  explicit JsonFieldPicker(const std::vector<std::vector<std::string>>& slots,
                           int required_slot = -1);

  // One value found under a key of a slot.
  struct Match {
    int rank = 0;  // the key's position in its slot: lower is better
    bool is_number = false;
    std::string text;  // a string's unescaped text, or a number as written
  };

  // The values of every slot's keys in `json`, per slot, best key first. A
  // line cut short keeps what came before the cut; a line that is not a JSON
  // object gives nothing.
  std::vector<std::vector<Match>> Pick(std::string_view json) const;

 private:
  struct Slot {
    int slot;
    int rank;
  };
  absl::flat_hash_map<std::string, Slot> keys_;
  size_t slot_count_;
  std::vector<std::string> needles_;  // of the required slot; empty: parse every line
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_JSON_FIELDS_H_

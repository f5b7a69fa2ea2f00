#include "logweave/record.h"

#include "logweave/enum_names.h"

namespace logweave {

std::string_view LevelName(Level level) {
  constexpr std::string_view kNames[] = {"", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  static_assert(NamesCover(kNames, Level::kFatal), "a level without a name");
  return NameOf(kNames, level, "");
}

}  // namespace logweave

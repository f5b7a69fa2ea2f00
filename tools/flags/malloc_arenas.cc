#include "tools/flags/malloc_arenas.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace logweave::cli {

void LimitMallocArenas(int arenas) {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "arena_max") != nullptr) return;
  mallopt(M_ARENA_MAX, std::max(arenas, 1));
#else
  (void)arenas;
#endif
}

int DefaultMallocArenas() {
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency() / 2));
}

}  // namespace logweave::cli

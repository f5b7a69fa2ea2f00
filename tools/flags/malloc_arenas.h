// The C library's malloc policy for logweave's programs.
#ifndef LOGWEAVE_TOOLS_FLAGS_MALLOC_ARENAS_H_
#define LOGWEAVE_TOOLS_FLAGS_MALLOC_ARENAS_H_

namespace logweave::cli {

// Caps glibc's malloc arenas at `arenas` (at least 1), unless the user chose
// (MALLOC_ARENA_MAX, or GLIBC_TUNABLES naming glibc.malloc.arena_max). glibc
// otherwise gives each thread that meets a locked arena a new one, up to 8 per
// core, and every arena keeps what its threads freed: with a pipeline's
// workers, gRPC's threads and periodic analyses that was 30-40 MB of free but
// resident memory in `serve` (bench/RESULTS.md). Call first thing in main(),
// before any thread starts. Does nothing elsewhere than glibc.
void LimitMallocArenas(int arenas);

// The cap the programs use: half the cores, at least 2.
int DefaultMallocArenas();

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_FLAGS_MALLOC_ARENAS_H_

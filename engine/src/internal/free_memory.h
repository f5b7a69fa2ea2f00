// Handing memory the process has freed back to the system.
#ifndef LOGWEAVE_INTERNAL_FREE_MEMORY_H_
#define LOGWEAVE_INTERNAL_FREE_MEMORY_H_

namespace logweave::internal {

// Returns the free pages of every malloc arena to the system (glibc's
// malloc_trim; a no-op elsewhere). Memory freed on one thread stays with
// that thread's arena, where allocations made on other threads (a later
// analysis's) cannot reuse it: without this it would count in the process's
// RSS until exit. Walks every arena's free chunks: call it after freeing
// much at once, not in a loop. Thread-safe.
void ReturnFreeMemoryToSystem();

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_FREE_MEMORY_H_

// ThreadSanitizer support for C11 threads, linked into every test of the tsan
// build (cmake --preset tsan) and nowhere else.
//
// Why: librdkafka starts its threads with C11 thrd_create, which glibc runs
// without going through pthread_create, the call TSan intercepts to set up
// a thread's state; such a thread crashes in its first malloc. This
// definition interposes librdkafka's thrd_create (an executable's definitions
// win over the C library's) and starts the thread with pthread_create. thrd_t
// is pthread_t in glibc, so thrd_join, thrd_detach and thrd_exit keep working.
#if !defined(__SANITIZE_THREAD__)
#error "c11_threads.cc belongs to the ThreadSanitizer build only"
#endif

#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

struct Start {
  thrd_start_t func;
  void* arg;
};

void* RunC11Thread(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.func(start.arg)));
}

}  // namespace

extern "C" int thrd_create(thrd_t* thread, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) Start{func, arg};
  if (start == nullptr) return thrd_nomem;
  const int err = pthread_create(thread, nullptr, &RunC11Thread, start);
  if (err != 0) {
    delete start;
    return err == EAGAIN ? thrd_nomem : thrd_error;
  }
  return thrd_success;
}

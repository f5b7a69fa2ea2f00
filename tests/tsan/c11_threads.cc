// ThreadSanitizer support for C11 threads, linked into every test of the tsan
// build (cmake --preset tsan) and nowhere else.
//
// Why: librdkafka starts its threads with C11 thrd_create, which glibc runs
// without going through pthread_create, the call TSan intercepts to set up
// a thread's state; such a thread crashes in its first malloc. This
// definition interposes librdkafka's thrd_create (an executable's definitions
// win over the C library's) and starts the thread with pthread_create. thrd_t
// is pthread_t in glibc; thrd_join and thrd_detach are defined here too, so
// that TSan sees the joins (glibc's call its internal pthread_join, which TSan
// does not intercept: a thread id would look reused, and everything a joined
// thread did would look unordered with its joiner).
//
// Its mutexes and condition variables (mtx_*, cnd_*) are glibc's pthread ones
// under another name: glibc's mtx_lock calls its internal pthread mutex lock
// on the same object, which TSan does not see, so every hand-off librdkafka
// makes under them (its queues of messages and events) would look like a
// race. These definitions call the public pthread functions on the same
// objects instead (same layout: glibc's mtx_t and cnd_t are the sizes of
// pthread_mutex_t and pthread_cond_t), which TSan intercepts.
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

extern "C" int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  const int err = pthread_join(thread, &value);
  if (err != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<intptr_t>(value));
  return thrd_success;
}

extern "C" int thrd_detach(thrd_t thread) {
  return pthread_detach(thread) == 0 ? thrd_success : thrd_error;
}

namespace {

pthread_mutex_t* AsPthread(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* AsPthread(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }
int C11Result(int err) {
  return err == 0           ? thrd_success
         : err == ETIMEDOUT ? thrd_timedout
         : err == EBUSY     ? thrd_busy
                            : thrd_error;
}

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));

}  // namespace

extern "C" int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int err = pthread_mutex_init(AsPthread(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return C11Result(err);
}
extern "C" int mtx_lock(mtx_t* m) { return C11Result(pthread_mutex_lock(AsPthread(m))); }
extern "C" int mtx_trylock(mtx_t* m) { return C11Result(pthread_mutex_trylock(AsPthread(m))); }
extern "C" int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict at) {
  return C11Result(pthread_mutex_timedlock(AsPthread(m), at));
}
extern "C" int mtx_unlock(mtx_t* m) { return C11Result(pthread_mutex_unlock(AsPthread(m))); }
extern "C" void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(AsPthread(m)); }

extern "C" int cnd_init(cnd_t* c) { return C11Result(pthread_cond_init(AsPthread(c), nullptr)); }
extern "C" int cnd_signal(cnd_t* c) { return C11Result(pthread_cond_signal(AsPthread(c))); }
extern "C" int cnd_broadcast(cnd_t* c) { return C11Result(pthread_cond_broadcast(AsPthread(c))); }
extern "C" int cnd_wait(cnd_t* c, mtx_t* m) {
  return C11Result(pthread_cond_wait(AsPthread(c), AsPthread(m)));
}
extern "C" int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                             const struct timespec* __restrict at) {
  return C11Result(pthread_cond_timedwait(AsPthread(c), AsPthread(m), at));
}
extern "C" void cnd_destroy(cnd_t* c) { pthread_cond_destroy(AsPthread(c)); }

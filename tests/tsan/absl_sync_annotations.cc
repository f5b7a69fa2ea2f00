// ThreadSanitizer annotations for Debian's Abseil, linked into every test of
// the tsan build (cmake --preset tsan) and nowhere else.
//
// Why: Debian's libabsl_synchronization.so is not built with -fsanitize=thread,
// and absl::Mutex waits with raw futex calls, so ThreadSanitizer sees neither
// its locking nor its waking: every access guarded by an absl::Mutex would be
// reported as a data race. An Abseil built with TSan annotates itself (the
// ABSL_TSAN_MUTEX_* macros in mutex.cc); these definitions do the same from
// outside. They interpose the library's out-of-line functions that logweave,
// its tests and gRPC call (an executable's definitions win over a shared
// library's in dynamic linking), tell TSan about the happens-before edge each
// one makes, and call the library's own definition found with
// dlsym(RTLD_NEXT). No report is suppressed by them: a race on data outside
// the lock, or read under one lock and written under another, is still found.
//
// The model is acquire/release on the mutex's address: Lock, ReaderLock and a
// successful TryLock acquire after locking; Unlock and ReaderUnlock release
// before unlocking; Await releases before waiting and acquires before the
// condition is evaluated and after it returns (the condition runs under the
// lock, often on the unlocking thread: it acquires and releases around it).
// Notification::Notify releases, the waits acquire. Readers thus also
// order each other, which can hide a race between two readers only (writes
// under a reader lock are a bug TSan then misses); lock-order inversion is not
// detected for absl::Mutex.
#if !defined(__SANITIZE_THREAD__)
#error "absl_sync_annotations.cc belongs to the ThreadSanitizer build only"
#endif

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}

namespace {

#define LOGWEAVE_STR2(x) #x
#define LOGWEAVE_STR(x) LOGWEAVE_STR2(x)
// The Itanium-mangled prefix of absl's inline namespace: "_ZN4absl7debian3".
constexpr const char kNs[] = LOGWEAVE_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);

// The library's definition of the function whose mangled name is
// `prefix` + "4absl" + <inline namespace> + `rest`. Aborts if it is missing:
// these annotations would then be wrong for this Abseil.
template <typename Fn>
Fn Real(const char* prefix, const char* rest) {
  char name[256];
  std::snprintf(name, sizeof(name), "%s4absl%zu%s%s", prefix, sizeof(kNs) - 1, kNs, rest);
  void* fn = dlsym(RTLD_NEXT, name);
  if (fn == nullptr) {
    std::fprintf(stderr, "absl_sync_annotations: %s not found in Abseil\n", name);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

using absl::Condition;
using absl::Mutex;
using absl::Notification;

// The mangled-name tails of the lock functions, and their wrappers: the library's function
// `kRest` (found once per function) on `mu`, acquiring after a lock and releasing before an
// unlock.
constexpr char kLock[] = "5Mutex4LockEv";
constexpr char kUnlock[] = "5Mutex6UnlockEv";
constexpr char kReaderLock[] = "5Mutex10ReaderLockEv";
constexpr char kReaderUnlock[] = "5Mutex12ReaderUnlockEv";

template <const char* kRest>
void LockThenAcquire(Mutex* mu) {
  static auto real = Real<void (*)(Mutex*)>("_ZN", kRest);
  real(mu);
  __tsan_acquire(mu);
}

template <const char* kRest>
void ReleaseThenUnlock(Mutex* mu) {
  static auto real = Real<void (*)(Mutex*)>("_ZN", kRest);
  __tsan_release(mu);
  real(mu);
}

// What Await's wrapped condition needs: the mutex to acquire and the caller's condition.
struct Guarded {
  Mutex* mu;
  const Condition* cond;
};
// Runs the caller's condition as a critical section of its own: Abseil
// evaluates a waiter's condition on whichever thread holds the lock, often the
// one unlocking (Mutex::UnlockSlow), so what the condition reads is ordered
// after the last holder's writes and before the next holder's.
bool EvalAcquiring(Guarded* g) {
  __tsan_acquire(g->mu);
  const bool met = g->cond->Eval();
  __tsan_release(g->mu);
  return met;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() { LockThenAcquire<kLock>(this); }

void Mutex::Unlock() { ReleaseThenUnlock<kUnlock>(this); }

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>("_ZN", "5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::ReaderLock() { LockThenAcquire<kReaderLock>(this); }

void Mutex::ReaderUnlock() { ReleaseThenUnlock<kReaderUnlock>(this); }

void Mutex::Await(const Condition& cond) {
  static auto real =
      Real<void (*)(Mutex*, const Condition&)>("_ZN", "5Mutex5AwaitERKNS0_9ConditionE");
  // Built before the release: other threads read both while evaluating it.
  Guarded g{this, &cond};
  const Condition wrapped(&EvalAcquiring, &g);
  __tsan_release(this);
  real(this, wrapped);
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "_ZN", "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Guarded g{this, &cond};
  const Condition wrapped(&EvalAcquiring, &g);
  __tsan_release(this);
  const bool met = real(this, wrapped, timeout);
  __tsan_acquire(this);
  return met;
}

void Notification::Notify() {
  static auto real = Real<void (*)(Notification*)>("_ZN", "12Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real =
      Real<void (*)(const Notification*)>("_ZNK", "12Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      "_ZNK", "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl

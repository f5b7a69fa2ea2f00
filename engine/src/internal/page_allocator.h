// An allocator for large tables that grow by doubling (hash tables, windows):
// blocks of kPageAllocMinBytes and more are mapped from the kernel and unmapped when
// freed, so the smaller tables a table outgrows go back to the system at once
// instead of staying in the heap as holes that count in the resident size.
#ifndef LOGWEAVE_INTERNAL_PAGE_ALLOCATOR_H_
#define LOGWEAVE_INTERNAL_PAGE_ALLOCATOR_H_

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace logweave::internal {

// Maps `bytes` (>= kPageAllocMinBytes) of zeroed pages; throws std::bad_alloc
// when out of memory. Freed with UnmapPages(p, bytes).
void* MapPages(size_t bytes);
void UnmapPages(void* p, size_t bytes);
inline constexpr size_t kPageAllocMinBytes = size_t{64} << 10;

// Stateless; any thread.
template <typename T>
struct PageAllocator {
  using value_type = T;
  PageAllocator() = default;
  template <typename U>
  PageAllocator(const PageAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kPageAllocMinBytes) return static_cast<T*>(MapPages(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kPageAllocMinBytes) {
      UnmapPages(p, bytes);
    } else {
      std::allocator<T>().deallocate(p, n);
    }
  }
  template <typename U>
  bool operator==(const PageAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const PageAllocator<U>&) const {
    return false;
  }
};

// A PageAllocator whose containers leave the room they make (resize)
// default-initialized: for a trivial T, a large table's mapped pages are
// touched, and count in the resident size, only as its elements are written.
// Whoever resizes must write each element before reading it. Stateless; any
// thread.
template <typename T>
struct LazyPageAllocator : PageAllocator<T> {
  template <typename U>
  struct rebind {
    using other = LazyPageAllocator<U>;
  };
  LazyPageAllocator() = default;
  template <typename U>
  LazyPageAllocator(const LazyPageAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;  // default-initialized: nothing written for a trivial U
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_INTERNAL_PAGE_ALLOCATOR_H_

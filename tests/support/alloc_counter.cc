#include "alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CLEARANCE_COUNT_ALLOCATIONS 0
#else
#define CLEARANCE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

namespace clearance::support {
uint64_t AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }
bool AllocationsCounted() { return CLEARANCE_COUNT_ALLOCATIONS != 0; }
}  // namespace clearance::support

#if CLEARANCE_COUNT_ALLOCATIONS
// libstdc++'s operator new[] and the nothrow forms call this one, so it sees them all (the
// align_val_t forms go to aligned_alloc and are not counted). Paired with free() below, which GCC
// cannot see once inlined: hence -Wno-mismatched-new-delete for this file.
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

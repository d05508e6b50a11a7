// Allocation counting for benchmark binaries: alloc_counter.cc replaces the global operator new
// with one that counts every call, process-wide, so a benchmark can report allocations per
// operation (a hot path that must not allocate shows 0).
//
// Link alloc_counter.cc into a benchmark executable only, never into a library: replacing
// operator new is a whole-program decision. Under ASan or TSan (which must own operator new) the
// replacement is left out, AllocationsCounted() is false and AllocationCount() stays 0.
//
// Thread-safety: AllocationCount() may be called from any thread; the count covers all threads.
#ifndef CLEARANCE_BENCH_LOAD_ALLOC_COUNTER_H_
#define CLEARANCE_BENCH_LOAD_ALLOC_COUNTER_H_

#include <cstdint>

namespace clearance::load {

// Calls of the global operator new (and new[]) since the process started.
uint64_t AllocationCount();
// False in sanitizer builds, where nothing is counted.
bool AllocationsCounted();

}  // namespace clearance::load

#endif  // CLEARANCE_BENCH_LOAD_ALLOC_COUNTER_H_

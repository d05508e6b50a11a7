// Allocation counting for test and benchmark executables: alloc_counter.cc replaces the global
// operator new with one that counts every call, process-wide, so a test can assert that a hot
// path allocates nothing and a benchmark can report allocations per operation.
//
// Link the `clearance_alloc_counter` object library into an executable only, never into a
// library: replacing operator new is a whole-program decision. Under ASan or TSan (which must own
// operator new) the replacement is left out, AllocationsCounted() is false and AllocationCount()
// stays 0 (tests that assert on it are built only without sanitizers).
//
// Thread-safety: AllocationCount() may be called from any thread; the count covers all threads.
#ifndef CLEARANCE_TESTS_SUPPORT_ALLOC_COUNTER_H_
#define CLEARANCE_TESTS_SUPPORT_ALLOC_COUNTER_H_

#include <cstdint>

namespace clearance::support {

// Calls of the global operator new (and new[]) since the process started.
uint64_t AllocationCount();
// False in sanitizer builds, where nothing is counted.
bool AllocationsCounted();

}  // namespace clearance::support

#endif  // CLEARANCE_TESTS_SUPPORT_ALLOC_COUNTER_H_

// Pieces the load suite's Google Benchmark binaries share: the allocation meter behind their
// allocs_per_op counters, the comma-separated --sizes flag and the run.
//
// Thread-safety: an AllocationMeter belongs to the benchmark thread that made it.
#ifndef CLEARANCE_BENCH_LOAD_BENCH_SUPPORT_H_
#define CLEARANCE_BENCH_LOAD_BENCH_SUPPORT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.h"
#include "benchmark/benchmark.h"
#include "workload.h"

namespace clearance::load {

// Allocations from its construction to Report(), per iteration, as the counter allocs_per_op
// (clearance_alloc_counter's operator new; nothing when the binary does not link it).
class AllocationMeter {
 public:
  AllocationMeter() : start_(support::AllocationCount()) {}
  void Report(benchmark::State& state) const {
    if (!support::AllocationsCounted()) return;
    state.counters["allocs_per_op"] =
        benchmark::Counter(static_cast<double>(support::AllocationCount() - start_),
                           benchmark::Counter::kAvgIterations);
  }

 private:
  uint64_t start_;
};

// "a,b,c" -> {"a", "b", "c"}; "" -> {}.
inline std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Calls reg(size) for each size of --sizes. False, with the error on stderr, for an empty list or
// a name SizeNamed() refuses.
template <typename Register>
bool RegisterSizes(const std::vector<std::string>& sizes, Register reg) {
  if (sizes.empty()) {
    std::fprintf(stderr, "error: --sizes is empty; expected a comma-separated list of tiny, "
                         "small, medium, large\n");
    return false;
  }
  for (const std::string& s : sizes) {
    if (absl::StatusOr<WorkloadSize> size = SizeNamed(s); !size.ok()) {
      std::fprintf(stderr, "error: --sizes: %s\n", std::string(size.status().message()).c_str());
      return false;
    }
    reg(s);
  }
  return true;
}

// Google Benchmark's flags and run: false for a flag it does not know.
inline bool RunBenchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return false;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return true;
}

}  // namespace clearance::load

#endif  // CLEARANCE_BENCH_LOAD_BENCH_SUPPORT_H_

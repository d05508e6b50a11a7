// What the planner's input checks cost per command: the identifier pattern (a byte table for the
// default, RE2 for any other pattern, including ones on which a backtracking matcher takes time
// exponential in the id) and UTF-8 validation of text fields. Plan() is measured whole, so the
// figures include planning a CreateGroup against a small state.
//
// Run: build/bench/commands/commands_bench --benchmark_repetitions=3
#include <cstdlib>
#include <string>

#include "benchmark/benchmark.h"
#include "clearance/commands.h"

namespace clearance {
namespace {

IdentityState StateWithPattern(const std::string& pattern) {
  IdentityState state;
  Configuration config;
  config.id_pattern = pattern;
  if (!Execute(state, Configure{config}).ok() || !Execute(state, Initialize{}).ok()) {
    std::abort();  // the patterns below are valid
  }
  return state;
}

// Arg 0: which pattern; arg 1: the id's length. The id is "a" repeated, then "b", so the
// pathological patterns fail only at the last character.
void BM_PlanGroupIdPattern(benchmark::State& bench) {
  static const char* const kPatterns[] = {
      "^[a-zA-Z0-9_~@.+-]+$",            // the default: byte table
      "^(svc|app)-[a-z0-9]+$|^[a-b]+$",  // an ordinary RE2 pattern
      "^(a|aa)*$",                       // exponential for a backtracking matcher
      "^(a+)+$",                         // likewise
  };
  const std::string pattern = kPatterns[bench.range(0)];
  const IdentityState state = StateWithPattern(pattern);
  const std::string id = std::string(static_cast<size_t>(bench.range(1)) - 1, 'a') + "b";
  const Command command = CreateGroup{Group{id, "Group", ""}};
  for (auto _ : bench) {
    absl::StatusOr<ChangeSet> planned = Plan(state, command);
    benchmark::DoNotOptimize(planned);
  }
  bench.SetLabel(pattern);
}
BENCHMARK(BM_PlanGroupIdPattern)->ArgsProduct({{0, 1, 2, 3}, {8, 41, 256}});

// A description of `range(0)` bytes of multi-byte UTF-8 (validated before anything else).
void BM_PlanGroupDescription(benchmark::State& bench) {
  const IdentityState state = StateWithPattern("^[a-zA-Z0-9_~@.+-]+$");
  std::string description;
  while (description.size() + 3 <= static_cast<size_t>(bench.range(0)))
    description += "\xe2\x82\xac";
  const Command command = CreateGroup{Group{"g", "Group", description}};
  for (auto _ : bench) {
    absl::StatusOr<ChangeSet> planned = Plan(state, command);
    benchmark::DoNotOptimize(planned);
  }
  bench.SetBytesProcessed(static_cast<int64_t>(bench.iterations()) *
                          static_cast<int64_t>(description.size()));
}
BENCHMARK(BM_PlanGroupDescription)->Arg(0)->Arg(4096);

}  // namespace
}  // namespace clearance

BENCHMARK_MAIN();

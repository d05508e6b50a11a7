// The reference evaluator's cost: the baseline every compiled path is compared against.
//
// Run: build/bench/reference/reference_bench --benchmark_repetitions=3
#include <string>

#include "benchmark/benchmark.h"
#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "reference/reference_evaluator.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

// A state with `n` CLIENT authorizations spread over n/10 clients, plus mapping rules on a
// scope claim and a group/role chain, so a check walks every kind of owner.
IdentityState BuildState(int n) {
  IdentityState state;
  Configuration config;
  config.client_id_claim = "azp";
  (void)Execute(state, Configure{config});  // valid by construction
  (void)Execute(state, Initialize{});
  (void)Execute(state, CreateGroup{{"ops", "Ops", ""}});
  (void)Execute(state, CreateRole{{"handler", "Handler", ""}});
  (void)Execute(state, AddMember{{ContainerType::kRole, "handler", MemberType::kGroup, "ops"}});
  for (int r = 0; r < 10; ++r) {
    std::string id = StrCat("rule-", r);
    (void)Execute(state, CreateMappingRule{{id, "scope", StrCat("scope-", r), id, {}}});
    (void)Execute(state, AddMember{{ContainerType::kGroup, "ops", MemberType::kMappingRule, id}});
  }
  for (int i = 0; i < n; ++i) {
    AuthorizationSpec spec{OwnerType::kClient,
                           StrCat("client-", i % (n / 10 + 1)),
                           ResourceType::kProcessDefinition,
                           StrCat("process-", i),
                           "",
                           Bit(Permission::kCreateProcessInstance)};
    (void)Execute(state, CreateAuthorization{spec});
  }
  return state;
}

void BM_ReferenceCheck(benchmark::State& bench) {
  const int n = static_cast<int>(bench.range(0));
  IdentityState state = BuildState(n);
  Caller caller = Caller::Claims(R"({"sub":"u","azp":"client-3","scope":"scope-1"})");
  CheckRequest request;
  request.resource_type = ResourceType::kProcessDefinition;
  request.permission = Permission::kCreateProcessInstance;
  request.resource_ids = {"process-3"};
  for (auto _ : bench) {
    reference::Verdict v = reference::Check(state, caller, request);
    benchmark::DoNotOptimize(v.decision);
  }
  bench.counters["authorizations"] = static_cast<double>(state.authorizations().size());
}
BENCHMARK(BM_ReferenceCheck)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace clearance

BENCHMARK_MAIN();

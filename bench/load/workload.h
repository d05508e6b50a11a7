// Workload generator for the load driver and the peer comparison.
//
// A Workload is an identity state plus a corpus of questions about it, generated deterministically
// from (size, seed): the same pair always gives the same rows, claims and queries, byte for byte,
// so our engine, the reference evaluator and the JavaScript peers all answer exactly the same
// questions. Popularity is skewed: principals, groups, resources and tenants are drawn from a Zipf
// distribution, so a few hot principals and resources dominate, as in a real cluster.
//
// The state is shaped like an OIDC deployment: username claim `sub`, client-id claim `azp`, tenant
// checks on, no groups claim (groups come from stored memberships). Mapping rules use every claim
// kind docs/semantics.md §5 supports — literal keys holding arrays (`groups`, `scp`, `roles`) or
// strings (`department`), JSONPaths with `[*]`, bracket names and `[n]` — so rules match on scopes,
// groups and custom claims. Authorizations use every matcher (ANY, ID, PROPERTY on USER_TASK).
//
// Thread-safety: plain functions and values.
#ifndef CLEARANCE_BENCH_LOAD_WORKLOAD_H_
#define CLEARANCE_BENCH_LOAD_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/decision.h"
#include "clearance/state.h"

namespace clearance::load {

struct WorkloadSize {
  std::string name;
  size_t users = 0;
  size_t clients = 0;
  size_t groups = 0;
  size_t roles = 0;
  size_t tenants = 0;
  size_t mapping_rules = 0;
  size_t authorizations = 0;
  size_t resources_per_type = 0;  // distinct resource ids per resource type
};

// tiny (tests), small, medium, large (named sizes). INVALID_ARGUMENT for another name.
absl::StatusOr<WorkloadSize> SizeNamed(std::string_view name);

// The claim shape a query's claims (and its token) imitate.
enum class ClaimShape : uint8_t { kKeycloak, kEntra, kOkta };
std::string_view Name(ClaimShape shape);

// One question of the corpus: verified claims plus a check.
struct Query {
  uint32_t principal = 0;  // index of the principal (same index = same claims, same profile)
  ClaimShape shape = ClaimShape::kKeycloak;
  std::string claims_json;  // one JSON object, ~0.6-1 KB
  CheckRequest request;
};

struct Workload {
  WorkloadSize size;
  uint64_t seed = 0;
  IdentityState state;
  std::vector<Query> queries;
};

// Generates the state and `query_count` queries. Deterministic in (size, seed, query_count).
Workload Generate(const WorkloadSize& size, uint64_t seed, size_t query_count);

// Per-principal claims as the corpus uses them (also what tokens carry), for principal index
// `principal` (see Query::principal).
std::string ClaimsFor(const WorkloadSize& size, uint64_t seed, uint32_t principal,
                      ClaimShape shape);

// One corpus line (NDJSON) for the JavaScript peers and the CLI:
//   {"principal":N,"shape":"keycloak","claims":{...},"type":"PROCESS_DEFINITION",
//    "permission":"READ_PROCESS_DEFINITION","ids":["process-1"],"tenant":"tenant-2","new":false,
//    "task":{"assignee":..,"candidateUsers":[..],"candidateGroups":[..]},"expect":"ALLOW"}
// `task` only for USER_TASK checks with properties; `tenant` only when the check names one.
std::string QueryToJson(const Query& query, Decision expected);

}  // namespace clearance::load

#endif  // CLEARANCE_BENCH_LOAD_WORKLOAD_H_

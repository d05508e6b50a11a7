// The full-size state of the performance budget (docs/architecture.md): 1 M authorizations, 100 k
// users, 10 k groups, 1 k roles, 10 k mapping rules, 100 tenants, with memberships at every level.
// Shared by the storage benchmarks (storage_bench.cc, snapshot_bench.cc). Scale with
// CLEARANCE_BENCH_SCALE (percent of the full size, default 100); CLEARANCE_BENCH_AUTHORIZATIONS
// sets the authorization count alone.
#ifndef CLEARANCE_BENCH_STORAGE_FULL_SIZE_STATE_H_
#define CLEARANCE_BENCH_STORAGE_FULL_SIZE_STATE_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>

#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "clearance/state.h"

namespace clearance::storage_bench {

inline int Scale(int full) {
  const char* v = std::getenv("CLEARANCE_BENCH_SCALE");
  int percent = v != nullptr ? std::atoi(v) : 100;
  return std::max(1, static_cast<int>(static_cast<int64_t>(full) * std::max(1, percent) / 100));
}

// The full-size state of the performance budget, built straight from change sets (the planner
// is not what is measured here).
// CLEARANCE_BENCH_AUTHORIZATIONS=N overrides the authorization count alone (the snapshot
// benchmarks use it to vary the row count with the entities fixed).
inline int AuthorizationCount() {
  const char* v = std::getenv("CLEARANCE_BENCH_AUTHORIZATIONS");
  return v != nullptr && *v ? std::max(1, std::atoi(v)) : Scale(1'000'000);
}

inline IdentityState LargeState() {
  const int users = Scale(100'000), groups = Scale(10'000), roles = Scale(1'000),
            rules = Scale(10'000), tenants = std::max(1, Scale(100)),
            authorizations = AuthorizationCount();
  std::mt19937_64 rng(1);
  IdentityState state;
  ChangeSet base;
  Configuration config;
  config.mode = AuthMode::kBasic;
  config.tenant_checks_enabled = true;
  base.configuration = config;
  base.initializes = true;
  auto put = [](ChangeSet& cs, Row row) {
    cs.changes.push_back({RowChange::Op::kPut, std::move(row)});
  };
  for (int i = 0; i < tenants; ++i) put(base, Tenant{strings_internal::StrCat("tenant-", i), "Tenant", ""});
  for (int i = 0; i < roles; ++i) {
    put(base, Role{strings_internal::StrCat("role-", i), "Role", ""});
    put(base, Membership{ContainerType::kTenant, strings_internal::StrCat("tenant-", rng() % tenants),
                         MemberType::kRole, strings_internal::StrCat("role-", i)});
  }
  for (int i = 0; i < groups; ++i) {
    put(base, Group{strings_internal::StrCat("group-", i), "Group", "a group"});
    put(base, Membership{ContainerType::kRole, strings_internal::StrCat("role-", rng() % roles), MemberType::kGroup,
                         strings_internal::StrCat("group-", i)});
  }
  for (int i = 0; i < rules; ++i) {
    MappingRule r;
    r.id = strings_internal::StrCat("rule-", i);
    r.claim_name = i % 2 ? "groups" : "$.realm_access.roles[*]";
    r.claim_value = strings_internal::StrCat("value-", i);
    r.name = "Rule";
    r.path = *ClaimPath::Compile(r.claim_name);
    put(base, std::move(r));
    put(base, Membership{ContainerType::kGroup, strings_internal::StrCat("group-", rng() % groups),
                         MemberType::kMappingRule, strings_internal::StrCat("rule-", i)});
  }
  state.Apply(base);
  ChangeSet cs;
  for (int i = 0; i < users; ++i) {
    put(cs, User{strings_internal::StrCat("user-", i), "User", "user@example.org",
                 "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"});
    for (int k = 0; k < 2; ++k) {
      put(cs, Membership{ContainerType::kGroup, strings_internal::StrCat("group-", rng() % groups), MemberType::kUser,
                         strings_internal::StrCat("user-", i)});
    }
  }
  state.Apply(cs);
  cs = ChangeSet{};
  static constexpr OwnerType kOwners[] = {OwnerType::kUser, OwnerType::kGroup, OwnerType::kRole,
                                          OwnerType::kMappingRule, OwnerType::kClient};
  for (int i = 0; i < authorizations; ++i) {
    Authorization a;
    a.key = static_cast<AuthorizationKey>(i + 1);
    a.owner_type = kOwners[rng() % 5];
    switch (a.owner_type) {
      case OwnerType::kUser:
        a.owner_id = strings_internal::StrCat("user-", rng() % users);
        break;
      case OwnerType::kGroup:
        a.owner_id = strings_internal::StrCat("group-", rng() % groups);
        break;
      case OwnerType::kRole:
        a.owner_id = strings_internal::StrCat("role-", rng() % roles);
        break;
      case OwnerType::kMappingRule:
        a.owner_id = strings_internal::StrCat("rule-", rng() % rules);
        break;
      case OwnerType::kClient:
        a.owner_id = strings_internal::StrCat("client-", rng() % 1000);
        break;
    }
    a.resource_type = ResourceType::kProcessDefinition;
    a.scope = rng() % 10 == 0 ? Scope::Any() : Scope::Id(strings_internal::StrCat("process-", rng() % 50'000));
    a.permissions =
        Bit(Permission::kReadProcessDefinition) | Bit(Permission::kCreateProcessInstance);
    put(cs, std::move(a));
    if (cs.changes.size() == 100'000) {
      state.Apply(cs);
      cs = ChangeSet{};
    }
  }
  cs.next_authorization_key = static_cast<AuthorizationKey>(authorizations + 1);
  state.Apply(cs);
  return state;
}

}  // namespace clearance::storage_bench

#endif  // CLEARANCE_BENCH_STORAGE_FULL_SIZE_STATE_H_

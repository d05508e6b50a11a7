// Storage benchmarks (DESIGN.md "Performance budget"):
//   BM_OpenAndReady       Open() of a store with 1 M authorizations, 100 k users, 10 k groups,
//                         1 k roles, 10 k mapping rules (built once with Store::CreateFrom):
//                         source rows into IdentityState, derived rows into DerivedState.
//   BM_Apply/sync:0|1     sustained single-command Apply() rate, sync off / on.
//   BM_ApplyBatch/N       group commit: N commands per ApplyBatch(), sync on (and off).
//   BM_ChangeLatency      per-change latency incl. persistence: p50/p99/max counters.
// Scale with CLEARANCE_BENCH_SCALE (percent of the full size, default 100).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base ? base : "/tmp") + "/clearance-bench-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) std::abort();
  return buf.data();
}

struct ScratchDir {
  std::string path = MakeTempDir();
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

int Scale(int full) {
  const char* v = std::getenv("CLEARANCE_BENCH_SCALE");
  int percent = v != nullptr ? std::atoi(v) : 100;
  return std::max(1, static_cast<int>(static_cast<int64_t>(full) * std::max(1, percent) / 100));
}

// The full-size state of the performance budget, built straight from change sets (the planner
// is not what is measured here).
IdentityState LargeState() {
  const int users = Scale(100'000), groups = Scale(10'000), roles = Scale(1'000),
            rules = Scale(10'000), tenants = std::max(1, Scale(100)),
            authorizations = Scale(1'000'000);
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
  for (int i = 0; i < tenants; ++i) put(base, Tenant{StrCat("tenant-", i), "Tenant", ""});
  for (int i = 0; i < roles; ++i) {
    put(base, Role{StrCat("role-", i), "Role", ""});
    put(base, Membership{ContainerType::kTenant, StrCat("tenant-", rng() % tenants),
                         MemberType::kRole, StrCat("role-", i)});
  }
  for (int i = 0; i < groups; ++i) {
    put(base, Group{StrCat("group-", i), "Group", "a group"});
    put(base, Membership{ContainerType::kRole, StrCat("role-", rng() % roles), MemberType::kGroup,
                         StrCat("group-", i)});
  }
  for (int i = 0; i < rules; ++i) {
    MappingRule r;
    r.id = StrCat("rule-", i);
    r.claim_name = i % 2 ? "groups" : "$.realm_access.roles[*]";
    r.claim_value = StrCat("value-", i);
    r.name = "Rule";
    r.path = *ClaimPath::Compile(r.claim_name);
    put(base, std::move(r));
    put(base, Membership{ContainerType::kGroup, StrCat("group-", rng() % groups),
                         MemberType::kMappingRule, StrCat("rule-", i)});
  }
  state.Apply(base);
  ChangeSet cs;
  for (int i = 0; i < users; ++i) {
    put(cs, User{StrCat("user-", i), "User", "user@example.org",
                 "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"});
    for (int k = 0; k < 2; ++k) {
      put(cs, Membership{ContainerType::kGroup, StrCat("group-", rng() % groups), MemberType::kUser,
                         StrCat("user-", i)});
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
        a.owner_id = StrCat("user-", rng() % users);
        break;
      case OwnerType::kGroup:
        a.owner_id = StrCat("group-", rng() % groups);
        break;
      case OwnerType::kRole:
        a.owner_id = StrCat("role-", rng() % roles);
        break;
      case OwnerType::kMappingRule:
        a.owner_id = StrCat("rule-", rng() % rules);
        break;
      case OwnerType::kClient:
        a.owner_id = StrCat("client-", rng() % 1000);
        break;
    }
    a.resource_type = ResourceType::kProcessDefinition;
    a.scope = rng() % 10 == 0 ? Scope::Any() : Scope::Id(StrCat("process-", rng() % 50'000));
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

ScratchDir* large_store = nullptr;

// CLEARANCE_BENCH_STORE=DIR keeps the large store in DIR across runs (built when missing).
std::string LargeStorePath(benchmark::State& st) {
  const char* keep = std::getenv("CLEARANCE_BENCH_STORE");
  std::string path;
  if (keep != nullptr && *keep) {
    path = keep;
  } else {
    if (large_store == nullptr) large_store = new ScratchDir;  // removed at exit by main()
    path = large_store->path + "/db";
  }
  if (!std::filesystem::exists(path + "/CURRENT")) {
    IdentityState state = LargeState();
    auto t0 = std::chrono::steady_clock::now();
    absl::Status s = Store::CreateFrom(path, {}, state, 1);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      std::abort();
    }
    st.counters["bulk_create_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return path;
}

void BM_OpenAndReady(benchmark::State& st) {
  const std::string path = LargeStorePath(st);
  size_t authorizations = 0, closures = 0;
  for (auto _ : st) {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path, {});
    if (!store.ok()) {
      st.SkipWithError(std::string(store.status().message()).c_str());
      return;
    }
    authorizations = (*store)->state().authorizations().size();
    closures = (*store)->derived().closures.size();
    st.PauseTiming();
    store->reset();  // closing is not part of "open and ready"
    st.ResumeTiming();
  }
  st.counters["authorizations"] = static_cast<double>(authorizations);
  st.counters["closures"] = static_cast<double>(closures);
}
BENCHMARK(BM_OpenAndReady)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Change latency against the full-size store (a checkpoint of it, so the kept store is not
// modified): planning and the derived-row update see 1 M authorizations.
void BM_ChangeLatencyAtFullSize(benchmark::State& st) {
  const std::string path = LargeStorePath(st);
  ScratchDir scratch;
  std::unique_ptr<Store> store;
  {
    absl::StatusOr<std::unique_ptr<Store>> source = Store::Open(path, {});
    if (!source.ok() || !(*source)->Checkpoint(scratch.path + "/db").ok()) {
      st.SkipWithError("cannot checkpoint the large store");
      return;
    }
  }
  StoreOptions o;
  o.sync = false;
  store = *Store::Open(scratch.path + "/db", o);
  std::vector<double> us;
  uint64_t n = 0;
  for (auto _ : st) {
    for (int i = 0; i < 20000; ++i) {
      ++n;
      Command c;
      if (n % 2) {
        c = AddMember{Membership{ContainerType::kGroup, StrCat("group-", n % 10000),
                                 MemberType::kUser, StrCat("user-", n % 100000)}};
      } else {
        AuthorizationSpec spec;
        spec.owner_type = OwnerType::kGroup;
        spec.owner_id = StrCat("group-", n % 10000);
        spec.resource_type = ResourceType::kDecisionDefinition;
        spec.resource_id = StrCat("decision-", n);
        spec.permissions = Bit(Permission::kReadDecisionDefinition);
        c = CreateAuthorization{spec};
      }
      auto t0 = std::chrono::steady_clock::now();
      absl::StatusOr<ApplyResult> r = store->Apply(c, std::nullopt);
      auto t1 = std::chrono::steady_clock::now();
      if (!r.ok()) {
        st.SkipWithError("apply failed");
        return;
      }
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  std::sort(us.begin(), us.end());
  st.counters["p50_us"] = us[us.size() / 2];
  st.counters["p99_us"] = us[us.size() * 99 / 100];
  st.counters["max_us"] = us.back();
}
BENCHMARK(BM_ChangeLatencyAtFullSize)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// An initialized store with some structure; commands are valid and distinct each time.
struct ApplyFixture {
  ScratchDir dir;
  std::unique_ptr<Store> store;
  uint64_t n = 0;

  explicit ApplyFixture(bool sync) {
    StoreOptions o;
    o.sync = sync;
    store = *Store::Open(dir.path + "/db", o);
    (void)store->Apply(Initialize{}, std::nullopt);
    for (int i = 0; i < 100; ++i) {
      (void)store->Apply(CreateGroup{Group{StrCat("g", i), "G", ""}}, std::nullopt);
      (void)store->Apply(
          AddMember{Membership{ContainerType::kRole, "rpa", MemberType::kGroup, StrCat("g", i)}},
          std::nullopt);
    }
  }
  // Alternates the two most frequent operator commands: add a member, grant a permission.
  Command Next() {
    ++n;
    if (n % 2) {
      return AddMember{Membership{ContainerType::kGroup, StrCat("g", n % 100), MemberType::kUser,
                                  StrCat("u", n)}};
    }
    AuthorizationSpec s;
    s.owner_type = OwnerType::kUser;
    s.owner_id = StrCat("u", n - 1);
    s.resource_type = ResourceType::kProcessDefinition;
    s.resource_id = StrCat("p", n);
    s.permissions = Bit(Permission::kReadProcessDefinition);
    return CreateAuthorization{s};
  }
};

void BM_Apply(benchmark::State& st) {
  ApplyFixture f(st.range(0) == 1);
  for (auto _ : st) {
    absl::StatusOr<ApplyResult> r = f.store->Apply(f.Next(), f.n);
    if (!r.ok() || r->outcome != ApplyResult::Outcome::kApplied) {
      st.SkipWithError("apply failed");
      return;
    }
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Apply)->ArgName("sync")->Arg(0)->Arg(1)->UseRealTime();

void BM_ApplyBatch(benchmark::State& st) {
  ApplyFixture f(st.range(1) == 1);
  const int64_t n = st.range(0);
  for (auto _ : st) {
    std::vector<LoggedCommand> batch;
    for (int64_t i = 0; i < n; ++i) {
      Command c = f.Next();
      batch.push_back({std::move(c), f.n});
    }
    absl::StatusOr<std::vector<ApplyResult>> r = f.store->ApplyBatch(batch);
    if (!r.ok()) {
      st.SkipWithError("apply batch failed");
      return;
    }
  }
  st.SetItemsProcessed(st.iterations() * n);
}
BENCHMARK(BM_ApplyBatch)
    ->ArgNames({"commands", "sync"})
    ->Args({16, 1})
    ->Args({64, 1})
    ->Args({64, 0})
    ->UseRealTime();

// Latency of one change, planned, persisted and applied to memory, over a fixed number of
// changes so percentiles are stable.
void BM_ChangeLatency(benchmark::State& st) {
  ApplyFixture f(st.range(0) == 1);
  const int changes = static_cast<int>(st.range(1));
  std::vector<double> us;
  for (auto _ : st) {
    us.clear();
    for (int i = 0; i < changes; ++i) {
      Command c = f.Next();
      auto t0 = std::chrono::steady_clock::now();
      absl::StatusOr<ApplyResult> r = f.store->Apply(c, f.n);
      auto t1 = std::chrono::steady_clock::now();
      if (!r.ok()) {
        st.SkipWithError("apply failed");
        return;
      }
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  std::sort(us.begin(), us.end());
  st.counters["p50_us"] = us[us.size() / 2];
  st.counters["p99_us"] = us[us.size() * 99 / 100];
  st.counters["max_us"] = us.back();
}
BENCHMARK(BM_ChangeLatency)
    ->ArgNames({"sync", "changes"})
    ->Args({0, 20000})
    ->Args({1, 2000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace clearance

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete clearance::large_store;
  return 0;
}

// Storage benchmarks (docs/architecture.md "Performance budget"):
//   BM_OpenAndReady/mode  Open() of a store with 1 M authorizations, 100 k users, 10 k groups,
//                         1 k roles, 10 k mapping rules (built once with Store::CreateFrom):
//                         source rows into IdentityState and the compiled index (the engine
//                         derives the closures): ready to answer checks. mode 0: Engine::Create
//                         over the opened state (two passes); 1: OpenStoreAndEngine, one pass,
//                         one thread; 2: the same with the index built on a second thread.
//                         Counters give the process CPU time (all threads, RocksDB's included).
//   BM_Apply/sync:0|1     sustained single-command Apply() rate, sync off / on.
//   BM_ApplyBatch/N       group commit: N commands per ApplyBatch(), sync on (and off).
//   BM_ChangeLatency      per-change latency incl. persistence: p50/p99/max counters.
// Scale with CLEARANCE_BENCH_SCALE (percent of the full size, default 100).
#include <sys/resource.h>

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
#include "clearance/engine.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "clearance/store_engine.h"
#include "full_size_state.h"

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

using storage_bench::LargeState;  // full_size_state.h
using storage_bench::Scale;

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

// CPU seconds of the whole process so far (every thread, user and system).
double ProcessCpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// mode 0: Store::Open, then Engine::Create over store->state() (two passes, as before).
// mode 1: OpenStoreAndEngine with the engine built in the same pass, on the calling thread.
// mode 2: OpenStoreAndEngine with the engine built on a second thread (the default).
void BM_OpenAndReady(benchmark::State& st) {
  const std::string path = LargeStorePath(st);
  const int64_t mode = st.range(0);
  size_t authorizations = 0;
  double open_cpu = 0, engine_cpu = 0, open_wall = 0, engine_wall = 0;
  for (auto _ : st) {
    const double cpu0 = ProcessCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<Store> store;
    std::unique_ptr<Engine> engine;
    if (mode == 0) {
      absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open(path, {});
      if (!opened.ok()) {
        st.SkipWithError(std::string(opened.status().message()).c_str());
        return;
      }
      store = *std::move(opened);
    } else {
      StoreOptions options;
      options.load_sink_thread = mode == 2;
      absl::StatusOr<StoreAndEngine> opened = OpenStoreAndEngine(path, options);
      if (!opened.ok()) {
        st.SkipWithError(std::string(opened.status().message()).c_str());
        return;
      }
      store = std::move(opened->store);
      engine = std::move(opened->engine);
    }
    const double cpu1 = ProcessCpuSeconds();
    const auto t1 = std::chrono::steady_clock::now();
    if (mode == 0) {
      absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create(store->state());
      if (!created.ok()) {
        st.SkipWithError(std::string(created.status().message()).c_str());
        return;
      }
      engine = *std::move(created);
    }
    open_cpu += cpu1 - cpu0;
    engine_cpu += ProcessCpuSeconds() - cpu1;
    open_wall += std::chrono::duration<double>(t1 - t0).count();
    engine_wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    authorizations = store->state().authorizations().size();
    st.PauseTiming();
    engine.reset();  // closing is not part of "open and ready"
    store.reset();
    st.ResumeTiming();
  }
  const double n = static_cast<double>(st.iterations());
  st.counters["authorizations"] = static_cast<double>(authorizations);
  // Modes 1 and 2 build the engine inside the open: engine_* is then 0 and open_* is the total.
  st.counters["open_cpu_s"] = open_cpu / n;
  st.counters["engine_cpu_s"] = engine_cpu / n;
  st.counters["ready_cpu_s"] = (open_cpu + engine_cpu) / n;
  st.counters["ready_wall_s"] = (open_wall + engine_wall) / n;
  st.counters["open_wall_s"] = open_wall / n;
  st.counters["engine_wall_s"] = engine_wall / n;
}
BENCHMARK(BM_OpenAndReady)
    ->ArgName("mode")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// Change latency against the full-size store (a checkpoint of it, so the kept store is not
// modified): planning sees 1 M authorizations.
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

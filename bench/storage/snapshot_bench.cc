// Snapshot benchmarks (docs/architecture.md "Snapshots"), on the full-size state of
// full_size_state.h (1 M authorizations, 100 k users, 10 k groups, 1 k roles, 10 k mapping rules):
//   BM_SnapshotExport   ExportSnapshot(store): one RocksDB snapshot streamed to an ndjson file
//   BM_SnapshotImport   ImportSnapshotToStore(): parse, validate, sorted runs, merge, derive,
//                       ingest, into a new store
// Budgets: export <= 5 s, import <= 10 s. Peak memory of import is measured on the CLI process
// (see bench/RESULTS-storage.md "Snapshots"): CLEARANCE_BENCH_SNAPSHOT=FILE keeps the exported
// file for that. CLEARANCE_BENCH_SCALE=N builds N percent of the full size.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "clearance/snapshot.h"
#include "clearance/store.h"
#include "full_size_state.h"

namespace clearance {
namespace {

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base ? base : "/tmp") + "/clearance-snapbench-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) std::abort();
  return buf.data();
}

// One scratch directory for the process: the store and the snapshot file, built once.
struct Fixture {
  std::string dir = MakeTempDir();
  std::string store = dir + "/store";
  std::string snapshot;
  ~Fixture() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};
Fixture* fixture = nullptr;

Fixture& Get() {
  if (fixture == nullptr) {
    fixture = new Fixture;
    const char* keep = std::getenv("CLEARANCE_BENCH_SNAPSHOT");
    fixture->snapshot = keep != nullptr && *keep ? keep : fixture->dir + "/state.ndjson";
    IdentityState state = storage_bench::LargeState();
    absl::Status s = Store::CreateFrom(fixture->store, {}, state, 1);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      std::abort();
    }
  }
  return *fixture;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void BM_SnapshotExport(benchmark::State& st) {
  Fixture& f = Get();
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(f.store, {});
  if (!store.ok()) {
    st.SkipWithError(std::string(store.status().message()).c_str());
    return;
  }
  double seconds = 0;
  for (auto _ : st) {
    std::filesystem::remove(f.snapshot);
    auto t0 = std::chrono::steady_clock::now();
    {
      std::ofstream out(f.snapshot, std::ios::binary | std::ios::trunc);
      absl::Status s = ExportSnapshot(**store, &out);
      if (!s.ok()) {
        st.SkipWithError(std::string(s.message()).c_str());
        return;
      }
    }
    seconds = Seconds(t0);
  }
  const double records = static_cast<double>(CountsOf((*store)->state()).total());
  st.counters["seconds"] = seconds;
  st.counters["records"] = records;
  st.counters["records_per_s"] = records / seconds;
  st.counters["file_MB"] = static_cast<double>(std::filesystem::file_size(f.snapshot)) / 1e6;
}
BENCHMARK(BM_SnapshotExport)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SnapshotImport(benchmark::State& st) {
  Fixture& f = Get();
  if (!std::filesystem::exists(f.snapshot)) {
    st.SkipWithError("run BM_SnapshotExport first (it writes the file imported here)");
    return;
  }
  double seconds = 0;
  uint64_t records = 0;
  for (auto _ : st) {
    const std::string target = f.dir + "/imported";
    std::filesystem::remove_all(target);
    auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(f.snapshot, std::ios::binary);
    absl::StatusOr<StoreImport> imported = ImportSnapshotToStore(&in, target, {});
    if (!imported.ok()) {
      st.SkipWithError(std::string(imported.status().message()).c_str());
      return;
    }
    seconds = Seconds(t0);
    records = imported->counts.total();
  }
  st.counters["seconds"] = seconds;
  st.counters["records"] = static_cast<double>(records);
  st.counters["records_per_s"] = static_cast<double>(records) / seconds;
}
BENCHMARK(BM_SnapshotImport)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace clearance

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete clearance::fixture;  // removes the scratch store and file
  return 0;
}

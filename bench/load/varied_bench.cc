// clearance_varied_bench: the cost of one decision when consecutive decisions share nothing —
// many principals, many resource ids, in a shuffled order — as a service answering a whole
// cluster sees it, beside the C++ bitset baseline (bench/baseline) on the same queries.
// Results and the commands: bench/RESULTS.md "Varied workload".
//
// Per size, the workload generator's state and `--queries` queries (default 100 000; seed 1),
// shuffled (seed 2). Before anything is timed, every query is decided by every path below and the
// outcomes must agree (the engine's Check(handle), its CheckClaims on both documents, the
// baseline's resolved and claims paths); a disagreement exits 1.
//
//   varied/check_handle/<size>          Engine::Check(handle, request); each query's handle is
//                                       resolved once, before timing, as a caller holding
//                                       handles does
//   varied/check_batch_mixed/<size>     Engine::CheckBatch(handles, requests), 256 consecutive
//                                       queries of mixed principals per call (it reads ahead);
//                                       items_per_second is per decision
//   varied/check_claims/<size>          Engine::CheckClaims(claims, request), the corpus's claims
//                                       documents (0.6-1 KB), default claims cache
//   varied/check_claims_min/<size>      the same with principal-only documents ({"sub":"user-7"},
//                                       ~20-25 bytes)
//   varied/baseline_handle/<size>       BitsetBaseline::Check(profile, request)
//   varied/baseline_claims/<size>       BitsetBaseline::CheckClaims, corpus documents
//   varied/baseline_claims_min/<size>   the same, principal-only documents
//   varied/first_sight_corpus/<size>    CheckClaims of a corpus principal the engine has not
//                                       seen (claims and profile caches cold for it): parse,
//                                       resolve, build its profiles, decide; each principal's
//                                       first query in the shuffled order, a fresh engine per
//                                       pass. Reports median_us beside the mean.
//   varied/first_sight_min/<size>       the same for principal-only documents of principals
//                                       outside the state (no memberships): the path's floor
//
// Each reports allocs_per_op and `principals` (distinct principals in the timed queries).
// Flags, read before Google Benchmark's own:
//   --sizes=small          comma-separated sizes (tiny, small, medium, large)
//   --queries=100000       queries per size
//   --profile-cache=N, --claims-cache=N   EngineOptions of the engines (default: the defaults):
//                          the memory a server trades for fewer profile builds
//   --profile-copy-limit=N EngineOptions::profile_copy_limit: dearer profile builds (first
//                          sight) for fewer in-place searches per check
//   --loop=PATH:N          no benchmarks: N decisions of PATH (check_handle, check_batch_mixed,
//                          check_claims, check_claims_min, baseline_handle, baseline_claims_min,
//                          first_sight_corpus, first_sight_min) on the first size, for counters
//                          (bench/load/varied_counters.sh: perf stat when the machine has
//                          hardware counters, else cachegrind). With CLEARANCE_PERF_CONTROL=FIFO,
//                          the first_sight loops enable `perf record --control=fifo:FIFO -D -1`
//                          around their decisions only (not the fresh engines' builds).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "bench_support.h"
#include "benchmark/benchmark.h"
#include "bitset_baseline.h"
#include "clearance/engine.h"
#include "workload.h"

namespace clearance::load {
namespace {

using baseline::BitsetBaseline;

constexpr uint64_t kSeed = 1;
constexpr uint64_t kShuffleSeed = 2;
constexpr size_t kBatch = 256;

size_t g_queries = 100000;
EngineOptions g_options;  // --profile-cache=N, --claims-cache=N, --profile-copy-limit=N

// A document naming only the principal, as a gateway that forwards just the subject sends it.
std::string MinimalClaims(const OwnerRef& principal) {
  return principal.type == OwnerType::kClient ? "{\"azp\":\"" + principal.id + "\"}"
                                              : "{\"sub\":\"" + principal.id + "\"}";
}

struct World {
  std::string size_name;
  Workload workload;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<BitsetBaseline> baseline;
  // Shuffled corpus order; per query its handle, baseline profile and minimal document.
  std::vector<const Query*> order;
  std::vector<PrincipalHandle> handles;
  std::vector<const BitsetBaseline::Profile*> profiles;
  std::vector<std::string> minimal;
  // order's requests, copied into one array: a server decides requests it has just read, so
  // they are in cache; reading them through the corpus (1 KB claims beside each) would time
  // the benchmark's own memory layout instead.
  std::vector<CheckRequest> requests;
  size_t principals = 0;
};

[[noreturn]] void SetupFailed(const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  std::exit(1);
}

World& GetWorld(const std::string& size_name) {
  static std::unique_ptr<World> world;
  if (world != nullptr && world->size_name == size_name) return *world;
  world.reset();
  auto w = std::make_unique<World>();
  w->size_name = size_name;
  w->workload = Generate(*SizeNamed(size_name), kSeed, g_queries);
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(w->workload.state, g_options);
  if (!engine.ok()) SetupFailed("Engine::Create: " + std::string(engine.status().message()));
  w->engine = *std::move(engine);
  absl::StatusOr<std::unique_ptr<BitsetBaseline>> b = BitsetBaseline::Create(w->workload.state);
  if (!b.ok()) SetupFailed("BitsetBaseline::Create: " + std::string(b.status().message()));
  w->baseline = *std::move(b);

  for (const Query& q : w->workload.queries) w->order.push_back(&q);
  std::mt19937_64 rng(kShuffleSeed);
  std::shuffle(w->order.begin(), w->order.end(), rng);
  std::vector<PrincipalHandle> by_principal(w->workload.size.users + w->workload.size.clients);
  for (const Query* q : w->order) {
    PrincipalHandle& h = by_principal[q->principal];
    if (h.generation() == 0) {
      h = w->engine->Resolve(Caller::Claims(q->claims_json));
      ++w->principals;
    }
    if (!h.authenticated()) SetupFailed("a corpus caller did not resolve: " + q->claims_json);
    w->handles.push_back(h);
    w->profiles.push_back(w->baseline->Resolve(q->claims_json));
    w->minimal.push_back(MinimalClaims(*h.principal()));
    w->requests.push_back(q->request);
  }
  // The referee before the clock: every path answers every query alike.
  for (size_t i = 0; i < w->order.size(); ++i) {
    const Query& q = *w->order[i];
    const Outcome handle = w->engine->Check(w->handles[i], q.request).outcome;
    const Outcome claims = w->engine->CheckClaims(q.claims_json, q.request).outcome;
    const Outcome base = w->baseline->Check(w->profiles[i], q.request);
    const Outcome base_claims = w->baseline->CheckClaims(q.claims_json, q.request);
    const Outcome min = w->engine->CheckClaims(w->minimal[i], q.request).outcome;
    const Outcome base_min = w->baseline->CheckClaims(w->minimal[i], q.request);
    if (handle != claims || handle != base || handle != base_claims || min != base_min) {
      SetupFailed("query " + std::to_string(i) + " answered differently: engine handle " +
                  std::string(Name(handle)) + ", engine claims " + std::string(Name(claims)) +
                  ", baseline " + std::string(Name(base)) + ", baseline claims " +
                  std::string(Name(base_claims)) + ", engine minimal " + std::string(Name(min)) +
                  ", baseline minimal " + std::string(Name(base_min)) + "; claims " +
                  q.claims_json);
    }
  }
  // The mixed batch answers like the single checks (it reads ahead; the answers must not move).
  std::vector<Decision> batch(w->order.size());
  if (!w->engine->CheckBatch(w->handles, w->requests, absl::MakeSpan(batch)).ok()) {
    SetupFailed("CheckBatch(handles) refused the world's handles and requests");
  }
  for (size_t i = 0; i < w->order.size(); ++i) {
    if (batch[i] != w->engine->Check(w->handles[i], w->requests[i])) {
      SetupFailed("CheckBatch(handles) entry " + std::to_string(i) + " differs from Check");
    }
  }
  world = std::move(w);
  return *world;
}

void Finish(benchmark::State& state, const World& w, const AllocationMeter& meter) {
  meter.Report(state);
  state.counters["principals"] = static_cast<double>(w.principals);
  state.SetItemsProcessed(state.iterations());
}

// One decision per iteration, over the shuffled queries in turn.
template <typename Decide>
void DecisionLoop(benchmark::State& state, const World& w, Decide decide) {
  const size_t n = w.order.size();
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decide(i));
    if (++i == n) i = 0;
  }
  Finish(state, w, meter);
}

void CheckHandle(benchmark::State& state, const std::string& size) {
  const World& w = GetWorld(size);
  DecisionLoop(state, w, [&](size_t i) { return w.engine->Check(w.handles[i], w.requests[i]); });
}

// Engine::CheckBatch(handles, requests): kBatch consecutive queries of mixed principals per
// call; items (and the time column, per iteration) are per call, items_per_second per decision.
void CheckBatchMixed(benchmark::State& state, const std::string& size) {
  const World& w = GetWorld(size);
  const size_t n = w.order.size();
  std::vector<Decision> out(kBatch);
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    if (i + kBatch > n) i = 0;
    // kBatch handles, requests and decisions: the sizes match.
    w.engine
        ->CheckBatch(absl::MakeConstSpan(&w.handles[i], kBatch),
                     absl::MakeConstSpan(&w.requests[i], kBatch), absl::MakeSpan(out))
        .IgnoreError();
    benchmark::DoNotOptimize(out.data());
    i += kBatch;
  }
  meter.Report(state);
  state.counters["principals"] = static_cast<double>(w.principals);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}

void CheckClaims(benchmark::State& state, const std::string& size, bool minimal) {
  const World& w = GetWorld(size);
  DecisionLoop(state, w, [&](size_t i) {
    return w.engine->CheckClaims(minimal ? w.minimal[i] : w.order[i]->claims_json, w.requests[i]);
  });
}

void BaselineHandle(benchmark::State& state, const std::string& size) {
  const World& w = GetWorld(size);
  DecisionLoop(state, w, [&](size_t i) { return w.baseline->Check(w.profiles[i], w.requests[i]); });
}

void BaselineClaims(benchmark::State& state, const std::string& size, bool minimal) {
  World& w = GetWorld(size);
  DecisionLoop(state, w, [&](size_t i) {
    return w.baseline->CheckClaims(minimal ? w.minimal[i] : w.order[i]->claims_json,
                                   w.requests[i]);
  });
}

// First sights in turn: the next query whose principal `engine` has not seen (a corpus
// principal), or a principal-only document of a principal outside the state; a fresh engine
// whenever every corpus principal has been seen. The benchmark and --loop share it.
class FirstSights {
 public:
  FirstSights(const World& w, bool corpus) : w_(w), corpus_(corpus), i_(w.order.size()) {}

  // Called before each fresh engine is created.
  void OnCreate(std::function<void()> f) { on_create_ = std::move(f); }

  // The next first sight's engine, document and request (valid until the next call).
  Engine& Next(const std::string** doc, const CheckRequest** request) {
    const size_t n = w_.order.size();
    if (corpus_) {
      for (;;) {
        if (i_ == n) {  // every principal seen: a fresh engine, from the start again
          if (on_create_) on_create_();
          fresh_ = *Engine::Create(w_.workload.state, g_options);
          seen_.assign(w_.workload.size.users + w_.workload.size.clients, false);
          i_ = 0;
        }
        if (!seen_[w_.order[i_]->principal]) break;
        ++i_;
      }
      seen_[w_.order[i_]->principal] = true;
      doc_ = w_.order[i_]->claims_json;
    } else {
      if (fresh_ == nullptr) {
        if (on_create_) on_create_();
        fresh_ = *Engine::Create(w_.workload.state, g_options);
      }
      if (i_ >= n) i_ = 0;
      doc_ = "{\"sub\":\"first-sight-" + std::to_string(serial_++) + "\"}";
    }
    *doc = &doc_;
    *request = &w_.requests[i_];
    ++i_;
    return *fresh_;
  }

 private:
  const World& w_;
  bool corpus_;
  size_t i_;
  std::unique_ptr<Engine> fresh_;
  std::vector<bool> seen_;
  size_t serial_ = 0;
  std::string doc_;
  std::function<void()> on_create_;
};

// A principal never seen before, on an engine whose caches have never held it; timed by hand
// around the one CheckClaims (the setup between two first sights is not).
void FirstSight(benchmark::State& state, const std::string& size, bool corpus) {
  const World& w = GetWorld(size);
  FirstSights sights(w, corpus);
  std::vector<double> ns;
  for (auto _ : state) {
    const std::string* doc;
    const CheckRequest* request;
    Engine& engine = sights.Next(&doc, &request);
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(engine.CheckClaims(*doc, *request));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(elapsed);
    ns.push_back(elapsed * 1e9);
  }
  if (!ns.empty()) {
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(ns.size() / 2), ns.end());
    state.counters["median_us"] = ns[ns.size() / 2] / 1000.0;
  }
}

// perf's control fifo (`perf record --control=fifo:PATH -D -1`), named by
// CLEARANCE_PERF_CONTROL: --loop=first_sight_* enables sampling around its decisions only, not
// around the engine builds between them.
void PerfControl(const char* command) {
  // Opened once and kept: perf stops reading the fifo when its writer closes it.
  static std::FILE* const fifo = [] {
    const char* path = std::getenv("CLEARANCE_PERF_CONTROL");
    return path == nullptr ? nullptr : std::fopen(path, "w");
  }();
  if (fifo == nullptr) return;
  std::fputs(command, fifo);
  std::fflush(fifo);
}

// --loop=PATH:N: N decisions of one path over the shuffled corpus, untimed, then exit; for
// instruction, cache and branch counts under cachegrind (the setup is deterministic, so two runs
// with different N differ only by the loop).
int Loop(const std::string& size, std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view path = spec.substr(0, colon);
  const size_t count = colon == std::string_view::npos
                           ? 0
                           : std::strtoul(std::string(spec.substr(colon + 1)).c_str(), nullptr, 10);
  World& w = GetWorld(size);
  const size_t n = w.order.size();
  uint64_t allowed = 0;
  auto run = [&](auto decide) {
    for (size_t k = 0, i = 0; k < count; ++k) {
      allowed += decide(i) == Outcome::kAllow;
      if (++i == n) i = 0;
    }
  };
  if (path == "check_batch_mixed") {
    std::vector<Decision> out(kBatch);
    for (size_t k = 0, i = 0; k < count; k += kBatch, i += kBatch) {
      if (i + kBatch > n) i = 0;
      // kBatch handles, requests and decisions: the sizes match.
      w.engine
          ->CheckBatch(absl::MakeConstSpan(&w.handles[i], kBatch),
                       absl::MakeConstSpan(&w.requests[i], kBatch), absl::MakeSpan(out))
          .IgnoreError();
      for (const Decision& d : out) allowed += d.outcome == Outcome::kAllow;
    }
  } else if (path == "first_sight_corpus" || path == "first_sight_min") {
    FirstSights sights(w, path == "first_sight_corpus");
    bool sampling = false;
    sights.OnCreate([&] {
      if (sampling) PerfControl("disable\n");
      sampling = false;
    });
    for (size_t k = 0; k < count; ++k) {
      const std::string* doc;
      const CheckRequest* request;
      Engine& engine = sights.Next(&doc, &request);
      if (!sampling) {
        PerfControl("enable\n");
        sampling = true;
      }
      allowed += engine.CheckClaims(*doc, *request).outcome == Outcome::kAllow;
    }
    if (sampling) PerfControl("disable\n");
  } else if (path == "check_handle") {
    run([&](size_t i) { return w.engine->Check(w.handles[i], w.requests[i]).outcome; });
  } else if (path == "check_claims") {
    run([&](size_t i) {
      return w.engine->CheckClaims(w.order[i]->claims_json, w.requests[i]).outcome;
    });
  } else if (path == "check_claims_min") {
    run([&](size_t i) { return w.engine->CheckClaims(w.minimal[i], w.requests[i]).outcome; });
  } else if (path == "baseline_handle") {
    run([&](size_t i) { return w.baseline->Check(w.profiles[i], w.requests[i]); });
  } else if (path == "baseline_claims_min") {
    run([&](size_t i) { return w.baseline->CheckClaims(w.minimal[i], w.requests[i]); });
  } else {
    std::fprintf(
        stderr,
        "error: --loop expects PATH:N with PATH check_handle, check_batch_mixed, check_claims, "
        "check_claims_min, baseline_handle, baseline_claims_min, first_sight_corpus or "
        "first_sight_min, got \"%s\"\n",
        std::string(spec).c_str());
    return 2;
  }
  std::printf("%s %zu decisions, %llu allowed\n", std::string(path).c_str(), count,
              static_cast<unsigned long long>(allowed));
  return 0;
}

void Register(const std::string& size) {
  auto add = [](const std::string& name, auto fn) {
    return benchmark::RegisterBenchmark(name.c_str(), fn);
  };
  add("varied/check_handle/" + size, [size](benchmark::State& s) { CheckHandle(s, size); });
  add("varied/check_batch_mixed/" + size,
      [size](benchmark::State& s) { CheckBatchMixed(s, size); });
  add("varied/check_claims/" + size, [size](benchmark::State& s) { CheckClaims(s, size, false); });
  add("varied/check_claims_min/" + size,
      [size](benchmark::State& s) { CheckClaims(s, size, true); });
  add("varied/baseline_handle/" + size, [size](benchmark::State& s) { BaselineHandle(s, size); });
  add("varied/baseline_claims/" + size,
      [size](benchmark::State& s) { BaselineClaims(s, size, false); });
  add("varied/baseline_claims_min/" + size,
      [size](benchmark::State& s) { BaselineClaims(s, size, true); });
  add("varied/first_sight_corpus/" + size,
      [size](benchmark::State& s) { FirstSight(s, size, true); })
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  add("varied/first_sight_min/" + size, [size](benchmark::State& s) { FirstSight(s, size, false); })
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace clearance::load

int main(int argc, char** argv) {
  using namespace clearance::load;
  std::string sizes_flag = "small";
  std::string loop;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr std::string_view kSizes = "--sizes=";
    constexpr std::string_view kQueries = "--queries=";
    constexpr std::string_view kLoop = "--loop=";
    constexpr std::string_view kProfileCache = "--profile-cache=";
    constexpr std::string_view kClaimsCache = "--claims-cache=";
    constexpr std::string_view kCopyLimit = "--profile-copy-limit=";
    const std::string_view arg = argv[i];
    if (arg.substr(0, kSizes.size()) == kSizes) {
      sizes_flag = std::string(arg.substr(kSizes.size()));
    } else if (arg.substr(0, kProfileCache.size()) == kProfileCache) {
      g_options.profile_cache_capacity = std::strtoul(argv[i] + kProfileCache.size(), nullptr, 10);
    } else if (arg.substr(0, kClaimsCache.size()) == kClaimsCache) {
      g_options.claims_cache_capacity = std::strtoul(argv[i] + kClaimsCache.size(), nullptr, 10);
    } else if (arg.substr(0, kCopyLimit.size()) == kCopyLimit) {
      g_options.profile_copy_limit = std::strtoul(argv[i] + kCopyLimit.size(), nullptr, 10);
    } else if (arg.substr(0, kLoop.size()) == kLoop) {
      loop = std::string(arg.substr(kLoop.size()));
    } else if (arg.substr(0, kQueries.size()) == kQueries) {
      g_queries = std::strtoul(argv[i] + kQueries.size(), nullptr, 10);
      if (g_queries == 0) {
        std::fprintf(stderr, "error: --queries expects a positive count, got \"%s\"\n",
                     argv[i] + kQueries.size());
        return 2;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  std::vector<std::string> sizes = SplitCommas(sizes_flag);
  if (!RegisterSizes(sizes, Register)) return 2;
  if (!loop.empty()) return Loop(sizes.front(), loop);
  if (!RunBenchmarks(argc, argv)) return 2;
  return 0;
}

// clearance_stages_bench: one Google Benchmark per stage of the hot path, at each
// workload size, each reporting allocs_per_op, so a regression points at its stage. Results and
// the command: bench/RESULTS-load.md "Per-stage benchmarks".
//
//   verify/first_sight/<alg>/<size>   TokenVerifier::Verify, cache off: split, base64url, both JSON
//                                     documents, key, signature, claims checks (RS256, ES256,
// EdDSA;
//                                     a Keycloak-shaped token of the size's corpus, ~1-1.25 KB)
//   verify/cache_hit/<size>           the RS256 token again, verified-token cache on
//   resolve/handle/<size>             Engine::Resolve(Caller::Claims) over the claims of up to 512
//                                     distinct principals, every profile cached: parse, principal,
//                                     mapping rules, handle. Resolve never uses the claims cache.
//   resolve/check_claims_cache_off/<size>  CheckClaims over the same documents, claims cache off:
//                                     parse + resolve + decision
//   resolve/check_claims_cache_hit/<size>  the same, every document in the claims cache: no parse
//   profile/build/<size>              resolve/handle on an engine whose profile cache holds 8:
//                                     the principals' profiles are built on every resolution
//                                     (rule-set profiles shared by many principals may still hit).
//                                     The cost of building = this minus resolve/handle.
//   check/handle/<size>               Check(handle, request) over the corpus's first 1024 queries,
//                                     each on its own principal's resolved handle
//   check/batch16/<size>              CheckBatch of 16 requests on one handle (per call)
//   ids/handle/<size>                 AuthorizedResourceIds on a handle, the query's
// type/permission
//
// Sizes come from the workload generator (workload.h, seed 1, deterministic). A size's world
// (state, queries, engines, handles) is built the first time one of its benchmarks runs, outside
// the timed loop, and kept until a benchmark of another size runs (benchmarks are registered
// size by size, so each world is built once). Flags, read before Google Benchmark's own:
//   --sizes=tiny,small,medium   (the default, ~35 s) the sizes to register; large adds ~20-35 s
//                               and 0.6 GB peak RSS, so it runs only when named here or when the
//                               environment has CLEARANCE_STAGES_LARGE=1.
// Exit status 1 when any benchmark found its setup wrong (a token refused, a caller not
// resolved), so the smoke test fails instead of timing a broken path.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "bench_support.h"
#include "benchmark/benchmark.h"
#include "clearance/engine.h"
#include "clearance/token.h"
#include "token_corpus.h"
#include "workload.h"

namespace clearance::load {
namespace {


constexpr uint64_t kSeed = 1;
constexpr size_t kQueries = 4096;
constexpr size_t kHandles = 1024;       // check/ids cycle over this many queries (a power of two)
constexpr size_t kDistinct = 512;       // resolve/profile cycle over this many principals at most
constexpr size_t kBatch = 16;
constexpr size_t kSmallProfileCache = 8;

bool g_setup_failed = false;

void Fail(benchmark::State& state, const std::string& what) {
  g_setup_failed = true;
  std::fprintf(stderr, "error: %s\n", what.c_str());
  state.SkipWithError(what.c_str());
}

// One size's state, corpus and engines. Engines with non-default options are made on first use.
struct World {
  WorkloadSize size;
  Workload workload;
  std::unique_ptr<Engine> engine;          // default options
  std::unique_ptr<Engine> claims_off;      // claims_cache_capacity 0
  std::unique_ptr<Engine> small_profiles;  // profile_cache_capacity kSmallProfileCache
  // The first query of each distinct principal, in corpus order (popular principals first).
  std::vector<Caller> distinct_callers;
  std::vector<const CheckRequest*> distinct_requests;
  // handles[i] resolves workload.queries[i]; requests[i] is its request, for i < kHandles, then
  // kBatch more that wrap around so every batch is contiguous.
  std::vector<PrincipalHandle> handles;
  std::vector<CheckRequest> requests;
};

// --profile-copy-limit=N: EngineOptions::profile_copy_limit of every engine (default: its default).
size_t g_profile_copy_limit = EngineOptions{}.profile_copy_limit;

std::unique_ptr<Engine> MakeEngine(const IdentityState& state, EngineOptions options) {
  options.profile_copy_limit = g_profile_copy_limit;
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(state, options);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: Engine::Create: %s\n",
                 std::string(engine.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(engine);
}

World& GetWorld(const std::string& size_name) {
  static std::unique_ptr<World> world;
  if (world != nullptr && world->size.name == size_name) return *world;
  world.reset();  // one world at a time: large alone is ~0.6 GB
  auto w = std::make_unique<World>();
  w->size = *SizeNamed(size_name);  // checked when the flags were read
  w->workload = Generate(w->size, kSeed, kQueries);
  w->engine = MakeEngine(w->workload.state, EngineOptions{});
  std::vector<bool> seen(w->size.users + w->size.clients, false);
  for (const Query& q : w->workload.queries) {
    if (w->distinct_callers.size() == kDistinct) break;
    if (seen[q.principal]) continue;
    seen[q.principal] = true;
    w->distinct_callers.push_back(Caller::Claims(q.claims_json));
    w->distinct_requests.push_back(&q.request);
  }
  for (size_t i = 0; i < kHandles; ++i) {
    const Query& q = w->workload.queries[i];
    w->handles.push_back(w->engine->Resolve(Caller::Claims(q.claims_json)));
  }
  for (size_t i = 0; i < kHandles + kBatch; ++i) {
    w->requests.push_back(w->workload.queries[i % kHandles].request);
  }
  world = std::move(w);
  return *world;
}

Engine& ClaimsOffEngine(World& w) {
  if (w.claims_off == nullptr) {
    EngineOptions options;
    options.claims_cache_capacity = 0;
    w.claims_off = MakeEngine(w.workload.state, options);
  }
  return *w.claims_off;
}

Engine& SmallProfilesEngine(World& w) {
  if (w.small_profiles == nullptr) {
    EngineOptions options;
    options.profile_cache_capacity = kSmallProfileCache;
    w.small_profiles = MakeEngine(w.workload.state, options);
  }
  return *w.small_profiles;
}

// Every distinct caller must resolve: a refused one would time the cheap UNAUTHENTICATED path.
bool CheckResolves(benchmark::State& state, const Engine& engine, const World& w) {
  for (const Caller& caller : w.distinct_callers) {
    if (!engine.Resolve(caller).authenticated()) {
      Fail(state, "a corpus caller did not resolve to a principal: " + caller.claims_json);
      return false;
    }
  }
  return true;
}

// ---- verify ----------------------------------------------------------------------------------

struct Tokens {
  std::string size_name;
  TokenCorpus corpus;
  std::unique_ptr<TokenVerifier> no_cache;
  std::unique_ptr<TokenVerifier> cached;
};

const Tokens* GetTokens(benchmark::State& state, const std::string& size_name) {
  static std::unique_ptr<Tokens> tokens;
  if (tokens != nullptr && tokens->size_name == size_name) return tokens.get();
  tokens.reset();
  auto t = std::make_unique<Tokens>();
  t->size_name = size_name;
  TokenCorpusOptions options;
  options.presentations = 90;  // algorithms in turn; principals (and shapes) drawn at random
  options.repeat_percent = 0;
  absl::StatusOr<TokenCorpus> corpus = MintTokenCorpus(*SizeNamed(size_name), kSeed, options);
  if (!corpus.ok()) {
    Fail(state, "MintTokenCorpus: " + std::string(corpus.status().message()));
    return nullptr;
  }
  t->corpus = *std::move(corpus);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> no_cache = MakeVerifier(t->corpus, 0);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> cached = MakeVerifier(t->corpus, 8192);
  if (!no_cache.ok() || !cached.ok()) {
    Fail(state, "MakeVerifier failed");
    return nullptr;
  }
  t->no_cache = *std::move(no_cache);
  t->cached = *std::move(cached);
  tokens = std::move(t);
  return tokens.get();
}

// The corpus's Keycloak-shaped token for `alg` (any shape if it has none), so every size verifies
// the same shape: the work outside the signature, and its allocations, follow the claims
// document. The label names the shape and the token's length.
const std::string* TokenOf(benchmark::State& state, const Tokens& t, JwsAlgorithm alg) {
  const TokenPresentation* chosen = nullptr;
  for (const TokenPresentation& p : t.corpus.presentations) {
    if (p.alg != alg) continue;
    if (chosen == nullptr || (p.shape == ClaimShape::kKeycloak &&
                              chosen->shape != ClaimShape::kKeycloak)) {
      chosen = &p;
    }
  }
  if (chosen != nullptr) {
    state.SetLabel(std::string(Name(chosen->shape)) + " " + std::to_string(chosen->token.size()) +
                   " B");
    return &chosen->token;
  }
  Fail(state, "no token for " + std::string(Name(alg)));
  return nullptr;
}

void VerifyFirstSight(benchmark::State& state, const std::string& size_name, JwsAlgorithm alg) {
  const Tokens* t = GetTokens(state, size_name);
  if (t == nullptr) return;
  const std::string* token = TokenOf(state, *t, alg);
  if (token == nullptr) return;
  std::shared_ptr<const VerifiedToken> out;
  if (t->no_cache->Verify(*token, &out) != TokenError::kOk) {
    return Fail(state, "token refused: " + std::string(Name(alg)));
  }
  AllocationMeter meter;
  for (auto _ : state) {
    std::shared_ptr<const VerifiedToken> verified;
    benchmark::DoNotOptimize(t->no_cache->Verify(*token, &verified));
    benchmark::DoNotOptimize(verified);
  }
  meter.Report(state);
}

void VerifyCacheHit(benchmark::State& state, const std::string& size_name) {
  const Tokens* t = GetTokens(state, size_name);
  if (t == nullptr) return;
  const std::string* token = TokenOf(state, *t, JwsAlgorithm::kRS256);
  if (token == nullptr) return;
  std::shared_ptr<const VerifiedToken> out;
  if (t->cached->Verify(*token, &out) != TokenError::kOk) return Fail(state, "token refused");
  out.reset();
  AllocationMeter meter;
  for (auto _ : state) {
    std::shared_ptr<const VerifiedToken> verified;
    benchmark::DoNotOptimize(t->cached->Verify(*token, &verified));
    benchmark::DoNotOptimize(verified);
  }
  meter.Report(state);
}

// ---- parse + resolve, profile ----------------------------------------------------------------

// Resolve over the distinct callers, round robin. Warm: every caller once, so the profiles a
// cache can hold are in it.
void ResolveLoop(benchmark::State& state, const Engine& engine, const World& w) {
  if (!CheckResolves(state, engine, w)) return;
  const size_t n = w.distinct_callers.size();
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    PrincipalHandle handle = engine.Resolve(w.distinct_callers[i]);
    benchmark::DoNotOptimize(handle);
    if (++i == n) i = 0;
  }
  meter.Report(state);
  state.counters["principals"] = static_cast<double>(n);
}

void ResolveHandle(benchmark::State& state, const std::string& size_name) {
  World& w = GetWorld(size_name);
  ResolveLoop(state, *w.engine, w);
}

void ProfileBuild(benchmark::State& state, const std::string& size_name) {
  World& w = GetWorld(size_name);
  ResolveLoop(state, SmallProfilesEngine(w), w);
}

void CheckClaimsLoop(benchmark::State& state, const Engine& engine, const World& w) {
  if (!CheckResolves(state, engine, w)) return;
  const size_t n = w.distinct_callers.size();
  // Twice each: a document enters the claims cache on its first sight (512 documents, within
  // the default capacity), so the second pass makes every timed check a hit.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      engine.CheckClaims(w.distinct_callers[i].claims_json, *w.distinct_requests[i]);
    }
  }
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        engine.CheckClaims(w.distinct_callers[i].claims_json, *w.distinct_requests[i]));
    if (++i == n) i = 0;
  }
  meter.Report(state);
  state.counters["principals"] = static_cast<double>(n);
}

void CheckClaimsCacheOff(benchmark::State& state, const std::string& size_name) {
  World& w = GetWorld(size_name);
  CheckClaimsLoop(state, ClaimsOffEngine(w), w);
}

void CheckClaimsCacheHit(benchmark::State& state, const std::string& size_name) {
  World& w = GetWorld(size_name);
  CheckClaimsLoop(state, *w.engine, w);
}

// ---- check, batch, ids -----------------------------------------------------------------------

void CheckHandle(benchmark::State& state, const std::string& size_name) {
  const World& w = GetWorld(size_name);
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.engine->Check(w.handles[i], w.requests[i]));
    i = (i + 1) & (kHandles - 1);
  }
  meter.Report(state);
}

void CheckBatch16(benchmark::State& state, const std::string& size_name) {
  const World& w = GetWorld(size_name);
  Decision out[kBatch];
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    // kBatch requests and kBatch decisions: the sizes match.
    w.engine
        ->CheckBatch(w.handles[i], absl::MakeConstSpan(&w.requests[i], kBatch), absl::MakeSpan(out))
        .IgnoreError();
    benchmark::DoNotOptimize(out);
    i = (i + 1) & (kHandles - 1);
  }
  meter.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}

void IdsHandle(benchmark::State& state, const std::string& size_name) {
  const World& w = GetWorld(size_name);
  size_t i = 0;
  AllocationMeter meter;
  for (auto _ : state) {
    const CheckRequest& r = w.requests[i];
    absl::StatusOr<ResourceIds> ids =
        w.engine->AuthorizedResourceIds(w.handles[i], r.resource_type, r.permission);
    benchmark::DoNotOptimize(ids);
    i = (i + 1) & (kHandles - 1);
  }
  meter.Report(state);
}

// ---- flags and registration ------------------------------------------------------------------

void Register(const std::string& size) {
  using B = benchmark::internal::Benchmark;
  auto add = [](const std::string& name, auto fn) -> B* {
    return benchmark::RegisterBenchmark(name.c_str(), fn);
  };
  for (JwsAlgorithm alg : {JwsAlgorithm::kRS256, JwsAlgorithm::kES256, JwsAlgorithm::kEdDSA}) {
    add("verify/first_sight/" + std::string(Name(alg)) + "/" + size,
        [size, alg](benchmark::State& s) { VerifyFirstSight(s, size, alg); })
        ->Unit(benchmark::kMicrosecond);
  }
  add("verify/cache_hit/" + size, [size](benchmark::State& s) { VerifyCacheHit(s, size); });
  add("resolve/handle/" + size, [size](benchmark::State& s) { ResolveHandle(s, size); });
  add("resolve/check_claims_cache_off/" + size,
      [size](benchmark::State& s) { CheckClaimsCacheOff(s, size); });
  add("resolve/check_claims_cache_hit/" + size,
      [size](benchmark::State& s) { CheckClaimsCacheHit(s, size); });
  add("profile/build/" + size, [size](benchmark::State& s) { ProfileBuild(s, size); });
  add("check/handle/" + size, [size](benchmark::State& s) { CheckHandle(s, size); });
  add("check/batch16/" + size, [size](benchmark::State& s) { CheckBatch16(s, size); });
  add("ids/handle/" + size, [size](benchmark::State& s) { IdsHandle(s, size); });
}

}  // namespace
}  // namespace clearance::load

int main(int argc, char** argv) {
  using namespace clearance::load;
  std::string sizes_flag = "tiny,small,medium";
  // Take --sizes out of argv before Google Benchmark sees (and rejects) it.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr std::string_view kSizes = "--sizes=";
    constexpr std::string_view kCopyLimit = "--profile-copy-limit=";
    if (std::string_view(argv[i]).substr(0, kSizes.size()) == kSizes) {
      sizes_flag = argv[i] + kSizes.size();
    } else if (std::string_view(argv[i]).substr(0, kCopyLimit.size()) == kCopyLimit) {
      g_profile_copy_limit = std::strtoul(argv[i] + kCopyLimit.size(), nullptr, 10);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  std::vector<std::string> sizes = SplitCommas(sizes_flag);
  const char* large = std::getenv("CLEARANCE_STAGES_LARGE");
  if (large != nullptr && std::strcmp(large, "1") == 0) {
    bool named = false;
    for (const std::string& s : sizes) named = named || s == "large";
    if (!named) sizes.push_back("large");
  }
  if (!RegisterSizes(sizes, Register)) return 2;
  if (!RunBenchmarks(argc, argv)) return 2;
  return g_setup_failed ? 1 : 0;
}

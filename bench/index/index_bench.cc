// Benchmarks of the compiled index (docs/architecture.md "Performance budget"):
//   resolved principal -> decision, verified claims (~1 KB) -> decision, allocations per check,
//   scaling at 1 k / 100 k / 1 M authorizations, speed-up over reference::Check, two threads,
//   change visibility latency, build time and memory per authorization.
//
// States are built directly as one ChangeSet of rows (the bulk path), shaped like the budget's
// "1 M authorizations, 100 k users, 10 k groups, 1 k roles, 10 k mapping rules" scaled down.
#include <malloc.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "clearance/commands.h"
#include "clearance/engine.h"
#include "clearance/token.h"
#include "reference/reference_evaluator.h"

// Every allocation of the process is counted: the hot path must not allocate.
static std::atomic<uint64_t> g_allocations{0};
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace clearance {
namespace {

struct World {
  IdentityState state;
  std::unique_ptr<Engine> engine;
  double build_seconds = 0;      // wall
  double build_cpu_seconds = 0;  // the building thread's CPU time
  double bytes_per_authorization = 0;
  size_t authorizations = 0;
};

std::string Id(const char* prefix, size_t i) { return std::string(prefix) + std::to_string(i); }

// n authorizations; users n/10, groups n/100, roles n/1000, mapping rules n/100 (at least a few).
World* GetWorld(size_t n) {
  static std::mutex mu;
  static std::map<size_t, std::unique_ptr<World>> worlds;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = worlds[n];
  if (slot) return slot.get();
  slot = std::make_unique<World>();
  World& w = *slot;
  const size_t users = std::max<size_t>(n / 10, 10);
  const size_t groups = std::max<size_t>(n / 100, 5);
  const size_t roles = std::max<size_t>(n / 1000, 3);
  const size_t rules = std::max<size_t>(n / 100, 5);
  const size_t resources = std::max<size_t>(n / 4, 10);
  ChangeSet cs;
  Configuration config;
  config.client_id_claim = "azp";
  config.tenant_checks_enabled = true;
  cs.configuration = config;
  cs.initializes = true;
  auto put = [&cs](Row row) { cs.changes.push_back({RowChange::Op::kPut, std::move(row)}); };
  for (size_t t = 0; t < 10; ++t) put(Tenant{Id("tenant-", t), "T", ""});
  for (size_t g = 0; g < groups; ++g) put(Group{Id("group-", g), "G", ""});
  for (size_t r = 0; r < roles; ++r) put(Role{Id("role-", r), "R", ""});
  for (size_t m = 0; m < rules; ++m) {
    MappingRule rule{
        Id("rule-", m), m % 2 ? "$.realm.roles[*]" : "scope", Id("value-", m), "M", {}};
    rule.path = *ClaimPath::Compile(rule.claim_name);
    put(rule);
  }
  for (size_t u = 0; u < users; ++u) {
    const std::string user = Id("user-", u);
    put(Membership{ContainerType::kGroup, Id("group-", u % groups), MemberType::kUser, user});
    put(Membership{ContainerType::kGroup, Id("group-", (u * 7 + 1) % groups), MemberType::kUser,
                   user});
    put(Membership{ContainerType::kRole, Id("role-", u % roles), MemberType::kUser, user});
    put(Membership{ContainerType::kTenant, Id("tenant-", u % 10), MemberType::kUser, user});
  }
  for (size_t g = 0; g < groups; ++g) {
    put(Membership{ContainerType::kRole, Id("role-", g % roles), MemberType::kGroup,
                   Id("group-", g)});
  }
  for (size_t m = 0; m < rules; ++m) {
    put(Membership{ContainerType::kGroup, Id("group-", m % groups), MemberType::kMappingRule,
                   Id("rule-", m)});
  }
  const ResourceType kTypes[] = {ResourceType::kProcessDefinition,
                                 ResourceType::kDecisionDefinition, ResourceType::kResource,
                                 ResourceType::kDocument};
  for (size_t k = 0; k < n; ++k) {
    Authorization a;
    a.key = k + 1;
    switch (k % 4) {
      case 0:
      case 1:
        a.owner_type = OwnerType::kUser;
        a.owner_id = Id("user-", k % users);
        break;
      case 2:
        a.owner_type = OwnerType::kGroup;
        a.owner_id = Id("group-", k % groups);
        break;
      default:
        a.owner_type = OwnerType::kMappingRule;
        a.owner_id = Id("rule-", k % rules);
        break;
    }
    a.resource_type = kTypes[(k / 4) % 4];
    a.scope = k % 50 == 0 ? Scope::Any() : Scope::Id(Id("process-", (k * 2654435761u) % resources));
    a.permissions = SupportedPermissions(a.resource_type);
    put(a);
  }
  cs.next_authorization_key = n + 1;
  w.state.Apply(cs);
  w.authorizations = n;
  // Both malloc's arenas and its mmap'd chunks: a large table is mmap'd, and uordblks alone
  // would not see it.
  const size_t heap_before = mallinfo2().uordblks + mallinfo2().hblkhd;
  const auto start = std::chrono::steady_clock::now();
  timespec cpu_start;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
  w.engine = *Engine::Create(w.state);
  timespec cpu_end;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
  w.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  w.build_cpu_seconds = static_cast<double>(cpu_end.tv_sec - cpu_start.tv_sec) +
                        static_cast<double>(cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e9;
  w.bytes_per_authorization =
      static_cast<double>(mallinfo2().uordblks + mallinfo2().hblkhd - heap_before) /
      static_cast<double>(n);
  return &w;
}

// A ~1 KB verified claims object of user-40 carrying two mapping-rule values.
std::string Claims() {
  std::string json =
      R"({"iss":"https://idp.example.com/realms/camunda","sub":"user-40",)"
      R"("aud":["zeebe-api","operate-api","tasklist-api"],"exp":1893456000,)"
      R"("iat":1893452400,"nbf":1893452400,"jti":"5d1f1b4e-0b7a-4a8b-9e51-1f0c2a3b4c5d",)"
      R"("scope":"value-2","realm":{"roles":["value-1","value-3","offline_access"]},)"
      R"("email":"user40@example.com","email_verified":true,"name":"User Forty-Two",)"
      R"("given_name":"User","family_name":"Forty-Two","locale":"en",)";
  json += R"("resource_access":{"account":{"roles":["manage-account","view-profile"]}},)";
  json += R"("session_state":"0b6e7c2a-6b8d-4f0e-9f3b-2d7c1e4a5b6c","acr":"1",)";
  json += R"("allowed-origins":["https://operate.example.com","https://tasklist.example.com"],)";
  json +=
      R"("preferred_username":"user-40","typ":"Bearer","sid":"c7f3a1e2-9d4b-4e6f-8a1c-3b5d7e9f0a2c",)";
  json += R"("padding":")" + std::string(1024 - json.size() - 3, 'x') + R"("})";
  return json;
}

CheckRequest Request(const World& w) {
  CheckRequest r;
  r.resource_type = ResourceType::kProcessDefinition;
  r.permission = Permission::kReadProcessDefinition;
  // Authorization key 41 is user-40's (k = 40: a user grant on an id).
  const Authorization* a = w.state.FindAuthorization(41);
  r.resource_ids = {a && a->scope.matcher == Matcher::kId ? a->scope.value : "process-1"};
  r.resource_type = a ? a->resource_type : r.resource_type;
  r.permission = a ? static_cast<Permission>(std::countr_zero(a->permissions)) : r.permission;
  r.tenant_id = "tenant-0";
  return r;
}

void Report(benchmark::State& state, uint64_t allocations_before, const World& w) {
  state.counters["allocs_per_check"] =
      benchmark::Counter(static_cast<double>(g_allocations.load() - allocations_before) /
                         static_cast<double>(state.iterations()));
  state.counters["auths"] = static_cast<double>(w.authorizations);
  state.SetItemsProcessed(state.iterations());
}

void BM_ResolvedCheck(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  const PrincipalHandle handle = w->engine->Resolve(Caller::Claims(Claims()));
  const CheckRequest request = Request(*w);
  if (!w->engine->Check(handle, request).allowed()) state.SkipWithError("expected ALLOW");
  const uint64_t before = g_allocations.load();
  for (auto _ : state) benchmark::DoNotOptimize(w->engine->Check(handle, request));
  Report(state, before, *w);
}
BENCHMARK(BM_ResolvedCheck)
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

void BM_ClaimsCheck(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  const std::string claims = Claims();
  const CheckRequest request = Request(*w);
  if (!w->engine->CheckClaims(claims, request).allowed()) state.SkipWithError("expected ALLOW");
  const uint64_t before = g_allocations.load();
  for (auto _ : state) benchmark::DoNotOptimize(w->engine->CheckClaims(claims, request));
  Report(state, before, *w);
  state.counters["claims_bytes"] = static_cast<double>(claims.size());
}
BENCHMARK(BM_ClaimsCheck)
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// An engine over GetWorld(n)'s state with other options: `variant` 0 has no claims cache (every
// check parses: a document's first sight); 100 + b has 2^b shards.
Engine* VariantEngine(World* w, int variant) {
  static std::mutex mu;
  static std::map<std::pair<size_t, int>, std::unique_ptr<Engine>> engines;
  std::lock_guard<std::mutex> lock(mu);
  auto& e = engines[{w->authorizations, variant}];
  if (!e) {
    EngineOptions options;
    options.claims_cache_capacity = 0;
    if (variant >= 100) options.shard_bits = variant - 100;
    e = *Engine::Create(w->state, options);
  }
  return e.get();
}

// CheckClaims without the claims cache: the cost of a document's first sight.
void BM_ClaimsCheckFirstSight(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  Engine* engine = VariantEngine(w, 0);
  const std::string claims = Claims();
  const CheckRequest request = Request(*w);
  if (!engine->CheckClaims(claims, request).allowed()) state.SkipWithError("expected ALLOW");
  const uint64_t before = g_allocations.load();
  for (auto _ : state) benchmark::DoNotOptimize(engine->CheckClaims(claims, request));
  Report(state, before, *w);
}
BENCHMARK(BM_ClaimsCheckFirstSight)
    ->Arg(1000)
    ->Arg(1000000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// The bearer-token entry on a verified-token cache hit: the same claims, HS256-signed, through
// Engine::CheckToken (the verifier's cache lookup, then the claims without re-validation).
// BM_TokenVerifyHit is the verifier's part alone, so the engine's part is the difference.
std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{uint8_t(bytes[i])} << 16) | (uint32_t{uint8_t(bytes[i + 1])} << 8) |
                       uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{uint8_t(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{uint8_t(bytes[i + 1])} << 8;
    for (size_t k = 0; k <= rest; ++k) out.push_back(kAlphabet[(v >> (18 - 6 * k)) & 63]);
  }
  return out;
}

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

class BenchClock : public TokenClock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1893452500); }
};

struct TokenSetup {
  BenchClock clock;
  std::unique_ptr<TokenVerifier> verifier;
  std::string token;
};

TokenSetup* GetTokenSetup() {
  static TokenSetup* setup = [] {
    auto* t = new TokenSetup;
    IssuerConfig issuer;
    issuer.issuer = "https://idp.example.com/realms/camunda";
    issuer.audiences = {"zeebe-api"};
    issuer.allowed_algorithms = {JwsAlgorithm::kHS256};
    issuer.jwks_json =
        R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" + Base64Url(kSecret) + R"("}]})";
    TokenVerifierOptions options;
    options.issuers = {issuer};
    options.clock = &t->clock;
    t->verifier = *TokenVerifier::Create(options);
    const std::string input =
        Base64Url(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." + Base64Url(Claims());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    t->token = input + "." + Base64Url(std::string_view(reinterpret_cast<char*>(mac), len));
    return t;
  }();
  return setup;
}

void BM_TokenCheck(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  TokenSetup* t = GetTokenSetup();
  const CheckRequest request = Request(*w);
  if (!w->engine->CheckToken(*t->verifier, t->token, request).allowed()) {
    state.SkipWithError("expected ALLOW");
  }
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    benchmark::DoNotOptimize(w->engine->CheckToken(*t->verifier, t->token, request));
  }
  Report(state, before, *w);
}
BENCHMARK(BM_TokenCheck)->Arg(1000)->Arg(1000000);

// The same without the claims cache: the verified claims are read (without re-validation) on
// every check.
void BM_TokenCheckFirstSight(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  Engine* engine = VariantEngine(w, 0);
  TokenSetup* t = GetTokenSetup();
  const CheckRequest request = Request(*w);
  if (!engine->CheckToken(*t->verifier, t->token, request).allowed()) {
    state.SkipWithError("expected ALLOW");
  }
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine->CheckToken(*t->verifier, t->token, request));
  }
  Report(state, before, *w);
}
BENCHMARK(BM_TokenCheckFirstSight)->Arg(1000)->Arg(1000000);

void BM_TokenVerifyHit(benchmark::State& state) {
  TokenSetup* t = GetTokenSetup();
  std::shared_ptr<const VerifiedToken> verified;
  if (t->verifier->Verify(t->token, &verified) != TokenError::kOk) state.SkipWithError("refused");
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    benchmark::DoNotOptimize(t->verifier->Verify(t->token, &verified));
  }
  state.counters["allocs_per_check"] = benchmark::Counter(
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_TokenVerifyHit);

void BM_ReferenceCheck(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  const Caller caller = Caller::Claims(Claims());
  const CheckRequest request = Request(*w);
  if (!reference::Check(w->state, caller, request).decision.allowed()) {
    state.SkipWithError("expected ALLOW");
  }
  for (auto _ : state) benchmark::DoNotOptimize(reference::Check(w->state, caller, request));
  state.counters["auths"] = static_cast<double>(w->authorizations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceCheck)->Arg(1000)->Arg(100000);
BENCHMARK(BM_ReferenceCheck)->Arg(1000000)->Iterations(3);

// One change (a new authorization for a user) applied and published; p50/p99 of single Applies.
// The second argument, when not -1, is the engine's log2 shard count (the default picks 13 at
// 1 M; 10 was the default before).
void BM_ApplyChange(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  Engine* engine = state.range(1) < 0 ? w->engine.get()
                                      : VariantEngine(w, 100 + static_cast<int>(state.range(1)));
  std::vector<double> micros;
  std::vector<double> cpu_micros;  // thread CPU time: excludes preemption on a shared machine
  auto cpu_now = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  };
  AuthorizationKey key = w->state.next_authorization_key() + 1000000;
  size_t i = 0;
  for (auto _ : state) {
    ChangeSet cs;
    Authorization a;
    a.key = key++;
    a.owner_type = OwnerType::kUser;
    a.owner_id = Id("user-", (i * 7919) % std::max<size_t>(w->authorizations / 10, 10));
    a.resource_type = ResourceType::kProcessDefinition;
    a.scope = Scope::Id(Id("new-process-", i++));
    a.permissions = Bit(Permission::kReadProcessDefinition);
    cs.changes.push_back({RowChange::Op::kPut, a});
    cs.next_authorization_key = key;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_now();
    benchmark::DoNotOptimize(engine->Apply(cs));
    cpu_micros.push_back(cpu_now() - cpu_start);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  std::sort(cpu_micros.begin(), cpu_micros.end());
  state.counters["cpu_p50_us"] = cpu_micros[cpu_micros.size() / 2];
  state.counters["cpu_p99_us"] = cpu_micros[cpu_micros.size() * 99 / 100];
  state.counters["auths"] = static_cast<double>(w->authorizations);
}
BENCHMARK(BM_ApplyChange)
    ->Args({1000, -1})
    ->Args({1000000, -1})
    ->Args({1000000, 10})
    ->Iterations(2000);

void BM_Build(benchmark::State& state) {
  World* w = GetWorld(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(w);
  state.counters["build_s"] = w->build_seconds;
  state.counters["build_cpu_s"] = w->build_cpu_seconds;
  state.counters["bytes_per_auth"] = w->bytes_per_authorization;
}
BENCHMARK(BM_Build)->Arg(1000)->Arg(100000)->Arg(1000000)->Iterations(1);

}  // namespace
}  // namespace clearance

BENCHMARK_MAIN();

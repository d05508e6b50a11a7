// The C API's cost over the C++ call it wraps (at most 10 % more). Both sides check the
// same state (two stores filled from the same records) from the same thread. *View variants
// build a CheckRequestView over the caller's C strings per call, as the C API does (its
// like-for-like baseline); *Filled variants copy the caller's strings into a CheckRequest per
// call (what the C API did before the view path); the others reuse one prebuilt request (a
// lower bound no caller with changing ids gets).
// Results and the command: bench/RESULTS-embed.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clearance/c.h"
#include "clearance/engine.h"
#include "clearance/ingest.h"
#include "clearance/store.h"

namespace clearance {
namespace {

constexpr int kClients = 500;
constexpr std::string_view kClaims =
    R"({"azp":"client-7","sub":"someone","iss":"https://idp","groups":["a","b"],"exp":1900000000})";

std::string Grant(int position, int client, int resource) {
  return "{\"position\":" + std::to_string(position) +
         ",\"valueType\":\"AUTHORIZATION\",\"intent\":\"CREATED\",\"value\":{\"ownerType\":"
         "\"CLIENT\",\"ownerId\":\"client-" +
         std::to_string(client) +
         "\",\"resourceType\":\"PROCESS_DEFINITION\",\"resourceMatcher\":\"ID\",\"resourceId\":"
         "\"process-" +
         std::to_string(resource) + "\",\"permissionTypes\":[\"CREATE_PROCESS_INSTANCE\"]}}";
}

std::string Records() {
  std::string out;
  int position = 1;
  for (int c = 0; c < kClients; ++c) {
    for (int r = 0; r < 4; ++r) out += Grant(position++, c, (c * 7 + r) % 100) + "\n";
  }
  return out;
}

struct World {
  std::string dir;
  // The C++ side.
  std::unique_ptr<Store> store;
  std::unique_ptr<Engine> engine;
  PrincipalHandle handle;
  CheckRequest request;
  // The C side.
  clearance_store* c_store = nullptr;
  clearance_principal* c_principal = nullptr;
  const char* ids[1] = {"process-49"};
  clearance_check_request c_request{};

  World() {
    char tmpl[] = "/tmp/clearance-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    const std::string records = Records();
    const std::string config = R"({"client_id_claim":"azp"})";

    StoreOptions options;
    options.sync = false;
    store = *Store::Open(dir + "/cpp", options);
    Configuration configuration;
    configuration.client_id_claim = "azp";
    (void)store->Apply(Configure{configuration}, std::nullopt);
    (void)store->Apply(Initialize{}, std::nullopt);
    RecordIngestor ingestor(store.get());
    if (!ingestor.IngestBuffer(records).ok()) std::abort();
    engine = *Engine::Create(store->state());
    handle = engine->Resolve(Caller::Claims(std::string(kClaims)));
    request.resource_type = ResourceType::kProcessDefinition;
    request.permission = Permission::kCreateProcessInstance;
    request.resource_ids = {"process-49"};

    if (clearance_store_open((dir + "/c").c_str(), CLEARANCE_OPEN_NO_SYNC, &c_store) !=
            CLEARANCE_OK ||
        clearance_store_configure(c_store, config.data(), config.size()) != CLEARANCE_OK ||
        clearance_store_initialize(c_store) != CLEARANCE_OK ||
        clearance_store_ingest(c_store, records.data(), records.size(), nullptr) != CLEARANCE_OK) {
      std::abort();
    }
    // Reopen, so the C side's engine is built from the whole state like the C++ side's (an
    // engine that followed 2000 changes from empty keeps the shard count it chose when empty).
    clearance_store_free(c_store);
    if (clearance_store_open((dir + "/c").c_str(), CLEARANCE_OPEN_NO_SYNC, &c_store) !=
            CLEARANCE_OK ||
        clearance_resolve_claims(c_store, kClaims.data(), kClaims.size(), &c_principal) !=
            CLEARANCE_OK) {
      std::abort();
    }
    c_request.resource_type = static_cast<int32_t>(ResourceType::kProcessDefinition);
    c_request.permission = static_cast<int32_t>(Permission::kCreateProcessInstance);
    c_request.resource_ids = ids;
    c_request.resource_id_count = 1;
    // Both sides must agree before anything is measured.
    clearance_decision d{};
    if (clearance_check_principal(c_store, c_principal, &c_request, &d) != CLEARANCE_OK ||
        d.outcome != static_cast<int32_t>(engine->Check(handle, request).outcome) ||
        !engine->Check(handle, request).allowed()) {
      std::abort();
    }
  }
  ~World() {
    clearance_principal_free(c_principal);
    clearance_store_free(c_store);
    engine.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

World& TheWorld() {
  static World* world = new World();  // lives for the process; benchmarks share it
  return *world;
}

void BM_CppCheckPrincipal(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) benchmark::DoNotOptimize(w.engine->Check(w.handle, w.request));
}
BENCHMARK(BM_CppCheckPrincipal);

void BM_CApiCheckPrincipal(benchmark::State& state) {
  World& w = TheWorld();
  clearance_decision d{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(clearance_check_principal(w.c_store, w.c_principal, &w.c_request, &d));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_CApiCheckPrincipal);

// The C++ call as a broker makes it per operation: the request is filled from the caller's own
// strings each time (one CheckRequest object reused, so no allocation). This is the like-for-like
// baseline of the C API, which must copy the caller's ids into a CheckRequest the same way.
void BM_CppCheckPrincipalFilled(benchmark::State& state) {
  World& w = TheWorld();
  CheckRequest request;
  for (auto _ : state) {
    request.resource_type = ResourceType::kProcessDefinition;
    request.permission = Permission::kCreateProcessInstance;
    request.resource_ids.resize(1);
    request.resource_ids[0].assign(w.ids[0]);
    benchmark::DoNotOptimize(w.engine->Check(w.handle, request));
  }
}
BENCHMARK(BM_CppCheckPrincipalFilled);

void BM_CppCheckClaimsFilled(benchmark::State& state) {
  World& w = TheWorld();
  CheckRequest request;
  for (auto _ : state) {
    request.resource_type = ResourceType::kProcessDefinition;
    request.permission = Permission::kCreateProcessInstance;
    request.resource_ids.resize(1);
    request.resource_ids[0].assign(w.ids[0]);
    benchmark::DoNotOptimize(w.engine->CheckClaims(kClaims, request));
  }
}
BENCHMARK(BM_CppCheckClaimsFilled);

// The C++ view call as a broker makes it per operation: a CheckRequestView over the caller's own
// C strings, built each time (the ids are not copied). The C API does the same; this is its
// like-for-like baseline since the C API took the view path.
void BM_CppCheckPrincipalView(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    std::string_view ids[1];
    ids[0] = w.ids[0];
    CheckRequestView request;
    request.resource_type = ResourceType::kProcessDefinition;
    request.permission = Permission::kCreateProcessInstance;
    request.resource_ids = ids;
    benchmark::DoNotOptimize(w.engine->Check(w.handle, request));
  }
}
BENCHMARK(BM_CppCheckPrincipalView);

void BM_CppCheckClaimsView(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    std::string_view ids[1];
    ids[0] = w.ids[0];
    CheckRequestView request;
    request.resource_type = ResourceType::kProcessDefinition;
    request.permission = Permission::kCreateProcessInstance;
    request.resource_ids = ids;
    benchmark::DoNotOptimize(w.engine->CheckClaims(kClaims, request));
  }
}
BENCHMARK(BM_CppCheckClaimsView);

void BM_CppCheckClaims(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) benchmark::DoNotOptimize(w.engine->CheckClaims(kClaims, w.request));
}
BENCHMARK(BM_CppCheckClaims);

void BM_CApiCheckClaims(benchmark::State& state) {
  World& w = TheWorld();
  clearance_decision d{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        clearance_check_claims(w.c_store, kClaims.data(), kClaims.size(), &w.c_request, &d));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_CApiCheckClaims);

}  // namespace
}  // namespace clearance

BENCHMARK_MAIN();

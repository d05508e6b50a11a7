// clearance-hotpath: one hot-path case in a loop, for instruction counts under callgrind
// (bench/RESULTS-load.md; stable where wall-clock timings on a shared machine are not).
//
//   valgrind --tool=callgrind --toggle-collect='Hot*' --callgrind-out-file=OUT
//       clearance-hotpath --case claims --size small --iterations 2000
//
// Cases: claims (CheckClaims, ~1 KB claims, the same bytes again: claims cache hit),
// claims-parse (the same with the claims cache off: parse every time), handle (Check on a resolved
// principal), batch (CheckBatch of 16 on a handle), token-hit (CheckToken, verified-token cache
// hit), token-rs256 / token-es256 / token-eddsa (TokenVerifier::Verify with the cache off: first
// sight every time), ids (AuthorizedResourceIds on a handle). Setup and warm-up run outside the
// Hot* functions, so only the loop is counted; divide the total by --iterations.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "clearance/engine.h"
#include "clearance/token.h"
#include "token_corpus.h"
#include "workload.h"

namespace {
const clearance::Engine* g_engine;
const clearance::TokenVerifier* g_verifier;
const clearance::load::Query* g_query;
std::string g_token;
clearance::PrincipalHandle g_handle;
std::vector<clearance::CheckRequest> g_batch;
uint64_t g_sink;
// Results land in g_sink behind a compiler barrier so the calls are not optimized away.
inline void Keep(uint64_t v) {
  g_sink += v;
  asm volatile("" : : "r"(g_sink) : "memory");
}
}  // namespace

// extern "C" and noinline: callgrind's --toggle-collect='Hot*' matches these names exactly.
extern "C" __attribute__((noinline)) void HotClaims(int n) {
  for (int i = 0; i < n; ++i) {
    Keep(g_engine->CheckClaims(g_query->claims_json, g_query->request).allowed());
  }
}
extern "C" __attribute__((noinline)) void HotHandle(int n) {
  for (int i = 0; i < n; ++i) Keep(g_engine->Check(g_handle, g_query->request).allowed());
}
extern "C" __attribute__((noinline)) void HotBatch(int n) {
  clearance::Decision out[16];
  for (int i = 0; i < n; ++i) {
    g_engine->CheckBatch(g_handle, g_batch, absl::MakeSpan(out, 16)).IgnoreError();  // both 16
    Keep(out[0].allowed());
  }
}
extern "C" __attribute__((noinline)) void HotTokenHit(int n) {
  for (int i = 0; i < n; ++i) {
    Keep(g_engine->CheckToken(*g_verifier, g_token, g_query->request).allowed());
  }
}
extern "C" __attribute__((noinline)) void HotVerify(int n) {
  for (int i = 0; i < n; ++i) {
    std::shared_ptr<const clearance::VerifiedToken> out;
    Keep(static_cast<uint64_t>(g_verifier->Verify(g_token, &out)));
  }
}
extern "C" __attribute__((noinline)) void HotIds(int n) {
  for (int i = 0; i < n; ++i) {
    auto ids = g_engine->AuthorizedResourceIds(g_handle, g_query->request.resource_type,
                                               g_query->request.permission);
    Keep(ids.ok() ? ids->ids.size() : 0);
  }
}

int main(int argc, char** argv) {
  using namespace clearance;
  using namespace clearance::load;
  std::string which = "claims", size_name = "small";
  int iterations = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--case") {
      which = argv[i + 1];
    } else if (flag == "--size") {
      size_name = argv[i + 1];
    } else if (flag == "--iterations") {
      iterations = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "error: unknown flag %s (--case, --size, --iterations)\n", flag.c_str());
      return 2;
    }
  }
  absl::StatusOr<WorkloadSize> size = SizeNamed(size_name);
  if (!size.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(size.status().message()).c_str());
    return 2;
  }
  Workload w = Generate(*size, 1, 64);
  // claims-parse: the claims path without the per-thread claims cache (every call parses).
  EngineOptions engine_options;
  if (which == "claims-parse") engine_options.claims_cache_capacity = 0;
  std::unique_ptr<Engine> engine = *Engine::Create(w.state, engine_options);
  g_engine = engine.get();
  // A query whose answer is ALLOW: the full path (a decision that stops early costs less).
  g_query = &w.queries[0];
  for (const Query& q : w.queries) {
    if (engine->CheckClaims(q.claims_json, q.request).allowed()) {
      g_query = &q;
      break;
    }
  }
  g_handle = engine->Resolve(Caller::Claims(g_query->claims_json));
  for (int i = 0; i < 16; ++i) g_batch.push_back(w.queries[static_cast<size_t>(i)].request);
  TokenCorpusOptions token_options;
  token_options.presentations = 3;
  token_options.repeat_percent = 0;
  TokenCorpus corpus = *MintTokenCorpus(*size, 1, token_options);  // RS256, ES256, EdDSA
  const bool first_sight = which.rfind("token-", 0) == 0 && which != "token-hit";
  std::unique_ptr<TokenVerifier> verifier = *MakeVerifier(corpus, first_sight ? 0 : 8192);
  g_verifier = verifier.get();
  g_token = corpus.presentations[which == "token-es256" ? 1 : which == "token-eddsa" ? 2 : 0].token;
  void (*hot)(int) = which == "claims" || which == "claims-parse" ? HotClaims
                     : which == "handle"                          ? HotHandle
                     : which == "batch"                           ? HotBatch
                     : which == "token-hit"                       ? HotTokenHit
                     : which == "ids"                             ? HotIds
                     : first_sight                                ? HotVerify
                                                                  : nullptr;
  if (hot == nullptr) {
    std::fprintf(stderr, "error: unknown case %s\n", which.c_str());
    return 2;
  }
  hot(50);  // warm: parser, profile cache, verified-token cache
  hot(iterations);
  std::printf("%s %s: %d iterations\n", which.c_str(), size_name.c_str(), iterations);
  return 0;
}

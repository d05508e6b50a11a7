// clearance-workload: writes a generated workload to a directory.
//
//   clearance-workload --size small|medium|large|tiny --out DIR [--seed N] [--queries N]
//                      [--tokens N] [--repeat-percent P] [--store]
//
// DIR/state.ndjson     the identity state as a snapshot (`clearance snapshot import` reads it)
// DIR/store/           the same state as a RocksDB store (Store::CreateFrom bulk path), --store
// DIR/queries.ndjson   the query corpus with our engine's decision per query ("expect")
// DIR/tokens.ndjson    the token corpus: {"token","alg","principal","shape","repeat"}
// DIR/tokens-meta.json issuers, audiences, the instant tokens are valid at, the JWKS
// Prints how long each step took on stdout.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "clearance/engine.h"
#include "clearance/snapshot.h"
#include "clearance/store.h"
#include "token_corpus.h"
#include "workload.h"

namespace clearance::load {
namespace {

int Usage(const char* error) {
  std::fprintf(stderr,
               "error: %s\nusage: clearance-workload --size tiny|small|medium|large --out DIR "
               "[--seed N] [--queries N] [--tokens N] [--repeat-percent P] [--store]\n",
               error);
  return 2;
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Main(int argc, char** argv) {
  std::string size_name, out;
  uint64_t seed = 1;
  size_t queries = 20000;
  TokenCorpusOptions token_options;
  bool store = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--store") {
      store = true;
      continue;
    }
    if ((v = value()) == nullptr) return Usage(("missing value for " + arg).c_str());
    if (arg == "--size") {
      size_name = v;
    } else if (arg == "--out") {
      out = v;
    } else if (arg == "--seed") {
      seed = std::strtoull(v, nullptr, 10);
    } else if (arg == "--queries") {
      queries = std::strtoull(v, nullptr, 10);
    } else if (arg == "--tokens") {
      token_options.presentations = std::strtoull(v, nullptr, 10);
    } else if (arg == "--repeat-percent") {
      token_options.repeat_percent = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
      if (token_options.repeat_percent > 100) return Usage("--repeat-percent must be 0-100");
    } else {
      return Usage(("unknown flag " + arg).c_str());
    }
  }
  if (size_name.empty() || out.empty()) return Usage("--size and --out are required");
  absl::StatusOr<WorkloadSize> size = SizeNamed(size_name);
  if (!size.ok()) return Usage(std::string(size.status().message()).c_str());
  std::filesystem::create_directories(out);

  auto start = std::chrono::steady_clock::now();
  Workload w = Generate(*size, seed, queries);
  std::printf("generate %s (seed %llu): %zu authorizations, %zu queries in %.2f s\n",
              size->name.c_str(), static_cast<unsigned long long>(seed),
              w.state.authorizations().size(), w.queries.size(), Since(start));

  start = std::chrono::steady_clock::now();
  {
    std::ofstream snapshot(out + "/state.ndjson", std::ios::binary);
    if (absl::Status s = ExportSnapshot(w.state, std::nullopt, &snapshot); !s.ok()) {
      std::fprintf(stderr, "error: writing %s/state.ndjson: %s\n", out.c_str(),
                   std::string(s.message()).c_str());
      return 1;
    }
  }
  std::printf("snapshot %s/state.ndjson in %.2f s\n", out.c_str(), Since(start));

  if (store) {
    start = std::chrono::steady_clock::now();
    StoreOptions options;
    options.sync = false;
    if (absl::Status s = Store::CreateFrom(out + "/store", options, w.state, std::nullopt);
        !s.ok()) {
      std::fprintf(stderr, "error: creating %s/store: %s\n", out.c_str(),
                   std::string(s.message()).c_str());
      return 1;
    }
    std::printf("store %s/store in %.2f s\n", out.c_str(), Since(start));
  }

  start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(w.state);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(engine.status().message()).c_str());
    return 1;
  }
  {
    std::ofstream corpus(out + "/queries.ndjson", std::ios::binary);
    for (const Query& q : w.queries) {
      corpus << QueryToJson(q, (*engine)->CheckClaims(q.claims_json, q.request)) << '\n';
    }
  }
  std::printf("queries %s/queries.ndjson in %.2f s\n", out.c_str(), Since(start));

  start = std::chrono::steady_clock::now();
  absl::StatusOr<TokenCorpus> tokens = MintTokenCorpus(*size, seed, token_options);
  if (!tokens.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(tokens.status().message()).c_str());
    return 1;
  }
  {
    std::ofstream file(out + "/tokens.ndjson", std::ios::binary);
    for (const TokenPresentation& p : tokens->presentations) {
      file << "{\"token\":\"" << p.token << "\",\"alg\":\"" << Name(p.alg)
           << "\",\"principal\":" << p.principal << ",\"shape\":\"" << Name(p.shape)
           << "\",\"repeat\":" << (p.repeat ? "true" : "false") << "}\n";
    }
    std::ofstream meta(out + "/tokens-meta.json", std::ios::binary);
    meta << TokenCorpusMetaJson(*tokens) << '\n';
  }
  std::printf("tokens %s/tokens.ndjson (%zu presentations) in %.2f s\n", out.c_str(),
              tokens->presentations.size(), Since(start));
  return 0;
}

}  // namespace
}  // namespace clearance::load

int main(int argc, char** argv) { return clearance::load::Main(argc, argv); }

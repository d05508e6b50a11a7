// Token corpora for the load driver and the token peers: compact JWS access tokens
// signed with RS256, ES256 and EdDSA keys, carrying the workload's Keycloak, Entra ID and Okta
// claim shapes, with a configurable share of repeated presentations (verified-token cache hits).
//
// Keys are generated fresh by OpenSSL for every corpus (signatures are not deterministic; the
// claims and the order of presentations are, from the seed). The corpus carries its own JWKS and
// issuer settings, so a verifier or a peer can be configured from it alone.
//
// Thread-safety: plain functions and values.
#ifndef CLEARANCE_BENCH_LOAD_TOKEN_CORPUS_H_
#define CLEARANCE_BENCH_LOAD_TOKEN_CORPUS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/token.h"
#include "workload.h"

namespace clearance::load {

struct TokenCorpusOptions {
  // Presentations in the corpus. Default 3000.
  size_t presentations = 3000;
  // Percent of presentations that repeat an earlier token (Zipf over the tokens minted so far);
  // the rest are fresh tokens (a new jti), i.e. a verified-token cache miss. Default 50.
  unsigned repeat_percent = 50;
};

struct TokenPresentation {
  std::string token;  // compact JWS
  JwsAlgorithm alg = JwsAlgorithm::kRS256;
  uint32_t principal = 0;
  ClaimShape shape = ClaimShape::kKeycloak;
  bool repeat = false;  // a repeat of an earlier presentation in this corpus
};

struct TokenCorpus {
  std::vector<TokenPresentation> presentations;
  std::string jwks_json;  // public keys: kids "rs256", "es256", "eddsa"
  // The instant every token is valid at (seconds since the epoch): configure verifiers with it.
  int64_t now = 0;
};

// The issuer of each claim shape and the audience its tokens carry (what ClaimsFor() writes).
struct ShapeIssuer {
  ClaimShape shape;
  const char* issuer;
  const char* audience;
};
const std::vector<ShapeIssuer>& ShapeIssuers();

// Mints the corpus for `size`'s principals. INTERNAL if OpenSSL fails.
absl::StatusOr<TokenCorpus> MintTokenCorpus(const WorkloadSize& size, uint64_t seed,
                                            const TokenCorpusOptions& options);

// A verifier for the corpus: the three shape issuers, RS256/ES256/EdDSA allowed, the corpus's
// JWKS, a fixed clock at corpus.now. `cache_capacity` 0 disables the verified-token cache.
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeVerifier(const TokenCorpus& corpus,
                                                            size_t cache_capacity);

// The corpus's settings as JSON (issuers, audiences, now, jwks) for the JavaScript peers.
std::string TokenCorpusMetaJson(const TokenCorpus& corpus);

}  // namespace clearance::load

#endif  // CLEARANCE_BENCH_LOAD_TOKEN_CORPUS_H_

// Token verification benchmarks.
//
//   BM_CacheHit                  a verified ~1 KB token presented again (budget: <= 1 us, 0 allocs)
//   BM_FirstSight/<alg>          full verification, cache disabled: split, base64url, both JSON
//                                documents, key lookup, signature, claims checks
//   BM_RawEvpVerify/<alg>        OpenSSL alone, per-call: EVP_DigestVerifyInit + EVP_DigestVerify
//                                with the same key over the same bytes
//   BM_OpenSslSpeed/<alg>        what `openssl speed` times: a context set up once, then only the
//                                public-key operation (RSA/ECDSA over a precomputed digest; Ed25519
//                                one-shot). Budget: FirstSight <= 1.2x this.
//
// Tokens and keys come from tests/engine/token/testdata/minted_tokens.json (PyJWT). Every
// benchmark reports allocs_per_iter, counted by a replaced global operator new.
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "alloc_counter.h"
#include "benchmark/benchmark.h"
#include "clearance/token.h"
#include "internal/base64url.h"
#include "internal/jwk.h"
#include "simdjson.h"

namespace clearance {
namespace {

class FixedClock final : public TokenClock {
 public:
  explicit FixedClock(int64_t now) : now_(absl::FromUnixSeconds(now)) {}
  absl::Time Now() const override { return now_; }

 private:
  absl::Time now_;
};

struct Fixture {
  std::string issuer, audience, jwks;
  int64_t now = 0;
  std::string rs256, es256, eddsa;  // keycloak-shaped tokens
};

const Fixture& Data() {
  static const Fixture* const f = [] {
    auto* out = new Fixture();
    simdjson::padded_string json;
    if (simdjson::padded_string::load(CLEARANCE_TOKEN_TESTDATA_DIR "/minted_tokens.json")
            .get(json)) {
      std::abort();
    }
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root)) std::abort();
    std::string_view s;
    if (root["issuer"].get_string().get(s)) std::abort();
    out->issuer = std::string(s);
    if (root["audience"].get_string().get(s)) std::abort();
    out->audience = std::string(s);
    simdjson::dom::element jwks;
    if (root["jwks"].get(jwks)) std::abort();
    out->jwks = simdjson::minify(jwks);
    if (root["now"].get_int64().get(out->now)) std::abort();
    simdjson::dom::array tokens;
    if (root["tokens"].get_array().get(tokens)) std::abort();
    for (simdjson::dom::element t : tokens) {
      std::string_view alg, shape, token;
      if (t["alg"].get_string().get(alg) || t["shape"].get_string().get(shape) ||
          t["token"].get_string().get(token)) {
        std::abort();
      }
      if (shape != "keycloak") continue;
      if (alg == "RS256") out->rs256 = std::string(token);
      if (alg == "ES256") out->es256 = std::string(token);
      if (alg == "EdDSA") out->eddsa = std::string(token);
    }
    return out;
  }();
  return *f;
}

const FixedClock& Clock() {
  static const FixedClock clock(Data().now);
  return clock;
}

std::unique_ptr<TokenVerifier> MakeVerifier(size_t cache_capacity) {
  TokenVerifierOptions o;
  IssuerConfig i;
  i.issuer = Data().issuer;
  i.audiences = {Data().audience};
  i.allowed_algorithms = {JwsAlgorithm::kRS256, JwsAlgorithm::kES256, JwsAlgorithm::kEdDSA};
  i.jwks_json = Data().jwks;
  o.issuers = {i};
  o.clock = &Clock();
  o.cache_capacity = cache_capacity;
  auto v = TokenVerifier::Create(o);
  if (!v.ok()) {
    std::fprintf(stderr, "%s\n", std::string(v.status().message()).c_str());
    std::abort();
  }
  return *std::move(v);
}

const std::string& TokenFor(int alg) {
  return alg == 0 ? Data().rs256 : alg == 1 ? Data().es256 : Data().eddsa;
}
const char* AlgLabel(int alg) { return alg == 0 ? "RS256" : alg == 1 ? "ES256" : "EdDSA"; }

void ReportAllocations(benchmark::State& state, uint64_t before) {
  state.counters["allocs_per_iter"] =
      benchmark::Counter(static_cast<double>(support::AllocationCount() - before) /
                         static_cast<double>(state.iterations()));
}

void BM_CacheHit(benchmark::State& state) {
  auto verifier = MakeVerifier(8192);
  const std::string& token = Data().rs256;
  std::shared_ptr<const VerifiedToken> out;
  if (verifier->Verify(token, &out) != TokenError::kOk) std::abort();
  state.SetLabel("RS256 token, " + std::to_string(token.size()) + " bytes");
  const uint64_t before = support::AllocationCount();
  for (auto _ : state) {
    std::shared_ptr<const VerifiedToken> hit;
    TokenError e = verifier->Verify(token, &hit);
    benchmark::DoNotOptimize(e);
    benchmark::DoNotOptimize(hit.get());
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_CacheHit);

void BM_FirstSight(benchmark::State& state) {
  auto verifier = MakeVerifier(0);  // no cache: every call is a first sight
  const std::string& token = TokenFor(static_cast<int>(state.range(0)));
  state.SetLabel(AlgLabel(static_cast<int>(state.range(0))));
  const uint64_t before = support::AllocationCount();
  for (auto _ : state) {
    std::shared_ptr<const VerifiedToken> out;
    if (verifier->Verify(token, &out) != TokenError::kOk) std::abort();
    benchmark::DoNotOptimize(out.get());
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_FirstSight)->Arg(0)->Arg(1)->Arg(2);

// The same key and bytes, straight into OpenSSL: the floor any verifier pays.
void BM_RawEvpVerify(benchmark::State& state) {
  const int alg = static_cast<int>(state.range(0));
  const std::string& token = TokenFor(alg);
  const size_t dot2 = token.rfind('.');
  const std::string input = token.substr(0, dot2);
  std::string sig;
  if (!token_internal::Base64UrlDecode(token.substr(dot2 + 1), &sig)) std::abort();
  if (alg == 1) {  // JWS R||S -> DER, done once outside the loop
    ECDSA_SIG* es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(reinterpret_cast<const uint8_t*>(sig.data()), 32, nullptr),
                   BN_bin2bn(reinterpret_cast<const uint8_t*>(sig.data()) + 32, 32, nullptr));
    uint8_t* der = nullptr;
    const int len = i2d_ECDSA_SIG(es, &der);
    sig.assign(reinterpret_cast<char*>(der), len);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
  }
  auto keys = token_internal::IssuerKeys::Parse(Data().jwks);
  if (!keys.ok()) std::abort();
  const char* kid = alg == 0 ? "rsa-1" : alg == 1 ? "ec-ES256" : "ed-1";
  EVP_PKEY* pkey = (*keys)->Find(true, kid)->pkey.get();
  const EVP_MD* md = alg == 2 ? nullptr : EVP_sha256();
  state.SetLabel(AlgLabel(alg));
  const uint64_t before = support::AllocationCount();
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pkey) != 1 ||
        EVP_DigestVerify(ctx, reinterpret_cast<const uint8_t*>(sig.data()), sig.size(),
                         reinterpret_cast<const uint8_t*>(input.data()), input.size()) != 1) {
      std::abort();
    }
    EVP_MD_CTX_free(ctx);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_RawEvpVerify)->Arg(0)->Arg(1)->Arg(2);

// `openssl speed`'s loop (apps/speed.c, OpenSSL 3.0): the verify context is initialized once
// outside the timed loop and only EVP_PKEY_verify (RSA, ECDSA: over a precomputed digest) or
// EVP_DigestVerify (Ed25519) runs inside it.
void BM_OpenSslSpeed(benchmark::State& state) {
  const int alg = static_cast<int>(state.range(0));
  const std::string& token = TokenFor(alg);
  const size_t dot2 = token.rfind('.');
  const std::string input = token.substr(0, dot2);
  std::string sig;
  if (!token_internal::Base64UrlDecode(token.substr(dot2 + 1), &sig)) std::abort();
  if (alg == 1) {
    ECDSA_SIG* es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(reinterpret_cast<const uint8_t*>(sig.data()), 32, nullptr),
                   BN_bin2bn(reinterpret_cast<const uint8_t*>(sig.data()) + 32, 32, nullptr));
    uint8_t* der = nullptr;
    const int len = i2d_ECDSA_SIG(es, &der);
    sig.assign(reinterpret_cast<char*>(der), len);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
  }
  auto keys = token_internal::IssuerKeys::Parse(Data().jwks);
  if (!keys.ok()) std::abort();
  const char* kid = alg == 0 ? "rsa-1" : alg == 1 ? "ec-ES256" : "ed-1";
  EVP_PKEY* pkey = (*keys)->Find(true, kid)->pkey.get();
  uint8_t digest[32];
  unsigned digest_len = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha256(), nullptr);
  const auto* s = reinterpret_cast<const uint8_t*>(sig.data());
  state.SetLabel(AlgLabel(alg));
  if (alg == 2) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) != 1) std::abort();
    for (auto _ : state) {
      if (EVP_DigestVerify(ctx, s, sig.size(), reinterpret_cast<const uint8_t*>(input.data()),
                           input.size()) != 1) {
        std::abort();
      }
    }
    EVP_MD_CTX_free(ctx);
    return;
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  if (EVP_PKEY_verify_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
    std::abort();
  }
  for (auto _ : state) {
    if (EVP_PKEY_verify(ctx, s, sig.size(), digest, digest_len) != 1) std::abort();
  }
  EVP_PKEY_CTX_free(ctx);
}
BENCHMARK(BM_OpenSslSpeed)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace clearance

BENCHMARK_MAIN();

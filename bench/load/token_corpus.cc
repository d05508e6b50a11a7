#include "token_corpus.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <random>

#include "absl/status/status.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance::load {
namespace {

using strings_internal::StrCat;

// Claims carry iat in [1893452400, +60); Keycloak-shaped tokens live 300 s.
constexpr int64_t kTokenNow = 1893452400 + 120;

std::string Base64Url(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = data[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}
std::string Base64Url(std::string_view s) {
  return Base64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::string BnParam(const EVP_PKEY* key, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &bn)) return "";
  std::vector<unsigned char> bytes(std::max<size_t>(BN_num_bytes(bn), pad_to));
  BN_bn2binpad(bn, bytes.data(), static_cast<int>(bytes.size()));
  BN_free(bn);
  return Base64Url(bytes.data(), bytes.size());
}

absl::StatusOr<std::string> Sign(EVP_PKEY* key, JwsAlgorithm alg, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = alg == JwsAlgorithm::kEdDSA ? nullptr : EVP_sha256();
  size_t len = 0;
  std::vector<unsigned char> sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()),
                        input.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return absl::InternalError("OpenSSL signing failed");
  if (alg == JwsAlgorithm::kES256) {  // DER -> r || s, 32 bytes each (RFC 7518 §3.4)
    const unsigned char* p = sig.data();
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    if (es == nullptr) return absl::InternalError("OpenSSL returned a bad ECDSA signature");
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
    ECDSA_SIG_free(es);
    return Base64Url(raw, 64);
  }
  return Base64Url(sig.data(), sig.size());
}

}  // namespace

const std::vector<ShapeIssuer>& ShapeIssuers() {
  static const auto* const issuers = new std::vector<ShapeIssuer>{
      {ClaimShape::kKeycloak, "https://keycloak.example.com/realms/camunda", "zeebe-api"},
      {ClaimShape::kEntra,
       "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
       "api://zeebe"},
      {ClaimShape::kOkta, "https://dev-123456.okta.com/oauth2/default", "api://default"},
  };
  return *issuers;
}

absl::StatusOr<TokenCorpus> MintTokenCorpus(const WorkloadSize& size, uint64_t seed,
                                            const TokenCorpusOptions& options) {
  Pkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  Pkey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!rsa || !ec || !ed) return absl::InternalError("OpenSSL key generation failed");
  TokenCorpus corpus;
  corpus.now = kTokenNow;
  unsigned char ed_pub[32];
  size_t ed_len = sizeof(ed_pub);
  EVP_PKEY_get_raw_public_key(ed.get(), ed_pub, &ed_len);
  corpus.jwks_json =
      StrCat(R"({"keys":[{"kty":"RSA","kid":"rs256","alg":"RS256","use":"sig","n":")",
             BnParam(rsa.get(), OSSL_PKEY_PARAM_RSA_N), R"(","e":")",
             BnParam(rsa.get(), OSSL_PKEY_PARAM_RSA_E),
             R"("},{"kty":"EC","kid":"es256","alg":"ES256","use":"sig","crv":"P-256","x":")",
             BnParam(ec.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32), R"(","y":")",
             BnParam(ec.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32),
             R"("},{"kty":"OKP","kid":"eddsa","alg":"EdDSA","use":"sig","crv":"Ed25519","x":")",
             Base64Url(ed_pub, ed_len), R"("}]})");

  std::mt19937_64 rng(seed * 7919 + 17);
  const size_t principals = size.users + size.clients;
  size_t fresh = 0;
  for (size_t i = 0; i < options.presentations; ++i) {
    if (!corpus.presentations.empty() && rng() % 100 < options.repeat_percent) {
      // Recent tokens repeat most: a sliding window of the last 256 minted.
      const size_t n = corpus.presentations.size();
      const size_t back = std::min<size_t>(n, 256);
      TokenPresentation again = corpus.presentations[n - 1 - rng() % back];
      again.repeat = true;
      corpus.presentations.push_back(std::move(again));
      continue;
    }
    TokenPresentation p;
    p.principal = static_cast<uint32_t>(rng() % principals);
    p.shape = static_cast<ClaimShape>(p.principal % 3);
    static constexpr JwsAlgorithm kAlgs[] = {JwsAlgorithm::kRS256, JwsAlgorithm::kES256,
                                             JwsAlgorithm::kEdDSA};
    p.alg = kAlgs[fresh % 3];
    std::string claims = ClaimsFor(size, seed, p.principal, p.shape);
    claims.insert(claims.size() - 1, StrCat(",\"nonce\":\"n", fresh, "\""));  // a fresh token
    ++fresh;
    EVP_PKEY* key = p.alg == JwsAlgorithm::kRS256   ? rsa.get()
                    : p.alg == JwsAlgorithm::kES256 ? ec.get()
                                                    : ed.get();
    const std::string kid = p.alg == JwsAlgorithm::kRS256   ? "rs256"
                            : p.alg == JwsAlgorithm::kES256 ? "es256"
                                                            : "eddsa";
    const std::string header =
        StrCat(R"({"alg":")", Name(p.alg), R"(","typ":"JWT","kid":")", kid, "\"}");
    std::string input = StrCat(Base64Url(header), ".", Base64Url(claims));
    CLEARANCE_ASSIGN_OR_RETURN(std::string sig, Sign(key, p.alg, input));
    p.token = StrCat(input, ".", sig);
    corpus.presentations.push_back(std::move(p));
  }
  return corpus;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeVerifier(const TokenCorpus& corpus,
                                                            size_t cache_capacity) {
  class FixedClock final : public TokenClock {
   public:
    explicit FixedClock(int64_t now) : now_(absl::FromUnixSeconds(now)) {}
    absl::Time Now() const override { return now_; }

   private:
    absl::Time now_;
  };
  // One clock per instant, alive for the process (verifiers do not own their clock).
  static auto* const clock = new FixedClock(kTokenNow);
  TokenVerifierOptions options;
  options.clock = clock;
  options.cache_capacity = cache_capacity;
  for (const ShapeIssuer& s : ShapeIssuers()) {
    IssuerConfig issuer;
    issuer.issuer = s.issuer;
    issuer.audiences = {s.audience};
    issuer.allowed_algorithms = {JwsAlgorithm::kRS256, JwsAlgorithm::kES256, JwsAlgorithm::kEdDSA};
    issuer.jwks_json = corpus.jwks_json;
    options.issuers.push_back(std::move(issuer));
  }
  return TokenVerifier::Create(std::move(options));
}

std::string TokenCorpusMetaJson(const TokenCorpus& corpus) {
  std::string issuers;
  for (const ShapeIssuer& s : ShapeIssuers()) {
    if (!issuers.empty()) issuers += ',';
    issuers += StrCat(R"({"shape":")", Name(s.shape), R"(","issuer":")", s.issuer,
                      R"(","audience":")", s.audience, "\"}");
  }
  return StrCat(R"({"now":)", corpus.now, R"(,"issuers":[)", issuers, R"(],"jwks":)",
                corpus.jwks_json, "}");
}

}  // namespace clearance::load

// JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) parsed once into OpenSSL keys whose usable
// algorithms are fixed at load, and the per-issuer key set built from a JWKS document.
//
// Fixing the algorithm at load is what closes the classic confusions: an RSA key can never verify
// an HS256 token (its public modulus is not an HMAC secret), a P-256 key never verifies ES384,
// and one issuer never mixes symmetric and asymmetric keys.
//
// Thread-safety: VerificationKey and IssuerKeys are immutable after parsing and may be read from
// any number of threads.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_JWK_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_JWK_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "clearance/token.h"

namespace clearance::token_internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

enum class KeyFamily : uint8_t { kRsa, kEc, kOkp, kOct };

// Bounds on RSA keys: below 2048 bits is breakable, above 8192 is a verification-cost attack.
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;
// An HMAC key shorter than this is refused outright (RFC 7518 §3.2: at least the hash size;
// HS256's 32 bytes is the smallest). Longer hashes check their own size at verification.
inline constexpr size_t kMinHmacKeyBytes = 32;

struct VerificationKey {
  // Process-unique, non-zero for keys made by ParseJwk / IssuerKeys::Parse; identifies the key in
  // per-thread caches of OpenSSL contexts (never reused, so a rotated key cannot alias a new one).
  // 0: not cached (hand-made keys in tests).
  uint64_t id = 0;
  std::string kid;  // empty when the JWK has none
  KeyFamily family = KeyFamily::kRsa;
  JwsAlgorithmSet algorithms;  // the only algorithms this key verifies
  EvpPkeyPtr pkey;             // RSA / EC / OKP
  std::string secret;          // oct: the raw HMAC key
};

// Parses one JWK object (JSON text). INVALID_ARGUMENT names the member and the problem.
// Private members (d, p, q, ...) are ignored: only the public half is used.
absl::StatusOr<std::unique_ptr<VerificationKey>> ParseJwk(std::string_view jwk_json);

// The keys of one issuer.
class IssuerKeys {
 public:
  // Parses a JWKS document ({"keys": [...]}). A key with "use" other than "sig", an unknown
  // "kty", an "alg" this verifier does not implement, or "key_ops" without "verify" is skipped (a
  // JWKS may carry encryption keys) and its reason recorded in outcomes(). A malformed key of a
  // known type, a duplicate kid, a mix of oct and asymmetric keys, or a document where no key
  // remains refuses the whole document (INVALID_ARGUMENT naming each key's reason).
  static absl::StatusOr<std::shared_ptr<const IssuerKeys>> Parse(std::string_view jwks_json);

  // Key selection (RFC 7515 §4.1.4, stricter than the RFC): with a kid, the key with that kid, or
  // the only key when the set has exactly one key and it has no kid; without a kid, the only key.
  // Returns nullptr when there is no such key. Borrowed pointer, valid while *this lives.
  const VerificationKey* Find(bool has_kid, std::string_view kid) const;

  size_t size() const { return keys_.size(); }
  bool symmetric() const { return symmetric_; }
  // One entry per member of the document's "keys", in order: used, or skipped and why.
  const std::vector<JwkLoadOutcome>& outcomes() const { return outcomes_; }

 private:
  std::vector<std::unique_ptr<VerificationKey>> keys_;
  std::vector<JwkLoadOutcome> outcomes_;
  absl::flat_hash_map<std::string, const VerificationKey*> by_kid_;
  bool symmetric_ = false;
};

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_JWK_H_

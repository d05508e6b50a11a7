#include "internal/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <atomic>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "internal/absl_compat.h"
#include "internal/base64url.h"
#include "internal/signature.h"
#include "simdjson.h"

namespace clearance::token_internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(strings_internal::StrCat("JWK: ", what));
}

// The members of one JWK object, with duplicate names refused (RFC 7517 §4: names are unique).
struct JwkMembers {
  std::string_view kty, kid, alg, use, crv, x, y, n, e, k;
  bool has_kid = false, has_alg = false, has_use = false;
};

absl::Status ReadMembers(object jwk, JwkMembers* m) {
  absl::flat_hash_set<std::string_view> seen;
  for (auto [key, value] : jwk) {
    if (!seen.insert(key).second)
      return Invalid(strings_internal::StrCat("duplicate member \"", key, "\""));
    std::string_view* slot = nullptr;
    if (key == "kty")
      slot = &m->kty;
    else if (key == "kid") {
      slot = &m->kid;
      m->has_kid = true;
    } else if (key == "alg") {
      slot = &m->alg;
      m->has_alg = true;
    } else if (key == "use") {
      slot = &m->use;
      m->has_use = true;
    } else if (key == "crv")
      slot = &m->crv;
    else if (key == "x")
      slot = &m->x;
    else if (key == "y")
      slot = &m->y;
    else if (key == "n")
      slot = &m->n;
    else if (key == "e")
      slot = &m->e;
    else if (key == "k")
      slot = &m->k;
    if (slot == nullptr) continue;  // x5c, key_ops, private members...: not used for verifying
    if (value.get_string().get(*slot)) {
      return Invalid(strings_internal::StrCat("member \"", key, "\" must be a string"));
    }
  }
  if (m->kty.empty()) return Invalid("missing \"kty\"");
  return absl::OkStatus();
}

absl::Status DecodeMember(std::string_view name, std::string_view encoded, std::string* out) {
  if (encoded.empty()) return Invalid(strings_internal::StrCat("missing \"", name, "\""));
  if (!Base64UrlDecode(encoded, out)) {
    return Invalid(strings_internal::StrCat("\"", name, "\" is not strict base64url"));
  }
  return absl::OkStatus();
}

absl::StatusOr<EvpPkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Invalid(strings_internal::StrCat("OpenSSL refused the ", type, " public key"));
  }
  EvpPkeyPtr owned(pkey);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new(pkey, nullptr));
  // For EC this checks the point is on the curve and not the identity.
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return Invalid(
        strings_internal::StrCat("the ", type, " public key fails OpenSSL's public-key check"));
  }
  return owned;
}

// The ROCA fingerprint (CVE-2017-15361): Infineon's RSALib made primes p = k * M + (65537^a mod M)
// for a primorial M, so every modulus it made is, modulo each small prime r dividing M, a power of
// 65537. Such a modulus can be factored. For a modulus from any other generator the chance of
// passing the test for all these primes is negligible (the ROCA paper's detector uses the same
// primes), so in practice it refuses no other key.
bool HasRocaFingerprint(const BIGNUM* n) {
  static constexpr BN_ULONG kPrimes[] = {
      3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
      73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
  for (BN_ULONG r : kPrimes) {
    const BN_ULONG residue = BN_mod_word(n, r);
    if (residue == static_cast<BN_ULONG>(-1)) return false;
    // Walk the subgroup 65537 generates modulo r (at most r - 1 steps).
    bool in_subgroup = false;
    BN_ULONG power = 1;
    for (BN_ULONG i = 0; i < r - 1; ++i) {
      if (power == residue) {
        in_subgroup = true;
        break;
      }
      power = power * (65537 % r) % r;
      if (power == 1) break;
    }
    if (!in_subgroup) return false;
  }
  return true;
}

absl::Status ParseRsa(const JwkMembers& m, VerificationKey* key) {
  std::string n, e;
  if (auto s = DecodeMember("n", m.n, &n); !s.ok()) return s;
  if (auto s = DecodeMember("e", m.e, &e); !s.ok()) return s;
  std::unique_ptr<BIGNUM, BnFree> bn_n(
      BN_bin2bn(reinterpret_cast<const uint8_t*>(n.data()), n.size(), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(
      BN_bin2bn(reinterpret_cast<const uint8_t*>(e.data()), e.size(), nullptr));
  if (bn_n == nullptr || bn_e == nullptr) return absl::ResourceExhaustedError("BN_bin2bn");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return Invalid(strings_internal::StrCat("RSA modulus has ", bits, " bits; expected ",
                                            kMinRsaBits, "-", kMaxRsaBits));
  }
  // e = 3 and even exponents are refused: small exponents make signature-forgery bugs in
  // PKCS#1 v1.5 padding checks exploitable, and an even e is not a valid RSA key.
  if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) > 256 ||
      BN_cmp(bn_e.get(), BN_value_one()) <= 0 || BN_get_word(bn_e.get()) < 65537) {
    return Invalid("RSA exponent must be odd and at least 65537");
  }
  if (HasRocaFingerprint(bn_n.get())) {
    return Invalid(
        "RSA modulus has the ROCA fingerprint (CVE-2017-15361): it was made by a vulnerable "
        "Infineon key generator and can be factored; replace the key");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return absl::ResourceExhaustedError("OSSL_PARAM_BLD");
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto pkey, FromParams("RSA", bld.get()));
  key->family = KeyFamily::kRsa;
  key->pkey = std::move(pkey);
  key->algorithms = {JwsAlgorithm::kRS256, JwsAlgorithm::kRS384, JwsAlgorithm::kRS512,
                     JwsAlgorithm::kPS256, JwsAlgorithm::kPS384, JwsAlgorithm::kPS512};
  return absl::OkStatus();
}

absl::Status ParseEc(const JwkMembers& m, VerificationKey* key) {
  const char* group = nullptr;
  size_t field_bytes = 0;
  JwsAlgorithm alg;
  if (m.crv == "P-256") {
    group = "prime256v1", field_bytes = 32, alg = JwsAlgorithm::kES256;
  } else if (m.crv == "P-384") {
    group = "secp384r1", field_bytes = 48, alg = JwsAlgorithm::kES384;
  } else if (m.crv == "P-521") {
    group = "secp521r1", field_bytes = 66, alg = JwsAlgorithm::kES512;
  } else {
    return Invalid(strings_internal::StrCat("unsupported EC curve \"", m.crv, "\""));
  }
  std::string x, y;
  if (auto s = DecodeMember("x", m.x, &x); !s.ok()) return s;
  if (auto s = DecodeMember("y", m.y, &y); !s.ok()) return s;
  // RFC 7518 §6.2.1.2 wants the full field size, but some signers (PyJWT before 2.8, for one)
  // strip leading zero bytes. Left-padding names the same point, so shorter is accepted; longer
  // never is.
  if (x.empty() || y.empty() || x.size() > field_bytes || y.size() > field_bytes) {
    return Invalid(strings_internal::StrCat("\"x\" and \"y\" must be at most ", field_bytes,
                                            " bytes for ", m.crv));
  }
  std::string point = "\x04";
  point.append(field_bytes - x.size(), '\0').append(x);
  point.append(field_bytes - y.size(), '\0').append(y);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::ResourceExhaustedError("OSSL_PARAM_BLD");
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto pkey, FromParams("EC", bld.get()));
  key->family = KeyFamily::kEc;
  key->pkey = std::move(pkey);
  key->algorithms = {alg};
  return absl::OkStatus();
}

absl::Status ParseOkp(const JwkMembers& m, VerificationKey* key) {
  if (m.crv != "Ed25519")
    return Invalid(strings_internal::StrCat("unsupported OKP curve \"", m.crv, "\""));
  std::string x;
  if (auto s = DecodeMember("x", m.x, &x); !s.ok()) return s;
  if (x.size() != 32) return Invalid("Ed25519 \"x\" must be 32 bytes");
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const uint8_t*>(x.data()), x.size());
  if (pkey == nullptr) return Invalid("OpenSSL refused the Ed25519 public key");
  key->family = KeyFamily::kOkp;
  key->pkey.reset(pkey);
  key->algorithms = {JwsAlgorithm::kEdDSA};
  return absl::OkStatus();
}

absl::Status ParseOct(const JwkMembers& m, VerificationKey* key) {
  if (auto s = DecodeMember("k", m.k, &key->secret); !s.ok()) return s;
  if (key->secret.size() < kMinHmacKeyBytes) {
    return Invalid(strings_internal::StrCat("oct key has ", key->secret.size(), " bytes; at least ",
                                            kMinHmacKeyBytes, " required"));
  }
  key->family = KeyFamily::kOct;
  // RFC 7518 §3.2: the key is at least as long as the hash output.
  key->algorithms = {JwsAlgorithm::kHS256};
  if (key->secret.size() >= 48) key->algorithms.insert(JwsAlgorithm::kHS384);
  if (key->secret.size() >= 64) key->algorithms.insert(JwsAlgorithm::kHS512);
  return absl::OkStatus();
}

bool KnownKty(std::string_view kty) {
  return kty == "RSA" || kty == "EC" || kty == "OKP" || kty == "oct";
}

// Why a JWK in a key set is not a signature-verification key for this verifier; empty when it is
// one. A key the set publishes for something else (encryption, a type or algorithm we do not
// implement, key_ops without "verify", RFC 7517 §4.3) is skipped, and the reason is kept for the
// key-load report. INVALID_ARGUMENT when key_ops is not an array of unique strings.
absl::StatusOr<std::string> SkipReason(object jwk) {
  using strings_internal::StrCat;
  std::string_view use, kty, alg;
  if (!jwk["use"].get(use) && use != "sig") {
    return StrCat("\"use\" is \"", use, "\"; only \"sig\" keys verify signatures");
  }
  // Absent or non-string kty: reported by ParseJwkObject as a malformed key.
  if (!jwk["kty"].get(kty) && !KnownKty(kty)) {
    return StrCat("\"kty\" \"", kty, "\" is not supported; expected RSA, EC, OKP or oct");
  }
  JwsAlgorithm parsed;
  if (!jwk["alg"].get(alg) && !ParseJwsAlgorithm(alg, &parsed)) {
    std::string names;
    for (int i = 0; i < kJwsAlgorithmCount; ++i) {
      names += StrCat(i ? ", " : "", Name(static_cast<JwsAlgorithm>(i)));
    }
    return StrCat("\"alg\" \"", alg, "\" is not a JWS algorithm this verifier implements (", names,
                  ")");
  }
  simdjson::dom::element ops_element;
  if (!jwk["key_ops"].get(ops_element)) {
    simdjson::dom::array ops;
    if (ops_element.get_array().get(ops)) return Invalid("\"key_ops\" must be an array of strings");
    absl::flat_hash_set<std::string_view> seen;
    for (element op : ops) {
      std::string_view name;
      if (op.get_string().get(name)) return Invalid("\"key_ops\" must be an array of strings");
      if (!seen.insert(name).second) {
        return Invalid(StrCat("\"key_ops\" lists \"", name, "\" twice"));
      }
    }
    if (!seen.contains("verify")) {
      return std::string("\"key_ops\" does not include \"verify\"");
    }
  }
  return std::string();
}

absl::StatusOr<std::unique_ptr<VerificationKey>> ParseJwkObject(object jwk) {
  JwkMembers m;
  if (auto s = ReadMembers(jwk, &m); !s.ok()) return s;
  auto key = std::make_unique<VerificationKey>();
  static std::atomic<uint64_t> next_id{1};
  key->id = next_id.fetch_add(1, std::memory_order_relaxed);
  key->kid = std::string(m.kid);
  absl::Status s;
  if (m.kty == "RSA")
    s = ParseRsa(m, key.get());
  else if (m.kty == "EC")
    s = ParseEc(m, key.get());
  else if (m.kty == "OKP")
    s = ParseOkp(m, key.get());
  else if (m.kty == "oct")
    s = ParseOct(m, key.get());
  else
    s = Invalid(strings_internal::StrCat("unsupported \"kty\" \"", m.kty, "\""));
  if (!s.ok()) return s;
  if (m.has_alg) {
    // A JWK that names its algorithm is pinned to exactly that one.
    JwsAlgorithm alg;
    if (!ParseJwsAlgorithm(m.alg, &alg) || !key->algorithms.contains(alg)) {
      return Invalid(
          strings_internal::StrCat("\"alg\" \"", m.alg, "\" does not fit this ", m.kty, " key"));
    }
    key->algorithms = {alg};
  }
  return key;
}

}  // namespace

absl::StatusOr<std::unique_ptr<VerificationKey>> ParseJwk(std::string_view jwk_json) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(jwk_json.data(), jwk_json.size()).get(root)) return Invalid("not valid JSON");
  object jwk;
  if (root.get_object().get(jwk)) return Invalid("not a JSON object");
  // A lone JWK is configured to verify: a reason to skip it is an error.
  CLEARANCE_ASSIGN_OR_RETURN(const std::string skip, SkipReason(jwk));
  if (!skip.empty()) return Invalid(skip);
  return ParseJwkObject(jwk);
}

absl::StatusOr<std::shared_ptr<const IssuerKeys>> IssuerKeys::Parse(std::string_view jwks_json) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(jwks_json.data(), jwks_json.size()).get(root)) {
    return absl::InvalidArgumentError("JWKS: not valid JSON");
  }
  object top;
  if (root.get_object().get(top)) return absl::InvalidArgumentError("JWKS: not a JSON object");
  simdjson::dom::array keys;
  size_t keys_members = 0;
  for (auto [name, value] : top) {
    if (name != "keys") continue;
    if (++keys_members > 1) return absl::InvalidArgumentError("JWKS: duplicate \"keys\"");
    if (value.get_array().get(keys)) {
      return absl::InvalidArgumentError("JWKS: \"keys\" must be an array");
    }
  }
  if (keys_members == 0) return absl::InvalidArgumentError("JWKS: missing \"keys\"");

  auto ring = std::make_shared<IssuerKeys>();
  bool any_oct = false, any_asymmetric = false;
  size_t index = 0;
  for (element entry : keys) {
    object jwk;
    if (entry.get_object().get(jwk)) {
      return absl::InvalidArgumentError(
          strings_internal::StrCat("JWKS: keys[", index, "] is not an object"));
    }
    JwkLoadOutcome outcome;
    outcome.index = index;
    if (std::string_view kid; !jwk["kid"].get(kid)) outcome.kid = std::string(kid);
    absl::StatusOr<std::string> skip = SkipReason(jwk);
    if (!skip.ok()) {
      return absl::InvalidArgumentError(
          strings_internal::StrCat("JWKS: keys[", index, "]: ", skip.status().message()));
    }
    ++index;
    if (!skip->empty()) {
      // Skipping never widens what verifies; the reason goes to the report so that a mistyped
      // alg does not look like a key the issuer never published.
      outcome.reason = *std::move(skip);
      ring->outcomes_.push_back(std::move(outcome));
      continue;
    }
    auto key = ParseJwkObject(jwk);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          strings_internal::StrCat("JWKS: keys[", outcome.index, "]: ", key.status().message()));
    }
    ((*key)->family == KeyFamily::kOct ? any_oct : any_asymmetric) = true;
    if (any_oct && any_asymmetric) {
      return absl::InvalidArgumentError(
          "JWKS: symmetric (oct) and asymmetric keys may not be mixed for one issuer");
    }
    if (!(*key)->kid.empty()) {
      auto [it, inserted] = ring->by_kid_.emplace((*key)->kid, key->get());
      if (!inserted) {
        return absl::InvalidArgumentError(
            strings_internal::StrCat("JWKS: duplicate kid \"", (*key)->kid, "\""));
      }
    }
    ring->keys_.push_back(*std::move(key));
    outcome.used = true;
    ring->outcomes_.push_back(std::move(outcome));
  }
  if (ring->keys_.empty()) {
    // Every check would fail with unknown_key; say why now instead.
    std::string why = ring->outcomes_.empty() ? " (\"keys\" is empty)" : ":";
    for (const JwkLoadOutcome& o : ring->outcomes_) {
      why += strings_internal::StrCat(" keys[", o.index, "]",
                                      o.kid.empty() ? "" : " (kid \"" + o.kid + "\")", " ",
                                      o.reason, ";");
    }
    if (why.back() == ';') why.pop_back();
    return absl::InvalidArgumentError(
        strings_internal::StrCat("JWKS: no key can verify signatures", why));
  }
  ring->symmetric_ = any_oct;
  return ring;
}

const VerificationKey* IssuerKeys::Find(bool has_kid, std::string_view kid) const {
  if (has_kid) {
    if (auto it = by_kid_.find(Sv(kid)); it != by_kid_.end()) return it->second;
    if (keys_.size() == 1 && keys_[0]->kid.empty()) return keys_[0].get();
    return nullptr;
  }
  return keys_.size() == 1 ? keys_[0].get() : nullptr;
}

}  // namespace clearance::token_internal

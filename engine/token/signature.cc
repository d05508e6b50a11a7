#include "internal/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

namespace clearance::token_internal {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

// Digests are fetched once: EVP_get_digestbyname on every verify would walk the provider tables.
const EVP_MD* Sha(int bits) {
  static const EVP_MD* const k256 = EVP_sha256();
  static const EVP_MD* const k384 = EVP_sha384();
  static const EVP_MD* const k512 = EVP_sha512();
  return bits == 256 ? k256 : bits == 384 ? k384 : k512;
}

int HashBits(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRS256:
    case JwsAlgorithm::kPS256:
    case JwsAlgorithm::kES256:
    case JwsAlgorithm::kHS256:
      return 256;
    case JwsAlgorithm::kRS384:
    case JwsAlgorithm::kPS384:
    case JwsAlgorithm::kES384:
    case JwsAlgorithm::kHS384:
      return 384;
    default:
      return 512;
  }
}

// Writes a minimal DER INTEGER for the unsigned big-endian `v` at `out`; returns bytes written.
size_t DerInteger(const uint8_t* v, size_t len, uint8_t* out) {
  while (len > 1 && v[0] == 0) ++v, --len;  // minimal encoding: strip leading zeros
  const bool pad = (v[0] & 0x80) != 0;      // keep the integer positive
  const size_t body = len + (pad ? 1 : 0);
  size_t o = 0;
  out[o++] = 0x02;
  out[o++] = static_cast<uint8_t>(body);
  if (pad) out[o++] = 0x00;
  std::memcpy(out + o, v, len);
  return o + len;
}

// JWS carries ECDSA signatures as raw R||S (RFC 7518 §3.4); OpenSSL wants DER. Converting here,
// instead of accepting DER, means exactly one encoding of a signature is ever accepted.
TokenError VerifyEcdsa(JwsAlgorithm alg, const VerificationKey& key, std::string_view input,
                       std::string_view signature) {
  const size_t half = alg == JwsAlgorithm::kES256 ? 32 : alg == JwsAlgorithm::kES384 ? 48 : 66;
  if (signature.size() != 2 * half) return TokenError::kBadSignature;
  // SEQUENCE header (3 bytes with a long-form length) + two INTEGERs of at most half + 3 bytes.
  std::array<uint8_t, 3 + 2 * (66 + 3)> der;
  const auto* sig = reinterpret_cast<const uint8_t*>(signature.data());
  std::array<uint8_t, 2 * (66 + 3)> body;
  size_t body_len = DerInteger(sig, half, body.data());
  body_len += DerInteger(sig + half, half, body.data() + body_len);
  size_t o = 0;
  der[o++] = 0x30;
  if (body_len >= 0x80) der[o++] = 0x81;
  der[o++] = static_cast<uint8_t>(body_len);
  std::memcpy(der.data() + o, body.data(), body_len);
  o += body_len;

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, Sha(HashBits(alg)), nullptr, key.pkey.get()) != 1) {
    return TokenError::kBadSignature;
  }
  const int rc = EVP_DigestVerify(ctx.get(), der.data(), o,
                                  reinterpret_cast<const uint8_t*>(input.data()), input.size());
  return rc == 1 ? TokenError::kOk : TokenError::kBadSignature;
}

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// An RSA verify context with every parameter pinned: padding, the digest the signature names and,
// for PSS, MGF1 with the same hash and salt length = hash length (RFC 7518 §3.5; OpenSSL's verify
// default would auto-detect any salt length).
PkeyCtxPtr NewRsaVerifyContext(const VerificationKey& key, const EVP_MD* md, bool pss) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.pkey.get(), nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return nullptr;
  }
  if (pss) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), EVP_MD_get_size(md)) != 1) {
      return nullptr;
    }
  } else if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return nullptr;
  }
  return ctx;
}

// Per-thread verify contexts, one per recent (key, alg). Setting up a context (provider fetch,
// init, parameters) costs about a fifth of an RSA-2048 public-key operation, which is the whole
// budget between us and `openssl speed`; a context is reusable for any number of verifications
// but not shareable between threads, hence per thread. Direct-mapped and small: a thread sees few
// keys. An entry holds a reference to its EVP_PKEY, so a rotated-out key stays valid until its
// slot is reused or the thread ends.
class RsaVerifyContexts {
 public:
  EVP_PKEY_CTX* Get(const VerificationKey& key, JwsAlgorithm alg, const EVP_MD* md, bool pss) {
    Entry& e = entries_[(key.id * 31 + static_cast<uint64_t>(alg)) % entries_.size()];
    if (e.ctx == nullptr || e.key_id != key.id || e.alg != alg) {
      e.ctx = NewRsaVerifyContext(key, md, pss);
      e.key_id = key.id;
      e.alg = alg;
    }
    return e.ctx.get();
  }

 private:
  struct Entry {
    uint64_t key_id = 0;
    JwsAlgorithm alg = JwsAlgorithm::kRS256;
    PkeyCtxPtr ctx;
  };
  std::array<Entry, 16> entries_;
};

TokenError VerifyRsa(JwsAlgorithm alg, const VerificationKey& key, std::string_view input,
                     std::string_view signature, bool pss) {
  // A signature is exactly the modulus size (RFC 8017 §8.2.2 step 1).
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()))) {
    return TokenError::kBadSignature;
  }
  const EVP_MD* md = Sha(HashBits(alg));
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_len, md, nullptr) != 1) {
    return TokenError::kBadSignature;
  }
  PkeyCtxPtr own;  // keys without an id (hand-made in tests) are not cached
  EVP_PKEY_CTX* ctx = nullptr;
  if (key.id == 0) {
    own = NewRsaVerifyContext(key, md, pss);
    ctx = own.get();
  } else {
    thread_local RsaVerifyContexts contexts;
    ctx = contexts.Get(key, alg, md, pss);
  }
  if (ctx == nullptr) return TokenError::kBadSignature;
  const int rc = EVP_PKEY_verify(ctx, reinterpret_cast<const uint8_t*>(signature.data()),
                                 signature.size(), digest, digest_len);
  return rc == 1 ? TokenError::kOk : TokenError::kBadSignature;
}

TokenError VerifyEd25519(const VerificationKey& key, std::string_view input,
                         std::string_view signature) {
  if (signature.size() != 64) return TokenError::kBadSignature;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1) {
    return TokenError::kBadSignature;
  }
  const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const uint8_t*>(signature.data()),
                                  signature.size(), reinterpret_cast<const uint8_t*>(input.data()),
                                  input.size());
  return rc == 1 ? TokenError::kOk : TokenError::kBadSignature;
}

TokenError VerifyHmac(JwsAlgorithm alg, const VerificationKey& key, std::string_view input,
                      std::string_view signature) {
  const EVP_MD* md = Sha(HashBits(alg));
  const size_t tag_len = static_cast<size_t>(EVP_MD_get_size(md));
  // Truncated tags are refused: RFC 7518 §3.2 uses the full output.
  if (signature.size() != tag_len || key.secret.size() < tag_len) return TokenError::kBadSignature;
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  if (HMAC(md, key.secret.data(), static_cast<int>(key.secret.size()),
           reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac,
           &mac_len) == nullptr ||
      mac_len != tag_len) {
    return TokenError::kBadSignature;
  }
  return CRYPTO_memcmp(mac, signature.data(), tag_len) == 0 ? TokenError::kOk
                                                            : TokenError::kBadSignature;
}

}  // namespace

TokenError VerifyJwsSignature(JwsAlgorithm alg, const VerificationKey& key,
                              std::string_view signing_input, std::string_view signature) {
  if (!key.algorithms.contains(alg)) return TokenError::kKeyMismatch;
  switch (alg) {
    case JwsAlgorithm::kRS256:
    case JwsAlgorithm::kRS384:
    case JwsAlgorithm::kRS512:
      if (key.family != KeyFamily::kRsa) return TokenError::kKeyMismatch;
      return VerifyRsa(alg, key, signing_input, signature, /*pss=*/false);
    case JwsAlgorithm::kPS256:
    case JwsAlgorithm::kPS384:
    case JwsAlgorithm::kPS512:
      if (key.family != KeyFamily::kRsa) return TokenError::kKeyMismatch;
      return VerifyRsa(alg, key, signing_input, signature, /*pss=*/true);
    case JwsAlgorithm::kES256:
    case JwsAlgorithm::kES384:
    case JwsAlgorithm::kES512:
      if (key.family != KeyFamily::kEc) return TokenError::kKeyMismatch;
      return VerifyEcdsa(alg, key, signing_input, signature);
    case JwsAlgorithm::kEdDSA:
      if (key.family != KeyFamily::kOkp) return TokenError::kKeyMismatch;
      return VerifyEd25519(key, signing_input, signature);
    case JwsAlgorithm::kHS256:
    case JwsAlgorithm::kHS384:
    case JwsAlgorithm::kHS512:
      if (key.family != KeyFamily::kOct) return TokenError::kKeyMismatch;
      return VerifyHmac(alg, key, signing_input, signature);
  }
  return TokenError::kKeyMismatch;
}

}  // namespace clearance::token_internal

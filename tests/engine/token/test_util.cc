#include "test_util.h"

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "gtest/gtest.h"
#include "internal/base64url.h"
#include "simdjson.h"

namespace clearance::token_test {

std::string VectorsDir() { return CLEARANCE_VECTORS_DIR; }
std::string TestdataDir() { return CLEARANCE_TOKEN_TESTDATA_DIR; }

std::string ReadFileOrDie(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    std::abort();
  }
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  std::fclose(f);
  return data;
}

std::string HexDecode(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    std::abort();
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

simdjson::dom::element El(simdjson::simdjson_result<simdjson::dom::element> r) {
  simdjson::dom::element e;
  if (r.get(e)) {
    ADD_FAILURE() << "missing JSON member";
    std::abort();
  }
  return e;
}

std::string Str(simdjson::simdjson_result<simdjson::dom::element> r) {
  std::string_view s;
  return r.get_string().get(s) ? std::string() : std::string(s);
}

namespace {

MintedFixture LoadMinted() {
  MintedFixture f;
  simdjson::dom::parser parser;
  simdjson::padded_string json(ReadFileOrDie(TestdataDir() + "/minted_tokens.json"));
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) std::abort();
  f.issuer = Str(root["issuer"]);
  f.hmac_issuer = Str(root["hmac_issuer"]);
  f.audience = Str(root["audience"]);
  int64_t now;
  if (root["now"].get_int64().get(now)) std::abort();
  f.now = now;
  f.jwks_json = simdjson::minify(El(root["jwks"]));
  f.hmac_jwks_json = simdjson::minify(El(root["hmac_jwks"]));
  simdjson::dom::object keys;
  if (root["private_keys"].get_object().get(keys)) std::abort();
  for (auto [name, value] : keys) {
    std::string_view pem;
    if (value.get_string().get(pem)) std::abort();
    f.private_keys_pem[std::string(name)] = std::string(pem);
  }
  f.hmac_secret = HexDecode(Str(root["hmac_secret_hex"]));
  simdjson::dom::array tokens;
  if (root["tokens"].get_array().get(tokens)) std::abort();
  for (simdjson::dom::element t : tokens) {
    f.tokens.push_back({Str(t["alg"]), Str(t["shape"]), Str(t["token"]), Str(t["claims"])});
  }
  return f;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

const EVP_MD* MdFor(std::string_view alg) {
  if (alg == "EdDSA") return nullptr;
  const std::string_view bits = alg.substr(2);
  return bits == "256" ? EVP_sha256() : bits == "384" ? EVP_sha384() : EVP_sha512();
}

std::string DerToRaw(const std::string& der, size_t half) {
  const auto* p = reinterpret_cast<const uint8_t*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) std::abort();
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<uint8_t*>(raw.data()), half);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<uint8_t*>(raw.data()) + half, half);
  ECDSA_SIG_free(sig);
  return raw;
}

}  // namespace

const MintedFixture& Minted() {
  static const MintedFixture* const f = new MintedFixture(LoadMinted());
  return *f;
}

std::string SignBytes(std::string_view alg, std::string_view key, std::string_view input,
                      EcdsaEncoding ecdsa) {
  const EVP_MD* md = MdFor(alg);
  if (alg.substr(0, 2) == "HS") {
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac, &len);
    return std::string(reinterpret_cast<char*>(mac), len);
  }
  BIO* bio = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (pkey == nullptr) std::abort();
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey.get()) != 1) std::abort();
  if (alg.substr(0, 2) == "PS") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, EVP_MD_get_size(md));
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(input.data()),
                     input.size()) != 1) {
    std::abort();
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<uint8_t*>(sig.data()), &len,
                     reinterpret_cast<const uint8_t*>(input.data()), input.size()) != 1) {
    std::abort();
  }
  sig.resize(len);
  if (alg.substr(0, 2) == "ES" && ecdsa == EcdsaEncoding::kRaw) {
    const size_t half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    return DerToRaw(sig, half);
  }
  return sig;
}

std::string SignJws(std::string_view alg, std::string_view key, std::string_view header_json,
                    std::string_view payload_json, EcdsaEncoding ecdsa) {
  using token_internal::Base64UrlEncode;
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  return input + "." + Base64UrlEncode(SignBytes(alg, key, input, ecdsa));
}

TokenVerifierOptions MintedOptions(const TokenClock* clock) {
  const MintedFixture& f = Minted();
  TokenVerifierOptions o;
  IssuerConfig asym;
  asym.issuer = f.issuer;
  asym.audiences = {f.audience};
  asym.allowed_algorithms = JwsAlgorithmSet::All();
  asym.jwks_json = f.jwks_json;
  IssuerConfig hmac;
  hmac.issuer = f.hmac_issuer;
  hmac.audiences = {f.audience};
  hmac.allowed_algorithms = {JwsAlgorithm::kHS256, JwsAlgorithm::kHS384, JwsAlgorithm::kHS512};
  hmac.jwks_json = f.hmac_jwks_json;
  o.issuers = {asym, hmac};
  o.clock = clock;
  return o;
}

}  // namespace clearance::token_test

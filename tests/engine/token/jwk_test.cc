// JWK / JWKS loading: each key's algorithm is fixed at load, and every key-ring rule refuses.
#include "internal/jwk.h"

#include <openssl/bn.h>

#include <string>

#include "gtest/gtest.h"
#include "internal/base64url.h"
#include "internal/signature.h"
#include "simdjson.h"
#include "test_util.h"

namespace clearance::token_internal {
namespace {

using token_test::Minted;

// One member of the minted JWKS, by kid.
std::string MintedJwk(std::string_view kid) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(Minted().jwks_json);
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) return {};
  simdjson::dom::array keys;
  if (root["keys"].get_array().get(keys)) return {};
  for (simdjson::dom::element k : keys) {
    std::string_view id;
    if (!k["kid"].get_string().get(id) && id == kid) return simdjson::minify(k);
  }
  return {};
}

std::string Member(const std::string& jwk, const std::string& name) {
  const size_t at = jwk.find("\"" + name + "\":\"") + name.size() + 4;
  return jwk.substr(at, jwk.find('"', at) - at);
}

std::string Rsa(std::string_view n_b64, std::string_view e_b64, std::string_view extra = "") {
  return "{\"kty\":\"RSA\",\"n\":\"" + std::string(n_b64) + "\",\"e\":\"" + std::string(e_b64) +
         "\"" + std::string(extra) + "}";
}

TEST(JwkTest, RsaKeyVerifiesOnlyRsaAlgorithms) {
  auto key = ParseJwk(MintedJwk("rsa-1"));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ((*key)->family, KeyFamily::kRsa);
  EXPECT_TRUE((*key)->algorithms.contains(JwsAlgorithm::kRS256));
  EXPECT_TRUE((*key)->algorithms.contains(JwsAlgorithm::kPS512));
  EXPECT_FALSE((*key)->algorithms.contains(JwsAlgorithm::kHS256));
  EXPECT_FALSE((*key)->algorithms.contains(JwsAlgorithm::kES256));
}

TEST(JwkTest, AlgMemberPinsTheKey) {
  const std::string n = Member(MintedJwk("rsa-1"), "n");
  auto pinned = ParseJwk(Rsa(n, "AQAB", ",\"alg\":\"PS256\""));
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ((*pinned)->algorithms, JwsAlgorithmSet({JwsAlgorithm::kPS256}));
  EXPECT_FALSE(ParseJwk(Rsa(n, "AQAB", ",\"alg\":\"ES256\"")).ok());
  EXPECT_FALSE(ParseJwk(Rsa(n, "AQAB", ",\"alg\":\"HS256\"")).ok());
}

TEST(JwkTest, RsaSizeAndExponentRules) {
  const std::string n = Member(MintedJwk("rsa-1"), "n");
  EXPECT_TRUE(ParseJwk(Rsa(n, "AQAB")).ok());
  // Modulus sizes are checked before OpenSSL sees the key.
  EXPECT_FALSE(ParseJwk(Rsa(Base64UrlEncode(std::string(255, '\xfb')), "AQAB")).ok());   // 2040
  EXPECT_FALSE(ParseJwk(Rsa(Base64UrlEncode(std::string(128, '\xfb')), "AQAB")).ok());   // 1024
  EXPECT_FALSE(ParseJwk(Rsa(Base64UrlEncode(std::string(1025, '\xfb')), "AQAB")).ok());  // 8200
  EXPECT_FALSE(ParseJwk(Rsa(n, "Aw")).ok());                                             // e = 3
  EXPECT_FALSE(ParseJwk(Rsa(n, "AQAA")).ok());        // e = 65536, even
  EXPECT_FALSE(ParseJwk(Rsa(n, "AQ")).ok());          // e = 1
  EXPECT_TRUE(ParseJwk(Rsa(n, "AQAD")).ok());         // e = 65539, odd
  EXPECT_FALSE(ParseJwk(Rsa(n + "=", "AQAB")).ok());  // padded base64url
  EXPECT_FALSE(ParseJwk(Rsa("", "AQAB")).ok());
}

TEST(JwkTest, RocaFingerprintedModulusIsRefused) {
  // A 2048-bit modulus that is 1 (a power of 65537) modulo every prime of the ROCA test:
  // N = 1 + M * 2^j with M the product of the primes 3 .. 167.
  BIGNUM* n = BN_new();
  ASSERT_TRUE(BN_one(n));
  for (BN_ULONG r = 3; r <= 167; r += 2) {
    bool prime = true;
    for (BN_ULONG d = 3; d * d <= r; d += 2) prime = prime && r % d != 0;
    if (prime) {
      ASSERT_TRUE(BN_mul_word(n, r));
    }
  }
  ASSERT_TRUE(BN_lshift(n, n, 2048 - BN_num_bits(n)));
  ASSERT_TRUE(BN_add_word(n, 1));
  ASSERT_EQ(BN_num_bits(n), 2048);
  std::string bytes(BN_num_bytes(n), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(n);
  auto key = ParseJwk(Rsa(Base64UrlEncode(bytes), "AQAB"));
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("ROCA"), std::string::npos) << key.status();
  // Every minted and published RSA key is not one (see also the Wycheproof suite).
  EXPECT_TRUE(ParseJwk(MintedJwk("rsa-1")).ok());
}

TEST(JwkTest, EcCurveFixesTheAlgorithmAndPointIsChecked) {
  for (std::string_view alg : {"ES256", "ES384", "ES512"}) {
    auto key = ParseJwk(MintedJwk("ec-" + std::string(alg)));
    ASSERT_TRUE(key.ok()) << key.status();
    JwsAlgorithm expected;
    ASSERT_TRUE(ParseJwsAlgorithm(alg, &expected));
    EXPECT_EQ((*key)->algorithms, JwsAlgorithmSet({expected}));
  }
  std::string jwk = MintedJwk("ec-ES256");
  std::string y;
  ASSERT_TRUE(Base64UrlDecode(Member(jwk, "y"), &y));
  std::string off = y;
  off.back() ^= 1;  // no longer on the curve
  std::string bad = jwk;
  bad.replace(bad.find(Member(jwk, "y")), Member(jwk, "y").size(), Base64UrlEncode(off));
  EXPECT_FALSE(ParseJwk(bad).ok());
  // Curve and alg disagree.
  EXPECT_FALSE(ParseJwk(jwk.substr(0, jwk.size() - 1) + ",\"alg\":\"ES384\"}").ok());
  // Coordinates longer than the field are refused; shorter ones are left-padded (PyJWT < 2.8
  // strips leading zeros), so a stripped coordinate that changes the value is off the curve.
  const std::string x = Member(jwk, "x");
  std::string xb;
  ASSERT_TRUE(Base64UrlDecode(x, &xb));
  std::string long_x = jwk;
  long_x.replace(long_x.find(x), x.size(), Base64UrlEncode(std::string(1, '\0') + xb));
  EXPECT_FALSE(ParseJwk(long_x).ok());
  std::string short_x = jwk;
  short_x.replace(short_x.find(x), x.size(), Base64UrlEncode(xb.substr(1)));
  EXPECT_EQ(ParseJwk(short_x).ok(), xb[0] == '\0');
  // An unsupported curve.
  std::string k1 = jwk;
  k1.replace(k1.find("P-256"), 5, "secp256k1");
  EXPECT_FALSE(ParseJwk(k1).ok());
}

TEST(JwkTest, OkpAndOctRules) {
  auto ed = ParseJwk(MintedJwk("ed-1"));
  ASSERT_TRUE(ed.ok()) << ed.status();
  EXPECT_EQ((*ed)->algorithms, JwsAlgorithmSet({JwsAlgorithm::kEdDSA}));
  EXPECT_FALSE(ParseJwk(R"({"kty":"OKP","crv":"Ed448","x":"AAAA"})").ok());
  EXPECT_FALSE(ParseJwk(R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})").ok());

  auto k32 = ParseJwk("{\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(std::string(32, 'k')) + "\"}");
  ASSERT_TRUE(k32.ok());
  EXPECT_EQ((*k32)->algorithms, JwsAlgorithmSet({JwsAlgorithm::kHS256}));
  auto k64 = ParseJwk("{\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(std::string(64, 'k')) + "\"}");
  ASSERT_TRUE(k64.ok());
  EXPECT_TRUE((*k64)->algorithms.contains(JwsAlgorithm::kHS512));
  EXPECT_FALSE(
      ParseJwk("{\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(std::string(31, 'k')) + "\"}").ok());
  EXPECT_FALSE(ParseJwk("{\"kty\":\"oct\",\"alg\":\"HS512\",\"k\":\"" +
                        Base64UrlEncode(std::string(48, 'k')) + "\"}")
                   .ok());
}

TEST(JwkTest, MalformedJwks) {
  EXPECT_FALSE(ParseJwk(R"({"kty":"RSA","kty":"EC"})").ok());  // duplicate member
  EXPECT_FALSE(ParseJwk(R"({"n":"AQAB"})").ok());              // no kty
  EXPECT_FALSE(ParseJwk(R"({"kty":7})").ok());
  EXPECT_FALSE(ParseJwk(R"([])").ok());
  EXPECT_FALSE(ParseJwk(R"({"kty":"oct","k":"AAAA","use":"enc"})").ok());
}

TEST(JwksTest, DuplicateKidIsRefused) {
  const std::string k = MintedJwk("rsa-1");
  EXPECT_FALSE(IssuerKeys::Parse("{\"keys\":[" + k + "," + k + "]}").ok());
}

TEST(JwksTest, SymmetricAndAsymmetricKeysDoNotMix) {
  const std::string oct =
      "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"" + Base64UrlEncode(std::string(32, 'k')) + "\"}";
  EXPECT_FALSE(IssuerKeys::Parse("{\"keys\":[" + MintedJwk("rsa-1") + "," + oct + "]}").ok());
  EXPECT_FALSE(IssuerKeys::Parse("{\"keys\":[" + oct + "," + MintedJwk("rsa-1") + "]}").ok());
}

TEST(JwksTest, EncryptionKeysAndUnknownTypesAreSkipped) {
  auto ring =
      IssuerKeys::Parse("{\"keys\":[" + MintedJwk("rsa-1") +
                        R"(,{"kty":"RSA","use":"enc","n":"x","e":"y"},{"kty":"AKP","kid":"pq"},)"
                        R"({"kty":"oct","alg":"A256GCM","k":"AAAA"}]})");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->size(), 1u);
}

TEST(JwksTest, InvalidKeyOfAKnownTypeRefusesTheDocument) {
  EXPECT_FALSE(IssuerKeys::Parse(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})").ok());
  EXPECT_FALSE(IssuerKeys::Parse(R"({"keys":{}})").ok());
  EXPECT_FALSE(IssuerKeys::Parse(R"({"key":[]})").ok());
  EXPECT_FALSE(IssuerKeys::Parse(R"({"keys":[],"keys":[]})").ok());
  EXPECT_FALSE(IssuerKeys::Parse(R"({"keys":[1]})").ok());
  EXPECT_FALSE(IssuerKeys::Parse("not json").ok());
}

// A minted JWK with extra members appended.
std::string With(const std::string& jwk, std::string_view extra) {
  return jwk.substr(0, jwk.size() - 1) + std::string(extra) + "}";
}

TEST(JwksTest, KeysThatCannotVerifyAreSkippedWithTheirReason) {
  const std::string doc =
      "{\"keys\":[" + MintedJwk("rsa-1") + "," + With(MintedJwk("ec-ES256"), R"(,"alg":"ES521")") +
      "," + With(MintedJwk("ed-1"), R"(,"key_ops":["encrypt"])") + "," +
      R"({"kty":"RSA","kid":"e","use":"enc","n":"x","e":"y"},{"kty":"AKP","kid":"pq"}]})";
  auto ring = IssuerKeys::Parse(doc);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->size(), 1u);
  const std::vector<JwkLoadOutcome>& o = (*ring)->outcomes();
  ASSERT_EQ(o.size(), 5u);
  EXPECT_TRUE(o[0].used);
  EXPECT_EQ(o[0].kid, "rsa-1");
  EXPECT_TRUE(o[0].reason.empty());
  EXPECT_FALSE(o[1].used);
  EXPECT_NE(o[1].reason.find("\"ES521\" is not a JWS algorithm"), std::string::npos) << o[1].reason;
  EXPECT_FALSE(o[2].used);
  EXPECT_NE(o[2].reason.find("key_ops"), std::string::npos) << o[2].reason;
  EXPECT_EQ((*ring)->Find(true, "ed-1"), nullptr);  // published for encryption: never verifies
  EXPECT_FALSE(o[3].used);
  EXPECT_NE(o[3].reason.find("\"use\" is \"enc\""), std::string::npos) << o[3].reason;
  EXPECT_FALSE(o[4].used);
  EXPECT_NE(o[4].reason.find("\"kty\" \"AKP\""), std::string::npos) << o[4].reason;
}

TEST(JwksTest, KeyOpsMustIncludeVerifyAndBeWellFormed) {
  for (std::string_view ops : {R"(["verify"])", R"(["sign","verify"])"}) {
    auto ring = IssuerKeys::Parse(
        "{\"keys\":[" + With(MintedJwk("ec-ES256"), ",\"key_ops\":" + std::string(ops)) + "]}");
    ASSERT_TRUE(ring.ok()) << ops << " " << ring.status();
    EXPECT_NE((*ring)->Find(true, "ec-ES256"), nullptr) << ops;
  }
  for (std::string_view ops : {R"("verify")", R"([1])", R"(["verify","verify"])"}) {
    auto ring = IssuerKeys::Parse(
        "{\"keys\":[" + With(MintedJwk("ec-ES256"), ",\"key_ops\":" + std::string(ops)) + "]}");
    ASSERT_FALSE(ring.ok()) << ops;
    EXPECT_NE(ring.status().message().find("key_ops"), std::string::npos) << ring.status();
  }
  EXPECT_FALSE(ParseJwk(With(MintedJwk("ec-ES256"), R"(,"key_ops":["sign"])")).ok());
}

TEST(JwksTest, ASetWithNoUsableKeyIsAnErrorNamingEachReason) {
  auto ring =
      IssuerKeys::Parse("{\"keys\":[" + With(MintedJwk("ec-ES256"), R"(,"alg":"ES521")") + "]}");
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ring.status().message().find("keys[0] (kid \"ec-ES256\") \"alg\" \"ES521\""),
            std::string::npos)
      << ring.status();
  auto empty = IssuerKeys::Parse(R"({"keys":[]})");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("\"keys\" is empty"), std::string::npos)
      << empty.status();
}

TEST(JwksTest, AKidLessKeyServesOtherKidsOnlyWhenItIsTheOnlyKey) {
  const std::string no_kid =
      "{\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(std::string(32, 'k')) + "\"}";
  const std::string with_kid =
      "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"" + Base64UrlEncode(std::string(32, 'j')) + "\"}";
  auto two = IssuerKeys::Parse("{\"keys\":[" + no_kid + "," + with_kid + "]}");
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ((*two)->Find(true, "whatever"), nullptr);
  EXPECT_NE((*two)->Find(true, "h"), nullptr);
}

TEST(JwksTest, FindRequiresKidWhenSeveralKeys) {
  auto one = IssuerKeys::Parse("{\"keys\":[" + MintedJwk("rsa-1") + "]}");
  ASSERT_TRUE(one.ok());
  EXPECT_NE((*one)->Find(false, ""), nullptr);
  EXPECT_NE((*one)->Find(true, "rsa-1"), nullptr);
  EXPECT_EQ((*one)->Find(true, "rsa-2"), nullptr);
  auto many = IssuerKeys::Parse(Minted().jwks_json);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)->Find(false, ""), nullptr);
  EXPECT_EQ((*many)->Find(true, "ed-1")->family, KeyFamily::kOkp);
  // A single key without kid serves any kid.
  const std::string no_kid =
      "{\"kty\":\"oct\",\"k\":\"" + Base64UrlEncode(std::string(32, 'k')) + "\"}";
  auto anon = IssuerKeys::Parse("{\"keys\":[" + no_kid + "]}");
  ASSERT_TRUE(anon.ok());
  EXPECT_NE((*anon)->Find(true, "whatever"), nullptr);
}

}  // namespace
}  // namespace clearance::token_internal

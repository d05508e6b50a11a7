// Published vectors: RFC 7515 Appendix A, RFC 7520 §4 (JOSE cookbook) and RFC 8037 §A.4.
// JWT-shaped vectors go through TokenVerifier with an injected clock; vectors whose payload is not
// a claims object go through the signature layer (split, header rules, key ring, signature).
#include <memory>
#include <string>

#include "clearance/token.h"
#include "gtest/gtest.h"
#include "internal/base64url.h"
#include "internal/jwk.h"
#include "internal/jws.h"
#include "internal/signature.h"
#include "simdjson.h"
#include "test_util.h"

namespace clearance {
namespace {

using token_test::FakeClock;
using token_test::ReadFileOrDie;
using token_test::VectorsDir;

// RFC 7515 A.1-A.3 claims: {"iss":"joe","exp":1300819380,...}
constexpr int64_t kRfcExp = 1300819380;

std::string Rfc7515(const std::string& name) {
  return ReadFileOrDie(VectorsDir() + "/rfc7515/" + name);
}

// The signature layer alone: what TokenVerifier does before it looks at claims.
TokenError VerifySignatureOnly(std::string_view token, std::string_view jwks_json) {
  token_internal::JwsSegments seg;
  if (auto e = token_internal::SplitCompact(token, 16 * 1024, &seg); e != TokenError::kOk) return e;
  std::string header;
  if (!token_internal::Base64UrlDecode(seg.header, &header)) return TokenError::kBadBase64;
  std::string padded = header + std::string(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::parser parser;
  token_internal::JwsHeader h;
  if (auto e = token_internal::ParseJwsHeader(parser, padded.data(), header.size(), 16, &h);
      e != TokenError::kOk) {
    return e;
  }
  std::string payload, sig;
  if (!token_internal::Base64UrlDecode(seg.payload, &payload)) return TokenError::kBadBase64;
  if (!token_internal::Base64UrlDecode(seg.signature, &sig)) return TokenError::kBadBase64;
  auto keys = token_internal::IssuerKeys::Parse(jwks_json);
  EXPECT_TRUE(keys.ok()) << keys.status();
  if (!keys.ok()) return TokenError::kUnknownKey;
  const token_internal::VerificationKey* key = (*keys)->Find(h.has_kid, h.kid);
  if (key == nullptr) return TokenError::kUnknownKey;
  return token_internal::VerifyJwsSignature(h.alg, *key, seg.signing_input, sig);
}

std::string Jwks(std::string_view jwk) { return "{\"keys\":[" + std::string(jwk) + "]}"; }

std::unique_ptr<TokenVerifier> JoeVerifier(const FakeClock* clock, JwsAlgorithm alg,
                                           std::string_view jwk) {
  TokenVerifierOptions o;
  IssuerConfig joe;
  joe.issuer = "joe";
  joe.skip_audience_check = true;  // the RFC claims carry no aud
  joe.allowed_algorithms = {alg};
  joe.jwks_json = Jwks(jwk);
  o.issuers = {joe};
  o.clock = clock;
  auto v = TokenVerifier::Create(o);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : nullptr;
}

struct RfcCase {
  const char* name;
  JwsAlgorithm alg;
};

class Rfc7515ValidTest : public ::testing::TestWithParam<RfcCase> {};

TEST_P(Rfc7515ValidTest, VerifiesWithInjectedClockAndExpiresAfterLeeway) {
  const RfcCase c = GetParam();
  FakeClock clock(kRfcExp - 100);
  auto v = JoeVerifier(&clock, c.alg, Rfc7515(std::string(c.name) + ".jwk"));
  ASSERT_NE(v, nullptr);
  const std::string token = Rfc7515(std::string(c.name) + ".jwsc");
  std::shared_ptr<const VerifiedToken> out;
  ASSERT_EQ(v->Verify(token, &out), TokenError::kOk);
  EXPECT_EQ(out->issuer, "joe");
  EXPECT_EQ(out->exp, kRfcExp);
  EXPECT_NE(out->claims_json.find("\"http://example.com/is_root\":true"), std::string::npos);
  // Same token, a wall clock of today: expired. Proves the clock is the injected one.
  FakeClock late(kRfcExp + 60);
  auto v2 = JoeVerifier(&late, c.alg, Rfc7515(std::string(c.name) + ".jwk"));
  EXPECT_EQ(v2->Verify(token, &out), TokenError::kExpired);
}

INSTANTIATE_TEST_SUITE_P(Rfc7515, Rfc7515ValidTest,
                         ::testing::Values(RfcCase{"rfc7515_A.1", JwsAlgorithm::kHS256},
                                           RfcCase{"rfc7515_A.2", JwsAlgorithm::kRS256},
                                           RfcCase{"rfc7515_A.3", JwsAlgorithm::kES256}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.name;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

TEST(Rfc7515Test, A4Es512SignatureVerifies) {
  // Payload "Payload" is not a claims object: signature layer only.
  const std::string token = Rfc7515("rfc7515_A.4.jwsc");
  EXPECT_EQ(VerifySignatureOnly(token, Jwks(Rfc7515("rfc7515_A.4.jwk"))), TokenError::kOk);
  // The full verifier refuses it for what it is: not a JWT.
  FakeClock clock(kRfcExp - 100);
  TokenVerifierOptions o;
  IssuerConfig i;
  i.issuer = "joe";
  i.skip_audience_check = true;
  i.allowed_algorithms = {JwsAlgorithm::kES512};
  i.jwks_json = Jwks(Rfc7515("rfc7515_A.4.jwk"));
  o.issuers = {i};
  o.clock = &clock;
  auto v = TokenVerifier::Create(o);
  ASSERT_TRUE(v.ok());
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_EQ((*v)->Verify(token, &out), TokenError::kBadJson);
}

TEST(Rfc7515Test, A5UnsecuredJwsIsRefused) {
  FakeClock clock(kRfcExp - 100);
  auto v = JoeVerifier(&clock, JwsAlgorithm::kHS256, Rfc7515("rfc7515_A.1.jwk"));
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_EQ(v->Verify(Rfc7515("rfc7515_A.5.jwsc"), &out), TokenError::kAlgorithmNotAllowed);
}

TEST(Rfc7515Test, A6AndA7JsonSerializationsAreRefused) {
  FakeClock clock(kRfcExp - 100);
  auto v = JoeVerifier(&clock, JwsAlgorithm::kES256, Rfc7515("rfc7515_A.7.jwk"));
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_EQ(v->Verify(Rfc7515("rfc7515_A.6.jwsg"), &out), TokenError::kMalformed);
  EXPECT_EQ(v->Verify(Rfc7515("rfc7515_A.7.jwsf"), &out), TokenError::kMalformed);
}

TEST(Rfc7517Test, PublishedKeySetsLoad) {
  auto a1 = token_internal::IssuerKeys::Parse(Rfc7515("rfc7517_A.1.jwkset"));
  ASSERT_TRUE(a1.ok()) << a1.status();
  // Key "1" is an EC key with "use":"enc": skipped. The RSA key is then the only one.
  EXPECT_EQ((*a1)->size(), 1u);
  EXPECT_EQ((*a1)->Find(true, "1"), nullptr);
  EXPECT_NE((*a1)->Find(true, "2011-04-29"), nullptr);
  EXPECT_NE((*a1)->Find(false, ""), nullptr);
  auto b = token_internal::IssuerKeys::Parse("{\"keys\":[" + Rfc7515("rfc7517_B.jwk") + "]}");
  ASSERT_TRUE(b.ok()) << b.status();  // x5c in a JWK is ignored, not trusted
  EXPECT_EQ((*b)->size(), 1u);
  // A.3: the A128KW key is a key-wrapping key, skipped; the HMAC key of A.1 stays.
  auto a3 = token_internal::IssuerKeys::Parse(Rfc7515("rfc7517_A.3.jwkset"));
  ASSERT_TRUE(a3.ok()) << a3.status();
  EXPECT_EQ((*a3)->size(), 1u);
  EXPECT_TRUE((*a3)->symmetric());
  EXPECT_NE((*a3)->Find(true, "HMACkeyusedinJWSspecAppendixA.1example"), nullptr);
}

// RFC 7520 §4 and RFC 8037: JSON files with input.key and output.compact.
struct CookbookCase {
  const char* file;
  TokenError expected;
};

class CookbookTest : public ::testing::TestWithParam<CookbookCase> {};

TEST_P(CookbookTest, CompactOutputVerifiesAgainstThePublicKey) {
  const CookbookCase c = GetParam();
  simdjson::dom::parser parser;
  simdjson::padded_string json(ReadFileOrDie(VectorsDir() + "/jose-cookbook/" + c.file));
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(json).get(root));
  std::string_view compact;
  ASSERT_FALSE(root["output"]["compact"].get_string().get(compact));
  const std::string key = simdjson::minify(token_test::El(root["input"]["key"]));
  EXPECT_EQ(VerifySignatureOnly(compact, Jwks(key)), c.expected) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7520AndRfc8037, CookbookTest,
    ::testing::Values(CookbookCase{"jws/4_1.rsa_v15_signature.json", TokenError::kOk},
                      CookbookCase{"jws/4_2.rsa-pss_signature.json", TokenError::kOk},
                      CookbookCase{"jws/4_3.ecdsa_signature.json", TokenError::kOk},
                      CookbookCase{"jws/4_4.hmac-sha2_integrity_protection.json", TokenError::kOk},
                      // Detached content: the compact form has an empty payload, so the
                      // signature (over the real payload) cannot verify.
                      CookbookCase{"jws/4_5.signature_with_detached_content.json",
                                   TokenError::kBadSignature},
                      CookbookCase{"curve25519/jws.json", TokenError::kOk}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(Rfc7797Test, UnencodedPayloadIsRefused) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(
      ReadFileOrDie(VectorsDir() + "/jose-cookbook/rfc7797/hmac-sha2_b64_false.json"));
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(json).get(root));
  std::string_view compact;
  ASSERT_FALSE(root["output"]["compact"].get_string().get(compact));
  const std::string key = simdjson::minify(token_test::El(root["input"]["key"]));
  EXPECT_NE(VerifySignatureOnly(compact, Jwks(key)), TokenError::kOk);
}

}  // namespace
}  // namespace clearance

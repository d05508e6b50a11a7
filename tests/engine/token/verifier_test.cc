// End-to-end TokenVerifier tests: tokens minted by PyJWT for every algorithm, and one negative
// test per rule. Negative tokens are signed correctly (test_util's OpenSSL signer) so that each
// refusal can only come from the rule under test.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clearance/token.h"
#include "gtest/gtest.h"
#include "internal/base64url.h"
#include "test_util.h"

namespace clearance {
namespace {

using token_internal::Base64UrlEncode;
using token_test::EcdsaEncoding;
using token_test::FakeClock;
using token_test::Minted;
using token_test::MintedOptions;
using token_test::SignBytes;
using token_test::SignJws;

constexpr int64_t kIat = 1700000000;
constexpr int64_t kExp = kIat + 3600;

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : clock_(Minted().now) {}

  std::unique_ptr<TokenVerifier> Make(TokenVerifierOptions o) {
    auto v = TokenVerifier::Create(std::move(o));
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *std::move(v) : nullptr;
  }
  std::unique_ptr<TokenVerifier> Make() { return Make(MintedOptions(&clock_)); }

  TokenError Verify(const TokenVerifier& v, std::string_view token) {
    std::shared_ptr<const VerifiedToken> out;
    return v.Verify(token, &out);
  }

  static std::string Claims(std::string_view extra = "") {
    return "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" + Minted().audience +
           "\",\"sub\":\"alice\",\"iat\":" + std::to_string(kIat) +
           ",\"exp\":" + std::to_string(kExp) + std::string(extra) + "}";
  }
  static const std::string& RsaPem() { return Minted().private_keys_pem.at("rsa"); }
  static std::string Rs256(std::string_view header, std::string_view claims) {
    return SignJws("RS256", RsaPem(), header, claims);
  }
  static constexpr std::string_view kRsHeader = R"({"alg":"RS256","kid":"rsa-1"})";

  FakeClock clock_;
};

TEST_F(VerifierTest, EveryMintedTokenVerifiesWithItsClaims) {
  auto v = Make();
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(Minted().tokens.size(), 39u);  // 13 algorithms x 3 claim shapes
  for (const auto& t : Minted().tokens) {
    std::shared_ptr<const VerifiedToken> out;
    ASSERT_EQ(v->Verify(t.token, &out), TokenError::kOk) << t.alg << " " << t.shape;
    EXPECT_EQ(Name(out->alg), t.alg);
    EXPECT_EQ(out->claims_json, t.claims) << t.alg << " " << t.shape;
    EXPECT_EQ(out->issuer, t.alg.rfind("HS", 0) == 0 ? Minted().hmac_issuer : Minted().issuer);
    EXPECT_TRUE(out->has_exp);
    EXPECT_EQ(out->exp, kExp);
    EXPECT_FALSE(out->kid.empty());
  }
}

TEST_F(VerifierTest, MintedTokenWithOneFlippedSignatureBitIsRefused) {
  auto v = Make();
  for (const auto& t : Minted().tokens) {
    std::string sig;
    ASSERT_TRUE(token_internal::Base64UrlDecode(t.token.substr(t.token.rfind('.') + 1), &sig));
    sig[sig.size() / 2] ^= 0x01;
    const std::string forged = t.token.substr(0, t.token.rfind('.') + 1) + Base64UrlEncode(sig);
    EXPECT_EQ(Verify(*v, forged), TokenError::kBadSignature) << t.alg;
  }
}

TEST_F(VerifierTest, TamperedClaimsAreRefused) {
  auto v = Make();
  const std::string good = Rs256(kRsHeader, Claims());
  ASSERT_EQ(Verify(*v, good), TokenError::kOk);
  const std::string other = Base64UrlEncode(Claims(",\"admin\":true"));
  const size_t d1 = good.find('.'), d2 = good.rfind('.');
  EXPECT_EQ(Verify(*v, good.substr(0, d1 + 1) + other + good.substr(d2)),
            TokenError::kBadSignature);
}

TEST_F(VerifierTest, AlgNoneIsRefusedInAnyCase) {
  auto v = Make();
  for (std::string_view alg : {"none", "None", "NONE", "nOnE"}) {
    const std::string head =
        Base64UrlEncode("{\"alg\":\"" + std::string(alg) + "\"}") + "." + Base64UrlEncode(Claims());
    // The unsecured form (RFC 7515 A.5, an empty signature) is an algorithm attack, not a
    // framing error, and is named as one; so is the same header with a dummy signature.
    EXPECT_EQ(Verify(*v, head + "."), TokenError::kAlgorithmNotAllowed) << alg;
    EXPECT_EQ(Verify(*v, head + ".AAAA"), TokenError::kAlgorithmNotAllowed) << alg;
  }
}

TEST_F(VerifierTest, StrippedSignatureOfAnAllowedAlgIsMalformed) {
  auto v = Make();
  const std::string good = Rs256(kRsHeader, Claims());
  EXPECT_EQ(Verify(*v, good.substr(0, good.rfind('.') + 1)), TokenError::kMalformed);
}

TEST_F(VerifierTest, DuplicateAlgIsMalformedWhateverTheFirstAlgSays) {
  auto v = Make();
  // The first alg alone would be refused as an algorithm, but the header is not one JSON object
  // with unique names: a parser that keeps the last member would read RS256.
  for (std::string_view header :
       {R"({"alg":"none","alg":"RS256","kid":"rsa-1"})",
        R"({"alg":"none","\u0061lg":"RS256","kid":"rsa-1"})",
        R"({"alg":"xx","alg":"RS256","kid":"rsa-1"})", R"({"alg":1,"alg":"RS256","kid":"rsa-1"})",
        R"({"jku":"https://x","alg":"RS256","jku":"y","kid":"rsa-1"})"}) {
    EXPECT_EQ(Verify(*v, Rs256(header, Claims())), TokenError::kDuplicateMember) << header;
    EXPECT_EQ(Verify(*v, Rs256(header, Claims()).substr(0, Rs256(header, Claims()).rfind('.') + 1)),
              TokenError::kDuplicateMember)
        << header;
  }
}

TEST_F(VerifierTest, DeepHeaderIsTooDeepAtAnyHeaderCap) {
  const std::string deep_array = std::string(10000, '[') + std::string(10000, ']');
  const std::string deep_member = R"({"alg":"RS256","x":)" + deep_array + "}";
  // Default caps: the header is above max_header_bytes, yet its nesting is what is wrong with it.
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(deep_member, Claims())), TokenError::kTooDeep);
  EXPECT_EQ(Verify(*v, Rs256(deep_array, Claims())), TokenError::kTooDeep);
  // Caps raised so the header fits: the same reason.
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.limits.max_token_bytes = 64 * 1024;
  o.limits.max_header_bytes = 32 * 1024;
  auto big = Make(o);
  EXPECT_EQ(Verify(*big, Rs256(deep_member, Claims())), TokenError::kTooDeep);
  EXPECT_EQ(Verify(*big, Rs256(deep_array, Claims())), TokenError::kTooDeep);
  // A header that is merely long stays too_large.
  const std::string long_header =
      R"({"alg":"RS256","kid":"rsa-1","p":")" + std::string(1100, 'x') + "\"}";
  EXPECT_EQ(Verify(*v, Rs256(long_header, Claims())), TokenError::kTooLarge);
}

TEST_F(VerifierTest, UnknownOrMissingAlgIsRefused) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"rs256","kid":"rsa-1"})", Claims())),
            TokenError::kAlgorithmNotAllowed);
  EXPECT_EQ(Verify(*v, Rs256(R"({"kid":"rsa-1"})", Claims())), TokenError::kAlgorithmNotAllowed);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":256,"kid":"rsa-1"})", Claims())),
            TokenError::kAlgorithmNotAllowed);
}

TEST_F(VerifierTest, AlgorithmOutsideTheIssuersAllowListIsRefused) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[0].allowed_algorithms = {JwsAlgorithm::kRS256};
  auto v = Make(o);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims())), TokenError::kOk);
  EXPECT_EQ(Verify(*v, SignJws("PS256", RsaPem(), R"({"alg":"PS256","kid":"rsa-1"})", Claims())),
            TokenError::kAlgorithmNotAllowed);
}

TEST_F(VerifierTest, Hs256SignedWithTheRsaPublicKeyIsRefused) {
  auto v = Make();
  // The classic confusion: the attacker uses the published RSA key as an HMAC secret. Both the
  // JWK's modulus bytes and a PEM rendering are tried.
  std::string n;
  const std::string jwks = Minted().jwks_json;
  const size_t at = jwks.find("\"n\":\"") + 5;
  ASSERT_TRUE(token_internal::Base64UrlDecode(jwks.substr(at, jwks.find('"', at) - at), &n));
  const std::string header = R"({"alg":"HS256","kid":"rsa-1"})";
  EXPECT_EQ(Verify(*v, SignJws("HS256", n, header, Claims())), TokenError::kKeyMismatch);
  EXPECT_EQ(Verify(*v, SignJws("HS256", RsaPem(), header, Claims())), TokenError::kKeyMismatch);
}

TEST_F(VerifierTest, EcKeyOfAnotherCurveIsRefused) {
  auto v = Make();
  const auto& keys = Minted().private_keys_pem;
  // ES384 token naming the P-256 key.
  EXPECT_EQ(Verify(*v, SignJws("ES384", keys.at("ES384"), R"({"alg":"ES384","kid":"ec-ES256"})",
                               Claims())),
            TokenError::kKeyMismatch);
  // ES256 header, P-256 kid, but signed by the P-384 key (wrong curve, same hash size class).
  EXPECT_EQ(Verify(*v, SignJws("ES256", keys.at("ES384"), R"({"alg":"ES256","kid":"ec-ES256"})",
                               Claims())),
            TokenError::kBadSignature);
}

TEST_F(VerifierTest, DerEncodedEcdsaSignatureIsRefused) {
  auto v = Make();
  const std::string header = R"({"alg":"ES256","kid":"ec-ES256"})";
  const auto& pem = Minted().private_keys_pem.at("ES256");
  ASSERT_EQ(Verify(*v, SignJws("ES256", pem, header, Claims())), TokenError::kOk);
  EXPECT_EQ(Verify(*v, SignJws("ES256", pem, header, Claims(",\"n\":1"), EcdsaEncoding::kDer)),
            TokenError::kBadSignature);
}

TEST_F(VerifierTest, ZeroEcdsaSignatureIsRefused) {
  auto v = Make();
  for (auto [alg, size] : {std::pair{"ES256", 64}, {"ES384", 96}, {"ES512", 132}}) {
    const std::string header = std::string("{\"alg\":\"") + alg + "\",\"kid\":\"ec-" + alg + "\"}";
    const std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(Claims()) + "." +
                              Base64UrlEncode(std::string(size, '\0'));
    EXPECT_EQ(Verify(*v, token), TokenError::kBadSignature) << alg;
  }
}

TEST_F(VerifierTest, CompactSerializationIsExactlyThreeSegments) {
  auto v = Make();
  const std::string good = Rs256(kRsHeader, Claims());
  EXPECT_EQ(Verify(*v, good + "."), TokenError::kMalformed);      // trailing dot
  EXPECT_EQ(Verify(*v, good + ".AAAA"), TokenError::kMalformed);  // four parts
  EXPECT_EQ(Verify(*v, "." + good), TokenError::kMalformed);
  EXPECT_EQ(Verify(*v, good.substr(0, good.rfind('.'))), TokenError::kMalformed);  // one dot
  EXPECT_EQ(Verify(*v, ""), TokenError::kMalformed);
  EXPECT_EQ(Verify(*v, ".."), TokenError::kMalformed);
  EXPECT_EQ(Verify(*v, good), TokenError::kOk);
}

TEST_F(VerifierTest, NonCanonicalBase64IsRefused) {
  auto v = Make();
  // A header whose encoding needs padding, so a padded variant exists.
  const std::string header = R"({"alg":"RS256","kid":"rsa-1"  })";  // 31 bytes
  const std::string claims = Claims();
  const std::string h = Base64UrlEncode(header), p = Base64UrlEncode(claims);
  ASSERT_NE(h.size() % 4, 0u);
  const std::string input = h + "." + p;
  const std::string sig = Base64UrlEncode(SignBytes("RS256", RsaPem(), input));
  ASSERT_EQ(Verify(*v, input + "." + sig), TokenError::kOk);
  std::string padded_h = h;
  while (padded_h.size() % 4 != 0) padded_h += '=';
  EXPECT_EQ(Verify(*v, padded_h + "." + p + "." + sig), TokenError::kBadBase64);
  EXPECT_EQ(Verify(*v, input + "." + sig + "=="), TokenError::kBadBase64);
  EXPECT_EQ(Verify(*v, h + "." + p.substr(0, 8) + " " + p.substr(8) + "." + sig),
            TokenError::kBadBase64);
  std::string plus = input + "." + sig;  // standard-alphabet characters are not base64url
  plus[plus.size() - 5] = '+';
  EXPECT_EQ(Verify(*v, plus), TokenError::kBadBase64);
  // Non-zero unused bits in the last character of the signature: the same bytes spelled
  // another way (or an invalid character), never accepted.
  ASSERT_NE(sig.size() % 4, 0u);
  std::string stray = sig;
  stray.back() = static_cast<char>(sig.back() + 1);
  EXPECT_EQ(Verify(*v, input + "." + stray), TokenError::kBadBase64);
}

TEST_F(VerifierTest, DuplicateHeaderMembersAreRefusedAfterUnescaping) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","alg":"RS256","kid":"rsa-1"})", Claims())),
            TokenError::kDuplicateMember);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","\u0061lg":"HS256","kid":"rsa-1"})", Claims())),
            TokenError::kDuplicateMember);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","kid":"rsa-1","x":{"a":1,"a":2}})", Claims())),
            TokenError::kDuplicateMember);
}

TEST_F(VerifierTest, DuplicateClaimsAreRefused) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(",\"sub\":\"mallory\""))),
            TokenError::kDuplicateMember);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(",\"\\u0073ub\":\"mallory\""))),
            TokenError::kDuplicateMember);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(",\"realm_access\":{\"roles\":[],\"roles\":[1]}"))),
            TokenError::kDuplicateMember);
}

TEST_F(VerifierTest, TrailingContentAfterTheJsonIsRefused) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims() + "x")), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims() + "{}")), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(std::string(kRsHeader) + "}", Claims())), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims() + " \n")), TokenError::kOk);  // whitespace is fine
}

TEST_F(VerifierTest, NonObjectJsonIsRefused) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "[1,2]")), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "Payload")), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"iss\":")), TokenError::kBadJson);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "")), TokenError::kBadJson);
}

TEST_F(VerifierTest, ForbiddenHeaderMembersAreRefused) {
  auto v = Make();
  for (std::string_view member : {"crit", "b64", "jwk", "jku", "x5u", "x5c"}) {
    const std::string header =
        R"({"alg":"RS256","kid":"rsa-1",")" + std::string(member) + R"(":["exp"]})";
    EXPECT_EQ(Verify(*v, Rs256(header, Claims())), TokenError::kUnsupportedHeader) << member;
  }
}

TEST_F(VerifierTest, TypIsCheckedWhenConfigured) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[0].required_typ = "at+jwt";
  o.cache_capacity = 0;
  auto v = Make(o);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","kid":"rsa-1","typ":"at+jwt"})", Claims())),
            TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","kid":"rsa-1","typ":"JWT"})", Claims())),
            TokenError::kBadType);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims())), TokenError::kBadType);
  // Unconfigured: any typ passes.
  auto plain = Make();
  EXPECT_EQ(Verify(*plain, Rs256(R"({"alg":"RS256","kid":"rsa-1","typ":"JWT"})", Claims())),
            TokenError::kOk);
}

TEST_F(VerifierTest, SizeCapsAreEnforced) {
  auto v = Make();
  const std::string big(16 * 1024 + 1, 'A');
  EXPECT_EQ(Verify(*v, big), TokenError::kTooLarge);
  // Claims above the 12 KiB cap, inside the token cap.
  const std::string pad = ",\"pad\":\"" + std::string(12 * 1024, 'x') + "\"";
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(pad))), TokenError::kTooLarge);
  // Header above 1 KiB.
  const std::string header =
      R"({"alg":"RS256","kid":"rsa-1","p":")" + std::string(1100, 'x') + "\"}";
  EXPECT_EQ(Verify(*v, Rs256(header, Claims())), TokenError::kTooLarge);
  // Caps are configuration: raised, the same claims verify.
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.limits.max_token_bytes = 64 * 1024;
  o.limits.max_claims_bytes = 32 * 1024;
  EXPECT_EQ(Verify(*Make(o), Rs256(kRsHeader, Claims(pad))), TokenError::kOk);
}

TEST_F(VerifierTest, AnIssuersOwnCapsApplyToItsTokensOnly) {
  const std::string pad = ",\"pad\":\"" + std::string(12 * 1024, 'x') + "\"";
  const std::string hmac_claims = "{\"iss\":\"" + Minted().hmac_issuer + "\",\"aud\":\"" +
                                  Minted().audience + "\",\"sub\":\"alice\",\"exp\":" +
                                  std::to_string(kExp) + pad + "}";
  const std::string hmac_token =
      SignJws("HS256", Minted().hmac_secret, R"({"alg":"HS256","kid":"hmac-1"})", hmac_claims);
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[0].max_token_bytes = 64 * 1024;
  o.issuers[0].max_claims_bytes = 32 * 1024;
  auto v = Make(o);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(pad))), TokenError::kOk);
  // The other issuer keeps the default 12 KiB claims cap, though the outer cap admitted them.
  EXPECT_EQ(Verify(*v, hmac_token), TokenError::kTooLarge);
  // A cap below the default applies once the issuer is known.
  o = MintedOptions(&clock_);
  o.issuers[0].max_token_bytes = 256;
  EXPECT_EQ(Verify(*Make(o), Rs256(kRsHeader, Claims())), TokenError::kTooLarge);
  o.issuers[0].max_token_bytes = 0;
  EXPECT_FALSE(TokenVerifier::Create(o).ok());
}

TEST_F(VerifierTest, AnIssuersLeewayReplacesTheVerifiers) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.cache_capacity = 0;
  o.issuers[0].leeway = absl::Seconds(600);
  auto v = Make(o);
  clock_.Set(kExp + 599);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims())), TokenError::kOk);
  clock_.Set(kExp + 601);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims())), TokenError::kExpired);
  o.issuers[0].leeway = absl::Seconds(-1);
  EXPECT_FALSE(TokenVerifier::Create(o).ok());
}

TEST_F(VerifierTest, DeepNestingIsRefusedCheaply) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.limits.max_token_bytes = 64 * 1024;
  o.limits.max_claims_bytes = 32 * 1024;
  auto v = Make(o);
  const std::string deep = ",\"deep\":" + std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(deep))), TokenError::kTooDeep);
  const std::string deep_objects = ",\"d\":" + [] {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(5000, '}');
    return s;
  }();
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(deep_objects))), TokenError::kTooDeep);
  // At the cap (16 levels, the top-level object included) the token is fine; one more is not.
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader,
                             Claims(",\"ok\":" + std::string(15, '[') + std::string(15, ']')))),
            TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader,
                             Claims(",\"no\":" + std::string(16, '[') + std::string(16, ']')))),
            TokenError::kTooDeep);
}

TEST_F(VerifierTest, ClaimCountIsCapped) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.limits.max_claims = 50;
  auto v = Make(o);
  std::string many;
  for (int i = 0; i < 60; ++i) many += ",\"c" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(many))), TokenError::kTooManyClaims);
  // 5 registered claims + "a" + 40 elements = 46 <= 50.
  std::string forty = "1";
  for (int i = 1; i < 40; ++i) forty += ",1";
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims(",\"a\":[" + forty + "]"))), TokenError::kOk);
}

TEST_F(VerifierTest, ExpiryBoundaryHonoursLeeway) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.cache_capacity = 0;  // every call re-checks the claims
  auto v = Make(o);
  const std::string token = Rs256(kRsHeader, Claims());
  clock_.Set(kExp + 60 - 1);
  EXPECT_EQ(Verify(*v, token), TokenError::kOk);
  clock_.Set(kExp + 60);
  EXPECT_EQ(Verify(*v, token), TokenError::kExpired);
  clock_.Set(kExp);
  EXPECT_EQ(Verify(*v, token), TokenError::kOk);
}

TEST_F(VerifierTest, NotBeforeAndIssuedAtBoundariesHonourLeeway) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.cache_capacity = 0;
  auto v = Make(o);
  const int64_t nbf = kIat + 1000;
  const std::string token =
      Rs256(kRsHeader, "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" + Minted().audience +
                           "\",\"nbf\":" + std::to_string(nbf) + ",\"iat\":" + std::to_string(nbf) +
                           ",\"exp\":" + std::to_string(kExp) + "}");
  clock_.Set(nbf - 60 - 1);
  EXPECT_EQ(Verify(*v, token), TokenError::kNotYetValid);
  clock_.Set(nbf - 60);
  EXPECT_EQ(Verify(*v, token), TokenError::kOk);
  // iat in the future beyond leeway (no nbf).
  const std::string future =
      Rs256(kRsHeader, "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" + Minted().audience +
                           "\",\"iat\":" + std::to_string(nbf) +
                           ",\"exp\":" + std::to_string(kExp) + "}");
  clock_.Set(nbf - 61);
  EXPECT_EQ(Verify(*v, future), TokenError::kIssuedInFuture);
  clock_.Set(nbf - 60);
  EXPECT_EQ(Verify(*v, future), TokenError::kOk);
}

TEST_F(VerifierTest, ExpIsRequiredByDefaultAndTyped) {
  const std::string iss_aud =
      "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" + Minted().audience + "\"";
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + "}")), TokenError::kMissingExpiry);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":\"1700003600\"}")),
            TokenError::kBadClaimType);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":null}")), TokenError::kBadClaimType);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":1700003600.9}")), TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":1e400}")), TokenError::kBadClaimType);
  // Saturating arithmetic: the largest exp never wraps into the past.
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":9223372036854775807}")),
            TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":18446744073709551615}")),
            TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, iss_aud + ",\"exp\":-9223372036854775808}")),
            TokenError::kExpired);
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.require_exp = false;
  EXPECT_EQ(Verify(*Make(o), Rs256(kRsHeader, iss_aud + "}")), TokenError::kOk);
}

TEST_F(VerifierTest, MaxLifetimeIsEnforcedWhenConfigured) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.max_lifetime = absl::Minutes(30);
  auto v = Make(o);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, Claims())), TokenError::kLifetimeTooLong);  // 1 h token
  o.max_lifetime = absl::Hours(1);
  EXPECT_EQ(Verify(*Make(o), Rs256(kRsHeader, Claims())), TokenError::kOk);
}

TEST_F(VerifierTest, IssuerMustBeConfiguredAndExact) {
  auto v = Make();
  const std::string rest =
      ",\"aud\":\"" + Minted().audience + "\",\"exp\":" + std::to_string(kExp) + "}";
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"iss\":\"https://evil.example\"" + rest)),
            TokenError::kUnknownIssuer);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"iss\":\"" + Minted().issuer + "/\"" + rest)),
            TokenError::kUnknownIssuer);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"sub\":\"x\"" + rest)), TokenError::kUnknownIssuer);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"iss\":7" + rest)), TokenError::kBadClaimType);
  // A token of the HMAC issuer signed with the RSA key: the issuer's keys are not searched
  // beyond its own set.
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, "{\"iss\":\"" + Minted().hmac_issuer + "\"" + rest)),
            TokenError::kAlgorithmNotAllowed);
}

TEST_F(VerifierTest, AudienceMustMatch) {
  auto v = Make();
  const std::string base = "{\"iss\":\"" + Minted().issuer + "\",\"exp\":" + std::to_string(kExp);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":[\"a\",\"b\"]}")),
            TokenError::kWrongAudience);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":[\"a\",\"" + Minted().audience + "\"]}")),
            TokenError::kOk);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + "}")), TokenError::kWrongAudience);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":[]}")), TokenError::kWrongAudience);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":\"CLEARANCE-API\"}")),
            TokenError::kWrongAudience);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":5}")), TokenError::kBadClaimType);
  EXPECT_EQ(Verify(*v, Rs256(kRsHeader, base + ",\"aud\":[\"" + Minted().audience + "\",5]}")),
            TokenError::kBadClaimType);
}

TEST_F(VerifierTest, EmptyAudienceListIsAConfigurationError) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[0].audiences.clear();
  auto v = TokenVerifier::Create(o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  o.issuers[0].skip_audience_check = true;
  auto skipping = TokenVerifier::Create(o);
  ASSERT_TRUE(skipping.ok()) << skipping.status();
  const std::string no_aud =
      "{\"iss\":\"" + Minted().issuer + "\",\"exp\":" + std::to_string(kExp) + "}";
  EXPECT_EQ(Verify(**skipping, Rs256(kRsHeader, no_aud)), TokenError::kOk);
}

TEST_F(VerifierTest, KeySelectionByKid) {
  auto v = Make();
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","kid":"rsa-2"})", Claims())),
            TokenError::kUnknownKey);
  // The issuer has several keys: a token without kid is refused.
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256"})", Claims())), TokenError::kUnknownKey);
  EXPECT_EQ(Verify(*v, Rs256(R"({"alg":"RS256","kid":1})", Claims())), TokenError::kBadJson);
}

TEST_F(VerifierTest, CacheHitReturnsTheSameVerifiedTokenUntilExp) {
  auto v = Make();
  const std::string token = Rs256(kRsHeader, Claims());
  std::shared_ptr<const VerifiedToken> first, second;
  ASSERT_EQ(v->Verify(token, &first), TokenError::kOk);
  ASSERT_EQ(v->Verify(token, &second), TokenError::kOk);
  EXPECT_EQ(first.get(), second.get());  // served from the cache, not re-verified
  // Past exp the entry is not served; inside the leeway the token re-verifies as a new object.
  clock_.Set(kExp + 10);
  std::shared_ptr<const VerifiedToken> third;
  ASSERT_EQ(v->Verify(token, &third), TokenError::kOk);
  EXPECT_NE(third.get(), first.get());
  clock_.Set(kExp + 60);
  EXPECT_EQ(Verify(*v, token), TokenError::kExpired);
}

TEST_F(VerifierTest, CacheComparesTheWholeToken) {
  auto v = Make();
  const std::string token = Rs256(kRsHeader, Claims());
  ASSERT_EQ(Verify(*v, token), TokenError::kOk);
  std::string other = token;
  other.back() = other.back() == 'A' ? 'Q' : 'A';
  EXPECT_NE(Verify(*v, other), TokenError::kOk);
  EXPECT_NE(Verify(*v, token.substr(0, token.size() - 1)), TokenError::kOk);
}

TEST_F(VerifierTest, KeyRingChangeDropsCachedTokens) {
  auto v = Make();
  const std::string token = Rs256(kRsHeader, Claims());
  std::shared_ptr<const VerifiedToken> before;
  ASSERT_EQ(v->Verify(token, &before), TokenError::kOk);
  const uint64_t generation = v->key_generation();
  // Rotate to a set without rsa-1: the cached token must no longer pass.
  const std::string only_ec =
      std::string(R"({"keys":[)") +
      Minted().jwks_json.substr(
          Minted().jwks_json.find("{\"kty\":\"EC\""),
          Minted().jwks_json.find("}", Minted().jwks_json.find("{\"kty\":\"EC\"")) -
              Minted().jwks_json.find("{\"kty\":\"EC\"") + 1) +
      "]}";
  ASSERT_TRUE(v->ReplaceKeys(Minted().issuer, only_ec).ok()) << only_ec;
  EXPECT_GT(v->key_generation(), generation);
  EXPECT_EQ(Verify(*v, token), TokenError::kUnknownKey);
  // A bad document keeps the current keys.
  EXPECT_FALSE(v->ReplaceKeys(Minted().issuer, "{\"keys\":7}").ok());
  EXPECT_EQ(v->ReplaceKeys("https://nobody", only_ec).code(), absl::StatusCode::kNotFound);
}

TEST_F(VerifierTest, VerifyOrStatusIsUnauthenticatedWithTheReason) {
  auto v = Make();
  auto bad = v->VerifyOrStatus("a.b");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().message(), "token refused: malformed");
  auto good = v->VerifyOrStatus(Rs256(kRsHeader, Claims()));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ((*good)->issuer, Minted().issuer);
}

TEST_F(VerifierTest, ConfigurationIsValidated) {
  TokenVerifierOptions none;
  EXPECT_FALSE(TokenVerifier::Create(none).ok());
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[0].allowed_algorithms = {};
  EXPECT_FALSE(TokenVerifier::Create(o).ok());
  o = MintedOptions(&clock_);
  o.issuers[1].issuer = o.issuers[0].issuer;
  EXPECT_FALSE(TokenVerifier::Create(o).ok());
  o = MintedOptions(&clock_);
  o.issuers[0].jwks_file = "/nonexistent";
  EXPECT_FALSE(TokenVerifier::Create(o).ok());  // two sources
  o.issuers[0].jwks_json.clear();
  EXPECT_EQ(TokenVerifier::Create(o).status().code(), absl::StatusCode::kNotFound);
  o = MintedOptions(&clock_);
  o.issuers[0].jwks_json.clear();
  o.issuers[0].jwks_uri = "https://idp.example/jwks";
  EXPECT_FALSE(TokenVerifier::Create(o).ok());  // no fetcher
}

TEST(TokenErrorTest, EveryReasonHasADistinctNameAndUnauthenticatedStatus) {
  std::set<std::string_view> names;
  for (int i = 0; i < kTokenErrorCount; ++i) {
    const auto e = static_cast<TokenError>(i);
    EXPECT_TRUE(names.insert(Name(e)).second) << i;
    EXPECT_NE(Name(e), "unknown");
    if (e != TokenError::kOk) {
      EXPECT_EQ(ToStatus(e).code(), absl::StatusCode::kUnauthenticated);
    }
  }
  EXPECT_TRUE(ToStatus(TokenError::kOk).ok());
}

TEST_F(VerifierTest, KeyLoadReportsNameSkippedKeys) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  std::string& jwks = o.issuers[0].jwks_json;
  const std::string kid = "\"kid\":\"ed-1\"";
  ASSERT_NE(jwks.find(kid), std::string::npos);
  jwks.replace(jwks.find(kid), kid.size(), kid + ",\"key_ops\":[\"encrypt\"]");
  auto v = Make(o);
  ASSERT_NE(v, nullptr);
  const std::vector<KeyLoadReport> reports = v->KeyLoadReports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].issuer, Minted().issuer);
  EXPECT_EQ(reports[0].source, "jwks_json");
  EXPECT_TRUE(reports[0].loaded);
  int used = 0;
  for (const JwkLoadOutcome& k : reports[0].keys) {
    used += k.used;
    if (k.kid == "ed-1") {
      EXPECT_FALSE(k.used);
      EXPECT_EQ(k.reason, "\"key_ops\" does not include \"verify\"");
    }
  }
  EXPECT_EQ(used, 4);  // rsa-1 and the three EC keys
  EXPECT_EQ(reports[1].issuer, Minted().hmac_issuer);
  for (const auto& t : Minted().tokens) {
    if (t.alg == "EdDSA") {
      EXPECT_EQ(Verify(*v, t.token), TokenError::kUnknownKey) << t.shape;
    }
  }
}

TEST_F(VerifierTest, AKeySetWithNothingUsableRefusesTheConfiguration) {
  TokenVerifierOptions o = MintedOptions(&clock_);
  o.issuers[1].jwks_json =
      R"({"keys":[{"kty":"oct","kid":"h","alg":"HS257","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]})";
  auto v = TokenVerifier::Create(o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find(Minted().hmac_issuer), std::string::npos) << v.status();
  EXPECT_NE(v.status().message().find("\"HS257\""), std::string::npos) << v.status();
}

}  // namespace
}  // namespace clearance

namespace clearance {
namespace {

// Readers verify (hits and misses) while the key set is swapped back and forth: every answer is
// either a success with the right claims or kUnknownKey, never a crash or a torn key set. Run
// under TSan for the data-race half of the claim.
TEST(VerifierConcurrencyTest, VerifyWhileKeysRotate) {
  token_test::FakeClock clock(token_test::Minted().now);
  auto created = TokenVerifier::Create(token_test::MintedOptions(&clock));
  ASSERT_TRUE(created.ok());
  TokenVerifier& v = **created;
  const std::string& all = token_test::Minted().jwks_json;
  const std::string only_ed =
      "{\"keys\":[" +
      all.substr(all.rfind("{\"", all.find("\"ed-1\"")),
                 all.find('}', all.find("\"ed-1\"")) - all.rfind("{\"", all.find("\"ed-1\"")) + 1) +
      "]}";
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      int i = 0;
      while (!stop.load()) {
        const auto& minted = token_test::Minted().tokens[(t * 7 + i++) % 30];  // asymmetric ones
        std::shared_ptr<const VerifiedToken> out;
        const TokenError e = v.Verify(minted.token, &out);
        if (e == TokenError::kOk ? out->claims_json != minted.claims
                                 : e != TokenError::kUnknownKey) {
          bad.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(v.ReplaceKeys(token_test::Minted().issuer, i % 2 == 0 ? only_ed : all).ok());
  }
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace clearance

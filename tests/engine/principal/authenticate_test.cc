// Authenticate(): one token through verification and principal resolution, one result and one
// reason whichever step refused. Tokens are signed by test_util's OpenSSL signer with the minted
// RSA key, so each refusal can only come from the rule under test.
#include "clearance/authenticate.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace clearance {
namespace {

using token_test::FakeClock;
using token_test::Minted;
using token_test::SignJws;

static_assert(static_cast<int>(AuthenticationReason::kNoPrincipal) == kTokenErrorCount,
              "principal reasons follow the token reasons");

class AuthenticateTest : public ::testing::Test {
 protected:
  AuthenticateTest() : clock_(Minted().now) {
    auto v = TokenVerifier::Create(token_test::MintedOptions(&clock_));
    EXPECT_TRUE(v.ok()) << v.status();
    verifier_ = *std::move(v);
    config_.client_id_claim = "azp";
    config_.groups_claim = "groups";
  }

  // A token of the minted issuer, valid at the fixture's clock, with `extra` claims.
  static std::string Token(std::string_view extra, int64_t exp = Minted().now + 600) {
    const std::string claims = "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" +
                               Minted().audience + "\",\"exp\":" + std::to_string(exp) +
                               std::string(extra) + "}";
    return SignJws("RS256", Minted().private_keys_pem.at("rsa"), R"({"alg":"RS256","kid":"rsa-1"})",
                   claims);
  }

  FakeClock clock_;
  std::unique_ptr<TokenVerifier> verifier_;
  Configuration config_;
};

TEST_F(AuthenticateTest, AClientTokenGivesTheClientItsGroupsInTokenOrderAndTheIssuer) {
  const Authentication a =
      Authenticate(*verifier_, config_, Token(R"(,"azp":"svc","groups":["b","a","b"])"));
  ASSERT_TRUE(a.ok()) << a.message;
  EXPECT_EQ(a.principal_type, OwnerType::kClient);
  EXPECT_EQ(a.principal_id, "svc");
  EXPECT_TRUE(a.groups_claim_configured);
  EXPECT_EQ(a.groups, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(a.issuer, Minted().issuer);
  EXPECT_TRUE(a.has_exp);
  EXPECT_EQ(a.exp, Minted().now + 600);
  EXPECT_TRUE(a.message.empty());
  ASSERT_NE(a.verified, nullptr);
  EXPECT_NE(a.verified->claims_json.find("\"azp\":\"svc\""), std::string::npos);
}

TEST_F(AuthenticateTest, PreferUsernameChoosesTheUser) {
  const std::string token = Token(R"(,"sub":"alice","azp":"svc")");
  EXPECT_EQ(Authenticate(*verifier_, config_, token).principal_type, OwnerType::kClient);
  config_.prefer_username_claim = true;
  const Authentication a = Authenticate(*verifier_, config_, token);
  ASSERT_TRUE(a.ok()) << a.message;
  EXPECT_EQ(a.principal_type, OwnerType::kUser);
  EXPECT_EQ(a.principal_id, "alice");
}

TEST_F(AuthenticateTest, ARefusedTokenAndAMissingPrincipalAreBothReasons) {
  const Authentication expired =
      Authenticate(*verifier_, config_, Token(R"(,"azp":"svc")", Minted().now - 3600));
  EXPECT_EQ(expired.reason, AuthenticationReasonOf(TokenError::kExpired));
  EXPECT_EQ(Name(expired.reason), "expired");
  EXPECT_FALSE(expired.ok());

  const Authentication nobody = Authenticate(*verifier_, config_, Token(R"(,"scope":"x")"));
  EXPECT_EQ(nobody.reason, AuthenticationReason::kNoPrincipal);
  EXPECT_EQ(Name(nobody.reason), "no_principal");
  EXPECT_NE(nobody.message.find("'azp'"), std::string::npos) << nobody.message;

  const Authentication typed = Authenticate(*verifier_, config_, Token(R"(,"azp":5)"));
  EXPECT_EQ(typed.reason, AuthenticationReason::kClaimWrongType);
  EXPECT_NE(typed.message.find("'azp' is not a string"), std::string::npos) << typed.message;

  const Authentication groups =
      Authenticate(*verifier_, config_, Token(R"(,"azp":"svc","groups":{"a":1})"));
  EXPECT_EQ(groups.reason, AuthenticationReason::kClaimWrongType);
  EXPECT_EQ(Name(groups.reason), "claim_wrong_type");
}

}  // namespace
}  // namespace clearance

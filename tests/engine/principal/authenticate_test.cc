// Authenticate(): one token through verification and principal resolution, one result and one
// reason whichever step refused. Tokens are signed by test_util's OpenSSL signer with the minted
// RSA key, so each refusal can only come from the rule under test.
#include "clearance/authenticate.h"

#include <memory>
#include <string>

#include "clearance/verifier_options.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "token_parity.h"

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

// One configuration trusting a Keycloak-like issuer (preferred_username, azp), an Entra-like one
// (upn, appid, with its own leeway) and a third without overrides, all signing with the minted
// RSA key so only the mapping differs.
class IssuerMappingTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kKeycloak = "https://keycloak.example.com/realms/camunda";
  static constexpr std::string_view kEntra = "https://login.example.com/tenant/v2.0";
  static constexpr std::string_view kPlain = "https://plain.example.com";

  IssuerMappingTest() : clock_(Minted().now) {
    config_.client_id_claim = "client_id";
    TokenIssuerConfig keycloak = Issuer(kKeycloak);
    keycloak.username_claim = "preferred_username";
    keycloak.client_id_claim = "azp";
    keycloak.groups_claim = "groups";
    TokenIssuerConfig entra = Issuer(kEntra);
    entra.username_claim = "upn";
    entra.client_id_claim = "appid";
    entra.prefer_username_claim = true;
    entra.leeway_seconds = 600;
    config_.token_issuers = {keycloak, entra, Issuer(kPlain)};
    EXPECT_TRUE(config_.Validate().ok()) << config_.Validate();

    absl::StatusOr<TokenVerifierOptions> options = VerifierOptionsFor(config_);
    EXPECT_TRUE(options.ok()) << options.status();
    for (IssuerConfig& i : options->issuers) {
      i.jwks_file.clear();
      i.jwks_json = Minted().jwks_json;
    }
    options->clock = &clock_;
    auto v = TokenVerifier::Create(*std::move(options));
    EXPECT_TRUE(v.ok()) << v.status();
    verifier_ = *std::move(v);
  }

  static TokenIssuerConfig Issuer(std::string_view iss) {
    TokenIssuerConfig t;
    t.issuer = std::string(iss);
    t.jwks_file = "/keys.json";  // replaced by the minted key set above
    t.audiences = {Minted().audience};
    t.algorithms = {"RS256"};
    return t;
  }

  static std::string Token(std::string_view iss, std::string_view extra,
                           int64_t exp = Minted().now + 600) {
    const std::string claims = "{\"iss\":\"" + std::string(iss) + "\",\"aud\":\"" +
                               Minted().audience + "\",\"exp\":" + std::to_string(exp) +
                               std::string(extra) + "}";
    return SignJws("RS256", Minted().private_keys_pem.at("rsa"), R"({"alg":"RS256","kid":"rsa-1"})",
                   claims);
  }

  FakeClock clock_;
  Configuration config_;
  std::unique_ptr<TokenVerifier> verifier_;
};

// Claims every issuer's token carries: each issuer's own claim names and the global ones, so a
// principal read with the wrong issuer's rules shows up as a different id.
constexpr std::string_view kAllClaims =
    R"(,"sub":"sub-1","client_id":"global-client","preferred_username":"kc-user","azp":"kc-client",)"
    R"("upn":"alice@example.com","appid":"entra-app","groups":["g1"])";

TEST_F(IssuerMappingTest, EachTokenIsMappedByItsOwnIssuer) {
  const Authentication kc = Authenticate(*verifier_, config_, Token(kKeycloak, kAllClaims));
  ASSERT_TRUE(kc.ok()) << kc.message;
  EXPECT_EQ(kc.principal_type, OwnerType::kClient);
  EXPECT_EQ(kc.principal_id, "kc-client");
  EXPECT_TRUE(kc.groups_claim_configured);
  EXPECT_EQ(kc.groups, (std::vector<std::string>{"g1"}));

  const Authentication entra = Authenticate(*verifier_, config_, Token(kEntra, kAllClaims));
  ASSERT_TRUE(entra.ok()) << entra.message;
  EXPECT_EQ(entra.principal_type, OwnerType::kUser);  // prefer-username set for this issuer only
  EXPECT_EQ(entra.principal_id, "alice@example.com");
  EXPECT_FALSE(entra.groups_claim_configured);

  const Authentication entra_app =
      Authenticate(*verifier_, config_, Token(kEntra, R"(,"appid":"entra-app")"));
  ASSERT_TRUE(entra_app.ok()) << entra_app.message;
  EXPECT_EQ(entra_app.principal_type, OwnerType::kClient);
  EXPECT_EQ(entra_app.principal_id, "entra-app");
}

TEST_F(IssuerMappingTest, AnIssuerWithoutOverridesUsesTheGlobalRules) {
  const Authentication plain = Authenticate(*verifier_, config_, Token(kPlain, kAllClaims));
  ASSERT_TRUE(plain.ok()) << plain.message;
  EXPECT_EQ(plain.principal_type, OwnerType::kClient);
  EXPECT_EQ(plain.principal_id, "global-client");
  EXPECT_FALSE(plain.groups_claim_configured);

  const Authentication user = Authenticate(*verifier_, config_, Token(kPlain, R"(,"sub":"bob")"));
  ASSERT_TRUE(user.ok()) << user.message;
  EXPECT_EQ(user.principal_type, OwnerType::kUser);
  EXPECT_EQ(user.principal_id, "bob");
}

TEST_F(IssuerMappingTest, AMissingPrincipalNamesTheIssuersClaims) {
  const Authentication a = Authenticate(*verifier_, config_, Token(kEntra, R"(,"sub":"x")"));
  EXPECT_EQ(a.reason, AuthenticationReason::kNoPrincipal);
  EXPECT_NE(a.message.find("'upn'"), std::string::npos) << a.message;
  EXPECT_NE(a.message.find("'appid'"), std::string::npos) << a.message;
}

TEST_F(IssuerMappingTest, TheIssuersLeewayAppliesToItsTokensOnly) {
  // Expired five minutes ago: inside Entra's 600 s leeway, outside the default 60 s.
  const int64_t exp = Minted().now - 300;
  EXPECT_TRUE(Authenticate(*verifier_, config_, Token(kEntra, R"(,"upn":"a")", exp)).ok());
  EXPECT_EQ(Authenticate(*verifier_, config_, Token(kPlain, R"(,"sub":"a")", exp)).reason,
            AuthenticationReasonOf(TokenError::kExpired));
}

// The token cases the C and Java bindings answer too (tests/embed/token_parity.h): the
// configuration's issuers with their overrides, as `config set --issuer` stores them.
TEST(AuthenticateParityTest, TheSharedTokenCasesGetTheirAnswers) {
  const token_parity::Cases cases =
      token_parity::Load(CLEARANCE_SOURCE_DIR "/tests/embed/testdata/token_parity");
  ASSERT_EQ(cases.error, "");
  Configuration config;
  for (const token_parity::Issuer& i : cases.issuers) {
    TokenIssuerConfig t;
    t.issuer = i.issuer;
    t.jwks_file = i.jwks_file;
    t.audiences = {cases.audience};
    t.algorithms = i.algorithms;
    t.username_claim = i.username_claim;
    t.client_id_claim = i.client_id_claim;
    t.groups_claim = i.groups_claim == "-" ? "" : i.groups_claim;
    t.prefer_username_claim = i.prefer_username;
    config.token_issuers.push_back(std::move(t));
  }
  ASSERT_TRUE(config.Validate().ok()) << config.Validate();
  absl::StatusOr<TokenVerifierOptions> options = VerifierOptionsFor(config);
  ASSERT_TRUE(options.ok()) << options.status();
  FakeClock clock(cases.now);
  options->clock = &clock;
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
      TokenVerifier::Create(*std::move(options));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  for (const token_parity::Case& c : cases.cases) {
    const Authentication a = Authenticate(**verifier, config, c.token);
    EXPECT_EQ(token_parity::Format(Name(a.reason), a.ok() ? Name(a.principal_type) : "",
                                   a.principal_id, a.groups_claim_configured, a.groups, a.issuer,
                                   a.has_exp, a.exp),
              c.expected)
        << c.name << ": " << a.message;
  }
}

}  // namespace
}  // namespace clearance

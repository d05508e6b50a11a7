// Engine::CheckToken: a bearer token verified by TokenVerifier, then decided like its claims.
// Tokens are HS256, signed here with OpenSSL's HMAC so the test needs no fixture files.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "clearance/commands.h"
#include "clearance/engine.h"
#include "clearance/token.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

constexpr std::string_view kIssuer = "https://idp.example.com";
constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes for HS256
constexpr int64_t kNow = 1'800'000'000;

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::string SignHs256(const std::string& claims_json) {
  std::string input =
      Base64Url(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." + Base64Url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + Base64Url(std::string(reinterpret_cast<char*>(mac), len));
}

CheckRequest CreateRequest(std::string id) {
  CheckRequest r;
  r.resource_type = ResourceType::kProcessDefinition;
  r.permission = Permission::kCreateProcessInstance;
  r.resource_ids = {std::move(id)};
  return r;
}

class FixedClock : public TokenClock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kNow); }
};

class EngineTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Configuration config;
    config.client_id_claim = "azp";
    ASSERT_TRUE(Execute(state_, Configure{config}).ok());
    ASSERT_TRUE(Execute(state_, Initialize{}).ok());
    ASSERT_TRUE(
        Execute(state_, CreateAuthorization{{OwnerType::kClient, "my-client",
                                             ResourceType::kProcessDefinition, "order-process", "",
                                             Bit(Permission::kCreateProcessInstance)}})
            .ok());
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(state_);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);

    IssuerConfig issuer;
    issuer.issuer = std::string(kIssuer);
    issuer.audiences = {"orchestration"};
    issuer.allowed_algorithms = {JwsAlgorithm::kHS256};
    issuer.jwks_json =
        R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" + Base64Url(kSecret) + R"("}]})";
    TokenVerifierOptions options;
    options.issuers = {issuer};
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Create(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  static std::string Claims(std::string_view azp, int64_t exp) {
    return std::string(R"({"iss":")") + std::string(kIssuer) + R"(","aud":"orchestration",)" +
           R"("azp":")" + std::string(azp) + R"(","exp":)" + std::to_string(exp) + "}";
  }

  static CheckRequest Create(std::string id) {
    CheckRequest r;
    r.resource_type = ResourceType::kProcessDefinition;
    r.permission = Permission::kCreateProcessInstance;
    r.resource_ids = {std::move(id)};
    return r;
  }

  FixedClock clock_;
  IdentityState state_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(EngineTokenTest, AVerifiedTokenIsDecidedLikeItsClaims) {
  const std::string token = SignHs256(Claims("my-client", kNow + 300));
  for (int i = 0; i < 2; ++i) {  // the second time through the verified-token cache
    AuthenticationReason why = AuthenticationReason::kMalformedClaims;
    Decision d = engine_->CheckToken(*verifier_, token, Create("order-process"), &why);
    EXPECT_EQ(why, AuthenticationReason::kOk);
    EXPECT_EQ(d, (Decision{Outcome::kAllow, Reason::kGranted}));
    EXPECT_EQ(engine_->CheckToken(*verifier_, token, Create("other-process")).outcome,
              Outcome::kForbidden);
  }
  EXPECT_EQ(engine_->CheckToken(*verifier_, token, Create("order-process")),
            engine_->CheckClaims(Claims("my-client", kNow + 300), Create("order-process")));
}

TEST_F(EngineTokenTest, ARefusedTokenIsUnauthenticatedWithItsReason) {
  struct Case {
    std::string token;
    TokenError expected;
  };
  std::string good = SignHs256(Claims("my-client", kNow + 300));
  std::string tampered = good;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  const Case cases[] = {
      {tampered, TokenError::kBadSignature},
      {SignHs256(Claims("my-client", kNow - 3600)), TokenError::kExpired},
      {"not-a-token", TokenError::kMalformed},
      {good + ".", TokenError::kMalformed},
  };
  for (const Case& c : cases) {
    AuthenticationReason why = AuthenticationReason::kOk;
    Decision d = engine_->CheckToken(*verifier_, c.token, Create("order-process"), &why);
    EXPECT_EQ(d, (Decision{Outcome::kUnauthenticated, Reason::kTokenRefused})) << c.token;
    EXPECT_EQ(why, AuthenticationReasonOf(c.expected)) << Name(why) << " for " << c.token;
    EXPECT_EQ(TokenErrorOf(why), c.expected);
  }
}

// A verified token whose claims name no usable principal is refused through the same reason as a
// refused token, the one Authenticate() gives: callers read one channel, not two.
TEST_F(EngineTokenTest, AVerifiedTokenWithoutAPrincipalGivesAuthenticatesReason) {
  const std::string no_principal = SignHs256(
      std::string(R"({"iss":")") + std::string(kIssuer) + R"(","aud":"orchestration","exp":)" +
      std::to_string(kNow + 300) + "}");
  AuthenticationReason why = AuthenticationReason::kOk;
  Decision d = engine_->CheckToken(*verifier_, no_principal, Create("order-process"), &why);
  EXPECT_EQ(d.outcome, Outcome::kUnauthenticated);
  EXPECT_EQ(why, AuthenticationReason::kNoPrincipal) << Name(why);
  EXPECT_EQ(TokenErrorOf(why), std::nullopt);
}

// Two issuers on one configuration, each naming its clients differently: the token's iss picks
// the claim that names the principal, in the engine's own resolution.
TEST(EngineIssuerMappingTest, EachTokenIsResolvedWithItsIssuersClaims) {
  constexpr std::string_view kEntra = "https://login.example.com/v2.0";
  Configuration config;
  config.client_id_claim = "azp";
  TokenIssuerConfig keycloak;
  keycloak.issuer = std::string(kIssuer);
  keycloak.jwks_file = "/keys.json";
  keycloak.audiences = {"orchestration"};
  keycloak.algorithms = {"HS256"};
  TokenIssuerConfig entra = keycloak;
  entra.issuer = std::string(kEntra);
  entra.username_claim = "upn";
  entra.client_id_claim = "appid";
  entra.groups_claim = "groups";
  config.token_issuers = {keycloak, entra};
  IdentityState state;
  ASSERT_TRUE(Execute(state, Configure{config}).ok());
  ASSERT_TRUE(Execute(state, Initialize{}).ok());
  ASSERT_TRUE(Execute(state, CreateAuthorization{{OwnerType::kClient, "my-client",
                                                  ResourceType::kProcessDefinition,
                                                  "order-process", "",
                                                  Bit(Permission::kCreateProcessInstance)}})
                  .ok());
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(state);
  ASSERT_TRUE(engine.ok()) << engine.status();
  const CheckRequest request = CreateRequest("order-process");
  auto claims = [](std::string_view iss, std::string_view principal) {
    return std::string(R"({"iss":")") + std::string(iss) + R"(","aud":"orchestration",)" +
           std::string(principal) + "}";
  };
  const Decision allow{Outcome::kAllow, Reason::kGranted};
  // The global issuer names its client by azp, the Entra-like one by appid.
  EXPECT_EQ((*engine)->CheckClaims(claims(kIssuer, R"("azp":"my-client")"), request), allow);
  EXPECT_EQ((*engine)->CheckClaims(claims(kEntra, R"("appid":"my-client")"), request), allow);
  EXPECT_EQ((*engine)->CheckClaims(claims(kEntra, R"("azp":"my-client")"), request),
            (Decision{Outcome::kUnauthenticated, Reason::kNoPrincipal}));
  EXPECT_EQ((*engine)->CheckClaims(claims(kIssuer, R"("appid":"my-client")"), request),
            (Decision{Outcome::kUnauthenticated, Reason::kNoPrincipal}));
  // The groups claim applies to the Entra-like issuer's tokens only.
  EXPECT_EQ((*engine)->CheckClaims(claims(kEntra, R"("appid":"my-client","groups":5)"), request),
            (Decision{Outcome::kUnauthenticated, Reason::kClaimWrongType}));
  EXPECT_EQ((*engine)->CheckClaims(claims(kIssuer, R"("azp":"my-client","groups":5)"), request),
            allow);
  const PrincipalHandle entra_user =
      (*engine)->Resolve(Caller::Claims(claims(kEntra, R"("upn":"alice@example.com")")));
  EXPECT_TRUE(entra_user.authenticated());
  ASSERT_TRUE(entra_user.principal().has_value());
  EXPECT_EQ(entra_user.principal()->id, "alice@example.com");
  EXPECT_EQ(entra_user.principal()->type, OwnerType::kUser);
}

}  // namespace
}  // namespace clearance

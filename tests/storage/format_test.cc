// Key and value encodings (storage/FORMAT.md): every encoding round-trips, keys sort like the
// tuples they encode, and malformed bytes are refused rather than misread.
#include <random>
#include <string>
#include <vector>

#include "clearance/config.h"
#include "clearance/token.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/coding.h"
#include "internal/keys.h"
#include "internal/rows.h"

namespace clearance::storage_internal {
namespace {

using ::testing::HasSubstr;

// Strings that stress the escaping: empty, NUL bytes, 0xFF, prefixes of each other.
const std::vector<std::string> kTricky = {"",
                                          "a",
                                          "ab",
                                          std::string("a\0", 2),
                                          std::string("a\0b", 3),
                                          std::string("\0", 1),
                                          std::string("\0\xFF", 2),
                                          std::string("\x01", 1),
                                          "\xFF",
                                          "<default>",
                                          "z~@.+-_"};

TEST(OrderedStringTest, RoundTripsAndPreservesOrder) {
  for (const std::string& a : kTricky) {
    std::string enc;
    AppendOrderedString(&enc, a);
    enc += "tail";
    std::string_view in = enc;
    std::string out;
    ASSERT_TRUE(ConsumeOrderedString(&in, &out));
    EXPECT_EQ(out, a);
    EXPECT_EQ(in, "tail");
    for (const std::string& b : kTricky) {
      std::string ea, eb;
      AppendOrderedString(&ea, a);
      AppendOrderedString(&eb, b);
      EXPECT_EQ(a < b, ea < eb) << "order of encodings differs for a pair of tricky strings";
    }
  }
}

TEST(OrderedStringTest, RefusesUnterminatedAndBadEscapes) {
  std::string out;
  for (std::string bad : {std::string("abc"), std::string("a\0", 2), std::string("a\0\x02", 3)}) {
    std::string_view in = bad;
    EXPECT_FALSE(ConsumeOrderedString(&in, &out));
  }
}

TEST(IntegerCodingTest, BigEndianSortsNumericallyAndVarintsRoundTrip) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 256, UINT64_MAX, UINT64_MAX - 1};
  for (int i = 0; i < 200; ++i) values.push_back(rng() >> (rng() % 64));
  for (uint64_t a : values) {
    std::string v;
    AppendVarint(&v, a);
    std::string_view in = v;
    uint64_t back = 0;
    ASSERT_TRUE(ConsumeVarint(&in, &back));
    EXPECT_EQ(back, a);
    EXPECT_TRUE(in.empty());
    std::string be = EncodeFixed64(a);
    ASSERT_TRUE(DecodeFixed64(be, &back));
    EXPECT_EQ(back, a);
    for (uint64_t b : {values[0], values[3], values[6]}) {
      EXPECT_EQ(a < b, be < EncodeFixed64(b));
    }
  }
  std::string truncated = "\x80\x80";
  std::string_view in = truncated;
  uint64_t ignored = 0;
  EXPECT_FALSE(ConsumeVarint(&in, &ignored));
}

TEST(KeyTest, EntityKeysRoundTripForEveryKind) {
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kGroup, EntityKind::kRole,
                          EntityKind::kTenant, EntityKind::kMappingRule}) {
    for (const std::string& id : kTricky) {
      EntityKind k2;
      std::string id2;
      ASSERT_TRUE(ParseEntityKey(EntityKey(kind, id), &k2, &id2));
      EXPECT_EQ(k2, kind);
      EXPECT_EQ(id2, id);
    }
  }
  EntityKind k;
  std::string id;
  EXPECT_FALSE(ParseEntityKey("x" + EntityKey(EntityKind::kUser, "a").substr(1), &k, &id));
  EXPECT_FALSE(ParseEntityKey(EntityKey(EntityKind::kUser, "a") + "!", &k, &id));
}

TEST(KeyTest, MembershipKeysRoundTripBothWaysAndSortByContainerThenMember) {
  std::vector<Membership> all;
  for (ContainerType ct : {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
    for (int mt = 0; mt < kOwnerTypeCount; ++mt) {
      for (const std::string& cid : {std::string("g"), std::string("g\0x", 3), std::string("ga")}) {
        for (const std::string& mid : kTricky) {
          all.push_back(Membership{ct, cid, static_cast<MemberType>(mt), mid});
        }
      }
    }
  }
  for (const Membership& m : all) {
    Membership back;
    ASSERT_TRUE(ParseMembershipKey(MembershipKey(m), &back));
    EXPECT_EQ(back, m);
    Membership back2;
    ASSERT_TRUE(ParseMembershipByMemberKey(MembershipByMemberKey(m), &back2));
    EXPECT_EQ(back2, m);
    EXPECT_FALSE(ParseMembershipKey(MembershipByMemberKey(m), &back));
  }
  // Key order = Membership's own order (container type, id, member type, id): a prefix scan of
  // one container lists exactly its members.
  for (size_t i = 0; i + 1 < all.size(); i += 7) {
    const Membership& a = all[i];
    const Membership& b = all[(i * 31 + 5) % all.size()];
    EXPECT_EQ(a < b, MembershipKey(a) < MembershipKey(b));
  }
}

Authorization SampleAuthorization(AuthorizationKey key, std::string owner, Scope scope) {
  Authorization a;
  a.key = key;
  a.owner_type = OwnerType::kMappingRule;
  a.owner_id = std::move(owner);
  a.resource_type = ResourceType::kUserTask;
  a.scope = std::move(scope);
  a.permissions = Bit(Permission::kRead) | Bit(Permission::kClaim);
  return a;
}

TEST(KeyTest, AuthorizationKeysRoundTripAndScanByOwnerAndResourceType) {
  for (AuthorizationKey key :
       {AuthorizationKey{1}, AuthorizationKey{255}, AuthorizationKey{1} << 40, UINT64_MAX}) {
    for (const Scope& scope :
         {Scope::Any(), Scope::Id(std::string("a\0b", 3)), Scope::Property("assignee")}) {
      Authorization a = SampleAuthorization(key, std::string("o\0", 2), scope);
      AuthorizationKey k = 0;
      ASSERT_TRUE(ParseAuthorizationRowKey(AuthorizationRowKey(key), &k));
      EXPECT_EQ(k, key);
      OwnerType ot;
      std::string owner;
      ASSERT_TRUE(ParseAuthorizationByOwnerKey(AuthorizationByOwnerKey(a), &ot, &owner, &k));
      EXPECT_EQ(ot, a.owner_type);
      EXPECT_EQ(owner, a.owner_id);
      EXPECT_EQ(k, key);
      EXPECT_TRUE(AuthorizationByOwnerKey(a).starts_with(
          AuthorizationOwnerPrefix(a.owner_type, a.owner_id)));
      ResourceType rt;
      Scope s2;
      ASSERT_TRUE(ParseAuthorizationByResourceKey(AuthorizationByResourceKey(a), &rt, &s2, &k));
      EXPECT_EQ(rt, a.resource_type);
      EXPECT_EQ(s2, a.scope);
      EXPECT_EQ(k, key);
      EXPECT_TRUE(AuthorizationByResourceKey(a).starts_with(
          AuthorizationResourceTypePrefix(a.resource_type)));
    }
  }
  // Keys sort numerically, so row scans come out in key order.
  EXPECT_LT(AuthorizationRowKey(255), AuthorizationRowKey(256));
  // The owner prefix of "o" does not capture owner "o2"'s keys.
  Authorization other = SampleAuthorization(3, "o2", Scope::Any());
  EXPECT_FALSE(AuthorizationByOwnerKey(other).starts_with(
      AuthorizationOwnerPrefix(OwnerType::kMappingRule, "o")));
  // Enum values out of range are corruption, not a misread.
  std::string bad = AuthorizationResourceTypePrefix(ResourceType::kAuthorization);
  bad[1] = static_cast<char>(kResourceTypeCount);
  ResourceType rt;
  Scope s;
  AuthorizationKey k;
  EXPECT_FALSE(ParseAuthorizationByResourceKey(bad + std::string(20, 'x'), &rt, &s, &k));
}

TEST(ValueTest, EveryRowValueRoundTrips) {
  User u{"alice", "Alice", "a@x.org", "$2a$10$abc"};
  User u2;
  ASSERT_TRUE(DecodeUser(EncodeUser(u), &u2));
  EXPECT_EQ(u2, u);
  Group g{std::string("g\0", 2), "Name", ""};
  Group g2;
  ASSERT_TRUE(DecodeNamed(EncodeNamed(g), &g2));
  EXPECT_EQ(g2, g);
  MappingRule r;
  r.id = "m";
  r.claim_name = "$['a b']";
  r.claim_value = "v";
  r.name = "n";
  MappingRule r2;
  ASSERT_TRUE(DecodeMappingRule(EncodeMappingRule(r), &r2));
  EXPECT_EQ(r2, r);
  Authorization a = SampleAuthorization(99, "owner", Scope::Property("candidateGroups"));
  Authorization a2;
  ASSERT_TRUE(DecodeAuthorization(EncodeAuthorization(a), &a2));
  EXPECT_EQ(a2, a);
  Configuration cfg;
  cfg.mode = AuthMode::kBasic;
  cfg.groups_claim = "$.g[*]";
  cfg.prefer_username_claim = true;
  cfg.tenant_checks_enabled = true;
  Configuration cfg2;
  ASSERT_TRUE(DecodeConfiguration(EncodeConfiguration(cfg), &cfg2));
  EXPECT_EQ(cfg2, cfg);
}

// Token issuers are an optional tail of the configuration value: without issuers the bytes are
// those of a store written before issuers existed, and such a value still decodes.
TEST(ValueTest, ConfigurationTokenIssuersRoundTripAndOldValuesStillDecode) {
  Configuration plain;
  plain.client_id_claim = "azp";
  Configuration cfg = plain;
  cfg.token_issuers = {
      {"https://idp.example.com/", "/etc/keys.json", "", {"api", "console"}, {"RS256", "EdDSA"}},
      {"https://login.example.com/v2.0", "", "https://login.example.com/keys", {"api://x"},
       {"ES256"}}};
  ASSERT_TRUE(cfg.Validate().ok()) << cfg.Validate();
  Configuration back;
  ASSERT_TRUE(DecodeConfiguration(EncodeConfiguration(cfg), &back));
  EXPECT_EQ(back, cfg);

  const std::string old_value = EncodeConfiguration(plain);
  EXPECT_TRUE(EncodeConfiguration(cfg).starts_with(old_value));
  back = cfg;
  ASSERT_TRUE(DecodeConfiguration(old_value, &back));
  EXPECT_TRUE(back.token_issuers.empty());
  EXPECT_EQ(back, plain);

  // A cut tail, a zero count (never written) and trailing bytes are corruption.
  const std::string full = EncodeConfiguration(cfg);
  for (size_t n = old_value.size() + 1; n < full.size(); ++n) {
    EXPECT_FALSE(DecodeConfiguration(std::string_view(full).substr(0, n), &back)) << n;
  }
  EXPECT_FALSE(DecodeConfiguration(old_value + std::string(1, '\0'), &back));
  EXPECT_FALSE(DecodeConfiguration(full + "x", &back));
}

TEST(ConfigurationTest, TokenIssuerRulesNameTheField) {
  auto refusal = [](TokenIssuerConfig t) {
    Configuration c;
    c.token_issuers = {std::move(t)};
    return std::string(c.Validate().message());
  };
  const TokenIssuerConfig good{"https://i/", "/k.json", "", {"api"}, {"RS256"}};
  EXPECT_EQ(refusal(good), "");
  TokenIssuerConfig t = good;
  t.jwks_uri = "https://i/keys";
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[0].jwks: issuer 'https://i/' names two"));
  t = good;
  t.jwks_file.clear();
  EXPECT_THAT(refusal(t), HasSubstr("names no key sources"));
  t.jwks_uri = "http://i/keys";
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[0].jwks_uri: 'http://i/keys' is not an"));
  t = good;
  t.audiences.clear();
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[0].audiences"));
  t = good;
  t.algorithms = {"none"};
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[0].algorithms: 'none' is not a supported"));
  t = good;
  t.algorithms = {"RS256", "RS256"};
  EXPECT_THAT(refusal(t), HasSubstr("names an algorithm twice"));
  Configuration two;
  two.token_issuers = {good, good};
  EXPECT_THAT(std::string(two.Validate().message()),
              HasSubstr("token_issuers[1].issuer: 'https://i/' is configured twice"));
}

// Per-issuer overrides are a second optional tail: a configuration without them encodes exactly
// as before they existed, and each override set or unset survives the round trip.
TEST(FormatTest, IssuerOverridesRoundTripAndOldValuesReadWithout) {
  Configuration cfg;
  cfg.token_issuers = {{"https://kc/", "/k.json", "", {"api"}, {"RS256"}},
                       {"https://entra/", "/e.json", "", {"api"}, {"RS256"}}};
  const std::string without = EncodeConfiguration(cfg);
  cfg.token_issuers[1].username_claim = "upn";
  cfg.token_issuers[1].client_id_claim = "";
  cfg.token_issuers[1].groups_claim = "$.groups";
  cfg.token_issuers[1].prefer_username_claim = false;
  cfg.token_issuers[1].leeway_seconds = 30;
  cfg.token_issuers[1].max_token_bytes = 32768;
  cfg.token_issuers[1].max_claims_bytes = 20000;
  ASSERT_TRUE(cfg.Validate().ok()) << cfg.Validate();
  const std::string with = EncodeConfiguration(cfg);
  EXPECT_TRUE(with.starts_with(without));
  Configuration back;
  ASSERT_TRUE(DecodeConfiguration(with, &back));
  EXPECT_EQ(back, cfg);
  ASSERT_TRUE(DecodeConfiguration(without, &back));
  EXPECT_FALSE(back.token_issuers[1].username_claim.has_value());
  EXPECT_FALSE(back.token_issuers[1].leeway_seconds.has_value());
  for (size_t n = without.size() + 1; n < with.size(); ++n) {
    EXPECT_FALSE(DecodeConfiguration(std::string_view(with).substr(0, n), &back)) << n;
  }
  EXPECT_FALSE(DecodeConfiguration(with + "x", &back));
}

TEST(ConfigurationTest, BadIssuerOverridesAreRefusedWithTheField) {
  auto refusal = [](TokenIssuerConfig t) {
    Configuration c;
    c.token_issuers = {{"https://ok/", "/k.json", "", {"api"}, {"RS256"}}, std::move(t)};
    return std::string(c.Validate().message());
  };
  const TokenIssuerConfig good{"https://i/", "/k.json", "", {"api"}, {"RS256"}};
  TokenIssuerConfig t = good;
  t.username_claim = "";
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[1].username_claim: is empty"));
  t = good;
  t.groups_claim = "$.groups[";
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[1].groups_claim"));
  t = good;
  t.client_id_claim = "";  // unsets the client id for this issuer: allowed
  EXPECT_EQ(refusal(t), "");
  t = good;
  t.leeway_seconds = -1;
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[1].leeway_seconds: is -1; expected 0 to 86400"));
  t = good;
  t.max_token_bytes = 10;
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[1].max_token_bytes: is 10; expected 256"));
  t = good;
  t.max_claims_bytes = uint64_t{1} << 30;
  EXPECT_THAT(refusal(t), HasSubstr("token_issuers[1].max_claims_bytes"));
}

// TokenAlgorithmNames() is the configuration's copy of the token library's names.
TEST(ConfigurationTest, AlgorithmNamesMatchTheTokenLibrary) {
  ASSERT_EQ(TokenAlgorithmNames().size(), static_cast<size_t>(kJwsAlgorithmCount));
  for (int i = 0; i < kJwsAlgorithmCount; ++i) {
    EXPECT_EQ(TokenAlgorithmNames()[i], Name(static_cast<JwsAlgorithm>(i)));
  }
}

TEST(ValueTest, TruncatedOrExtendedValuesAreRefused) {
  Authorization a = SampleAuthorization(5, "owner", Scope::Any());
  std::string enc = EncodeAuthorization(a);
  Authorization back;
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeAuthorization(std::string_view(enc).substr(0, n), &back)) << n;
  }
  EXPECT_FALSE(DecodeAuthorization(enc + "x", &back));
}

}  // namespace
}  // namespace clearance::storage_internal

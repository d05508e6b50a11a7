// From claims to a principal, through the reference evaluator (docs/semantics.md §5, §7, §10), and
// mapping-rule matching against the claims.
#include <string>
#include <vector>

#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reference/reference_evaluator.h"
#include "reference/reference_test_util.h"

namespace clearance {
namespace {

using test_util::AddMemberOk;
using test_util::BasicConfig;
using test_util::CheckClaims;
using test_util::ClientRef;
using test_util::Grant;
using test_util::kAllowed;
using test_util::kInsufficient;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NewState;
using test_util::ReadProcesses;
using test_util::Spec;
using test_util::UserRef;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Decision kWrongType{Outcome::kUnauthenticated, Reason::kClaimWrongType};
constexpr Decision kNoPrincipal{Outcome::kUnauthenticated, Reason::kNoPrincipal};
constexpr PermissionMask kReadPd = Bit(Permission::kReadProcessDefinition);

Configuration ClientConfig(bool prefer_username = false) {
  Configuration config;
  config.client_id_claim = "azp";
  config.prefer_username_claim = prefer_username;
  return config;
}

TEST(PrincipalTest, ClientBeatsUserUnlessPreferUsername) {
  IdentityState state = NewState(ClientConfig());
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","azp":"svc"})").principal, ClientRef("svc"));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice"})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(state, R"({"azp":"svc"})").principal, ClientRef("svc"));

  IdentityState prefer = NewState(ClientConfig(/*prefer_username=*/true));
  EXPECT_EQ(CheckClaims(prefer, R"({"sub":"alice","azp":"svc"})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(prefer, R"({"azp":"svc"})").principal, ClientRef("svc"));
}

TEST(PrincipalTest, WithoutClientIdClaimTheClientIsIgnored) {
  IdentityState state = NewState();
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","azp":"svc"})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(state, R"({"azp":"svc"})").decision, kNoPrincipal);
}

TEST(PrincipalTest, NoPrincipalIsUnauthenticated) {
  IdentityState state = NewState(ClientConfig());
  reference::Verdict verdict = CheckClaims(state, R"({"iss":"x"})");
  EXPECT_EQ(verdict.decision, kNoPrincipal);
  EXPECT_FALSE(verdict.principal.has_value());
}

TEST(PrincipalTest, NullClaimMeansAbsent) {
  IdentityState state = NewState(ClientConfig());
  EXPECT_EQ(CheckClaims(state, R"({"sub":null,"azp":"svc"})").principal, ClientRef("svc"));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","azp":null})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(state, R"({"sub":null,"azp":null})").decision, kNoPrincipal);
}

TEST(PrincipalTest, EmptyStringIsPresent) {
  IdentityState state = NewState(ClientConfig());
  reference::Verdict client = CheckClaims(state, R"({"sub":"alice","azp":""})");
  EXPECT_EQ(client.principal, ClientRef(""));
  EXPECT_EQ(client.decision, kInsufficient);
  EXPECT_EQ(CheckClaims(state, R"({"sub":""})").principal, UserRef(""));
}

TEST(PrincipalTest, WrongTypeInAnyPrincipalClaimIsUnauthenticated) {
  Configuration config = ClientConfig();
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  for (const char* claims : {
           R"({"sub":"alice","azp":5})",
           R"({"sub":5,"azp":"svc"})",  // even though the client would be chosen
           R"({"sub":"alice","azp":{"id":"svc"}})",
           R"({"sub":["alice"]})",
           R"({"sub":true})",
           R"({"sub":"alice","groups":5})",
           R"({"sub":"alice","groups":{"g":"g1"}})",
           R"({"sub":"alice","groups":["g1",7]})",
       }) {
    reference::Verdict verdict = CheckClaims(state, claims);
    EXPECT_EQ(verdict.decision, kWrongType) << claims;
    EXPECT_FALSE(verdict.principal.has_value()) << claims;
  }
  EXPECT_THAT(CheckClaims(state, R"({"sub":"alice","azp":5})").message, HasSubstr("azp"));
  EXPECT_THAT(CheckClaims(state, R"({"sub":"alice","groups":5})").message, HasSubstr("groups"));
}

TEST(PrincipalTest, MultiValuedPrincipalPathIsAWrongType) {
  Configuration config;
  config.username_claim = "$.names[*]";
  IdentityState state = NewState(config);
  EXPECT_EQ(CheckClaims(state, R"({"names":["a","b"]})").decision, kWrongType);

  config.username_claim = "$.user.name";
  IdentityState nested = NewState(config);
  EXPECT_EQ(CheckClaims(nested, R"({"user":{"name":"alice"}})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(nested, R"({"user":{"name":["alice"]}})").decision, kWrongType);
}

TEST(PrincipalTest, MalformedClaimsAreUnauthenticated) {
  IdentityState state = NewState();
  for (const char* claims : {"not json", "[]", R"("alice")", R"({"sub":"a","sub":"b"})", "",
                             R"({"sub":"a","x":{"k":1,"k":2}})", R"({"sub":"a"} {})"}) {
    reference::Verdict verdict = CheckClaims(state, claims);
    EXPECT_EQ(verdict.decision.outcome, Outcome::kUnauthenticated) << claims;
  }
  EXPECT_EQ(CheckClaims(state, R"({"sub":"a","sub":"b"})").decision,
            (Decision{Outcome::kUnauthenticated, Reason::kMalformedClaims}));
}

TEST(PrincipalTest, BasicModeTreatsEveryCallerAsAStoredUser) {
  Configuration config = BasicConfig();
  config.client_id_claim = "azp";
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateUser{MakeUser("alice")});
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*", kReadPd));

  reference::Verdict basic = reference::Check(state, Caller::BasicUser("alice"), ReadProcesses());
  EXPECT_EQ(basic.principal, UserRef("alice"));
  EXPECT_EQ(basic.decision, kAllowed);
  // The client-id and groups claims are ignored entirely, wrong types included.
  reference::Verdict claims = CheckClaims(state, R"({"sub":"alice","azp":5,"groups":7})");
  EXPECT_EQ(claims.principal, UserRef("alice"));
  EXPECT_EQ(claims.decision, kAllowed);

  const Decision unknown{Outcome::kUnauthenticated, Reason::kUnknownUser};
  EXPECT_EQ(reference::Check(state, Caller::BasicUser("bob"), ReadProcesses()).decision, unknown);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"bob","azp":"svc"})").decision, unknown);
}

TEST(PrincipalTest, ClaimStringsAreUnescaped) {
  IdentityState state = NewState(ClientConfig());
  EXPECT_EQ(CheckClaims(state, R"({"sub":"al\u0069ce"})").principal, UserRef("alice"));
  EXPECT_EQ(CheckClaims(state, R"({"azp":"caf\u00e9"})").principal, ClientRef("caf\xc3\xa9"));
  MustExecute(state, CreateMappingRule{MakeRule("m1", "team", "caf\xc3\xa9")});
  EXPECT_THAT(CheckClaims(state, R"({"azp":"c","team":"caf\u00e9"})").matching_rules,
              ElementsAre("m1"));
}

TEST(PrincipalTest, BasicModeStillRequiresAUsableUsername) {
  Configuration config = BasicConfig();
  config.authorizations_enabled = false;
  IdentityState state = NewState(config);
  MustExecute(state, CreateUser{MakeUser("alice")});
  EXPECT_EQ(CheckClaims(state, R"({"sub":5})").decision, kWrongType);
  EXPECT_EQ(CheckClaims(state, R"({"azp":"alice"})").decision, kNoPrincipal);
  // Authentication comes first even with every check disabled.
  EXPECT_EQ(reference::Check(state, Caller::BasicUser("bob"), ReadProcesses()).decision,
            (Decision{Outcome::kUnauthenticated, Reason::kUnknownUser}));
  EXPECT_TRUE(
      reference::Check(state, Caller::BasicUser("alice"), ReadProcesses()).decision.allowed());
}

TEST(PrincipalTest, BasicModeUsesStoredGroupsAndIgnoresRulesAndClients) {
  Configuration config = BasicConfig();
  config.client_id_claim = "azp";
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateUser{MakeUser("alice")});
  MustExecute(state, CreateGroup{MakeGroup("g1")});
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  Grant(state,
        Spec(OwnerType::kMappingRule, "m1", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  Grant(state,
        Spec(OwnerType::kClient, "svc", ResourceType::kMessage, "*", Bit(Permission::kRead)));
  Grant(state, Spec(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "*", kReadPd));
  const char* claims = R"({"sub":"alice","azp":"svc","scope":"ops","groups":["g2"]})";
  EXPECT_EQ(CheckClaims(state, claims).decision, kInsufficient);
  AddMemberOk(state, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  reference::Verdict verdict = CheckClaims(state, claims);
  EXPECT_EQ(verdict.decision, kAllowed);
  EXPECT_THAT(verdict.matching_rules, IsEmpty());
  EXPECT_EQ(
      CheckClaims(state, claims, test_util::Request(ResourceType::kDocument, Permission::kRead))
          .decision,
      kInsufficient);
  EXPECT_EQ(
      CheckClaims(state, claims, test_util::Request(ResourceType::kMessage, Permission::kRead))
          .decision,
      kInsufficient);
}

TEST(PrincipalTest, GroupsClaimReplacesStoredMemberships) {
  Configuration config = ClientConfig();
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateGroup{MakeGroup("g1")});
  AddMemberOk(state, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  Grant(state, Spec(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "*", kReadPd));
  // The stored membership does not count; the token's groups do.
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice"})").decision, kInsufficient);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","groups":null})").decision, kInsufficient);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","groups":["g0","g1"]})").decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"bob","groups":"g1"})").decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"azp":"svc","groups":["g1"]})").decision, kAllowed);

  // A token group need not be stored: its roles still apply.
  MustExecute(state, CreateRole{MakeRole("r1")});
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kGroup, "Team Alpha");
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"carol","groups":["Team Alpha"]})",
                        test_util::Request(ResourceType::kDocument, Permission::kRead))
                .decision,
            kAllowed);
}

TEST(PrincipalTest, GroupsClaimReplacesMappingRuleMembershipsToo) {
  Configuration config = ClientConfig();
  IdentityState stored = NewState(config);
  config.groups_claim = "groups";
  IdentityState from_token = NewState(config);
  for (IdentityState* state : {&stored, &from_token}) {
    MustExecute(*state, CreateGroup{MakeGroup("ops")});
    MustExecute(*state, CreateMappingRule{MakeRule("m1", "scope", "ops")});
    AddMemberOk(*state, ContainerType::kGroup, "ops", MemberType::kMappingRule, "m1");
    Grant(*state, Spec(OwnerType::kGroup, "ops", ResourceType::kProcessDefinition, "*", kReadPd));
  }
  const char* claims = R"({"azp":"svc","scope":"ops"})";
  EXPECT_EQ(CheckClaims(stored, claims).decision, kAllowed);
  EXPECT_EQ(CheckClaims(from_token, claims).decision, kInsufficient);
  EXPECT_THAT(CheckClaims(from_token, claims).matching_rules, ElementsAre("m1"));
}

TEST(PrincipalTest, GroupsClaimKeepsRoleMembershipsOfRulesAndPrincipals) {
  Configuration config = ClientConfig();
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateRole{MakeRole("r1")});
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kMappingRule, "m1");
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kClient, "svc");
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state, R"({"azp":"other","scope":"ops"})").decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"azp":"svc"})").decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"azp":"other"})").decision, kInsufficient);
}

// Mapping-rule matching (docs/semantics.md §5), observed through Verdict::matching_rules.
class RuleMatchingTest : public ::testing::Test {
 protected:
  RuleMatchingTest() : state_(NewState(ClientConfig())) {}
  void AddRule(const std::string& id, const std::string& claim, const std::string& value) {
    MustExecute(state_, CreateMappingRule{MakeRule(id, claim, value)});
  }
  std::vector<std::string> Matching(const std::string& claims) {
    return CheckClaims(state_, claims).matching_rules;
  }
  IdentityState state_;
};

TEST_F(RuleMatchingTest, StringsAndArrays) {
  AddRule("roles-admin", "roles", "admin");
  EXPECT_THAT(Matching(R"({"azp":"c","roles":"admin"})"), ElementsAre("roles-admin"));
  EXPECT_THAT(Matching(R"({"azp":"c","roles":["user","admin"]})"), ElementsAre("roles-admin"));
  EXPECT_THAT(Matching(R"({"azp":"c","roles":["user"]})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","roles":[["admin"]]})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","roles":{"admin":true}})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","roles":null})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c"})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","roles":"Admin"})"), IsEmpty());
}

TEST_F(RuleMatchingTest, NoTypeCoercion) {
  AddRule("age", "age", "30");
  AddRule("flag", "flag", "true");
  EXPECT_THAT(Matching(R"({"azp":"c","age":"30"})"), ElementsAre("age"));
  EXPECT_THAT(Matching(R"({"azp":"c","age":30})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","age":[30]})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","age":30.0})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","flag":true})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","flag":"true"})"), ElementsAre("flag"));
}

TEST_F(RuleMatchingTest, LiteralDottedNameVersusPath) {
  AddRule("literal", "a.b", "x");
  AddRule("nested", "$.a.b", "y");
  EXPECT_THAT(Matching(R"({"azp":"c","a.b":"x"})"), ElementsAre("literal"));
  EXPECT_THAT(Matching(R"({"azp":"c","a":{"b":"x"}})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","a":{"b":"y"}})"), ElementsAre("nested"));
  EXPECT_THAT(Matching(R"({"azp":"c","a.b":"y"})"), IsEmpty());
}

TEST_F(RuleMatchingTest, WildcardsAndIndexes) {
  AddRule("any-client-role", "$.resource_access[*].roles[*]", "ops");
  AddRule("client-roles", "$.resource_access[*].roles", "ops");
  AddRule("first-scope", "$.scp[0]", "read");
  AddRule("quoted", "$['https://example.com/claims'].team", "blue");
  // [*] over an object's member values, then every element of each roles array.
  EXPECT_THAT(Matching(R"({"azp":"c","resource_access":{"app1":{"roles":["x"]},
                                                        "app2":{"roles":["ops"]}}})"),
              ElementsAre("any-client-role"));
  // Without the second [*] the several values are arrays: nested arrays never match.
  // With one string per value, the several values are the strings themselves.
  EXPECT_THAT(Matching(R"({"azp":"c","resource_access":[{"roles":"x"},{"roles":"ops"}]})"),
              ElementsAre("client-roles"));
  EXPECT_THAT(Matching(R"({"azp":"c","scp":["read","write"]})"), ElementsAre("first-scope"));
  EXPECT_THAT(Matching(R"({"azp":"c","scp":["write","read"]})"), IsEmpty());
  EXPECT_THAT(Matching(R"({"azp":"c","https://example.com/claims":{"team":"blue"}})"),
              ElementsAre("quoted"));
}

TEST_F(RuleMatchingTest, MatchingRulesAreSorted) {
  AddRule("zeta", "scope", "ops");
  AddRule("alpha", "team", "ops");
  EXPECT_THAT(Matching(R"({"azp":"c","scope":"ops","team":["ops"]})"),
              ElementsAre("alpha", "zeta"));
}

}  // namespace
}  // namespace clearance

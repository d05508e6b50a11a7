// The identifier rule (docs/semantics.md §1) with its configurable pattern, and Configure /
// Validate (docs/semantics.md §5, §7).
#include <string>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "clearance/config.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;
using test_util::Spec;
using ::testing::HasSubstr;

TEST(IdentifierRuleTest, DefaultAlphabetAndLength) {
  IdentityState state = NewState();
  for (const std::string& good : {std::string("a"), std::string("A-Z_0~9@x.y+z"),
                                  std::string("user@example.com"), Repeat('r', 256)}) {
    MustExecute(state, CreateRole{MakeRole(good)});
    EXPECT_NE(state.FindRole(good), nullptr) << good;
  }
  for (const std::string& bad :
       {std::string(""), Repeat('r', 257), std::string("a b"), std::string("a/b"),
        std::string("a*"), std::string("*"), std::string("a#b"), std::string("caf\xc3\xa9"),
        std::string("a\tb"), std::string("<default>")}) {
    EXPECT_EQ(Refuse(state, CreateRole{MakeRole(bad)}).code(), absl::StatusCode::kInvalidArgument)
        << "'" << bad << "'";
  }
}

TEST(IdentifierRuleTest, MessageNamesFieldProblemAndExpectation) {
  IdentityState state = NewState();
  absl::Status status = Refuse(state, CreateRole{MakeRole("bad role")});
  EXPECT_THAT(status.message(), HasSubstr("bad role"));
  // What is expected: the pattern or the alphabet.
  EXPECT_TRUE(status.message().find("A-Za-z0-9") != std::string::npos ||
              status.message().find("a-zA-Z0-9") != std::string::npos)
      << status;
}

TEST(IdentifierRuleTest, PatternIsConfigurable) {
  // Configured after initialization: the default role ids ("readonly-admin") do not match.
  IdentityState state = NewState();
  Configuration config;
  config.id_pattern = "^[a-z]+$";
  MustExecute(state, Configure{config});
  MustExecute(state, CreateRole{MakeRole("abc")});
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("ABC")}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("ab-c")}).code(), absl::StatusCode::kInvalidArgument);
  // The length bound holds whatever the pattern says.
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole(Repeat('a', 257))}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, CreateMappingRule{MakeRule("m-1", "scope", "x")}).code(),
            absl::StatusCode::kInvalidArgument);
  // Resource and owner ids follow the pattern too, but "*" still means ANY.
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "abc", ResourceType::kDocument,
                                                   "Doc1", Bit(Permission::kRead))})
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Refuse(state, CreateAuthorization{Spec(OwnerType::kClient, "Svc", ResourceType::kDocument,
                                             "*", Bit(Permission::kRead))})
          .code(),
      absl::StatusCode::kInvalidArgument);
  MustExecute(state, CreateAuthorization{Spec(OwnerType::kRole, "abc", ResourceType::kDocument, "*",
                                              Bit(Permission::kRead))});
}

TEST(IdentifierRuleTest, DefaultRoleIdsStayValidUnderAnyPattern) {
  // Configured before initialization, a pattern without '-' must not break the defaults
  // ("readonly-admin", "app-integrations"), and they stay nameable afterwards.
  IdentityState state;
  Configuration config;
  config.id_pattern = "^[a-z]+$";
  MustExecute(state, Configure{config});
  MustExecute(state, Initialize{});
  ASSERT_NE(state.FindRole("readonly-admin"), nullptr);
  MustExecute(state,
              AddMember{{ContainerType::kRole, "readonly-admin", MemberType::kClient, "alice"}});
  MustExecute(
      state, CreateAuthorization{Spec(OwnerType::kRole, "app-integrations", ResourceType::kDocument,
                                      "*", Bit(Permission::kRead))});
  MustExecute(
      state, AddMember{{ContainerType::kTenant, "<default>", MemberType::kRole, "readonly-admin"}});
  // The exemption is for the built-in ids only: other role ids still follow the pattern.
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("ab-c")}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Refuse(state, AddMember{{ContainerType::kRole, "ab-c", MemberType::kClient, "alice"}}).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(IdentifierRuleTest, NonBracketPatternUsesRegex) {
  IdentityState state = NewState();
  Configuration config;
  config.id_pattern = "^(svc|app)-[0-9]+$";
  MustExecute(state, Configure{config});
  MustExecute(state, CreateRole{MakeRole("svc-12")});
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("svc-")}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("web-1")}).code(),
            absl::StatusCode::kInvalidArgument);
}

// Patterns on which a backtracking matcher takes exponential time in the id's length; RE2
// answers in linear time. The assertions are on the answers (bench/identifiers holds the time).
TEST(IdentifierRuleTest, PathologicalPatternsAnswer) {
  struct Case {
    std::string pattern;
    std::string id;
    bool accepted;
  };
  const std::string as = Repeat('a', 40);
  for (const Case& c : {Case{"^(a|aa)*$", as + "b", false}, Case{"^(a|aa)*$", as, true},
                        Case{"^(a+)+$", as + "!", false}, Case{"^(a*)*b$", as, false},
                        Case{"^(a|a?)+$", Repeat('a', 256), true},
                        Case{"^(.*a){20}$", Repeat('a', 19) + "b", false}}) {
    IdentityState state = NewState();
    Configuration config;
    config.id_pattern = c.pattern;
    MustExecute(state, Configure{config});
    if (c.accepted) {
      MustExecute(state, CreateGroup{MakeGroup(c.id)});
    } else {
      absl::Status status = Refuse(state, CreateGroup{MakeGroup(c.id)});
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.pattern;
      EXPECT_THAT(status.message(), HasSubstr("does not match")) << c.pattern;
    }
  }
}

// The pattern must match the whole id, as it did with the ECMAScript matcher: a pattern without
// anchors is not a search.
TEST(IdentifierRuleTest, PatternMatchesTheWholeId) {
  IdentityState state = NewState();
  Configuration config;
  config.id_pattern = "svc-[0-9]+";
  MustExecute(state, Configure{config});
  MustExecute(state, CreateRole{MakeRole("svc-1")});
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("xsvc-1")}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("svc-1x")}).code(),
            absl::StatusCode::kInvalidArgument);
  // '$' is the end of the id, not the end of a line.
  IdentityState other = NewState();
  config.id_pattern = "^[a-z]+$|^x.y$";
  MustExecute(other, Configure{config});
  EXPECT_EQ(Refuse(other, CreateRole{MakeRole("abc\n")}).code(),
            absl::StatusCode::kInvalidArgument);
  MustExecute(other, CreateRole{MakeRole("x.y")});
}

// A stored row stays valid: a pattern (or mode, or groups claim) under which it would not be is
// refused, since the state could not be restored from its own snapshot otherwise.
TEST(IdentifierRuleTest, APatternThatStoredIdsBreakIsRefused) {
  IdentityState state = NewState();
  MustExecute(state, CreateRole{MakeRole("svc-1")});
  Configuration config;
  config.id_pattern = "^[a-z]+$";
  absl::Status status = Refuse(state, Configure{config});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("roleId: 'svc-1' contains '-'"));
  EXPECT_THAT(status.message(), HasSubstr("change or delete that row first"));
  MustExecute(state, DeleteRole{"svc-1"});
  MustExecute(state, Configure{config});
}

// Patterns match characters (UTF-8), not bytes.
TEST(IdentifierRuleTest, PatternMatchesCharacters) {
  IdentityState state = NewState();
  Configuration config;
  config.id_pattern = "^.{4}$";
  MustExecute(state, Configure{config});
  MustExecute(state, CreateRole{MakeRole("caf\xc3\xa9")});  // 4 characters, 5 bytes
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("cafe\xc3\xa9")}).code(),
            absl::StatusCode::kInvalidArgument);
  config.id_pattern = "^[a-z\xc3\xa9]+$";
  MustExecute(state, Configure{config});
  MustExecute(state, CreateRole{MakeRole("\xc3\xa9t\xc3\xa9")});
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("\xc3\x83")}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IdentifierRuleTest, PatternsRE2RefusesAreRefusedWithItsReason) {
  IdentityState state = NewState();
  const IdentityState before = state;
  struct Case {
    std::string pattern;
    std::string reason;
  };
  for (const Case& c :
       {Case{"^(a$", "missing )"},
        // Backreferences and lookaround need backtracking; RE2 has neither.
        Case{"^(a)\\1$", "invalid escape sequence"}, Case{"^(?=a)a$", "invalid perl operator"},
        // A program too large for the memory budget: a thousand copies of the letter class.
        Case{"^\\pL{1000}$",
             "pattern too large - compile failed (the compiled pattern must fit in"},
        Case{"", "is empty"}, Case{Repeat('a', 1025), "1025 bytes long"},
        Case{"^[a-z\xff]+$", "UTF-8"}}) {
    Configuration config;
    config.id_pattern = c.pattern;
    absl::Status validated = config.Validate();
    EXPECT_EQ(validated.code(), absl::StatusCode::kInvalidArgument) << c.pattern.substr(0, 40);
    EXPECT_THAT(validated.message(), HasSubstr("id_pattern")) << validated;
    EXPECT_THAT(validated.message(), HasSubstr(c.reason)) << validated;
    EXPECT_EQ(Refuse(state, Configure{config}).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(state == before);
}

TEST(IdentifierRuleTest, RefusalShowsControlBytesEscaped) {
  IdentityState state = NewState();
  absl::Status status = Refuse(state, CreateRole{MakeRole(std::string("ab\0cd\n", 6))});
  EXPECT_THAT(status.message(), HasSubstr("'ab\\x00cd\\x0a'"));
  EXPECT_EQ(status.message().find('\0'), absl::string_view::npos);
}

TEST(ConfigurationTest, DefaultsMatchSpec) {
  Configuration config;
  EXPECT_EQ(config.mode, AuthMode::kOidc);
  EXPECT_TRUE(config.authorizations_enabled);
  EXPECT_FALSE(config.tenant_checks_enabled);
  EXPECT_EQ(config.username_claim, "sub");
  EXPECT_TRUE(config.client_id_claim.empty());
  EXPECT_TRUE(config.groups_claim.empty());
  EXPECT_FALSE(config.prefer_username_claim);
  EXPECT_TRUE(config.Validate().ok()) << config.Validate();
}

TEST(ConfigurationTest, ValidateNamesTheBrokenField) {
  struct Case {
    Configuration config;
    std::string field;
  };
  Configuration username_path;
  username_path.username_claim = "$..sub";
  Configuration username_empty;
  username_empty.username_claim = "";
  Configuration client_path;
  client_path.client_id_claim = "$.a[-1]";
  Configuration groups_path;
  groups_path.groups_claim = "$.groups[0:2]";
  Configuration pattern;
  pattern.id_pattern = "^[a-z+$";
  for (const Case& c :
       {Case{username_path, "username"}, Case{username_empty, "username"},
        Case{client_path, "client"}, Case{groups_path, "groups"}, Case{pattern, "pattern"}}) {
    absl::Status status = c.config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(NamesField(status.message(), c.field)) << status;
  }
  Configuration good;
  good.client_id_claim = "azp";
  good.groups_claim = "$.realm_access.groups[*]";
  good.username_claim = "$['preferred_username']";
  EXPECT_TRUE(good.Validate().ok()) << good.Validate();
}

TEST(ConfigurationTest, ConfigureRefusesAnInvalidConfiguration) {
  IdentityState state = NewState();
  Configuration bad;
  bad.groups_claim = "$..groups";
  EXPECT_EQ(Refuse(state, Configure{bad}).code(), absl::StatusCode::kInvalidArgument);
  Configuration good;
  good.client_id_claim = "azp";
  MustExecute(state, Configure{good});
  EXPECT_EQ(state.config(), good);
}

}  // namespace
}  // namespace clearance

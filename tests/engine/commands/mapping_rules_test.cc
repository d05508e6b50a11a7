// Mapping rule commands (docs/semantics.md §1, §5): compiled claim paths, unique (claimName,
// claimValue), non-blank bounded fields.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::MakeRule;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;

TEST(MappingRuleCommandsTest, CreateCompilesThePath) {
  IdentityState state = NewState();
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "read", "Readers")});
  MustExecute(state, CreateMappingRule{MakeRule("m2", "$.realm_access.roles", "ops")});
  const MappingRule* literal = state.FindMappingRule("m1");
  ASSERT_NE(literal, nullptr);
  EXPECT_EQ(*literal, MakeRule("m1", "scope", "read", "Readers"));
  EXPECT_TRUE(literal->path.literal());
  EXPECT_EQ(literal->path.source(), "scope");

  const MappingRule* nested = state.FindMappingRule("m2");
  ASSERT_NE(nested, nullptr);
  EXPECT_FALSE(nested->path.literal());
  EXPECT_EQ(nested->path.steps().size(), 2u);

  const MappingRule* by_claim = state.FindMappingRuleByClaim("scope", "read");
  ASSERT_NE(by_claim, nullptr);
  EXPECT_EQ(by_claim->id, "m1");
}

TEST(MappingRuleCommandsTest, ClaimPairIsUnique) {
  IdentityState state = NewState();
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "read")});
  EXPECT_EQ(Refuse(state, CreateMappingRule{MakeRule("m2", "scope", "read")}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, CreateMappingRule{MakeRule("m1", "scope", "write")}).code(),
            absl::StatusCode::kAlreadyExists);
  // Same name with another value, or same value on another claim, is a different rule.
  MustExecute(state, CreateMappingRule{MakeRule("m2", "scope", "write")});
  MustExecute(state, CreateMappingRule{MakeRule("m3", "scp", "read")});
  // Values are not trimmed: " read" is another value.
  MustExecute(state, CreateMappingRule{MakeRule("m4", "scope", " read")});
  EXPECT_EQ(state.FindMappingRule("m4")->claim_value, " read");
}

TEST(MappingRuleCommandsTest, UpdateKeepsThePairUnique) {
  IdentityState state = NewState();
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "read")});
  MustExecute(state, CreateMappingRule{MakeRule("m2", "scope", "write")});
  EXPECT_EQ(Refuse(state, UpdateMappingRule{MakeRule("m2", "scope", "read")}).code(),
            absl::StatusCode::kAlreadyExists);
  // Keeping its own pair is not a collision.
  MustExecute(state, UpdateMappingRule{MakeRule("m2", "scope", "write", "Writers")});
  EXPECT_EQ(state.FindMappingRule("m2")->name, "Writers");
  MustExecute(state, UpdateMappingRule{MakeRule("m2", "$.scp[*]", "admin")});
  EXPECT_TRUE(state.FindMappingRule("m2")->path.multi_valued());
  EXPECT_NE(state.FindMappingRuleByClaim("$.scp[*]", "admin"), nullptr);
  EXPECT_EQ(state.FindMappingRuleByClaim("scope", "write"), nullptr);

  EXPECT_EQ(Refuse(state, UpdateMappingRule{MakeRule("m9", "scope", "x")}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, DeleteMappingRule{"m9"}).code(), absl::StatusCode::kNotFound);
  MustExecute(state, DeleteMappingRule{"m1"});
  EXPECT_EQ(state.FindMappingRule("m1"), nullptr);
  EXPECT_EQ(state.FindMappingRuleByClaim("scope", "read"), nullptr);
}

TEST(MappingRuleCommandsTest, UnsupportedPathIsRefusedAtCreation) {
  IdentityState state = NewState();
  for (const char* bad : {"$..roles", "$.roles[?(@ == 'a')]", "$.*", "$.roles[-1]"}) {
    absl::Status status = Refuse(state, CreateMappingRule{MakeRule("m1", bad, "x")});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(NamesField(status.message(), "claimName")) << status;
  }
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "x")});
  EXPECT_EQ(Refuse(state, UpdateMappingRule{MakeRule("m1", "$..scope", "x")}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MappingRuleCommandsTest, FieldsAreNonBlankAndAtMost256) {
  IdentityState state = NewState();
  struct Case {
    MappingRule rule;
    std::string field;
  };
  const std::vector<Case> cases = {
      {MakeRule("m1", "  ", "x"), "claimName"},
      {MakeRule("m1", Repeat('c', 257), "x"), "claimName"},
      {MakeRule("m1", "scope", ""), "claimValue"},
      {MakeRule("m1", "scope", " \t"), "claimValue"},
      {MakeRule("m1", "scope", Repeat('v', 257)), "claimValue"},
      {MakeRule("m1", "scope", "x", ""), "name"},
      {MakeRule("m1", "scope", "x", "   "), "name"},
      {MakeRule("m1", "scope", "x", Repeat('n', 257)), "name"},
      {MakeRule("m 1", "scope", "x"), "mappingRuleId"},
      {MakeRule("", "scope", "x"), "mappingRuleId"},
  };
  for (const Case& c : cases) {
    absl::Status status = Refuse(state, CreateMappingRule{c.rule});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    if (c.field == "mappingRuleId") {
      EXPECT_TRUE(NamesField(status.message(), c.field) || NamesField(status.message(), "id"))
          << status;
    } else {
      EXPECT_TRUE(NamesField(status.message(), c.field)) << status;
    }
  }
  MustExecute(state, CreateMappingRule{
                         MakeRule("m1", Repeat('c', 256), Repeat('v', 256), Repeat('n', 256))});
}

}  // namespace
}  // namespace clearance

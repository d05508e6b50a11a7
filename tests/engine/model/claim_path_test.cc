// ClaimPath::Compile against docs/semantics.md §5: literal keys, the supported JSONPath subset, and
// every refused form.
#include "clearance/claim_path.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using ::testing::HasSubstr;
using Kind = ClaimPath::Step::Kind;

ClaimPath::Step Member(std::string name) { return {Kind::kMember, std::move(name), 0}; }
ClaimPath::Step Index(uint64_t i) { return {Kind::kIndex, "", i}; }
ClaimPath::Step Wildcard() { return {Kind::kWildcard, "", 0}; }

ClaimPath MustCompile(std::string_view name) {
  absl::StatusOr<ClaimPath> path = ClaimPath::Compile(name);
  EXPECT_TRUE(path.ok()) << name << ": " << path.status();
  return path.ok() ? *path : ClaimPath();
}

TEST(ClaimPathTest, NameWithoutDollarIsOneLiteralKey) {
  for (std::string_view name : {"sub", "a.b", "groups[0]", "x[*]", "realm_access.roles", "a b"}) {
    ClaimPath path = MustCompile(name);
    EXPECT_TRUE(path.literal()) << name;
    EXPECT_FALSE(path.multi_valued()) << name;
    EXPECT_EQ(path.source(), name);
    EXPECT_EQ(path.steps(), std::vector<ClaimPath::Step>{Member(std::string(name))}) << name;
  }
}

TEST(ClaimPathTest, RootAlone) {
  ClaimPath path = MustCompile("$");
  EXPECT_FALSE(path.literal());
  EXPECT_TRUE(path.steps().empty());
  EXPECT_FALSE(path.multi_valued());
}

TEST(ClaimPathTest, DottedMembers) {
  ClaimPath path = MustCompile("$.a.b");
  EXPECT_FALSE(path.literal());
  EXPECT_EQ(path.steps(), (std::vector<ClaimPath::Step>{Member("a"), Member("b")}));
  EXPECT_EQ(MustCompile("$.realm_access.roles").steps(),
            (std::vector<ClaimPath::Step>{Member("realm_access"), Member("roles")}));
  EXPECT_EQ(MustCompile("$.x-y~z").steps(), (std::vector<ClaimPath::Step>{Member("x-y~z")}));
}

TEST(ClaimPathTest, QuotedMembersWithEscapes) {
  EXPECT_EQ(MustCompile("$['a.b']").steps(), std::vector<ClaimPath::Step>{Member("a.b")});
  EXPECT_EQ(MustCompile("$[\"x y\"]").steps(), std::vector<ClaimPath::Step>{Member("x y")});
  EXPECT_EQ(MustCompile(R"($['it\'s'])").steps(), std::vector<ClaimPath::Step>{Member("it's")});
  EXPECT_EQ(MustCompile(R"($["q\"x"])").steps(), std::vector<ClaimPath::Step>{Member("q\"x")});
  EXPECT_EQ(MustCompile(R"($['back\\slash'])").steps(),
            std::vector<ClaimPath::Step>{Member("back\\slash")});
  EXPECT_EQ(MustCompile("$.a['https://example.com/roles']").steps(),
            (std::vector<ClaimPath::Step>{Member("a"), Member("https://example.com/roles")}));
}

TEST(ClaimPathTest, ChainedBracketsAndNonAsciiNames) {
  EXPECT_EQ(MustCompile("$['a'][0][\"b\"]").steps(),
            (std::vector<ClaimPath::Step>{Member("a"), Index(0), Member("b")}));
  EXPECT_EQ(MustCompile("$[0]").steps(), std::vector<ClaimPath::Step>{Index(0)});
  EXPECT_EQ(MustCompile("$.gr\xc3\xbcppen").steps(),
            std::vector<ClaimPath::Step>{Member("gr\xc3\xbcppen")});
  EXPECT_EQ(MustCompile("$[' a b ']").steps(), std::vector<ClaimPath::Step>{Member(" a b ")});
}

TEST(ClaimPathTest, IndexesAndWildcards) {
  ClaimPath indexed = MustCompile("$.roles[0]");
  EXPECT_EQ(indexed.steps(), (std::vector<ClaimPath::Step>{Member("roles"), Index(0)}));
  EXPECT_FALSE(indexed.multi_valued());
  EXPECT_EQ(MustCompile("$.a[12]").steps(), (std::vector<ClaimPath::Step>{Member("a"), Index(12)}));

  ClaimPath wildcard = MustCompile("$.resource_access[*].roles");
  EXPECT_EQ(wildcard.steps(),
            (std::vector<ClaimPath::Step>{Member("resource_access"), Wildcard(), Member("roles")}));
  EXPECT_TRUE(wildcard.multi_valued());

  ClaimPath root_wildcard = MustCompile("$[*]");
  EXPECT_EQ(root_wildcard.steps(), std::vector<ClaimPath::Step>{Wildcard()});
  EXPECT_TRUE(root_wildcard.multi_valued());
}

class RefusedClaimPathTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(RefusedClaimPathTest, IsInvalidArgumentNamingFieldAndPosition) {
  absl::StatusOr<ClaimPath> path = ClaimPath::Compile(GetParam(), "claimName");
  ASSERT_FALSE(path.ok()) << GetParam() << " compiled";
  EXPECT_EQ(path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(path.status().message(), HasSubstr("claimName"));
  EXPECT_THAT(path.status().message(), HasSubstr("position"));
}

INSTANTIATE_TEST_SUITE_P(Forms, RefusedClaimPathTest,
                         ::testing::Values("$..a",              // recursive descent
                                           "$.a..b",            //
                                           "$.a[?(@.x == 1)]",  // filter
                                           "$.a[0:2]",          // slice
                                           "$.a[:1]",           //
                                           "$.a[0,1]",          // union
                                           "$['a','b']",        //
                                           "$.a[-1]",           // negative index
                                           "$.a.length()",      // function
                                           "$.length()",        //
                                           "$.*",               // dot wildcard
                                           "$.a.*",             //
                                           "$.a[01]",           // leading zero
                                           "$[00]",             //
                                           "$['abc",            // unterminated quotes
                                           "$[\"abc",           //
                                           "$['abc]",           //
                                           R"($['a\x'])",       // bad escape
                                           R"($['a\n'])",       //
                                           "$.",                // empty member
                                           "$.a.",              //
                                           "$[",                // unterminated bracket
                                           "$[]",               //
                                           "$[0",               //
                                           "$a",                // no separator
                                           "$.a b",             // whitespace in a name
                                           "$.a$b",             // forbidden characters in a name
                                           "$.a@b",             //
                                           "$.a,b",             //
                                           "$.a:b",             //
                                           R"($.a\b)",          //
                                           "$.a(b",             //
                                           "$.a?",              //
                                           "$.'a'",             //
                                           "$.a]",              //
                                           "$[*",               //
                                           "$[*]x",             //
                                           "$.a\tb",            //
                                           "$ .a",              // whitespace after the root
                                           "$.a ",              //
                                           "$['a'"));

TEST(ClaimPathTest, ErrorNamesTheOffendingPosition) {
  // '[' of the negative index is at offset 13, '-' at 14 (0-based); either, 1-based or 0-based.
  absl::StatusOr<ClaimPath> path = ClaimPath::Compile("$.abcdefghijk[-1]");
  ASSERT_FALSE(path.ok());
  const std::string message(path.status().message());
  EXPECT_TRUE(message.find("13") != std::string::npos || message.find("14") != std::string::npos ||
              message.find("15") != std::string::npos)
      << message;
}

TEST(ClaimPathTest, ErrorNamesTheGivenField) {
  absl::StatusOr<ClaimPath> path = ClaimPath::Compile("$..sub", "username-claim");
  ASSERT_FALSE(path.ok());
  EXPECT_THAT(path.status().message(), HasSubstr("username-claim"));
}

TEST(ClaimPathTest, EmptyOrBlankNameIsRefused) {
  for (std::string_view name : {"", " ", "\t "}) {
    absl::StatusOr<ClaimPath> path = ClaimPath::Compile(name, "claimName");
    EXPECT_EQ(path.status().code(), absl::StatusCode::kInvalidArgument) << "'" << name << "'";
    EXPECT_THAT(path.status().message(), HasSubstr("claimName"));
  }
}

TEST(ClaimPathTest, EqualityIsBySource) {
  EXPECT_EQ(MustCompile("$.a"), MustCompile("$.a"));
  EXPECT_FALSE(MustCompile("$.a") == MustCompile("$['a']"));
}

}  // namespace
}  // namespace clearance

#include "server/v2/search.h"

#include "gtest/gtest.h"

namespace clearance::server::v2_internal {
namespace {

constexpr std::string_view kFields[] = {"name", "groupId"};

StringFilter Like(std::string pattern) {
  StringFilter f;
  f.like = std::move(pattern);
  return f;
}

TEST(StringFilterTest, LikeWildcardsAndEscapes) {
  EXPECT_TRUE(Like("a*").Matches("abc"));
  EXPECT_TRUE(Like("*c").Matches("abc"));
  EXPECT_TRUE(Like("a?c").Matches("abc"));
  EXPECT_FALSE(Like("a?c").Matches("ac"));
  EXPECT_TRUE(Like("*").Matches(""));
  EXPECT_TRUE(Like("a*b*c").Matches("aXbYbZc"));
  EXPECT_FALSE(Like("a*b*c").Matches("aXbYbZ"));
  EXPECT_TRUE(Like("\\*x").Matches("*x"));
  EXPECT_FALSE(Like("\\*x").Matches("ax"));
  EXPECT_TRUE(Like("?").Matches("\xC3\xA9"));  // one character, two bytes
  EXPECT_FALSE(Like("abc").Matches(std::nullopt));
}

TEST(StringFilterTest, OperatorsAllHold) {
  StringFilter f;
  f.in = std::vector<std::string>{"a", "b"};
  f.neq = "b";
  EXPECT_TRUE(f.Matches("a"));
  EXPECT_FALSE(f.Matches("b"));
  EXPECT_FALSE(f.Matches("c"));
  StringFilter exists;
  exists.exists = false;
  EXPECT_TRUE(exists.Matches(std::nullopt));
  EXPECT_FALSE(exists.Matches("x"));
}

TEST(SearchQueryTest, DefaultsAndWindows) {
  absl::StatusOr<SearchQuery> q = SearchQuery::Parse("", kFields);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_FALSE(q->filter().has_value());
  PageWindow w = q->Window(250);
  EXPECT_EQ(w.begin, 0u);
  EXPECT_EQ(w.end, 100u);  // the document's default limit

  q = SearchQuery::Parse(R"({"page":{"from":240,"limit":20}})", kFields);
  ASSERT_TRUE(q.ok()) << q.status();
  w = q->Window(250);
  EXPECT_EQ(w.begin, 240u);
  EXPECT_EQ(w.end, 250u);

  q = SearchQuery::Parse(R"({"page":{"before":"WzVd","limit":3}})", kFields);  // "[5]"
  ASSERT_TRUE(q.ok()) << q.status();
  w = q->Window(10);
  EXPECT_EQ(w.begin, 2u);
  EXPECT_EQ(w.end, 5u);

  q = SearchQuery::Parse(R"({"sort":[{"field":"groupId","order":"DESC"},{"field":"name"}]})",
                         kFields);
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->sort().size(), 2u);
  EXPECT_EQ(q->sort()[0].field, 1u);
  EXPECT_TRUE(q->sort()[0].descending);
  EXPECT_FALSE(q->sort()[1].descending);
}

TEST(SearchQueryTest, RefusalsNameTheField) {
  for (const char* body :
       {R"({"page":{"limit":-1}})", R"({"page":{"from":-3}})",
        R"({"page":{"after":"WzBd","before":"WzBd"}})", R"({"page":{"after":"bm9wZQ=="}})",
        R"({"sort":[{"order":"ASC"}]})", R"({"sort":{}})", R"({"filter":[]})", R"([])"}) {
    absl::StatusOr<SearchQuery> q = SearchQuery::Parse(body, kFields);
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

}  // namespace
}  // namespace clearance::server::v2_internal

#include "internal/strict_json.h"

#include <string>

#include "gtest/gtest.h"

namespace clearance::token_internal {
namespace {

TokenError Walk(std::string json, JsonCaps caps = {}) {
  const size_t len = json.size();
  json.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::parser parser;
  return WalkStrictObject(
      parser, json.data(), len, caps,
      [](std::string_view, simdjson::ondemand::value&, bool*) { return TokenError::kOk; });
}

TEST(StrictJsonTest, AcceptsOrdinaryObjects) {
  EXPECT_EQ(Walk(R"({})"), TokenError::kOk);
  EXPECT_EQ(Walk(R"({"a":1,"b":[true,false,null,"x",1.5e3],"c":{"d":{}}})"), TokenError::kOk);
  EXPECT_EQ(Walk(" {\"a\":1} \r\n"), TokenError::kOk);
}

TEST(StrictJsonTest, RefusesDuplicateNamesAtAnyDepthAfterUnescaping) {
  EXPECT_EQ(Walk(R"({"a":1,"a":1})"), TokenError::kDuplicateMember);
  EXPECT_EQ(Walk(R"({"a":1,"\u0061":1})"), TokenError::kDuplicateMember);
  EXPECT_EQ(Walk(R"({"x":[{"k":1,"k":2}]})"), TokenError::kDuplicateMember);
  EXPECT_EQ(Walk(R"({"x":{"a":1},"y":{"a":1}})"), TokenError::kOk);  // siblings may share names
}

TEST(StrictJsonTest, DuplicateDetectionScalesPastTheInlineSet) {
  std::string big = "{";
  for (int i = 0; i < 200; ++i) big += "\"k" + std::to_string(i) + "\":0,";
  EXPECT_EQ(Walk(big + "\"k0\":1}"), TokenError::kDuplicateMember);
  EXPECT_EQ(Walk(big + "\"last\":1}"), TokenError::kOk);
}

TEST(StrictJsonTest, RefusesTrailingContentAndNonObjects) {
  EXPECT_EQ(Walk(R"({"a":1}x)"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"({"a":1}{})"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"({"a":1}})"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"([1])"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"("s")"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"({"a":})"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"({"a":tru})"), TokenError::kBadJson);
  EXPECT_EQ(Walk(R"({"a":"\x"})"), TokenError::kBadJson);
  EXPECT_EQ(Walk("{\"a\":\"\xff\"}"), TokenError::kBadJson);  // invalid UTF-8
  EXPECT_EQ(Walk(""), TokenError::kBadJson);
}

TEST(StrictJsonTest, CapsDepthAndMembers) {
  JsonCaps caps{3, 1000};
  EXPECT_EQ(Walk(R"({"a":[[1]]})", caps), TokenError::kOk);
  EXPECT_EQ(Walk(R"({"a":[[[1]]]})", caps), TokenError::kTooDeep);
  EXPECT_EQ(Walk("{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}", caps),
            TokenError::kTooDeep);
  JsonCaps few{16, 3};
  EXPECT_EQ(Walk(R"({"a":1,"b":2,"c":3})", few), TokenError::kOk);
  EXPECT_EQ(Walk(R"({"a":1,"b":2,"c":3,"d":4})", few), TokenError::kTooManyClaims);
  EXPECT_EQ(Walk(R"({"a":[1,2,3]})", few), TokenError::kTooManyClaims);
}

TEST(StrictJsonTest, NestingIsMeasuredOnTruncatedTextAndOutsideStrings) {
  EXPECT_FALSE(NestsDeeperThan(R"({"a":[[1]]})", 3));
  EXPECT_TRUE(NestsDeeperThan(R"({"a":[[[1]]]})", 3));
  EXPECT_TRUE(NestsDeeperThan(std::string(4, '['), 3));  // truncated: never closed
  EXPECT_FALSE(NestsDeeperThan(R"({"a":"[[[[{{{{"})", 3));
  EXPECT_FALSE(NestsDeeperThan(R"({"a":"\"[[[[","b":1})", 3));  // an escaped quote stays inside
  EXPECT_TRUE(NestsDeeperThan(R"({"a":"\\",[[[1]]]})", 3));     // an escaped backslash does not
  EXPECT_FALSE(NestsDeeperThan("", 1));
}

}  // namespace
}  // namespace clearance::token_internal

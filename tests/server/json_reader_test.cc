#include "server/json_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;

TEST(JsonReader, ReadsTypedFieldsAndTreatsNullAsAbsent) {
  absl::StatusOr<JsonBody> body = JsonBody::Parse(
      R"({"name":"a","n":7,"k":"123","b":true,"o":{"x":"y"},"arr":["p","q"],"z":null})");
  ASSERT_TRUE(body.ok()) << body.status();
  JsonObject root = body->root();
  EXPECT_EQ(*root.RequiredString("name"), "a");
  EXPECT_EQ(**root.OptionalInt("n"), 7);
  EXPECT_EQ(**root.OptionalInt("k"), 123);  // keys arrive as strings
  EXPECT_EQ(**root.OptionalBool("b"), true);
  EXPECT_FALSE(root.OptionalString("z")->has_value());
  EXPECT_FALSE(root.OptionalString("missing")->has_value());
  EXPECT_FALSE(root.Has("z"));
  std::optional<JsonObject> o = *root.OptionalObject("o");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(*o->RequiredString("x"), "y");
  EXPECT_EQ(o->PathOf("x"), "o.x");
  EXPECT_EQ(*(*root.OptionalArray("arr"))->Strings(), (std::vector<std::string>{"p", "q"}));
}

TEST(JsonReader, NamesTheFieldAndTheTypesOnAMismatch) {
  absl::StatusOr<JsonBody> body =
      JsonBody::Parse(R"({"filter":{"ownerId":5},"ids":["a",3],"key":"12x"})");
  ASSERT_TRUE(body.ok());
  std::optional<JsonObject> filter = *body->root().OptionalObject("filter");
  absl::Status s = filter->OptionalString("ownerId").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "filter.ownerId: expected a string, found a number");
  s = (*body->root().OptionalArray("ids"))->Strings().status();
  EXPECT_EQ(s.message(), "ids[1]: expected a string, found a number");
  s = body->root().OptionalInt("key").status();
  EXPECT_THAT(s.message(), HasSubstr("key: expected an integer"));
  s = body->root().RequiredString("name").status();
  EXPECT_EQ(s.message(), "name: No name provided; expected a string");
}

TEST(JsonReader, RefusesWhatIsNotOneJsonObject) {
  for (std::string_view bad : {"", "[]", "\"s\"", "{", "{\"a\":1}x", "{\"a\":\"\xFF\"}"}) {
    absl::StatusOr<JsonBody> body = JsonBody::Parse(bad);
    EXPECT_EQ(body.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(body.status().message(), HasSubstr("request body")) << bad;
  }
  EXPECT_TRUE(JsonBody::Parse("", /*empty_is_object=*/true).ok());
}

}  // namespace
}  // namespace clearance::server

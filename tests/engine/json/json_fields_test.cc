#include "clearance/internal/json_fields.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(JsonFields, ReadsTypedMembersByName) {
  simdjson::dom::parser parser;
  absl::StatusOr<JsonObject> root = ParseJsonObject(
      parser, R"({"s":"a","i":-7,"u":7,"b":true,"o":{"x":"y"},"arr":["p","q"],"z":null})", {});
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root->RequiredString("s"), "a");
  EXPECT_EQ(*root->RequiredInt("i"), -7);
  EXPECT_EQ(*root->RequiredUint("u"), 7u);
  EXPECT_EQ(**root->OptionalBool("b"), true);
  EXPECT_FALSE(root->OptionalString("missing")->has_value());
  absl::StatusOr<JsonObject> o = root->RequiredObject("o");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->PathOf("x"), "o.x");
  EXPECT_EQ(*root->RequiredArray("arr")->Strings(), (std::vector<std::string>{"p", "q"}));
  std::vector<std::string> strings;
  EXPECT_TRUE(root->ReadStrings("arr", &strings).ok());
  EXPECT_EQ(strings.size(), 2u);
  EXPECT_EQ(root->Keys().size(), 7u);
}

TEST(JsonFields, ErrorsNameThePathWhatWasExpectedAndWhatWasFound) {
  simdjson::dom::parser parser;
  absl::StatusOr<JsonObject> root = ParseJsonObject(
      parser, R"({"f":{"owner":5},"ids":["a",3],"n":-1,"k":"12"})", {.document = "body"});
  ASSERT_TRUE(root.ok());
  absl::Status s = root->RequiredObject("f")->RequiredString("owner").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), "f.owner: expected a string, found a number");
  EXPECT_EQ(Message(root->RequiredArray("ids")->Strings().status()),
            "ids[1]: expected a string, found a number");
  EXPECT_EQ(Message(root->RequiredUint("n").status()), "n: is -1; expected a non-negative integer");
  EXPECT_EQ(Message(root->RequiredString("name").status()), "name: is missing; expected a string");
  // Digits in a string are an integer only where the reader says so.
  EXPECT_EQ(Message(root->RequiredInt("k").status()), "k: expected an integer, found a string");
}

TEST(JsonFields, OptionsSayHowNullsIntegersAndMissingFieldsRead) {
  simdjson::dom::parser parser;
  const std::string text = R"({"z":null,"k":"123","bad":"12x"})";
  absl::StatusOr<JsonObject> lenient = ParseJsonObject(
      parser, text, {.integers_as_strings = true, .camunda_missing = true});
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient->Has("z"));
  EXPECT_EQ(*lenient->RequiredInt("k"), 123);
  EXPECT_THAT(Message(lenient->RequiredInt("bad").status()),
              HasSubstr("bad: expected an integer (a number or a string of decimal digits)"));
  EXPECT_EQ(Message(lenient->RequiredString("z").status()), "z: No z provided; expected a string");

  simdjson::dom::parser strict_parser;
  absl::StatusOr<JsonObject> strict =
      ParseJsonObject(strict_parser, text, {.null_is_absent = false});
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->Has("z"));
  EXPECT_EQ(Message(strict->RequiredString("z").status()), "z: expected a string, found null");
}

TEST(JsonFields, CheckMembersRefusesUnknownRepeatedAndMissingMembers) {
  simdjson::dom::parser parser;
  auto check = [&](std::string_view text, bool all_required) {
    absl::StatusOr<JsonObject> root =
        ParseJsonObject(parser, text, {.null_is_absent = false});
    if (!root.ok()) return root.status();
    return root->CheckMembers({"a", "b"}, all_required);
  };
  EXPECT_TRUE(check(R"({"a":1,"b":2})", true).ok());
  EXPECT_TRUE(check(R"({"a":1})", false).ok());
  EXPECT_EQ(Message(check(R"({"a":1,"c":2})", false)), "c: unknown field; expected only a, b");
  EXPECT_EQ(Message(check(R"({"a":1,"a":2})", false)), "a: given twice; expected it at most once");
  EXPECT_EQ(Message(check(R"({"a":1})", true)), "b: is missing; expected every one of a, b");
}

TEST(JsonFields, ForEachMemberReportsWhichMembersWereGiven) {
  simdjson::dom::parser parser;
  absl::StatusOr<JsonObject> root = ParseJsonObject(parser, R"({"b":"x","a":null})", {});
  ASSERT_TRUE(root.ok());
  static constexpr std::string_view kNames[] = {"a", "b", "c"};
  std::vector<size_t> seen;
  absl::StatusOr<uint64_t> given =
      root->ForEachMember(kNames, [&](size_t index, const JsonValue& value) {
        seen.push_back(index);
        return value.StringView().status();
      });
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, 2u);  // only "b": a null counts as absent here
  EXPECT_EQ(seen, std::vector<size_t>{1});
}

TEST(JsonFields, RefusesWhatIsNotOneJsonObject) {
  for (std::string_view bad : {"", "[]", "\"s\"", "{", "{\"a\":1}x", "{\"a\":\"\xFF\"}"}) {
    absl::StatusOr<JsonDocument> document = JsonDocument::Parse(bad, {.document = "input"});
    EXPECT_EQ(document.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Message(document.status()), HasSubstr("input: ")) << bad;
  }
  EXPECT_EQ(Message(JsonDocument::Parse("[]", {.document = "input"}).status()),
            "input: expected a JSON object, found an array");
  EXPECT_TRUE(JsonDocument::Parse(" ", {.empty_is_object = true}).ok());
}

}  // namespace
}  // namespace clearance

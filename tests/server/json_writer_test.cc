#include "server/json_writer.h"

#include <string>

#include "gtest/gtest.h"
#include "simdjson.h"

namespace clearance::server {
namespace {

bool ParsesAsJson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(json).get(root) == simdjson::SUCCESS;
}

TEST(JsonWriter, PlacesCommasInNestedContainers) {
  JsonWriter w;
  w.BeginObject();
  w.Field("a", 1);
  w.Key("b");
  w.BeginArray();
  w.String("x");
  w.Int(-2);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Bool(false);
  w.Null();
  w.EndArray();
  w.Field("c", true);
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",-2,{},[],false,null],"c":true})");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.String("q\"b\\n\nt\tz\x01\x7f");
  EXPECT_EQ(w.str(), R"("q\"b\\n\nt\tz\u0001\u007f")");
  EXPECT_TRUE(ParsesAsJson(w.str()));
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  JsonWriter w;
  w.BeginArray();
  w.String("caf\xC3\xA9 \xF0\x9F\x94\x91");  // é and a 4-byte emoji pass through
  w.String("bad \xFF end");                   // a byte that starts nothing
  w.String("trunc \xE2\x82");                 // a truncated 3-byte sequence
  w.String("over \xC0\xAF");                  // an overlong '/'
  w.String("surrogate \xED\xA0\x80");         // an encoded UTF-16 surrogate
  w.EndArray();
  EXPECT_EQ(w.str(),
            "[\"caf\xC3\xA9 \xF0\x9F\x94\x91\",\"bad \xEF\xBF\xBD end\",\"trunc "
            "\xEF\xBF\xBD\xEF\xBF\xBD\",\"over \xEF\xBF\xBD\xEF\xBF\xBD\",\"surrogate "
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"]");
  EXPECT_TRUE(ParsesAsJson(w.str()));  // simdjson validates UTF-8
}

TEST(JsonWriter, WritesNumbersExactly) {
  JsonWriter w;
  w.BeginArray();
  w.Uint(18446744073709551615u);
  w.Int(-9223372036854775807 - 1);
  w.Double(0.5);
  w.Double(1.0 / 0.0);
  w.EndArray();
  EXPECT_EQ(w.str(), "[18446744073709551615,-9223372036854775808,0.5,null]");
}

TEST(JsonWriter, RawInsertsAValue) {
  JsonWriter w;
  w.BeginObject();
  w.Key("doc");
  w.Raw(R"({"x":[1]})");
  w.Field("y", "z");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"doc":{"x":[1]},"y":"z"})");
}

}  // namespace
}  // namespace clearance::server

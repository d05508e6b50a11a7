// ClaimsReader: one validating pass that collects the values each claim path reaches.
#include "index/claims_reader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "random_world.h"

namespace clearance::index_internal {
namespace {

using ::testing::ElementsAre;

class ClaimsReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* paths[] = {"sub",      "$.realm.roles", "$.realm.roles[*]",
                           "$.org[*]", "$.a[1].b",      "$['we.ird']"};
    for (int i = 0; i < 6; ++i) trie_.Add(*ClaimPath::Compile(paths[i]), i);
  }
  // "slot:kind:value" for every reached value; arrays list their elements.
  std::vector<std::string> Read(std::string_view json,
                                ClaimsTrust trust = ClaimsTrust::kUntrusted) {
    std::vector<std::string> out;
    ReadResult r = reader_.Read(json, trie_, trust);
    if (r != ReadResult::kOk) return {r == ReadResult::kMalformed ? "malformed" : "not object"};
    for (const ReachedValue& v : reader_.reached()) {
      std::string s = std::to_string(v.slot) + ":";
      switch (v.kind) {
        case ValueKind::kString:
          s += "s=" + std::string(v.str);
          break;
        case ValueKind::kNull:
          s += "null";
          break;
        case ValueKind::kOther:
          s += "other";
          break;
        case ValueKind::kArray:
          s += "[";
          for (uint32_t i = v.elem_begin; i < v.elem_end; ++i) {
            const ArrayElement& e = reader_.elements()[i];
            s += e.kind == ValueKind::kString ? std::string(e.str) : std::string("_");
            s += ";";
          }
          s += "]";
          break;
      }
      out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  ClaimTrie trie_;
  ClaimsReader reader_;
};

TEST_F(ClaimsReaderTest, CollectsWhatEachPathReaches) {
  EXPECT_THAT(Read(R"({"sub":"al\u0069ce","realm":{"roles":["a",["b"],3,"c"]}})"),
              ElementsAre("0:s=alice", "1:[a;_;_;c;]", "2:[b;]", "2:other", "2:s=a", "2:s=c"));
  EXPECT_THAT(Read(R"({"org":{"x":"1","y":null},"a":[{"b":1},{"b":"two"}],"we.ird":"w"})"),
              ElementsAre("3:null", "3:s=1", "4:s=two", "5:s=w"));
  EXPECT_THAT(Read(R"({"sub":null,"other":{"sub":"nested is not top level"}})"),
              ElementsAre("0:null"));
}

TEST_F(ClaimsReaderTest, ValidatesTheWholeDocument) {
  EXPECT_THAT(Read(R"({"x":{"deep":[{"k":1,"k":2}]}})"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"a":1,"\u0061":2})"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"sub":"x"}{})"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"n":-})"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"([{"a":1,"a":1}])"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"([{"a":1}])"), ElementsAre("not object"));
  EXPECT_THAT(Read(R"("sub")"), ElementsAre("not object"));
  // Many members: the hashed duplicate check.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_THAT(Read(many + "\"sub\":\"s\"}"), ElementsAre("0:s=s"));
  EXPECT_THAT(Read(many + "\"k17\":1}"), ElementsAre("malformed"));
}

// An object of `n` members named name(i), valued i, then the members of `extra` (JSON text).
template <typename Name>
std::string ObjectOf(int n, Name name, const std::string& extra = "") {
  std::string json = "{";
  for (int i = 0; i < n; ++i) {
    if (i > 0) json += ",";
    json += "\"" + name(i) + "\":" + std::to_string(i);
  }
  if (!extra.empty()) json += (n > 0 ? "," : "") + extra;
  return json + "}";
}

// Names past the per-object filter (ClaimsReader::kFilteredNames = 64 members) are checked by the
// whole-object pass; a repeat is refused wherever its two occurrences fall, in the claims object
// (reached by paths) and in a subtree no path reaches, with both front ends.
TEST_F(ClaimsReaderTest, RefusesRepeatedNamesInLargeObjects) {
  const auto k = [](int i) { return "k" + std::to_string(i); };
  for (int n : {63, 64, 65, 200}) {
    SCOPED_TRACE(n);
    EXPECT_THAT(Read(ObjectOf(n, k, R"("sub":"s")")), ElementsAre("0:s=s"));
    EXPECT_THAT(Read(R"({"x":)" + ObjectOf(n, k) + R"(,"sub":"s"})"), ElementsAre("0:s=s"));
    for (int first : {0, 5, n - 1}) {
      // The repeat is the last member: after the filter's reach when n >= 64.
      const std::string repeat = "\"" + k(first) + "\":null";
      EXPECT_THAT(Read(ObjectOf(n, k, repeat)), ElementsAre("malformed")) << first;
      EXPECT_THAT(Read(R"({"x":[)" + ObjectOf(n, k, repeat) + R"(],"sub":"s"})"),
                  ElementsAre("malformed"))
          << first;
    }
  }
  // Both occurrences past the first 64 members.
  const auto late = [&k](int i) { return i == 150 ? k(120) : k(i); };
  EXPECT_THAT(Read(ObjectOf(200, late)), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"x":{"y":)" + ObjectOf(200, late) + "}}"), ElementsAre("malformed"));
}

// Distinct names with the same length and the same first, middle and last bytes share a NameTag:
// the filters only send them to a full compare, which tells them apart.
TEST_F(ClaimsReaderTest, NamesSharingATagAreComparedInFull) {
  const auto tagged = [](int i) {
    return std::string("a") + static_cast<char>('A' + i % 26) + "b" +
           static_cast<char>('A' + i / 26) + "c";
  };
  ASSERT_EQ(NameTag(tagged(0)), NameTag(tagged(1)));
  ASSERT_EQ(NameTag("we.ird"), NameTag("wabicd"));
  ASSERT_EQ(NameTag("realm"), NameTag("rxaxm"));
  ASSERT_EQ(NameTag("roles"), NameTag("rxlxs"));
  for (int n : {2, 40, 64, 65, 300}) {
    SCOPED_TRACE(n);
    EXPECT_THAT(Read(ObjectOf(n, tagged, R"("sub":"s")")), ElementsAre("0:s=s"));
    EXPECT_THAT(Read(R"({"o":)" + ObjectOf(n, tagged) + "}"), ElementsAre());
    EXPECT_THAT(Read(ObjectOf(n, tagged, "\"" + tagged(n / 2) + "\":1")), ElementsAre("malformed"));
    EXPECT_THAT(Read(R"({"o":)" + ObjectOf(n, tagged, "\"" + tagged(n - 1) + "\":1") + "}"),
                ElementsAre("malformed"));
  }
  // A name whose tag is the path's, but not the path's name, reaches nothing.
  EXPECT_THAT(Read(R"({"wabicd":"x","rxaxm":{"roles":["a"]},"realm":{"rxlxs":["b"]}})"),
              ElementsAre());
  EXPECT_THAT(Read(R"({"wabicd":"x","we.ird":"w"})"), ElementsAre("5:s=w"));
  EXPECT_THAT(Read(R"({"wabicd":"x","we.ird":"y","wabicd":"z"})"), ElementsAre("malformed"));
  // The empty name, and a name equal to another only once unescaped.
  EXPECT_THAT(Read(R"({"":1,"sub":"s"})"), ElementsAre("0:s=s"));
  EXPECT_THAT(Read(R"({"":1,"sub":"s","":2})"), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"sub":"s","s\u0075b":"t"})"), ElementsAre("malformed"));
}

// Claims a TokenVerifier accepted skip the duplicate-name check and the subtrees no path
// reaches; on every document the full check accepts, they must collect exactly the same values.
TEST_F(ClaimsReaderTest, PrevalidatedReadsCollectTheSameValues) {
  index_test::WorldShape shape;
  int compared = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    index_test::RandomWorld world(seed, shape);
    for (int i = 0; i < 1000; ++i) {
      const std::string json = world.RandomClaims();
      const std::vector<std::string> full = Read(json);
      if (full == std::vector<std::string>{"malformed"}) continue;
      ++compared;
      ASSERT_EQ(Read(json, ClaimsTrust::kPrevalidated), full) << json;
    }
  }
  EXPECT_GT(compared, 15000);
  // Still parsed: bytes that are not JSON are refused, not read.
  EXPECT_THAT(Read(R"({"sub":"x")", ClaimsTrust::kPrevalidated), ElementsAre("malformed"));
  EXPECT_THAT(Read(R"({"sub":"x","n":1e999})", ClaimsTrust::kPrevalidated),
              ElementsAre("malformed"));
}

}  // namespace
}  // namespace clearance::index_internal

// The UTF-8 rule every stored string follows, and how error messages show values.
#include "model/utf8.h"

#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace clearance::model_internal {
namespace {

using ::testing::HasSubstr;

TEST(Utf8Test, AcceptsWellFormedText) {
  for (std::string_view s :
       {std::string_view(""), std::string_view("plain"),
        std::string_view("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
        std::string_view("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), std::string_view("nul\0inside", 10)}) {
    EXPECT_TRUE(CheckUtf8("name", s).ok()) << s;
  }
}

TEST(Utf8Test, RefusesWhatRfc3629Forbids) {
  struct Case {
    std::string_view text;
    size_t offset;
  };
  for (const Case& c :
       {Case{"\x80", 0}, Case{"ab\xbf", 2}, Case{"\xc0\xaf", 0}, Case{"\xc1\xbf", 0},
        Case{"x\xe0\x80\xaf", 1}, Case{"\xed\xa0\x80", 0}, Case{"\xf4\x90\x80\x80", 0},
        Case{"\xf5\x80\x80\x80", 0}, Case{"ok\xc3", 2}, Case{"\xe2\x82", 0}, Case{"\xff", 0}}) {
    EXPECT_EQ(FirstInvalidUtf8(c.text), c.offset) << c.text;
    absl::Status s = CheckUtf8("description", c.text);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("description: is not valid UTF-8"));
    EXPECT_THAT(s.message(), HasSubstr("at offset " + std::to_string(c.offset)));
  }
}

// The hand-written rule (it reports where the text breaks) agrees with simdjson's validator,
// the one snapshots are read with, on random bytes biased towards almost-valid sequences.
TEST(Utf8Test, AgreesWithSimdjson) {
  std::mt19937_64 rng(42);
  static constexpr unsigned char kBytes[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
                                             0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed,
                                             0xef, 0xf0, 0xf4, 0xf5, 0xff};
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    for (size_t n = rng() % 8; n > 0; --n) s.push_back(static_cast<char>(kBytes[rng() % 19]));
    ASSERT_EQ(FirstInvalidUtf8(s) == std::string_view::npos,
              simdjson::validate_utf8(s.data(), s.size()))
        << testing::PrintToString(s);
  }
}

TEST(Utf8Test, QuotedEscapesWhatWouldBreakAMessage) {
  EXPECT_EQ(Quoted("ops"), "'ops'");
  EXPECT_EQ(Quoted(std::string_view("a\0b", 3)), "'a\\x00b'");
  EXPECT_EQ(Quoted("tab\there\n"), "'tab\\x09here\\x0a'");
  EXPECT_EQ(Quoted("back\\slash"), "'back\\\\slash'");
  EXPECT_EQ(Quoted("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(Quoted("bad\xff\xc3"), "'bad\\xff\\xc3'");
  EXPECT_EQ(Quoted("\x7f"), "'\\x7f'");
}

}  // namespace
}  // namespace clearance::model_internal

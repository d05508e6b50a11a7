#include "internal/base64url.h"

#include <string>

#include "gtest/gtest.h"

namespace clearance::token_internal {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("=+/"), std::string::npos);
    std::string decoded;
    ASSERT_TRUE(Base64UrlDecode(encoded, &decoded)) << i;
    EXPECT_EQ(decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 0xf0));
  }
}

TEST(Base64UrlTest, KnownValues) {
  std::string out;
  ASSERT_TRUE(Base64UrlDecode("eyJhbGciOiJub25lIn0", &out));
  EXPECT_EQ(out, "{\"alg\":\"none\"}");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RefusesNonCanonicalInput) {
  std::string out;
  EXPECT_FALSE(Base64UrlDecode("QQ==", &out));  // padding
  EXPECT_FALSE(Base64UrlDecode("QQ=", &out));
  EXPECT_FALSE(Base64UrlDecode("Q", &out));   // impossible length
  EXPECT_FALSE(Base64UrlDecode("QR", &out));  // non-zero unused bits ("QQ" is canonical)
  EXPECT_TRUE(Base64UrlDecode("QQ", &out));
  EXPECT_FALSE(Base64UrlDecode("QUF", &out));  // non-zero unused bits ("QUE" is canonical)
  EXPECT_TRUE(Base64UrlDecode("QUE", &out));
  EXPECT_FALSE(Base64UrlDecode("QU E", &out));  // whitespace
  EXPECT_FALSE(Base64UrlDecode("QU\nE", &out));
  EXPECT_FALSE(Base64UrlDecode("+/8A", &out));  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode(std::string("QU\0E", 4), &out));
  EXPECT_FALSE(Base64UrlDecode("QUFB\xc3\xa9", &out));
}

TEST(Base64UrlTest, RespectsOutputCapacity) {
  uint8_t buf[3];
  size_t len = 0;
  EXPECT_TRUE(Base64UrlDecode("QUFB", buf, sizeof buf, &len));
  EXPECT_EQ(len, 3u);
  EXPECT_FALSE(Base64UrlDecode("QUFBQQ", buf, sizeof buf, &len));
  EXPECT_EQ(Base64UrlDecodedSize(5), SIZE_MAX);
  EXPECT_EQ(Base64UrlDecodedSize(6), 4u);
}

}  // namespace
}  // namespace clearance::token_internal

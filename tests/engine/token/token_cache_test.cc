// The verified-token cache: hits, expiry, key generations, full-token comparison, bounds.
// (Allocation counts are in alloc_test.cc, a binary of its own.)
#include "internal/token_cache.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace clearance::token_internal {
namespace {

std::shared_ptr<const VerifiedToken> Token(std::string claims) {
  auto t = std::make_shared<VerifiedToken>();
  t->claims_json = std::move(claims);
  return t;
}

TEST(VerifiedTokenCacheTest, HitsOnlyTheSameTokenUnderTheSameGenerationBeforeExpiry) {
  VerifiedTokenCache cache(64);
  std::shared_ptr<const VerifiedToken> out;
  const std::string token(1000, 'x');
  EXPECT_FALSE(cache.Lookup(token, 0, 1, &out));
  cache.Insert(token, Token("a"), /*expires_at=*/100, /*generation=*/1, /*now=*/0);
  ASSERT_TRUE(cache.Lookup(token, 99, 1, &out));
  EXPECT_EQ(out->claims_json, "a");
  EXPECT_FALSE(cache.Lookup(token, 100, 1, &out));  // exp is exclusive
  EXPECT_FALSE(cache.Lookup(token, 50, 2, &out));   // key ring changed
  std::string near = token;
  near.back() = 'y';  // same length, same prefix
  EXPECT_FALSE(cache.Lookup(near, 0, 1, &out));
  EXPECT_FALSE(cache.Lookup(token.substr(1), 0, 1, &out));
}

TEST(VerifiedTokenCacheTest, CountsHitsAndMisses) {
  VerifiedTokenCache cache(64);
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_FALSE(cache.Lookup("t", 0, 1, &out));  // absent
  cache.Insert("t", Token("a"), 100, 1, 0);
  EXPECT_TRUE(cache.Lookup("t", 1, 1, &out));
  EXPECT_TRUE(cache.Lookup("t", 2, 1, &out));
  EXPECT_FALSE(cache.Lookup("t", 100, 1, &out));  // expired
  EXPECT_FALSE(cache.Lookup("t", 3, 2, &out));    // stale generation
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(VerifiedTokenCacheTest, ExpiredEntriesAreNotInserted) {
  VerifiedTokenCache cache(64);
  cache.Insert("t", Token("a"), 100, 1, 100);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VerifiedTokenCacheTest, IsBounded) {
  VerifiedTokenCache cache(64);
  for (int i = 0; i < 5000; ++i) cache.Insert("token-" + std::to_string(i), Token("c"), 1000, 1, 0);
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 16u);
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_TRUE(cache.Lookup("token-4999", 0, 1, &out));  // the newest is present
}

TEST(VerifiedTokenCacheTest, ZeroCapacityDisables) {
  VerifiedTokenCache cache(0);
  cache.Insert("t", Token("a"), 100, 1, 0);
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_FALSE(cache.Lookup("t", 0, 1, &out));
}

}  // namespace
}  // namespace clearance::token_internal

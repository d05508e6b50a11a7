// "A claims cache hit allocates nothing", counted: this binary links clearance_alloc_counter's
// counting operator new (tests/support/alloc_counter.h). It is its own executable, built only
// without sanitizers (ASan and TSan must own operator new themselves).
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "gtest/gtest.h"
#include "index/claims_cache.h"

namespace clearance::index_internal {
namespace {

TEST(ClaimsCacheAllocationTest, AHitOrAMissAllocatesNothing) {
  ASSERT_TRUE(support::AllocationsCounted()) << "built without the counting operator new";
  ClaimsCache cache(4);
  std::vector<std::string> docs;
  for (int i = 0; i < 4; ++i) {
    docs.push_back(R"({"sub":"u)" + std::to_string(i) + R"(","pad":")" + std::string(900, 'x') +
                   R"("})");
    ClaimsCache::Entry* e = cache.Admit(docs.back(), ClaimsCache::Hash(docs.back()));
    ASSERT_NE(e, nullptr);
    e->generation = i + 1;
  }
  const std::string unknown = R"({"sub":"nobody"})";
  const size_t unknown_hash = ClaimsCache::Hash(unknown);
  const uint64_t before = support::AllocationCount();
  for (int round = 0; round < 100; ++round) {
    for (const std::string& d : docs) ASSERT_NE(cache.Find(d, ClaimsCache::Hash(d)), nullptr);
    ASSERT_EQ(cache.Find(unknown, unknown_hash), nullptr);
  }
  EXPECT_EQ(support::AllocationCount() - before, 0u);
}

// A full cache takes a document no larger than the one it evicts into that one's allocation.
TEST(ClaimsCacheAllocationTest, AnEvictedEntryIsReusedInPlace) {
  ASSERT_TRUE(support::AllocationsCounted()) << "built without the counting operator new";
  ClaimsCache cache(2);
  auto doc = [](int i) { return R"({"sub":"u)" + std::to_string(i % 10) + R"("})"; };
  for (int i = 0; i < 2; ++i) ASSERT_NE(cache.Admit(doc(i), ClaimsCache::Hash(doc(i))), nullptr);
  const uint64_t before = support::AllocationCount();
  for (int i = 2; i < 10; ++i) {
    const std::string d = doc(i);  // short: no allocation of its own
    // Asked for until it outweighs an entry (a full cache admits by frequency).
    bool admitted = false;
    for (int sight = 0; sight < 32 && !admitted; ++sight) {
      ASSERT_EQ(cache.Find(d, ClaimsCache::Hash(d)), nullptr);
      admitted = cache.Admit(d, ClaimsCache::Hash(d)) != nullptr;
    }
    ASSERT_TRUE(admitted) << i;
  }
  EXPECT_EQ(support::AllocationCount() - before, 0u);
}

}  // namespace
}  // namespace clearance::index_internal

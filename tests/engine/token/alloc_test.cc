// "A cache hit allocates nothing", counted: this binary links clearance_alloc_counter's counting
// operator new (tests/support/alloc_counter.h). It is its own executable, built only without
// sanitizers (ASan and TSan must own operator new themselves).
#include <memory>
#include <string>

#include "alloc_counter.h"
#include "clearance/token.h"
#include "gtest/gtest.h"
#include "internal/token_cache.h"
#include "test_util.h"

namespace clearance::token_internal {
namespace {

TEST(AllocationTest, CacheLookupDoesNotAllocate) {
  ASSERT_TRUE(support::AllocationsCounted()) << "built without the counting operator new";
  VerifiedTokenCache cache(64);
  const std::string token(1024, 't');
  auto entry = std::make_shared<VerifiedToken>();
  cache.Insert(token, entry, 100, 1, 0);
  std::shared_ptr<const VerifiedToken> out;
  const uint64_t before = support::AllocationCount();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(cache.Lookup(token, 1, 1, &out));
  EXPECT_EQ(support::AllocationCount() - before, 0u);
}

TEST(AllocationTest, VerifierCacheHitDoesNotAllocate) {
  ASSERT_TRUE(support::AllocationsCounted()) << "built without the counting operator new";
  token_test::FakeClock clock(token_test::Minted().now);
  auto v = TokenVerifier::Create(token_test::MintedOptions(&clock));
  ASSERT_TRUE(v.ok());
  const std::string& token = token_test::Minted().tokens.front().token;
  std::shared_ptr<const VerifiedToken> out;
  ASSERT_EQ((*v)->Verify(token, &out), TokenError::kOk);
  out.reset();
  const uint64_t before = support::AllocationCount();
  for (int i = 0; i < 1000; ++i) {
    std::shared_ptr<const VerifiedToken> hit;
    ASSERT_EQ((*v)->Verify(token, &hit), TokenError::kOk);
  }
  EXPECT_EQ(support::AllocationCount() - before, 0u);
}

}  // namespace
}  // namespace clearance::token_internal

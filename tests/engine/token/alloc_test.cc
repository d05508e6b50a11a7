// "A cache hit allocates nothing", counted: this binary replaces the global operator new with a
// counting one. It is its own executable, built only without sanitizers (ASan and TSan must own
// operator new themselves).
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "clearance/token.h"
#include "gtest/gtest.h"
#include "internal/token_cache.h"
#include "test_util.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// The replacements pair operator new with malloc and operator delete with free, which is correct;
// GCC's heuristic sees only "free of a pointer from operator new" once they are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace clearance::token_internal {
namespace {

TEST(AllocationTest, CacheLookupDoesNotAllocate) {
  VerifiedTokenCache cache(64);
  const std::string token(1024, 't');
  auto entry = std::make_shared<VerifiedToken>();
  cache.Insert(token, entry, 100, 1, 0);
  std::shared_ptr<const VerifiedToken> out;
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(cache.Lookup(token, 1, 1, &out));
  EXPECT_EQ(g_allocations.load() - before, 0u);
}

TEST(AllocationTest, VerifierCacheHitDoesNotAllocate) {
  token_test::FakeClock clock(token_test::Minted().now);
  auto v = TokenVerifier::Create(token_test::MintedOptions(&clock));
  ASSERT_TRUE(v.ok());
  const std::string& token = token_test::Minted().tokens.front().token;
  std::shared_ptr<const VerifiedToken> out;
  ASSERT_EQ((*v)->Verify(token, &out), TokenError::kOk);
  out.reset();
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    std::shared_ptr<const VerifiedToken> hit;
    ASSERT_EQ((*v)->Verify(token, &hit), TokenError::kOk);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
}

}  // namespace
}  // namespace clearance::token_internal

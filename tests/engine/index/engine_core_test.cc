// EngineCore (engine_core.h): the per-thread reader state behind every check.
#include "index/engine_core.h"

#include <memory>
#include <string_view>

#include "gtest/gtest.h"
#include "index/generation_writer.h"

namespace clearance::index_internal {
namespace {

// A generation with one mapping rule, so a claims caller has both profiles (P and M).
std::shared_ptr<const Generation> OneRuleGeneration() {
  auto empty = GenerationWriter::Empty(std::make_shared<StringPool>(), 2, 16);
  GenerationWriter writer(*empty);
  writer.SetConfiguration(Configuration{});
  writer.Put(Row{MappingRule{"m1", "$.roles", "ops", "r", {}}});
  writer.SetInitialized();
  return writer.Finish(/*compact=*/true);
}

CheckRequest ReadDefinition() {
  CheckRequest r;
  r.resource_type = ResourceType::kProcessDefinition;
  r.permission = Permission::kReadProcessDefinition;
  return r;
}

// With the smallest profile cache, a first check builds each profile once, and the claims
// cache's entry shares exactly the profiles the subject was decided with (none freed between).
TEST(EngineCoreTest, AFirstClaimsCheckBuildsEachProfileOnce) {
  EngineOptions options;
  options.profile_cache_capacity = 2;
  EngineCore core(options, OneRuleGeneration());
  ThreadState& ts = core.Reader();
  constexpr std::string_view kClaims = R"({"sub":"alice","roles":["ops"]})";
  core.DecideClaims(ts, kClaims, ClaimsTrust::kUntrusted, ReadDefinition());
  EXPECT_EQ(ts.cache.builds(), 2u);  // P and M
  ClaimsCache::Entry* e = ts.claims_cache.Find(kClaims, ClaimsCache::Hash(kClaims));
  ASSERT_NE(e, nullptr);
  ASSERT_NE(e->p, nullptr);
  ASSERT_NE(e->m, nullptr);
  EXPECT_EQ(ts.subject.p, e->p.get());
  EXPECT_EQ(ts.subject.m, e->m.get());
}

// Resolve() then Freeze() (Engine::Resolve): the handle shares the profiles just attached.
TEST(EngineCoreTest, AHandleSharesTheProfilesResolveAttached) {
  EngineOptions options;
  options.profile_cache_capacity = 2;
  EngineCore core(options, OneRuleGeneration());
  ThreadState& ts = core.Reader();
  core.Resolve(ts, Caller::Kind::kClaims, R"({"sub":"alice","roles":["ops"]})");
  const std::shared_ptr<const ResolvedPrincipal> r = core.Freeze(ts);
  EXPECT_EQ(ts.cache.builds(), 2u);
  ASSERT_NE(r->p, nullptr);
  ASSERT_NE(r->m, nullptr);
  EXPECT_EQ(ts.subject.p, r->p.get());
  EXPECT_EQ(r->subject.p, r->p.get());
  EXPECT_EQ(r->subject.m, r->m.get());
}

}  // namespace
}  // namespace clearance::index_internal

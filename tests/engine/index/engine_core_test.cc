// EngineCore (engine_core.h): the per-thread reader state behind every check.
#include "index/engine_core.h"

#include <latch>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clearance/engine.h"
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

// An engine of `users` users with `grants` authorizations each, built from rows.
std::unique_ptr<Engine> LargeEngine(int users, int grants) {
  EngineBuilder builder;
  builder.SetConfiguration(Configuration{});
  AuthorizationKey key = 1;
  for (int u = 0; u < users; ++u) {
    const std::string name = "u" + std::to_string(u);
    builder.Add(Row{User{name, "", "", ""}});
    for (int g = 0; g < grants; ++g) {
      Authorization a;
      a.key = key++;
      a.owner_type = OwnerType::kUser;
      a.owner_id = name;
      a.resource_type = ResourceType::kProcessDefinition;
      a.scope = Scope::Id("p" + std::to_string(g));
      a.permissions = Bit(Permission::kReadProcessDefinition);
      builder.Add(Row{std::move(a)});
    }
  }
  builder.SetNextAuthorizationKey(key);
  builder.SetInitialized();
  absl::StatusOr<std::unique_ptr<Engine>> engine = std::move(builder).Finish();
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

// Claims checks for every user on `threads` threads, which then stay alive until `release`:
// their reader state for the engine stays theirs to hold until the engine is destroyed.
class ReadingThreads {
 public:
  ReadingThreads(const Engine& engine, int threads, int users) : checked_(threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &engine, users] {
        CheckRequest request = ReadDefinition();
        request.resource_ids = {"p1"};
        for (int u = 0; u < users; ++u) {
          const std::string claims = R"({"sub":"u)" + std::to_string(u) + R"("})";
          if (!engine.CheckClaims(claims, request).allowed()) ++refused_;
        }
        checked_.count_down();
        release_.wait();
      });
    }
    checked_.wait();
  }
  ~ReadingThreads() { Join(); }
  void Join() {
    if (threads_.empty()) return;
    release_.count_down();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  int refused() const { return refused_.load(); }

 private:
  std::latch checked_;
  std::latch release_{1};
  std::atomic<int> refused_{0};
  std::vector<std::thread> threads_;
};

// Destroying an engine frees the reader state of every thread that read it (claims and profile
// caches, claims parser, pinned generation), also on threads that keep running.
TEST(EngineCoreTest, DestroyingTheEngineFreesEveryThreadsReaderState) {
  constexpr int kThreads = 4;
  constexpr int kUsers = 2000;
  const size_t before = LiveThreadStates();
  std::unique_ptr<Engine> engine = LargeEngine(kUsers, 20);
  ASSERT_NE(engine, nullptr);
  ReadingThreads readers(*engine, kThreads, kUsers);
  EXPECT_EQ(readers.refused(), 0);
  EXPECT_EQ(LiveThreadStates(), before + kThreads);
  engine.reset();
  EXPECT_EQ(LiveThreadStates(), before) << "reader state outlived its engine";
  readers.Join();
  EXPECT_EQ(LiveThreadStates(), before);
}

// The same at the core: no thread's state keeps the engine's generation alive after it.
TEST(EngineCoreTest, NoThreadPinsAGenerationAfterItsEngine) {
  std::shared_ptr<const Generation> initial = OneRuleGeneration();
  const std::weak_ptr<const Generation> generation = initial;
  auto core = std::make_unique<EngineCore>(EngineOptions{}, std::move(initial));
  std::latch read(2);
  std::latch release(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      core->DecideClaims(core->Reader(), R"({"sub":"alice","roles":["ops"]})",
                         ClaimsTrust::kUntrusted, ReadDefinition());
      read.count_down();
      release.wait();
    });
  }
  read.wait();
  core.reset();
  EXPECT_TRUE(generation.expired()) << "a reader thread still holds the generation";
  release.count_down();
  for (std::thread& t : threads) t.join();
}

// A thread that exits frees its state while the engine lives on; the engine's destruction then
// frees only what is left (a double free here fails under ASan).
TEST(EngineCoreTest, AnExitingThreadFreesItsReaderState) {
  const size_t before = LiveThreadStates();
  auto core = std::make_unique<EngineCore>(EngineOptions{}, OneRuleGeneration());
  std::thread reader([&] { core->Reader(); });
  reader.join();
  EXPECT_EQ(LiveThreadStates(), before);
  core->Reader();  // this thread's state stays until the engine goes
  EXPECT_EQ(LiveThreadStates(), before + 1);
  core.reset();
  EXPECT_EQ(LiveThreadStates(), before);
}

// One thread reading engines in turn keeps one state per live engine and the right one for each,
// also after another engine is destroyed and a new one created.
TEST(EngineCoreTest, OneThreadKeepsAStatePerLiveEngine) {
  const size_t before = LiveThreadStates();
  auto a = std::make_unique<EngineCore>(EngineOptions{}, OneRuleGeneration());
  auto b = std::make_unique<EngineCore>(EngineOptions{}, OneRuleGeneration());
  ThreadState* in_a = &a->Reader();
  ThreadState* in_b = &b->Reader();
  EXPECT_NE(in_a, in_b);
  EXPECT_EQ(&a->Reader(), in_a);
  EXPECT_EQ(&b->Reader(), in_b);
  EXPECT_EQ(LiveThreadStates(), before + 2);
  a.reset();
  EXPECT_EQ(LiveThreadStates(), before + 1);
  EXPECT_EQ(&b->Reader(), in_b);
  auto c = std::make_unique<EngineCore>(EngineOptions{}, OneRuleGeneration());
  c->Reader();
  EXPECT_EQ(&b->Reader(), in_b);
  EXPECT_EQ(LiveThreadStates(), before + 2);
  b.reset();
  c.reset();
  EXPECT_EQ(LiveThreadStates(), before);
}

}  // namespace
}  // namespace clearance::index_internal

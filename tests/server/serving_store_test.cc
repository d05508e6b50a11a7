#include "clearance/serving_store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "server_test_util.h"

namespace clearance {
namespace {

using server_test::MustExecute;
using server_test::OpenBasicStore;
using server_test::TempDir;

Group MakeGroup(std::string id) { return {id, "Group " + id, ""}; }

CheckRequest ReadGroup(std::string id) {
  CheckRequest r;
  r.resource_type = ResourceType::kGroup;
  r.permission = Permission::kRead;
  r.resource_ids = {std::move(id)};
  return r;
}

TEST(ServingStore, AnAppliedCommandReachesStateAndEngineBeforeExecuteReturns) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = OpenBasicStore(dir);
  ASSERT_NE(store, nullptr);
  const PrincipalHandle bob = store->engine().Resolve(Caller::BasicUser("bob"));
  EXPECT_FALSE(store->engine().Check(bob, ReadGroup("g1")).allowed());
  const uint64_t before = store->generation();

  AuthorizationSpec spec;
  spec.owner_type = OwnerType::kUser;
  spec.owner_id = "bob";
  spec.resource_type = ResourceType::kGroup;
  spec.resource_id = "*";
  spec.permissions = Bit(Permission::kRead);
  absl::StatusOr<ApplyResult> r = store->Execute(CreateAuthorization{spec});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, ApplyResult::Outcome::kApplied) << r->refusal;
  EXPECT_TRUE(r->changes.first_put_authorization_key().has_value());

  EXPECT_EQ(store->generation(), before + 1);
  const PrincipalHandle bob_now = store->engine().Resolve(Caller::BasicUser("bob"));
  EXPECT_TRUE(store->engine().Check(bob_now, ReadGroup("g1")).allowed());
  bool seen = false;
  store->Read([&](const IdentityState& s) { seen = !s.AuthorizationsOwnedBy(OwnerType::kUser, "bob").empty(); });
  EXPECT_TRUE(seen);
}

TEST(ServingStore, ARefusedCommandChangesNothing) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = OpenBasicStore(dir);
  ASSERT_NE(store, nullptr);
  MustExecute(*store, CreateGroup{MakeGroup("g1")});
  const uint64_t generation = store->generation();
  absl::StatusOr<ApplyResult> r = store->Execute(CreateGroup{MakeGroup("g1")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, ApplyResult::Outcome::kRefused);
  EXPECT_EQ(r->refusal.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store->generation(), generation);
  EXPECT_EQ(store->stats().refused, 1u);
}

TEST(ServingStore, PasswordHashesFollowUserWrites) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = OpenBasicStore(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->PasswordHashOf("admin"), std::string(server_test::kSecretHash));
  EXPECT_FALSE(store->PasswordHashOf("carol").has_value());
  const std::string other = "$2b$04$" + std::string(53, 'a');
  MustExecute(*store, CreateUser{{"carol", "Carol", "", other}});
  EXPECT_EQ(store->PasswordHashOf("carol"), other);
  MustExecute(*store, UpdateUser{{"carol", "Carol", "", std::string(server_test::kSecretHash)}});
  EXPECT_EQ(store->PasswordHashOf("carol"), std::string(server_test::kSecretHash));
  MustExecute(*store, DeleteUser{"carol"});
  EXPECT_FALSE(store->PasswordHashOf("carol").has_value());
}

// Writers that arrive while a batch cannot start (a reader holds the state) are written together:
// the first leads a batch of its own, everyone queued behind it goes in the next one.
TEST(ServingStore, WritersQueuedBehindABatchShareTheNextOne) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = OpenBasicStore(dir);
  ASSERT_NE(store, nullptr);
  const ServingStats before = store->stats();
  std::mutex mu;
  std::condition_variable cv;
  bool reading = false, release = false;
  std::thread reader([&] {
    store->Read([&](const IdentityState&) {
      std::unique_lock<std::mutex> lock(mu);
      reading = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return reading; });
  }
  constexpr int kWriters = 8;
  std::atomic<int> applied{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      absl::StatusOr<ApplyResult> r = store->Execute(CreateGroup{MakeGroup("q" + std::to_string(i))});
      if (r.ok() && r->outcome == ApplyResult::Outcome::kApplied) ++applied;
    });
  }
  // No writer can finish while the reader holds the state; give them time to queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(store->stats().batches, before.batches);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  reader.join();
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(applied.load(), kWriters);
  const ServingStats after = store->stats();
  EXPECT_EQ(after.commands - before.commands, uint64_t{kWriters});
  EXPECT_EQ(after.batches - before.batches, 2u);
}

// Many writers at once: every command is answered as if it ran alone (each id once applied,
// each duplicate refused), everything is durable after reopening, and the writes were grouped
// into no more batches than commands.
TEST(ServingStore, ConcurrentWritersAreGroupedAndEachAnsweredExactly) {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  {
    std::unique_ptr<ServingStore> store = OpenBasicStore(dir);
    ASSERT_NE(store, nullptr);
    const ServingStats before = store->stats();
    std::atomic<int> applied{0}, refused{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Threads t and t^1 race for the same ids: exactly one of each pair applies.
          const std::string id = "g" + std::to_string(t / 2) + "-" + std::to_string(i);
          absl::StatusOr<ApplyResult> r = store->Execute(CreateGroup{MakeGroup(id)});
          if (!r.ok()) {
            ++failed;
          } else if (r->outcome == ApplyResult::Outcome::kApplied) {
            ++applied;
          } else if (r->refusal.code() == absl::StatusCode::kAlreadyExists) {
            ++refused;
          } else {
            ++failed;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(applied.load(), kThreads / 2 * kPerThread);
    EXPECT_EQ(refused.load(), kThreads / 2 * kPerThread);
    const ServingStats after = store->stats();
    EXPECT_EQ(after.commands - before.commands, uint64_t{kThreads * kPerThread});
    EXPECT_TRUE(store->health().ok());
  }
  ServingOptions options;
  absl::StatusOr<std::unique_ptr<ServingStore>> reopened =
      ServingStore::Open(dir.Sub("store"), options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  size_t groups = 0;
  (*reopened)->Read([&](const IdentityState& s) { groups = s.groups().size(); });
  EXPECT_EQ(groups, size_t{kThreads / 2 * kPerThread});
}

}  // namespace
}  // namespace clearance

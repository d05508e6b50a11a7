// ServingStore's writes beyond the server's commands: log positions, Write() sequences (the
// record ingestor's path), the one failure policy (an engine failure after a commit poisons the
// object; reopening recovers) and the generation it serves across reopening.
#include "clearance/serving_store.h"

#include <new>
#include <string>

#include "gtest/gtest.h"
#include "store_test_util.h"

namespace clearance {

// Replaces the engine step of a ServingStore (its private test seam).
class ServingStoreTestPeer {
 public:
  static void ReplaceEngineStep(ServingStore& store,
                                std::function<absl::Status(Engine&, const ChangeSet&)> step) {
    store.ReplaceEngineStepForTesting(std::move(step));
  }
};

namespace {

using storage_test::TempDir;

ServingOptions Options() {
  ServingOptions options;
  options.store.sync = false;
  return options;
}

std::unique_ptr<ServingStore> MustOpen(const std::string& path) {
  absl::StatusOr<std::unique_ptr<ServingStore>> store = ServingStore::Open(path, Options());
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

Command NewGroup(const std::string& id) { return CreateGroup{Group{id, "Group " + id, ""}}; }

ApplyResult::Outcome MustOutcome(absl::StatusOr<ApplyResult> r) {
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->outcome : ApplyResult::Outcome::kSkipped;
}

bool HasGroup(const ServingStore& store, const std::string& id) {
  bool found = false;
  store.Read([&](const IdentityState& s) { found = s.groups().contains(id); });
  return found;
}

// The decision the engine gives user "u" reading group "g1": a grant created by GrantRead().
bool CanRead(const ServingStore& store) {
  CheckRequest request;
  request.resource_type = ResourceType::kGroup;
  request.permission = Permission::kRead;
  request.resource_ids = {"g1"};
  return store.engine().Check(Caller::BasicUser("u"), request).allowed();
}

Command GrantRead() {
  AuthorizationSpec spec;
  spec.owner_type = OwnerType::kUser;
  spec.owner_id = "u";
  spec.resource_type = ResourceType::kGroup;
  spec.resource_id = "*";
  spec.permissions = Bit(Permission::kRead);
  return CreateAuthorization{spec};
}

void Populate(ServingStore& store) {
  Configuration config;
  config.mode = AuthMode::kBasic;
  ASSERT_EQ(MustOutcome(store.Execute(Configure{config})), ApplyResult::Outcome::kApplied);
  ASSERT_EQ(MustOutcome(store.Execute(Initialize{})), ApplyResult::Outcome::kApplied);
  // bcrypt (cost 4) of "secret".
  const std::string hash = "$2b$04$vU4svV8uucLQwVQoenDUlOTw5M06vwb0I.VGBWy1Q4m9ajPAasZ4O";
  ASSERT_EQ(MustOutcome(store.Execute(CreateUser{{"u", "U", "", hash}})),
            ApplyResult::Outcome::kApplied);
}

TEST(ServingStoreWrites, LogPositionsSkipWhatWasAppliedAndRecordRefusals) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  Populate(*store);
  EXPECT_EQ(store->applied_position(), std::nullopt);
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("a"), 10)), ApplyResult::Outcome::kApplied);
  EXPECT_EQ(store->applied_position(), 10u);
  const uint64_t generation = store->generation();
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("b"), 10)), ApplyResult::Outcome::kSkipped);
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("b"), 7)), ApplyResult::Outcome::kSkipped);
  EXPECT_FALSE(HasGroup(*store, "b"));
  EXPECT_EQ(store->generation(), generation);
  // A refusal with a position records the position.
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("a"), 12)), ApplyResult::Outcome::kRefused);
  EXPECT_EQ(store->applied_position(), 12u);
  EXPECT_EQ(store->generation(), generation);
  store.reset();
  store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->applied_position(), 12u);
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("b"), 12)), ApplyResult::Outcome::kSkipped);
}

TEST(ServingStoreWrites, AWriteSequenceAppliesEachCommandToStateAndEngineInTurn) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  Populate(*store);
  const uint64_t before = store->generation();
  absl::Status s = store->Write([&](ServingStore::Writer& w) -> absl::Status {
    EXPECT_FALSE(w.state().groups().contains("g1"));
    absl::StatusOr<ApplyResult> r = w.Apply(NewGroup("g1"), 1);
    if (!r.ok()) return r.status();
    // The next step sees the state (and the engine) the previous one left.
    EXPECT_TRUE(w.state().groups().contains("g1"));
    EXPECT_EQ(store->engine().generation(), before + 1);
    r = w.Apply(GrantRead(), 2);
    if (!r.ok()) return r.status();
    EXPECT_TRUE(CanRead(*store));
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(store->generation(), before + 2);
  EXPECT_EQ(store->applied_position(), 2u);
  EXPECT_EQ(store->stats().applied, 5u);  // Populate's three and these two
}

TEST(ServingStoreWrites, AnEngineFailureAfterACommitPoisonsAndReopeningRecovers) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  Populate(*store);
  ASSERT_EQ(MustOutcome(store->Execute(NewGroup("g1"))), ApplyResult::Outcome::kApplied);
  const uint64_t generation = store->generation();
  ServingStoreTestPeer::ReplaceEngineStep(*store, [](Engine&, const ChangeSet&) {
    return absl::InternalError("injected engine failure");
  });

  absl::StatusOr<ApplyResult> r = store->Execute(GrantRead(), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("injected engine failure"), absl::string_view::npos);
  EXPECT_NE(r.status().message().find("reopen"), absl::string_view::npos) << r.status();
  EXPECT_EQ(store->health(), r.status());
  // Decisions answer from the last good generation.
  EXPECT_EQ(store->generation(), generation);
  EXPECT_FALSE(CanRead(*store));

  // Every later write is refused with the same error, and changes nothing.
  ServingStoreTestPeer::ReplaceEngineStep(*store, nullptr);
  absl::StatusOr<ApplyResult> later = store->Execute(NewGroup("g2"));
  EXPECT_EQ(later.status(), r.status());
  bool called = false;
  absl::Status write = store->Write([&](ServingStore::Writer&) {
    called = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(write, r.status());
  EXPECT_FALSE(called);
  EXPECT_FALSE(HasGroup(*store, "g2"));

  // Reopening serves what is durable: the grant whose engine step failed, not the refused group.
  store.reset();
  store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->health().ok());
  EXPECT_TRUE(CanRead(*store));
  EXPECT_FALSE(HasGroup(*store, "g2"));
  EXPECT_EQ(store->applied_position(), 5u);
  EXPECT_EQ(store->generation(), generation + 1);
  EXPECT_EQ(MustOutcome(store->Execute(NewGroup("g2"))), ApplyResult::Outcome::kApplied);
}

TEST(ServingStoreWrites, AnEngineFailureInsideAWriteSequenceStopsIt) {
  TempDir dir;
  std::unique_ptr<ServingStore> store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  Populate(*store);
  ServingStoreTestPeer::ReplaceEngineStep(*store, [](Engine&, const ChangeSet&) -> absl::Status {
    throw std::bad_alloc();
  });
  int steps = 0;
  absl::Status s = store->Write([&](ServingStore::Writer& w) -> absl::Status {
    for (const char* id : {"a", "b"}) {
      ++steps;
      absl::StatusOr<ApplyResult> r = w.Apply(NewGroup(id), std::nullopt);
      if (!r.ok()) return r.status();
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(s.message().find("Engine::Apply threw"), absl::string_view::npos) << s;
  EXPECT_EQ(store->health(), s);
  // The queue is not left waiting on the failed writer.
  EXPECT_EQ(store->Execute(NewGroup("c")).status(), s);
  store.reset();
  store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(HasGroup(*store, "a"));
  EXPECT_FALSE(HasGroup(*store, "b"));
  EXPECT_FALSE(HasGroup(*store, "c"));
}

// The served generation is the store's count plus one: it grows by one per applied command and
// never goes back, also across reopening.
TEST(ServingStoreWrites, TheGenerationContinuesAcrossReopening) {
  TempDir dir;
  uint64_t last = 0;
  for (int session = 0; session < 3; ++session) {
    std::unique_ptr<ServingStore> store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    SCOPED_TRACE(session);
    EXPECT_EQ(store->generation(), session == 0 ? 1u : last);
    EXPECT_EQ(store->engine().Resolve(Caller::BasicUser("u")).generation(), store->generation());
    if (session == 0) Populate(*store);
    const uint64_t before = store->generation();
    EXPECT_EQ(MustOutcome(store->Execute(NewGroup("s" + std::to_string(session)))),
              ApplyResult::Outcome::kApplied);
    EXPECT_EQ(MustOutcome(store->Execute(NewGroup("s" + std::to_string(session)))),
              ApplyResult::Outcome::kRefused);
    EXPECT_EQ(store->generation(), before + 1);
    last = store->generation();
  }
  EXPECT_EQ(last, 1u + 3u + 3u);  // Populate's three commands and one group per session
}

}  // namespace
}  // namespace clearance

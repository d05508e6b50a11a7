// Store: open/apply/reopen round trips, log positions, group commit, checkpoints, Verify, the
// bulk path, and the refusals of Open (schema version, foreign databases, missing stores).
#include "clearance/store.h"

#include <algorithm>
#include <memory>
#include <string>

#include "clearance/engine.h"
#include "clearance/store_engine.h"
#include "gtest/gtest.h"
#include "internal/keys.h"
#include "internal/rows.h"
#include "random_commands.h"
#include "raw_db.h"
#include "reference/reference_evaluator.h"
#include "rocksdb/env.h"
#include "store_test_util.h"

namespace clearance::storage_test {
namespace {

using Outcome = ApplyResult::Outcome;

AuthorizationSpec Grant(OwnerType type, std::string owner, std::string resource_id) {
  AuthorizationSpec s;
  s.owner_type = type;
  s.owner_id = std::move(owner);
  s.resource_type = ResourceType::kProcessDefinition;
  s.resource_id = std::move(resource_id);
  s.permissions = Bit(Permission::kReadProcessDefinition);
  return s;
}

// A small initialized store with a member -> group -> role -> tenant chain and a mapping rule.
void Populate(Store& store) {
  Configuration config;
  config.client_id_claim = "azp";
  config.tenant_checks_enabled = true;
  MustApply(store, Configure{config});
  MustApply(store, Initialize{});
  MustApply(store, CreateGroup{Group{"eng", "Engineering", ""}});
  MustApply(store, CreateRole{Role{"dev", "Developer", "writes code"}});
  MustApply(store, CreateTenant{Tenant{"acme", "Acme", ""}});
  MappingRule rule;
  rule.id = "eng-rule";
  rule.claim_name = "$.realm[*]";
  rule.claim_value = "eng";
  rule.name = "Engineers";
  MustApply(store, CreateMappingRule{rule});
  MustApply(store, AddMember{Membership{ContainerType::kGroup, "eng", MemberType::kClient, "ci"}});
  MustApply(store, AddMember{Membership{ContainerType::kRole, "dev", MemberType::kGroup, "eng"}});
  MustApply(store, AddMember{Membership{ContainerType::kTenant, "acme", MemberType::kRole, "dev"}});
  MustApply(store, AddMember{Membership{ContainerType::kRole, "dev", MemberType::kMappingRule,
                                        "eng-rule"}});
  MustApply(store, CreateAuthorization{Grant(OwnerType::kRole, "dev", "invoice")});
  MustApply(store, CreateAuthorization{Grant(OwnerType::kClient, "solo", "*")});
}

std::vector<reference::Verdict> Answers(const IdentityState& state) {
  std::vector<reference::Verdict> out;
  for (std::string claims : {R"({"azp":"ci"})", R"({"azp":"solo"})",
                             R"({"azp":"x","realm":["eng"]})", R"({"sub":"nobody"})"}) {
    for (std::string tenant : {"", "acme", "other"}) {
      CheckRequest r;
      r.resource_type = ResourceType::kProcessDefinition;
      r.permission = Permission::kReadProcessDefinition;
      r.resource_ids = {"invoice"};
      r.tenant_id = tenant;
      out.push_back(reference::Check(state, Caller::Claims(claims), r));
    }
  }
  return out;
}

void ExpectSameAnswers(const std::vector<reference::Verdict>& a,
                       const std::vector<reference::Verdict>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].decision, b[i].decision) << i;
    EXPECT_EQ(a[i].message, b[i].message) << i;
    EXPECT_EQ(a[i].grants, b[i].grants) << i;
    EXPECT_EQ(a[i].matching_rules, b[i].matching_rules) << i;
  }
}

// Rows of the derived family as a schema-1 build wrote them (storage/FORMAT.md, version 1):
// the closure of CLIENT ci ({eng}, {dev}, {acme}) and one claim-value index entry.
std::string V1Ordered(std::string s) { return s + std::string("\0\x01", 2); }
std::string V1ClosureKey() {
  return std::string("e") + static_cast<char>(MemberType::kClient) + V1Ordered("ci");
}
std::string V1ClosureValue() {
  return std::string("\x01\x03") + "eng" + "\x01\x03" + "dev" + "\x01\x04" + "acme";
}
std::string V1ClaimIndexKey() {
  return "v" + V1Ordered("$.realm[*]") + V1Ordered("eng") + V1Ordered("eng-rule");
}

TEST(StoreTest, OpenApplyCloseOpenGivesTheSameStateAndAnswers) {
  TempDir dir;
  IdentityState before;
  uint64_t generation = 0;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->generation(), 0u);
    EXPECT_FALSE(store->applied_position().has_value());
    Populate(*store);
    before = store->state();
    generation = store->generation();
  }
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == before);
  EXPECT_EQ(store->generation(), generation);
  EXPECT_EQ(generation, 12u);
  // Mapping rules come back with their compiled path.
  EXPECT_EQ(store->state().FindMappingRule("eng-rule")->path.steps().size(), 2u);
  ExpectSameAnswers(Answers(store->state()), Answers(before));
  EXPECT_EQ(Answers(before)[1].decision.outcome, ::clearance::Outcome::kAllow);  // ci on acme
  absl::StatusOr<VerifyReport> report = store->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->differences.front();
  EXPECT_GT(report->source_rows, 10u);
}

TEST(StoreTest, CommandsAtOrBelowTheAppliedPositionAreSkipped) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    MustApply(*store, Initialize{}, 10);
    EXPECT_EQ(store->applied_position(), 10u);
    absl::StatusOr<ApplyResult> r = store->Apply(CreateGroup{Group{"g", "G", ""}}, 10);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kSkipped);
    r = store->Apply(CreateGroup{Group{"g", "G", ""}}, 3);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kSkipped);
    EXPECT_EQ(store->state().FindGroup("g"), nullptr);
    EXPECT_EQ(store->generation(), 1u);
    // A refused command still consumes its position: replaying it would refuse it again.
    r = store->Apply(CreateGroup{Group{"bad id!", "G", ""}}, 11);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kRefused);
    EXPECT_EQ(r->refusal.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(store->applied_position(), 11u);
    // Commands without a position are never skipped and leave the position alone.
    MustApply(*store, CreateGroup{Group{"g", "G", ""}});
    EXPECT_EQ(store->applied_position(), 11u);
  }
  auto store = MustOpen(dir.path());
  EXPECT_EQ(store->applied_position(), 11u);
  EXPECT_EQ(store->generation(), 2u);
  // Replaying the log after a restart converges: everything up to 11 is skipped.
  for (uint64_t p = 1; p <= 11; ++p) {
    absl::StatusOr<ApplyResult> r = store->Apply(DeleteGroup{"g"}, p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kSkipped) << p;
  }
  EXPECT_NE(store->state().FindGroup("g"), nullptr);
  MustApply(*store, DeleteGroup{"g"}, 12);
  EXPECT_EQ(store->state().FindGroup("g"), nullptr);
}

TEST(StoreTest, ApplyBatchCommitsAllCommandsAsOneGroup) {
  TempDir dir;
  std::vector<LoggedCommand> batch = {
      {Initialize{}, 1},
      {CreateGroup{Group{"g", "G", ""}}, 2},
      {CreateGroup{Group{"g", "G", ""}}, 3},  // duplicate: refused
      {AddMember{Membership{ContainerType::kGroup, "g", MemberType::kUser, "u"}}, 4},
      {CreateGroup{Group{"h", "H", ""}}, 4},  // position already reached: skipped
      {CreateAuthorization{Grant(OwnerType::kGroup, "g", "*")}, std::nullopt},
  };
  IdentityState expected;
  {
    auto store = MustOpen(dir.path());
    absl::StatusOr<std::vector<ApplyResult>> results = store->ApplyBatch(batch);
    ASSERT_TRUE(results.ok()) << results.status();
    ASSERT_EQ(results->size(), batch.size());
    EXPECT_EQ((*results)[0].outcome, Outcome::kApplied);
    EXPECT_EQ((*results)[1].outcome, Outcome::kApplied);
    EXPECT_EQ((*results)[2].outcome, Outcome::kRefused);
    EXPECT_EQ((*results)[2].refusal.code(), absl::StatusCode::kAlreadyExists);
    EXPECT_EQ((*results)[3].outcome, Outcome::kApplied);
    EXPECT_EQ((*results)[4].outcome, Outcome::kSkipped);
    EXPECT_EQ((*results)[5].outcome, Outcome::kApplied);
    EXPECT_TRUE((*results)[5].changes.first_put_authorization_key().has_value());
    EXPECT_EQ(store->applied_position(), 4u);
    EXPECT_EQ(store->generation(), 4u);
    expected = store->state();
  }
  auto store = MustOpen(dir.path());
  EXPECT_TRUE(store->state() == expected);
  EXPECT_TRUE(store->Verify()->ok());
}

TEST(StoreTest, CheckpointOfALiveStoreOpensToTheSameState) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("live"));
  Populate(*store);
  ASSERT_TRUE(store->Checkpoint(dir.Sub("backup")).ok());
  MustApply(*store, DeleteGroup{"eng"});  // later changes do not reach the checkpoint
  auto backup = MustOpen(dir.Sub("backup"));
  ASSERT_NE(backup, nullptr);
  EXPECT_NE(backup->state().FindGroup("eng"), nullptr);
  EXPECT_EQ(backup->generation(), store->generation() - 1);
  EXPECT_TRUE(backup->Verify()->ok());
  EXPECT_FALSE(store->Checkpoint(dir.Sub("backup")).ok()) << "the directory exists";
}

TEST(StoreTest, VerifyReportsEveryTamperedIndexKeyAndDerivedRow) {
  TempDir dir;
  Authorization some;
  {
    auto store = MustOpen(dir.path());
    Populate(*store);
    some = store->state().authorizations().begin()->second;
  }
  {
    RawDb raw(dir.path());
    using namespace storage_internal;
    // A dropped authorization index key, a membership index key with no row, and a row in the
    // derived family, which schema 2 keeps empty.
    raw.Delete(kAuthorizationsFamily, AuthorizationByOwnerKey(some));
    raw.Put(kMembershipsFamily,
            MembershipByMemberKey(
                Membership{ContainerType::kGroup, "eng", MemberType::kUser, "ghost"}),
            "");
    raw.Put(kDerivedFamily, V1ClosureKey(), V1ClosureValue());
  }
  auto store = MustOpen(dir.path());
  absl::StatusOr<VerifyReport> report = store->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->differences.size(), 3u) << testing::PrintToString(report->differences);
  std::string all = testing::PrintToString(report->differences);
  EXPECT_NE(all.find("authorization index key"), std::string::npos);
  EXPECT_NE(all.find("membership index key"), std::string::npos);
  EXPECT_NE(all.find("retired derived family holds 1 rows"), std::string::npos);
  EXPECT_EQ(report->derived_rows, 1u);
}

// Makes the store at `path` what a schema-1 build left: schema version 1 and the derived rows
// it kept for Populate()'s state (the closure of CLIENT ci and the claim-value index entry of
// eng-rule, in storage/FORMAT.md's version-1 encoding).
void MakeVersion1(const std::string& path) {
  RawDb raw(path);
  using namespace storage_internal;
  raw.Put(kMetaFamily, std::string(kMetaSchemaVersion), EncodeFixed64(1));
  raw.Put(kDerivedFamily, V1ClosureKey(), V1ClosureValue());
  raw.Put(kDerivedFamily, V1ClaimIndexKey(), "");
}

uint64_t StoredSchemaVersion(const std::string& path) {
  RawDb raw(path);
  std::string value;
  EXPECT_TRUE(raw.db()
                  ->Get(rocksdb::ReadOptions(), raw.family(storage_internal::kMetaFamily),
                        std::string(storage_internal::kMetaSchemaVersion), &value)
                  .ok());
  uint64_t v = 0;
  EXPECT_TRUE(storage_internal::DecodeFixed64(value, &v));
  return v;
}

uint64_t DerivedFamilyRows(const std::string& path) {
  RawDb raw(path);
  std::unique_ptr<rocksdb::Iterator> it(
      raw.db()->NewIterator(rocksdb::ReadOptions(), raw.family(storage_internal::kDerivedFamily)));
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  EXPECT_TRUE(it->status().ok());
  return n;
}

TEST(StoreTest, AReadOnlyOpenOfAVersion1StoreReadsItsSourceRowsAndChangesNothing) {
  TempDir dir;
  IdentityState expected;
  {
    auto store = MustOpen(dir.path());
    Populate(*store);
    expected = store->state();
  }
  MakeVersion1(dir.path());
  StoreOptions options;
  options.read_only = true;
  {
    auto store = MustOpen(dir.path(), options);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->state() == expected);
    absl::StatusOr<VerifyReport> report = store->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
    EXPECT_EQ(report->derived_rows, 2u);
  }
  EXPECT_EQ(StoredSchemaVersion(dir.path()), 1u);
  EXPECT_EQ(DerivedFamilyRows(dir.path()), 2u);
}

TEST(StoreTest, AWritingOpenOfAVersion1StoreDropsItsDerivedRowsAndWritesVersion2) {
  TempDir dir;
  IdentityState expected;
  {
    auto store = MustOpen(dir.path());
    Populate(*store);
    expected = store->state();
  }
  MakeVersion1(dir.path());
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->state() == expected);
    absl::StatusOr<VerifyReport> report = store->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
    EXPECT_EQ(report->derived_rows, 0u);
  }
  EXPECT_EQ(StoredSchemaVersion(dir.path()), Store::kSchemaVersion);
  EXPECT_EQ(DerivedFamilyRows(dir.path()), 0u);
  // And it stays a version-2 store that serves the same state.
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == expected);
  EXPECT_TRUE(store->Verify()->ok());
  ExpectSameAnswers(Answers(store->state()), Answers(expected));
}

TEST(StoreTest, UnknownSchemaVersionIsDataLoss) {
  TempDir dir;
  { MustOpen(dir.path()); }
  {
    RawDb raw(dir.path());
    raw.Put(storage_internal::kMetaFamily, std::string(storage_internal::kMetaSchemaVersion),
            storage_internal::EncodeFixed64(Store::kSchemaVersion + 1));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.path(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(store.status().message()).find("schema version 3"), std::string::npos)
      << store.status();
}

TEST(StoreTest, UndecodableRowsAreDataLoss) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    Populate(*store);
  }
  {
    RawDb raw(dir.path());
    raw.Put(storage_internal::kEntitiesFamily,
            storage_internal::EntityKey(storage_internal::EntityKind::kGroup, "eng"), "\x05trunc");
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.path(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
}

TEST(StoreTest, AForeignRocksDbIsDataLossAndAMissingStoreIsNotFound) {
  TempDir dir;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.Sub("foreign"), &db).ok());
    delete db;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.Sub("foreign"), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();

  StoreOptions no_create;
  no_create.create_if_missing = false;
  store = Store::Open(dir.Sub("absent"), no_create);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound) << store.status();
}

TEST(StoreTest, ASecondOpenOfTheSameStoreIsUnavailable) {
  TempDir dir;
  auto first = MustOpen(dir.path());
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir.path(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

TEST(StoreTest, UsesTheInjectedEnv) {
  std::unique_ptr<rocksdb::Env> mem(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  StoreOptions options;
  options.env = mem.get();
  const std::string path = "/in-memory/store";
  IdentityState expected;
  {
    auto store = MustOpen(path, options);
    ASSERT_NE(store, nullptr);
    Populate(*store);
    expected = store->state();
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing may reach the real file system";
  auto store = MustOpen(path, options);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == expected);
}

TEST(StoreTest, BulkCreateFromEqualsTheStateAndVerifies) {
  IdentityState state;
  RandomCommands gen(42);
  for (int i = 0; i < 500; ++i) (void)Execute(state, gen.Next(state));  // refusals are fine
  ASSERT_TRUE(state.initialized());
  TempDir dir;
  ASSERT_TRUE(Store::CreateFrom(dir.path(), {}, state, 77).ok());
  EXPECT_EQ(Store::CreateFrom(dir.path(), {}, state, 77).code(),
            absl::StatusCode::kFailedPrecondition);
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == state);
  EXPECT_EQ(store->applied_position(), 77u);
  absl::StatusOr<VerifyReport> report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
  // And it keeps working incrementally.
  (void)store->Apply(gen.Next(store->state()), 78);
  EXPECT_TRUE(store->Verify()->ok());
}

// Rebuilds what it is fed into an IdentityState, and checks the order of the calls.
class RecordingSink : public LoadSink {
 public:
  void Begin(const LoadInfo& begin) override {
    EXPECT_EQ(begins, 0);
    ++begins;
    loaded.configuration = begin.configuration;
    loaded.next_authorization_key = begin.next_authorization_key;
    loaded.initializes = begin.initialized;
    info = begin;
  }
  void Put(const Row& row) override {
    EXPECT_EQ(begins, 1);
    EXPECT_EQ(ends, 0);
    loaded.changes.push_back(RowChange{RowChange::Op::kPut, row});
  }
  void End() override {
    EXPECT_EQ(begins, 1);
    ++ends;
  }
  IdentityState State() const {
    IdentityState state;
    state.Apply(loaded);
    return state;
  }

  int begins = 0;
  int ends = 0;
  LoadInfo info;
  ChangeSet loaded;
};

TEST(StoreTest, ALoadSinkSeesEveryRowOnceOnEitherThread) {
  TempDir dir;
  IdentityState expected;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    Populate(*store);
    RandomCommands gen(7);
    for (int i = 0; i < 200; ++i) (void)store->Apply(gen.Next(store->state()), std::nullopt);
    expected = store->state();
  }
  for (bool thread : {true, false}) {
    SCOPED_TRACE(thread ? "sink thread" : "calling thread");
    StoreOptions options;
    options.load_sink_thread = thread;
    RecordingSink sink;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.path(), options, &sink);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(sink.ends, 1);
    EXPECT_TRUE((*store)->state() == expected);
    EXPECT_TRUE(sink.State() == expected);
    const size_t rows = expected.users().size() + expected.groups().size() +
                        expected.roles().size() + expected.tenants().size() +
                        expected.mapping_rules().size() + expected.memberships().size() +
                        expected.authorizations().size();
    EXPECT_EQ(sink.loaded.changes.size(), rows);  // each row once
    EXPECT_GT(sink.info.estimated_entities + sink.info.estimated_memberships +
                  sink.info.estimated_authorizations,
              0u);
  }
}

TEST(StoreTest, ANewStoreGivesALoadSinkBeginAndEndOnly) {
  TempDir dir;
  RecordingSink sink;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir.path(), {}, &sink);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(sink.begins, 1);
  EXPECT_EQ(sink.ends, 1);
  EXPECT_TRUE(sink.loaded.changes.empty());
  EXPECT_FALSE(sink.info.initialized);
}

// The engine OpenStoreAndEngine builds while loading equals Engine::Create over the loaded
// state: same answers and the same derived rows.
TEST(StoreTest, OpenStoreAndEngineEqualsCreateOverTheOpenedState) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    Populate(*store);
  }
  for (bool thread : {true, false}) {
    StoreOptions options;
    options.load_sink_thread = thread;
    absl::StatusOr<StoreAndEngine> opened = OpenStoreAndEngine(dir.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    std::unique_ptr<Engine> created = *Engine::Create(opened->store->state());
    auto rows = [](const Engine& engine) {
      std::vector<std::string> out;
      engine.ForEachDerivedRow([&](const DerivedRow& r) {
        std::string text = r.kind == DerivedRow::Kind::kClosure ? "closure " : "claim ";
        text += std::string(Name(r.entity.type)) + ":" + r.entity.id + " " + r.claim_path + "=" +
                r.claim_value;
        for (const auto* list : {&r.groups, &r.roles, &r.tenants, &r.rules}) {
          std::vector<std::string> sorted = *list;
          std::sort(sorted.begin(), sorted.end());
          for (const std::string& s : sorted) text += " " + s;
          text += " |";
        }
        out.push_back(std::move(text));
      });
      std::sort(out.begin(), out.end());
      return out;
    };
    EXPECT_EQ(rows(*opened->engine), rows(*created));
    EXPECT_FALSE(rows(*created).empty());
    for (const char* claims : {R"({"azp":"ci"})", R"({"azp":"solo"})",
                               R"({"azp":"x","realm":["eng"]})", R"({"sub":"nobody"})"}) {
      CheckRequest request;
      request.resource_type = ResourceType::kProcessDefinition;
      request.permission = Permission::kReadProcessDefinition;
      request.resource_ids = {"invoice"};
      request.tenant_id = "acme";
      EXPECT_EQ(opened->engine->CheckClaims(claims, request), created->CheckClaims(claims, request))
          << claims;
      EXPECT_EQ(opened->engine->CheckClaims(claims, request),
                reference::Check(opened->store->state(), Caller::Claims(claims), request).decision)
          << claims;
    }
  }
}

}  // namespace
}  // namespace clearance::storage_test

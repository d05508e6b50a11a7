// The streaming import (ImportSnapshotToStore) and the bulk loader under it: tiny sorted runs
// force many spills and a real k-way merge, and the store that comes out must equal the state
// that went in, with index keys that Store::Verify() recomputes identically.
#include <fstream>
#include <sstream>
#include <string>

#include "clearance/bulk_loader.h"
#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "random_commands.h"
#include "store_test_util.h"

namespace clearance {
namespace {

using storage_test::TempDir;
using ::testing::HasSubstr;
using strings_internal::StrCat;

// A random valid state: a few thousand random commands (many refused, which is fine).
IdentityState RandomState(uint64_t seed, int commands) {
  IdentityState state;
  storage_test::RandomCommands random(seed);
  for (int i = 0; i < commands; ++i) {
    absl::StatusOr<ChangeSet> ignored = Execute(state, random.Next(state));  // refusals expected
    (void)ignored;
  }
  return state;
}

std::string Export(const IdentityState& s, std::optional<uint64_t> position) {
  std::ostringstream out;
  EXPECT_TRUE(ExportSnapshot(s, position, &out).ok());
  return out.str();
}

void ExpectStoreHolds(const std::string& path, const IdentityState& state,
                      std::optional<uint64_t> position) {
  StoreOptions options;
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->state() == state);
  EXPECT_EQ((*store)->applied_position(), position);
  absl::StatusOr<VerifyReport> report = (*store)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << (report->differences.empty() ? "" : report->differences[0]);
}

// Differential: the streaming import accepts exactly what the in-memory ImportSnapshot() accepts
// (random command streams also make states that cannot be restored, e.g. users left behind by a
// switch to OIDC; both must refuse those with the same message), and what it accepts it stores
// exactly.
void ExpectSameAsInMemoryImport(uint64_t seed, BulkLoaderOptions loader_options, int* accepted) {
  IdentityState state = RandomState(seed, 3000);
  const std::string text = Export(state, 77);
  std::istringstream in_memory_input(text);
  absl::StatusOr<ImportedSnapshot> in_memory = ImportSnapshot(&in_memory_input);
  TempDir dir;
  std::istringstream in(text);
  absl::StatusOr<StoreImport> imported =
      ImportSnapshotToStore(&in, dir.Sub("db"), {}, nullptr, loader_options);
  ASSERT_EQ(imported.ok(), in_memory.ok()) << "seed " << seed << ": " << imported.status()
                                           << " vs " << in_memory.status();
  if (!imported.ok()) {
    EXPECT_EQ(imported.status(), in_memory.status());
    EXPECT_FALSE(std::filesystem::exists(dir.Sub("db")));
    return;
  }
  ++*accepted;
  EXPECT_EQ(imported->counts, CountsOf(state));
  ExpectStoreHolds(dir.Sub("db"), in_memory->state, 77);
}

TEST(StoreImportTest, ManySpilledRunsMergeIntoTheSameStore) {
  BulkLoaderOptions tiny;
  tiny.run_bytes = 512;  // a few rows per run: dozens of spills per family
  int accepted = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) ExpectSameAsInMemoryImport(seed, tiny, &accepted);
  EXPECT_GE(accepted, 1) << "no restorable state to test the merge";
}

// A state built to be restorable, with every membership level (user -> group -> role -> tenant,
// rules in groups, groups in tenants) and thousands of authorizations, through tiny runs.
TEST(StoreImportTest, BuiltStateWithEveryMembershipLevelSurvivesSpills) {
  IdentityState s;
  Configuration config;
  config.mode = AuthMode::kBasic;
  config.tenant_checks_enabled = true;
  auto run = [&](const Command& c) {
    absl::StatusOr<ChangeSet> cs = Execute(s, c);
    ASSERT_TRUE(cs.ok()) << CommandName(c) << ": " << cs.status();
  };
  run(Configure{config});
  run(Initialize{});
  for (int i = 0; i < 5; ++i) run(CreateTenant{{StrCat("t", i), "T", ""}});
  for (int i = 0; i < 10; ++i) {
    run(CreateRole{{StrCat("r", i), "R", ""}});
    run(AddMember{{ContainerType::kTenant, StrCat("t", i % 5), MemberType::kRole, StrCat("r", i)}});
  }
  for (int i = 0; i < 40; ++i) {
    run(CreateGroup{{StrCat("g", i), "G", "a group"}});
    run(AddMember{{ContainerType::kRole, StrCat("r", i % 10), MemberType::kGroup, StrCat("g", i)}});
    if (i % 3 == 0) {
      run(AddMember{{ContainerType::kTenant, StrCat("t", i % 5), MemberType::kGroup,
                     StrCat("g", i)}});
    }
    run(CreateMappingRule{{StrCat("m", i), "$.groups[*]", StrCat("v", i), "M", {}}});
    run(AddMember{{ContainerType::kGroup, StrCat("g", i), MemberType::kMappingRule,
                   StrCat("m", i)}});
  }
  for (int i = 0; i < 300; ++i) {
    run(CreateUser{{StrCat("u", i), "U", "u@x", std::string(storage_test::kBcryptHash)}});
    run(AddMember{{ContainerType::kGroup, StrCat("g", i % 40), MemberType::kUser, StrCat("u", i)}});
    run(AddMember{{ContainerType::kGroup, StrCat("g", (i * 7 + 1) % 40), MemberType::kUser,
                   StrCat("u", i)}});
    run(AddMember{{ContainerType::kRole, StrCat("r", i % 10), MemberType::kUser, StrCat("u", i)}});
    for (int k = 0; k < 8; ++k) {
      run(CreateAuthorization{{OwnerType::kUser, StrCat("u", i), ResourceType::kProcessDefinition,
                               StrCat("p", i, "-", k), "",
                               Bit(Permission::kReadProcessDefinition)}});
    }
  }
  TempDir dir;
  std::istringstream in(Export(s, 3));
  BulkLoaderOptions tiny;
  tiny.run_bytes = 4096;
  absl::StatusOr<StoreImport> imported = ImportSnapshotToStore(&in, dir.Sub("db"), {}, nullptr, tiny);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectStoreHolds(dir.Sub("db"), s, 3);
}

TEST(StoreImportTest, InMemoryRunsGiveTheSameStore) {
  int accepted = 0;
  for (uint64_t seed = 21; seed <= 26; ++seed) ExpectSameAsInMemoryImport(seed, {}, &accepted);
  EXPECT_GE(accepted, 1);
}

TEST(StoreImportTest, CreateFromEqualsTheState) {
  IdentityState state = RandomState(4, 3000);
  TempDir dir;
  ASSERT_TRUE(Store::CreateFrom(dir.Sub("db"), {}, state, 5).ok());
  ExpectStoreHolds(dir.Sub("db"), state, 5);
}

// Cross-record rules hold in the stream although no row is kept: an authorization whose owner
// does not exist, a membership whose container does not exist. Nothing is left behind.
TEST(StoreImportTest, MissingReferencesAreRefusedWithTheLineAndNothingRemains) {
  IdentityState state;
  Configuration config;
  config.mode = AuthMode::kBasic;
  ASSERT_TRUE(Execute(state, Configure{config}).ok());
  ASSERT_TRUE(Execute(state, Initialize{}).ok());
  ASSERT_TRUE(Execute(state, CreateUser{{"alice", "A", "a@x", std::string(storage_test::kBcryptHash)}}).ok());
  ASSERT_TRUE(Execute(state, CreateGroup{{"ops", "Ops", ""}}).ok());
  ASSERT_TRUE(Execute(state, AddMember{{ContainerType::kGroup, "ops", MemberType::kUser, "alice"}}).ok());
  ASSERT_TRUE(Execute(state, CreateAuthorization{{OwnerType::kUser, "alice",
                                                  ResourceType::kProcessDefinition, "p", "",
                                                  Bit(Permission::kReadProcessDefinition)}})
                  .ok());
  const std::string text = Export(state, 1);
  struct Case {
    std::string from, to, message;
  };
  for (const Case& c : {Case{R"("username":"alice")", R"("username":"alicf")", "USER 'alice' does not exist"},
                        Case{R"("type":"group","id":"ops")", R"("type":"group","id":"opz")",
                             "'ops' does not exist"}}) {
    std::string edited = text;
    size_t at = edited.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    edited.replace(at, c.from.size(), c.to);
    TempDir dir;
    std::istringstream in(edited);
    absl::StatusOr<StoreImport> imported = ImportSnapshotToStore(&in, dir.Sub("db"), {});
    ASSERT_FALSE(imported.ok());
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr("line "));
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr(c.message));
    EXPECT_FALSE(std::filesystem::exists(dir.Sub("db"))) << "a refused import left a store";
  }
  // A damaged trailer is found only at the end, after every row went to disk: still nothing.
  std::string damaged = text.substr(0, text.size() - 3) + "0\"}\n";
  TempDir dir;
  std::istringstream in(damaged);
  EXPECT_FALSE(ImportSnapshotToStore(&in, dir.Sub("db"), {}).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db")));
}

TEST(StoreImportTest, AnExistingStoreIsRefused) {
  IdentityState state = RandomState(5, 200);
  TempDir dir;
  ASSERT_TRUE(Store::CreateFrom(dir.Sub("db"), {}, state, 1).ok());
  std::istringstream in(Export(state, 1));
  absl::StatusOr<StoreImport> imported = ImportSnapshotToStore(&in, dir.Sub("db"), {});
  EXPECT_EQ(imported.status().code(), absl::StatusCode::kFailedPrecondition);
  ExpectStoreHolds(dir.Sub("db"), state, 1);  // and it is untouched
}

// An unfinished loader removes its directory, so it never starts in one holding other files.
TEST(StoreImportTest, ANonEmptyDirectoryIsRefusedAndKept) {
  TempDir dir;
  const std::string keep = dir.Sub("keep.txt");
  { std::ofstream(keep) << "mine"; }
  std::istringstream in(Export(RandomState(5, 100), 1));
  absl::StatusOr<StoreImport> imported = ImportSnapshotToStore(&in, dir.path(), {});
  EXPECT_EQ(imported.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(imported.status().message()), HasSubstr("is not empty"));
  EXPECT_TRUE(std::filesystem::exists(keep));
}

}  // namespace
}  // namespace clearance

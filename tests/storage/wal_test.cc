// Write-ahead log files stay bounded across any number of Open()/close cycles, with or without
// commands in between (RocksDB 7.8 left one more empty *.log behind per idle reopen; see
// Store::Open), reopening never loses an applied command, and a WAL that is missing or shorter
// than what was acknowledged is DATA_LOSS at open, never a store that quietly forgot commands.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "store_test_util.h"
#include "wal_files.h"

namespace clearance::storage_test {
namespace {

using strings_internal::StrCat;

TEST(WalTest, IdleReopensKeepTheWalCountBounded) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    MustApply(*store, Initialize{}, 1);
  }
  for (int cycle = 0; cycle < 20; ++cycle) {
    SCOPED_TRACE(StrCat("cycle ", cycle));
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    // Open() released the previous session's WAL already: a crash now would leave just one.
    EXPECT_EQ(CountWalFiles(dir.path()), 1);
    EXPECT_EQ(store->applied_position(), std::optional<uint64_t>(1));
    EXPECT_TRUE(store->state().initialized());
  }
  EXPECT_LE(CountWalFiles(dir.path()), 2);
}

TEST(WalTest, ReopensWithAndWithoutCommandsKeepTheWalCountBoundedAndLoseNothing) {
  TempDir dir;
  IdentityState expected;
  uint64_t position = 0;
  for (int cycle = 0; cycle < 24; ++cycle) {
    SCOPED_TRACE(StrCat("cycle ", cycle));
    StoreOptions options;
    options.sync = cycle % 2 == 0;
    auto store = MustOpen(dir.path(), options);
    ASSERT_NE(store, nullptr);
    EXPECT_LE(CountWalFiles(dir.path()), 2);
    ASSERT_TRUE(store->state() == expected) << "an applied command was lost";
    EXPECT_EQ(store->applied_position().value_or(0), position);
    if (cycle == 0) MustApply(*store, Initialize{}, ++position);
    // Two sessions in four write nothing, as broker restarts with no traffic do.
    if (cycle % 4 < 2) {
      MustApply(*store, CreateGroup{Group{StrCat("g", cycle), "G", ""}}, ++position);
      std::vector<LoggedCommand> batch;
      batch.push_back({CreateRole{Role{StrCat("r", cycle), "R", ""}}, ++position});
      batch.push_back({AddMember{Membership{ContainerType::kRole, StrCat("r", cycle),
                                            MemberType::kGroup, StrCat("g", cycle)}},
                       ++position});
      absl::StatusOr<std::vector<ApplyResult>> r = store->ApplyBatch(batch);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const ApplyResult& a : *r) ASSERT_EQ(a.outcome, ApplyResult::Outcome::kApplied);
    }
    expected = store->state();
  }
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == expected);
  EXPECT_EQ(store->state().groups().size(), 12u);
  absl::StatusOr<VerifyReport> report = store->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
}

TEST(WalTest, IdleReopensInAnInjectedEnvKeepTheWalCountBounded) {
  std::unique_ptr<rocksdb::Env> mem(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  StoreOptions options;
  options.env = mem.get();
  const std::string path = "/in-memory/store";
  {
    auto store = MustOpen(path, options);
    ASSERT_NE(store, nullptr);
    MustApply(*store, Initialize{}, 1);
  }
  for (int cycle = 0; cycle < 10; ++cycle) {
    auto store = MustOpen(path, options);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->state().initialized());
  }
  EXPECT_LE(CountWalFiles(path, mem.get()), 2);
}

// A store whose last session acknowledged a grant and then its deletion, closed (its WAL holds
// both: nothing is flushed at close), returning the path of that WAL.
std::string StoreWithDeletionInItsWal(const TempDir& dir) {
  {
    auto store = MustOpen(dir.path());
    EXPECT_NE(store, nullptr);
    if (store == nullptr) return "";
    MustApply(*store, Initialize{}, 1);
  }
  auto store = MustOpen(dir.path());
  EXPECT_NE(store, nullptr);
  if (store == nullptr) return "";
  const AuthorizationKey key = store->state().next_authorization_key();
  MustApply(*store, CreateAuthorization{ClientGrant("app")}, 2);
  EXPECT_NE(store->state().FindAuthorization(key), nullptr);
  MustApply(*store, DeleteAuthorization{key}, 3);
  store.reset();
  std::string wal;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".log") && name != "LOG") wal = entry.path().string();
  }
  EXPECT_EQ(CountWalFiles(dir.path()), 1);
  return wal;
}

void ExpectDataLossAtOpen(const std::string& path) {
  StoreOptions options;
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path, options);
  ASSERT_FALSE(store.ok()) << "opened a store whose WAL lost acknowledged commands; position "
                           << (*store)->applied_position().value_or(0);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
}

TEST(WalTest, AWalTruncatedToZeroIsDataLoss) {
  TempDir dir;
  const std::string wal = StoreWithDeletionInItsWal(dir);
  ASSERT_FALSE(wal.empty());
  std::filesystem::resize_file(wal, 0);
  ExpectDataLossAtOpen(dir.path());
}

TEST(WalTest, AWalCutInHalfIsDataLoss) {
  TempDir dir;
  const std::string wal = StoreWithDeletionInItsWal(dir);
  ASSERT_FALSE(wal.empty());
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) / 2);
  ExpectDataLossAtOpen(dir.path());
}

TEST(WalTest, ADeletedWalIsDataLoss) {
  TempDir dir;
  const std::string wal = StoreWithDeletionInItsWal(dir);
  ASSERT_FALSE(wal.empty());
  std::filesystem::remove(wal);
  ExpectDataLossAtOpen(dir.path());
}

// The same store untouched opens with the deletion in place: the checks above refuse only a
// damaged WAL.
TEST(WalTest, AnIntactWalKeepsEveryAcknowledgedCommand) {
  TempDir dir;
  ASSERT_FALSE(StoreWithDeletionInItsWal(dir).empty());
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->applied_position(), std::optional<uint64_t>(3));
  for (const auto& entry : store->state().authorizations()) {
    EXPECT_NE(entry.second.owner_id, "app") << "the deletion was lost";
  }
}

}  // namespace
}  // namespace clearance::storage_test

// One writer at a time, readers beside it: a read-only Store opens and reads while a writer holds
// the store; a second writer waits up to StoreOptions::lock_timeout (on an injected clock) and is
// then refused with UNAVAILABLE naming the holder; a stale holder file is not a lock.
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "gtest/gtest.h"
#include "internal/writer_lock.h"
#include "rocksdb/env.h"
#include "store_test_util.h"

namespace clearance::storage_test {
namespace {

using strings_internal::StrCat;

// The real file system with a clock that moves only when slept on; each sleep first runs
// `on_sleep` (once), so a test decides what happens while a writer waits.
class SteppedClockEnv : public rocksdb::EnvWrapper {
 public:
  SteppedClockEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}
  const char* Name() const override { return "SteppedClockEnv"; }
  uint64_t NowMicros() override { return now_micros_; }
  void SleepForMicroseconds(int micros) override {
    ++sleeps_;
    if (on_sleep_) std::exchange(on_sleep_, nullptr)();
    now_micros_ += static_cast<uint64_t>(micros);
  }

  void OnFirstSleep(std::function<void()> f) { on_sleep_ = std::move(f); }
  uint64_t now_micros() const { return now_micros_; }
  int sleeps() const { return sleeps_; }

 private:
  uint64_t now_micros_ = 1'000'000;
  int sleeps_ = 0;
  std::function<void()> on_sleep_;
};

StoreOptions ReadOnly() {
  StoreOptions o;
  o.read_only = true;
  return o;
}

TEST(WriterLockTest, AReaderOpensAndReadsWhileAWriterHoldsTheStore) {
  TempDir dir;
  auto writer = MustOpen(dir.path());
  ASSERT_NE(writer, nullptr);
  MustApply(*writer, Initialize{}, 1);
  MustApply(*writer, CreateAuthorization{ClientGrant("app")}, 2);
  const size_t grants = writer->state().authorizations().size();

  absl::StatusOr<std::unique_ptr<Store>> reader = Store::Open(dir.path(), ReadOnly());
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->state() == writer->state());
  EXPECT_EQ((*reader)->applied_position(), std::optional<uint64_t>(2));
  absl::StatusOr<VerifyReport> report = (*reader)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);

  // The writer goes on writing while the reader is open; the reader keeps its moment.
  MustApply(*writer, CreateAuthorization{ClientGrant("other")}, 3);
  EXPECT_EQ((*reader)->state().authorizations().size(), grants);
  int rows = 0;
  absl::Status scanned = Store::ScanConsistent(
      dir.path(), ReadOnly(), [](const Store::ScanHeader&) { return absl::OkStatus(); },
      [&](const Row&) {
        ++rows;
        return absl::OkStatus();
      });
  ASSERT_TRUE(scanned.ok()) << scanned;
  EXPECT_GT(rows, 2);
}

TEST(WriterLockTest, AReadOnlyStoreRefusesWrites) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    MustApply(*store, Initialize{}, 1);
  }
  absl::StatusOr<std::unique_ptr<Store>> reader = Store::Open(dir.path(), ReadOnly());
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<ApplyResult> r = (*reader)->Apply(CreateAuthorization{ClientGrant("app")}, 2);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_EQ((*reader)->Flush().code(), absl::StatusCode::kFailedPrecondition);
  auto again = MustOpen(dir.path());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->applied_position(), std::optional<uint64_t>(1));
}

TEST(WriterLockTest, AReadOnlyOpenOfAMissingStoreCreatesNothing) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<Store>> reader = Store::Open(dir.Sub("none"), ReadOnly());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound) << reader.status();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("none")));
}

TEST(WriterLockTest, ASecondWriterIsRefusedWithTheHoldersPid) {
  TempDir dir;
  auto writer = MustOpen(dir.path());
  ASSERT_NE(writer, nullptr);
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir.path(), StoreOptions{});
  ASSERT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_NE(second.status().message().find(StrCat("pid ", getpid())), std::string::npos)
      << second.status();
  EXPECT_NE(second.status().message().find("--lock-timeout"), std::string::npos)
      << second.status();
}

TEST(WriterLockTest, AWriterWaitsUpToTheTimeoutThenIsRefused) {
  TempDir dir;
  SteppedClockEnv env;
  StoreOptions options;
  options.env = &env;
  options.lock_timeout = std::chrono::milliseconds(2000);
  auto writer = MustOpen(dir.path(), options);
  ASSERT_NE(writer, nullptr);
  const uint64_t start = env.now_micros();
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir.path(), options);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_GE(env.now_micros() - start, 2'000'000u) << "gave up before the timeout";
  EXPECT_LT(env.now_micros() - start, 2'100'000u) << "waited past the timeout";
}

TEST(WriterLockTest, AWriterGetsTheStoreWhenTheHolderClosesWithinTheTimeout) {
  TempDir dir;
  SteppedClockEnv env;
  StoreOptions options;
  options.env = &env;
  options.lock_timeout = std::chrono::milliseconds(2000);
  auto writer = MustOpen(dir.path(), options);
  ASSERT_NE(writer, nullptr);
  MustApply(*writer, Initialize{}, 1);
  env.OnFirstSleep([&] { writer.reset(); });
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir.path(), options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GE(env.sleeps(), 1);
  EXPECT_EQ((*second)->applied_position(), std::optional<uint64_t>(1));
  MustApply(**second, CreateAuthorization{ClientGrant("app")}, 2);
}

TEST(WriterLockTest, AStaleHolderFileIsNotALock) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    MustApply(*store, Initialize{}, 1);
  }
  {
    std::ofstream stale(dir.Sub(storage_internal::kWriterHolderFile));
    stale << "pid 999999: a process killed long ago\n";
  }
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  MustApply(*store, CreateAuthorization{ClientGrant("app")}, 2);
}

}  // namespace
}  // namespace clearance::storage_test

// A failed write (the WAL cannot be appended) is returned as UNAVAILABLE, the Store refuses
// every later write with the same error, and reopening continues from what is durable: the
// failed command is not there.
#include <atomic>
#include <memory>
#include <string>

#include "clearance/store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "store_test_util.h"

namespace clearance::storage_test {
namespace {

// Write-ahead log files whose appends fail while `fail` is set.
class FailingWal : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingWal(std::unique_ptr<rocksdb::FSWritableFile> f, const std::atomic<bool>* fail)
      : FSWritableFileOwnerWrapper(std::move(f)), fail_(fail) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (fail_->load()) return rocksdb::IOStatus::IOError("injected WAL append failure");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (fail_->load()) return rocksdb::IOStatus::IOError("injected WAL append failure");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }

 private:
  const std::atomic<bool>* fail_;
};

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && name.ends_with(".log")) {
      *result = std::make_unique<FailingWal>(std::move(*result), &fail);
    }
    return s;
  }
  std::atomic<bool> fail{false};
};

TEST(WriteErrorTest, AFailedWriteIsStickyAndReopeningDropsTheFailedCommand) {
  TempDir dir;
  auto fs = std::make_shared<FailingFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  StoreOptions options;
  options.env = env.get();
  IdentityState durable;
  {
    auto store = MustOpen(dir.path(), options);
    ASSERT_NE(store, nullptr);
    MustApply(*store, Initialize{}, 1);
    MustApply(*store, CreateGroup{Group{"kept", "Kept", ""}}, 2);
    durable = store->state();
    fs->fail = true;
    absl::StatusOr<ApplyResult> r = store->Apply(CreateGroup{Group{"lost", "Lost", ""}}, 3);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    fs->fail = false;
    // Memory may be ahead of the disk now: every later write is refused.
    absl::StatusOr<ApplyResult> again = store->Apply(CreateGroup{Group{"next", "Next", ""}}, 4);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status(), r.status());
    EXPECT_FALSE(store->ApplyBatch({}).ok());
  }
  auto store = MustOpen(dir.path(), options);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->state() == durable);
  EXPECT_EQ(store->applied_position(), 2u);
  MustApply(*store, CreateGroup{Group{"lost", "Lost", ""}}, 3);
  EXPECT_TRUE(store->Verify()->ok());
}

}  // namespace
}  // namespace clearance::storage_test

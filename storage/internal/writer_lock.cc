#include "internal/writer_lock.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "clearance/internal/strings.h"
#include "internal/rocks_status.h"

namespace clearance::storage_internal {
namespace {

using strings_internal::StrCat;

// Long enough not to spin, short enough that a writer waiting behind a one-command CLI run
// gets in a few milliseconds after it ends.
constexpr uint64_t kPollMicros = 10'000;

// "pid 1234: clearance --db s group create --id g" (the command line from /proc, where there is
// one).
std::string DescribeThisProcess() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  return StrCat("pid ", getpid(), cmdline.empty() ? "" : ": ", cmdline);
}

std::string DescribeHolder(rocksdb::Env* env, const std::string& dir) {
  std::string holder;
  rocksdb::Status s = rocksdb::ReadFileToString(env, StrCat(dir, "/", kWriterHolderFile), &holder);
  while (!holder.empty() && holder.back() == '\n') holder.pop_back();
  if (!s.ok() || holder.empty()) {
    return StrCat("a process that left no ", kWriterHolderFile, " (it may be starting up)");
  }
  return StrCat("'", holder, "' (from ", kWriterHolderFile,
                "; if that process is gone the lock is free and the file is stale)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<WriterLock>> WriterLock::Acquire(rocksdb::Env* env,
                                                                const std::string& dir,
                                                                std::chrono::milliseconds timeout,
                                                                std::string_view note) {
  const std::string path = StrCat(dir, "/", kWriterLockFile);
  const uint64_t start = env->NowMicros();
  const uint64_t budget = static_cast<uint64_t>(std::max<int64_t>(0, timeout.count())) * 1000;
  for (;;) {
    rocksdb::FileLock* lock = nullptr;
    rocksdb::Status s = env->LockFile(path, &lock);
    if (s.ok()) {
      std::unique_ptr<WriterLock> held(new WriterLock(env, dir, lock));
      // Best effort: the holder file only improves another writer's message.
      (void)rocksdb::WriteStringToFile(env,
                                       StrCat(DescribeThisProcess(), note.empty() ? "" : "; ", note, "\n"),
                                       StrCat(dir, "/", kWriterHolderFile));
      return held;
    }
    // Anything but "held by someone" (a missing directory, a read-only file system) will not
    // change by waiting.
    if (!s.IsIOError() || s.subcode() == rocksdb::Status::kPathNotFound) {
      return FromRocks(s, StrCat("locking the store at ", dir));
    }
    const uint64_t waited = env->NowMicros() - start;
    if (waited >= budget) {
      return absl::UnavailableError(
          StrCat("the store at ", dir, " is being written by ", DescribeHolder(env, dir),
                 "; waited ", timeout.count(),
                 " ms. Retry when it finishes, or wait longer with --lock-timeout"));
    }
    env->SleepForMicroseconds(static_cast<int>(std::min(kPollMicros, budget - waited)));
  }
}

WriterLock::~WriterLock() {
  (void)env_->DeleteFile(StrCat(dir_, "/", kWriterHolderFile));  // absent is fine
  (void)env_->UnlockFile(lock_);  // only fails for a lock this process does not hold
}

}  // namespace clearance::storage_internal

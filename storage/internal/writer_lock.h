// The store's writer lock: one process writes a store at a time, and the one that finds it taken
// learns who holds it.
//
// RocksDB's own LOCK is taken inside DB::Open, after the MANIFEST has been read, and fails at
// once with a raw "While lock file" message. This lock is taken before anything is read, is
// waited for up to a timeout, and writes a holder file beside it naming the process that holds
// it (pid and command line), which the refusal quotes. The holder file is written after the
// lock is taken and removed before it is released; a process killed while holding the lock
// leaves it behind, stale (the lock itself goes with the process).
#ifndef CLEARANCE_STORAGE_INTERNAL_WRITER_LOCK_H_
#define CLEARANCE_STORAGE_INTERNAL_WRITER_LOCK_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/env.h"

namespace clearance::storage_internal {

// File names inside the store directory.
inline constexpr char kWriterLockFile[] = "WRITER.lock";
inline constexpr char kWriterHolderFile[] = "WRITER.holder";

class WriterLock {
 public:
  // Takes the lock of the store directory `dir` (which must exist), polling through `env`
  // (its clock and its sleep) until `timeout` has passed.
  // Errors: UNAVAILABLE when another holder keeps it past `timeout`; the message names the
  // holder as its holder file describes it (or says the file is missing) and what to do.
  // `note` goes into the holder file after this process's pid and command line.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<WriterLock>> Acquire(
      rocksdb::Env* env, const std::string& dir, std::chrono::milliseconds timeout,
      std::string_view note = {});

  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  ~WriterLock();  // removes the holder file, then releases the lock

 private:
  WriterLock(rocksdb::Env* env, std::string dir, rocksdb::FileLock* lock)
      : env_(env), dir_(std::move(dir)), lock_(lock) {}

  rocksdb::Env* env_;
  std::string dir_;
  rocksdb::FileLock* lock_;
};

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_WRITER_LOCK_H_

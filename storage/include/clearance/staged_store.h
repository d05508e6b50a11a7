// Creating a store all or nothing: it is built in a staging directory beside its target and
// renamed into place when complete, so a process killed at any moment leaves either no store
// or a complete one, never a directory that every command refuses.
//
// The staging directory is `<target>.creating-<pid>`. One left by a killed process is removed by
// the next StagedStore::Begin() for the same target once that pid is gone, and
// LeftoverStagingDirectories() names it for commands that find no store.
//
// Thread-safety: a StagedStore is used by one thread.
#ifndef CLEARANCE_STAGED_STORE_H_
#define CLEARANCE_STAGED_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clearance {

class StagedStore {
 public:
  // Creates an empty staging directory for `target` after removing the staging directories of
  // processes that are gone. Errors: FAILED_PRECONDITION when `target` exists and is not an empty
  // directory; UNAVAILABLE on I/O errors.
  [[nodiscard]] static absl::StatusOr<StagedStore> Begin(const std::string& target);

  StagedStore(StagedStore&& other) noexcept;
  StagedStore& operator=(StagedStore&&) = delete;
  StagedStore(const StagedStore&) = delete;
  StagedStore& operator=(const StagedStore&) = delete;
  ~StagedStore();  // removes the staging directory unless Publish() succeeded

  // Where to build the store. Everything in it must be closed before Publish().
  const std::string& path() const { return path_; }

  // Makes the store durable and visible at the target: fsyncs every file in the staging
  // directory and the directory itself, renames it to the target (replacing an empty
  // directory) and fsyncs the parent. Errors: FAILED_PRECONDITION when the target appeared and
  // is not empty; UNAVAILABLE on I/O errors (the staging directory is then removed).
  [[nodiscard]] absl::Status Publish() &&;

 private:
  StagedStore(std::string target, std::string path)
      : target_(std::move(target)), path_(std::move(path)) {}

  std::string target_;
  std::string path_;  // empty once published or moved from
};

// The staging directories beside `target` (see above), whether their process is alive or not.
std::vector<std::string> LeftoverStagingDirectories(const std::string& target);

}  // namespace clearance

#endif  // CLEARANCE_STAGED_STORE_H_

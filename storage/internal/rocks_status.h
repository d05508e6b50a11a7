// RocksDB status -> absl::Status, with the canonical codes of docs/contributing.md: corrupt data is
// DATA_LOSS, I/O trouble (including a lock held by another process) is UNAVAILABLE.
#ifndef CLEARANCE_STORAGE_INTERNAL_ROCKS_STATUS_H_
#define CLEARANCE_STORAGE_INTERNAL_ROCKS_STATUS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "clearance/internal/strings.h"
#include "rocksdb/status.h"

namespace clearance::storage_internal {

inline absl::Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = strings_internal::StrCat(context, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_ROCKS_STATUS_H_

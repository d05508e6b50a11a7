// BulkLoader: a new store filled row by row in memory that does not grow with the number of rows
// (docs/architecture.md "Snapshots": the bulk path, SST files ingested at once).
//
// Rows may come in any order. Each is encoded into its keys (the row and its index keys) and
// buffered in a sorted run of bounded size; a full run is sorted and spilled to a temporary SST
// file. Finish() merges each family's runs into one SST file, ingests every family's file in one
// atomic IngestExternalFiles() call and then writes the meta rows (schema version last) in one
// synced write. Only source rows are written (nothing derived is stored, storage/FORMAT.md), so
// nothing but the runs stays in memory.
//
// All or nothing: until Finish() returns OK the directory holds no usable store, and destroying
// an unfinished loader (an import that found a bad record, say) removes everything it created.
// The loader does not validate rows against docs/semantics.md: callers do (ImportSnapshotToStore
// validates every record; Store::CreateFrom takes an IdentityState, valid by construction).
//
// Thread-safety: one thread at a time.
#ifndef CLEARANCE_BULK_LOADER_H_
#define CLEARANCE_BULK_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/config.h"
#include "clearance/model.h"
#include "clearance/store.h"

namespace clearance {

struct BulkLoaderOptions {
  // Bytes of encoded keys and values buffered per column family before a run is sorted and
  // spilled to disk. Peak memory is about four times this (four families) plus the group and role
  // memberships. Larger runs mean fewer files to merge. Default 16 MiB.
  size_t run_bytes = 16 << 20;
};

class BulkLoader {
 public:
  // Creates the store's database at `path`, which must be missing or an empty directory (an
  // unfinished loader removes it): FAILED_PRECONDITION otherwise, naming whether a store is there.
  // UNAVAILABLE on I/O errors.
  // REQUIRES: options.env is null (the default Env): the directory checks, the run directory and
  // the cleanup go through std::filesystem.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BulkLoader>> Create(
      const std::string& path, const StoreOptions& options, BulkLoaderOptions loader_options = {});

  // Removes the directory when Finish() did not succeed.
  ~BulkLoader();
  BulkLoader(const BulkLoader&) = delete;
  BulkLoader& operator=(const BulkLoader&) = delete;

  // Adds one source row. REQUIRES: no two rows with the same identity; the rows together form a
  // valid state. UNAVAILABLE when spilling a run fails.
  [[nodiscard]] absl::Status Add(const Row& row);

  struct Meta {
    std::optional<uint64_t> applied_position;
    AuthorizationKey next_authorization_key = 1;
    Configuration configuration;
    bool initialized = true;
  };
  // Derives, ingests and commits; the store is closed on return and ready for Store::Open().
  // Call once. UNAVAILABLE on I/O errors (the directory is then removed by the destructor).
  [[nodiscard]] absl::Status Finish(const Meta& meta);

  // Rows added so far.
  uint64_t rows() const { return rows_; }

  struct Rep;

 private:
  explicit BulkLoader(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
  uint64_t rows_ = 0;
};

}  // namespace clearance

#endif  // CLEARANCE_BULK_LOADER_H_

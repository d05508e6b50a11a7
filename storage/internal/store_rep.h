// The Store's private representation, shared by the files that implement it (store.cc,
// verify.cc). Not part of the public API.
#ifndef CLEARANCE_STORAGE_INTERNAL_STORE_REP_H_
#define CLEARANCE_STORAGE_INTERNAL_STORE_REP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/state.h"
#include "clearance/store.h"
#include "internal/row_writer.h"
#include "internal/writer_lock.h"
#include "rocksdb/db.h"

namespace clearance::storage_internal {

struct StoreRep {
  StoreOptions options;
  std::string path;
  // Held by a writing store for its lifetime; released after the database closes.
  std::unique_ptr<WriterLock> writer_lock;
  std::unique_ptr<rocksdb::DB> db;
  // RocksDB's "default" family first, then kEntitiesFamily ... kMetaFamily (keys.h).
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  Families families;

  IdentityState state;
  std::optional<uint64_t> applied_position;
  uint64_t generation = 0;
  // Sticky: set by a failed write, after which memory may be ahead of the disk.
  absl::Status write_error;
  // Whether this session wrote its acknowledged mark (acknowledged_mark.h): after its first
  // acknowledged write; the close then writes the final one.
  bool marked = false;

  ~StoreRep();
};

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_STORE_REP_H_

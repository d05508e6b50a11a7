// Loader: rows read back from RocksDB into an IdentityState and the meta rows.
// Every row is decoded strictly; a row that does not decode, or whose key and value disagree, is
// DATA_LOSS naming the column family and the key (hex). Checksum failures surface from RocksDB as
// Corruption and become DATA_LOSS too.
#ifndef CLEARANCE_STORAGE_INTERNAL_LOADER_H_
#define CLEARANCE_STORAGE_INTERNAL_LOADER_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/state.h"
#include "clearance/store.h"
#include "internal/row_writer.h"
#include "rocksdb/db.h"

namespace clearance::storage_internal {

// Reads the meta rows. `present` is false when the meta family holds no schema version at all
// (a store whose creation did not finish). DATA_LOSS when a row does not decode.
struct StoredMeta {
  bool present = false;
  MetaRows rows;
};
absl::StatusOr<StoredMeta> ReadMeta(rocksdb::DB* db, const Families& f,
                                    const rocksdb::ReadOptions& read);

// Loads every entity, membership and authorization row (not the index keys) plus the meta rows
// into `state`, which must be empty. Adds the number of rows read to `*rows`. When `sink` is not
// null it gets Begin() and every row too, on a second thread when `sink_thread` (see
// StoreOptions::load_sink_thread); every call to it has returned when this returns.
absl::Status LoadSource(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                        const MetaRows& meta, IdentityState* state, uint64_t* rows,
                        LoadSink* sink = nullptr, bool sink_thread = false);

// Counts the rows of `family` (the retired derived family, for Verify).
absl::Status CountRows(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                       const rocksdb::ReadOptions& read, uint64_t* rows);

// The secondary index keys stored in the memberships and authorizations families ('m', 'o', 't'
// tags), for Verify to compare with what the rows imply.
absl::Status LoadIndexKeys(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                           std::set<std::string>* membership_index,
                           std::set<std::string>* authorization_index);

// "0a1bff..." for messages.
std::string Hex(std::string_view bytes);

// True when every column family is empty (a store whose creation did not finish).
absl::StatusOr<bool> AllFamiliesEmpty(rocksdb::DB* db, const Families& f,
                                      const rocksdb::ReadOptions& read);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_LOADER_H_

// Opening and closing the store's RocksDB database: options, column families, existence checks.
// Shared by Store::Open (store.cc) and the bulk path (bulk_load.cc).
#ifndef CLEARANCE_STORAGE_INTERNAL_DB_H_
#define CLEARANCE_STORAGE_INTERNAL_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/store.h"
#include "internal/row_writer.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace clearance::storage_internal {

// The RocksDB options every store is opened with (see the comments in db.cc for each choice).
rocksdb::Options MakeOptions(const StoreOptions& options);

// "default", then the five families of keys.h, in the order of Families.
std::vector<std::string> FamilyNames();

// Whether `path` holds a RocksDB database at all (its CURRENT file exists).
absl::StatusOr<bool> Exists(rocksdb::Env* env, const std::string& path);

struct OpenedDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // FamilyNames() order
  Families families;
};

enum class OpenMode : uint8_t {
  kCreate,    // a new database; an error if one exists
  kWrite,     // an existing database, for writing (takes RocksDB's LOCK)
  kReadOnly,  // an existing database as of this moment, written by no one through this handle
};

// kCreate makes FamilyNames(). Otherwise the database must have exactly FamilyNames(): anything
// else is DATA_LOSS ("not a Clearance store").
// kReadOnly takes no lock, so a writer in another process may be renaming its MANIFEST or
// deleting a flushed WAL while this open reads them: a failure is retried a few times before it
// is reported, since a race with a writer does not repeat and damage does.
absl::StatusOr<OpenedDb> OpenDb(const std::string& path, rocksdb::Options options, OpenMode mode);

// Destroys the handles and closes the database; acknowledged writes are already in the WAL.
void CloseDb(std::unique_ptr<rocksdb::DB>& db, std::vector<rocksdb::ColumnFamilyHandle*>& handles);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_DB_H_

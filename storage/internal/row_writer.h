// Row writer: source rows and meta rows into a RocksDB WriteBatch, in the
// encodings of keys.h and rows.h. The one place that knows which keys a row owns (its own key
// plus its secondary index keys), so the incremental path (Apply), the bulk path (CreateFrom)
// and Verify agree.
#ifndef CLEARANCE_STORAGE_INTERNAL_ROW_WRITER_H_
#define CLEARANCE_STORAGE_INTERNAL_ROW_WRITER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clearance/state.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace clearance::storage_internal {

struct Families {
  rocksdb::ColumnFamilyHandle* entities = nullptr;
  rocksdb::ColumnFamilyHandle* memberships = nullptr;
  rocksdb::ColumnFamilyHandle* authorizations = nullptr;
  rocksdb::ColumnFamilyHandle* derived = nullptr;  // retired: empty from schema 2
  rocksdb::ColumnFamilyHandle* meta = nullptr;
};

// Every (key, value) a source row is stored as, in its column family: the row and its index
// keys (memberships: by container and by member; authorizations: by key, by owner, by resource
// type).
struct KeyValue {
  rocksdb::ColumnFamilyHandle* family;
  std::string key;
  std::string value;
};
std::vector<KeyValue> SourceRowKeys(const Families& f, const Row& row);

// The source part of a change set planned against `before` (the state it was planned against:
// an authorization put replaces the index keys of the row it overwrites).
void WriteSourceChanges(const Families& f, const IdentityState& before, const ChangeSet& changes,
                        rocksdb::WriteBatch* batch);

struct MetaRows {
  uint32_t schema_version = 0;
  std::optional<uint64_t> applied_position;
  uint64_t generation = 0;
  AuthorizationKey next_authorization_key = 1;
  Configuration configuration;
  bool initialized = false;
};
// Everything but the schema version, which only store creation writes.
void WriteMeta(const Families& f, const MetaRows& meta, rocksdb::WriteBatch* batch);
void WriteSchemaVersion(const Families& f, uint32_t version, rocksdb::WriteBatch* batch);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_ROW_WRITER_H_

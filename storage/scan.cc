// Store::ScanConsistent(): the stored rows as of one RocksDB snapshot, in snapshot order. It reads
// the database only (never the in-memory state the writer mutates), which is what lets an export
// run beside Apply() and still describe one moment.
#include <memory>
#include <string>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "internal/db.h"
#include "internal/keys.h"
#include "internal/loader.h"
#include "internal/rocks_status.h"
#include "internal/rows.h"
#include "internal/store_rep.h"

namespace clearance {
namespace {

using storage_internal::EntityKind;
using storage_internal::FromRocks;
using strings_internal::StrCat;

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

absl::Status BadRow(rocksdb::ColumnFamilyHandle* family, std::string_view key) {
  return absl::DataLossError(StrCat("corrupt store: ", family->GetName(), " row ",
                                    storage_internal::Hex(key),
                                    ": value does not decode or does not match its key"));
}

// Calls f(key, value) for every key of `family` starting with `prefix`, in key order.
template <typename F>
absl::Status ScanPrefix(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                        const rocksdb::ReadOptions& read, std::string_view prefix, F&& f) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, family));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    CLEARANCE_RETURN_IF_ERROR(f(key, View(it->value())));
  }
  return FromRocks(it->status(), StrCat("reading ", family->GetName()));
}

// One kind of row: where it lives and how it decodes. Listed in snapshot order.
struct RowSource {
  rocksdb::ColumnFamilyHandle* family;
  char tag;
  int kind;  // Row's alternative index
};

absl::StatusOr<Row> DecodeRow(const RowSource& source, std::string_view key,
                              std::string_view value) {
  EntityKind entity;
  std::string id;
  const bool entity_key = storage_internal::ParseEntityKey(key, &entity, &id);
  switch (source.kind) {
    case 0: {
      User u;
      if (entity_key && storage_internal::DecodeUser(value, &u) && u.username == id) return u;
      break;
    }
    case 1: {
      Group g;
      if (entity_key && storage_internal::DecodeNamed(value, &g) && g.id == id) return g;
      break;
    }
    case 2: {
      Role r;
      if (entity_key && storage_internal::DecodeNamed(value, &r) && r.id == id) return r;
      break;
    }
    case 3: {
      Tenant t;
      if (entity_key && storage_internal::DecodeNamed(value, &t) && t.id == id) return t;
      break;
    }
    case 4: {
      MappingRule m;
      if (entity_key && storage_internal::DecodeMappingRule(value, &m) && m.id == id) return m;
      break;
    }
    case 5: {
      Membership m;
      if (storage_internal::ParseMembershipKey(key, &m) && value.empty()) return m;
      break;
    }
    default: {
      AuthorizationKey k = 0;
      Authorization a;
      if (storage_internal::ParseAuthorizationRowKey(key, &k) &&
          storage_internal::DecodeAuthorization(value, &a) && a.key == k) {
        return a;
      }
      break;
    }
  }
  return BadRow(source.family, key);
}

}  // namespace

namespace {

absl::Status ScanDb(rocksdb::DB* db, const storage_internal::Families& f,
                    const std::function<absl::Status(const Store::ScanHeader&)>& header,
                    const std::function<absl::Status(const Row&)>& row) {
  // Every read below goes through this one snapshot: rows, counts and meta rows of one moment.
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~Release() { db->ReleaseSnapshot(snapshot); }
  } release{db, snapshot};
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.verify_checksums = true;

  CLEARANCE_ASSIGN_OR_RETURN(storage_internal::StoredMeta meta,
                             storage_internal::ReadMeta(db, f, read));
  Store::ScanHeader h;
  h.applied_position = meta.rows.applied_position;
  h.next_authorization_key = meta.rows.next_authorization_key;
  h.configuration = meta.rows.configuration;
  h.initialized = meta.rows.initialized;

  const RowSource sources[] = {
      {f.entities, static_cast<char>(EntityKind::kTenant), 3},
      {f.entities, static_cast<char>(EntityKind::kGroup), 1},
      {f.entities, static_cast<char>(EntityKind::kRole), 2},
      {f.entities, static_cast<char>(EntityKind::kMappingRule), 4},
      {f.entities, static_cast<char>(EntityKind::kUser), 0},
      {f.memberships, storage_internal::kMembershipTag, 5},
      {f.authorizations, storage_internal::kAuthorizationTag, 6},
  };
  // Counts first (the snapshot's header announces them), keys only.
  for (const RowSource& source : sources) {
    uint64_t& n = h.rows_by_kind[source.kind];
    CLEARANCE_RETURN_IF_ERROR(ScanPrefix(db, source.family, read, std::string_view(&source.tag, 1),
                                         [&](std::string_view, std::string_view) {
                                           ++n;
                                           return absl::OkStatus();
                                         }));
  }
  CLEARANCE_RETURN_IF_ERROR(header(h));
  for (const RowSource& source : sources) {
    CLEARANCE_RETURN_IF_ERROR(ScanPrefix(db, source.family, read, std::string_view(&source.tag, 1),
                                         [&](std::string_view key, std::string_view value) {
                                           CLEARANCE_ASSIGN_OR_RETURN(
                                               Row decoded, DecodeRow(source, key, value));
                                           return row(decoded);
                                         }));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Store::ScanConsistent(const std::function<absl::Status(const ScanHeader&)>& header,
                                   const std::function<absl::Status(const Row&)>& row) const {
  return ScanDb(rep_->db.get(), rep_->families, header, row);
}

absl::Status Store::ScanConsistent(const std::string& path, const StoreOptions& options,
                                   const std::function<absl::Status(const ScanHeader&)>& header,
                                   const std::function<absl::Status(const Row&)>& row) {
  rocksdb::Options db_options = storage_internal::MakeOptions(options);
  CLEARANCE_ASSIGN_OR_RETURN(bool exists, storage_internal::Exists(db_options.env, path));
  if (!exists) return absl::NotFoundError(StrCat("no store at ", path));
  CLEARANCE_ASSIGN_OR_RETURN(
      storage_internal::OpenedDb opened,
      storage_internal::OpenDb(path, db_options, storage_internal::OpenMode::kReadOnly));
  struct Close {
    storage_internal::OpenedDb* db;
    ~Close() { storage_internal::CloseDb(db->db, db->handles); }
  } close{&opened};
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  CLEARANCE_ASSIGN_OR_RETURN(storage_internal::StoredMeta meta,
                             storage_internal::ReadMeta(opened.db.get(), opened.families, read));
  // The same refusals as Open(): a store without meta rows is empty or half created, and a
  // schema this build does not know is not read at all.
  if (!meta.present) {
    return absl::FailedPreconditionError(StrCat("the store at ", path, " is empty"));
  }
  if (meta.rows.schema_version != kSchemaVersion &&
      meta.rows.schema_version != kOldestReadableSchemaVersion) {
    return absl::DataLossError(StrCat("store at ", path, " has schema version ",
                                      meta.rows.schema_version, "; this build reads only ",
                                      kOldestReadableSchemaVersion, " and ", kSchemaVersion));
  }
  return ScanDb(opened.db.get(), opened.families, header, row);
}

}  // namespace clearance

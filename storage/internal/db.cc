#include "internal/db.h"

#include <algorithm>

#include "clearance/internal/strings.h"
#include "internal/keys.h"
#include "internal/rocks_status.h"

namespace clearance::storage_internal {

using strings_internal::StrCat;

rocksdb::Options MakeOptions(const StoreOptions& options) {
  rocksdb::Options o;
  o.env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  o.paranoid_checks = true;
  // A record cut short at the end of the last WAL is a write that never completed (power loss
  // during an unacknowledged write) and is dropped; a checksum mismatch anywhere else refuses
  // to open (DATA_LOSS) rather than silently dropping the acknowledged commands after it, which
  // kPointInTimeRecovery would do.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // The WAL already makes every acknowledged write durable; flushing at close only slows it.
  o.avoid_flush_during_shutdown = true;
  // All families flush together, so the SST files never hold part of a command's batch.
  o.atomic_flush = true;
  o.max_background_jobs = 2;
  o.keep_log_file_num = 2;
  o.write_buffer_size = 32 << 20;
  return o;
}

std::vector<std::string> FamilyNames() {
  return {std::string(rocksdb::kDefaultColumnFamilyName),
          std::string(storage_internal::kEntitiesFamily),
          std::string(storage_internal::kMembershipsFamily),
          std::string(storage_internal::kAuthorizationsFamily),
          std::string(storage_internal::kDerivedFamily),
          std::string(storage_internal::kMetaFamily)};
}

absl::StatusOr<bool> Exists(rocksdb::Env* env, const std::string& path) {
  rocksdb::Status s = env->FileExists(path + "/CURRENT");
  if (s.ok()) return true;
  if (s.IsNotFound()) return false;
  return FromRocks(s, StrCat("store at ", path));
}

absl::StatusOr<OpenedDb> OpenDb(const std::string& path, rocksdb::Options options, bool fresh) {
  std::vector<std::string> names = FamilyNames();
  if (!fresh) {
    std::vector<std::string> existing;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, path, &existing);
    if (!s.ok()) {
      absl::Status st = FromRocks(s, StrCat("cannot open store at ", path));
      // A MANIFEST or CURRENT that does not parse is corruption, whatever RocksDB calls it.
      if (absl::IsInvalidArgument(st) || absl::IsInternal(st)) {
        return absl::DataLossError(st.message());
      }
      return st;
    }
    for (const std::string& name : names) {
      if (std::find(existing.begin(), existing.end(), name) == existing.end()) {
        return absl::DataLossError(StrCat("not a Clearance store (or a damaged one) at ", path,
                                          ": column family '", name, "' is missing"));
      }
    }
    if (existing.size() != names.size()) {
      return absl::DataLossError(
          StrCat("not a Clearance store at ", path, ": unexpected column families"));
    }
  }
  options.create_if_missing = fresh;
  options.create_missing_column_families = fresh;
  options.error_if_exists = fresh;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  }
  OpenedDb out;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, descriptors, &out.handles, &raw);
  if (!s.ok()) {
    absl::Status st = FromRocks(s, StrCat("cannot open store at ", path));
    if (absl::IsInvalidArgument(st) || absl::IsInternal(st)) {
      return absl::DataLossError(st.message());
    }
    return st;
  }
  out.db.reset(raw);
  out.families =
      Families{out.handles[1], out.handles[2], out.handles[3], out.handles[4], out.handles[5]};
  return out;
}

void CloseDb(std::unique_ptr<rocksdb::DB>& db, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  if (db == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    (void)db->DestroyColumnFamilyHandle(h);  // only fails for the default handle's misuse
  }
  handles.clear();
  (void)db->Close();  // errors here leave nothing to do: acknowledged writes are in the WAL
  db.reset();
}

}  // namespace clearance::storage_internal

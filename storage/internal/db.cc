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
  // The MANIFEST records every WAL RocksDB creates and the size it synced: a WAL that is missing
  // or shorter than what was synced is DATA_LOSS at open. Without it a deleted or truncated WAL
  // (what a careless backup restore or a full disk leaves) opens as a store that quietly lost
  // its latest acknowledged commands, and kTolerateCorruptedTailRecords reads an empty WAL as
  // "no commands", not as damage.
  o.track_and_verify_wals_in_manifest = true;
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

namespace {

// RocksDB reports a MANIFEST or CURRENT that does not parse as InvalidArgument or an internal
// error; it is corruption, whatever RocksDB calls it.
absl::Status OpenError(const rocksdb::Status& s, const std::string& path) {
  absl::Status st = FromRocks(s, StrCat("cannot open store at ", path));
  if (absl::IsInvalidArgument(st) || absl::IsInternal(st)) {
    return absl::DataLossError(st.message());
  }
  return st;
}

absl::StatusOr<OpenedDb> OpenOnce(const std::string& path, rocksdb::Options options,
                                  OpenMode mode) {
  const bool fresh = mode == OpenMode::kCreate;
  std::vector<std::string> names = FamilyNames();
  if (!fresh) {
    std::vector<std::string> existing;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, path, &existing);
    if (!s.ok()) return OpenError(s, path);
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
  rocksdb::Status s =
      mode == OpenMode::kReadOnly
          ? rocksdb::DB::OpenForReadOnly(options, path, descriptors, &out.handles, &raw)
          : rocksdb::DB::Open(options, path, descriptors, &out.handles, &raw);
  if (!s.ok()) return OpenError(s, path);
  out.db.reset(raw);
  out.families =
      Families{out.handles[1], out.handles[2], out.handles[3], out.handles[4], out.handles[5]};
  return out;
}

}  // namespace

absl::StatusOr<OpenedDb> OpenDb(const std::string& path, rocksdb::Options options,
                                OpenMode mode) {
  // A writer's open renames the MANIFEST and its flushes delete WALs within milliseconds; a
  // reader that lost such a race twice in a row is very unlikely, five times is damage.
  constexpr int kReadOnlyAttempts = 5;
  constexpr int kRetryMicros = 20'000;
  absl::StatusOr<OpenedDb> opened = OpenOnce(path, options, mode);
  for (int attempt = 1; attempt < kReadOnlyAttempts && mode == OpenMode::kReadOnly && !opened.ok();
       ++attempt) {
    options.env->SleepForMicroseconds(kRetryMicros);
    opened = OpenOnce(path, options, mode);
  }
  return opened;
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

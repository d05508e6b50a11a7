// Store::CreateFrom(): the bulk path. Every row of a state is encoded, sorted per column family,
// written to one SST file per family with SstFileWriter and ingested in one atomic
// IngestExternalFiles() call; the meta rows follow in one synced write, the schema version last.
// No memtable, no WAL, no compaction: the cost is encoding, one sort and one sequential write.
#include <algorithm>
#include <utility>
#include <vector>

#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "internal/db.h"
#include "internal/derivation.h"
#include "internal/rocks_status.h"
#include "internal/row_writer.h"
#include "rocksdb/sst_file_writer.h"

namespace clearance {
namespace {

using storage_internal::Families;
using storage_internal::FromRocks;
using strings_internal::StrCat;

struct FamilyRows {
  rocksdb::ColumnFamilyHandle* family = nullptr;
  std::vector<std::pair<std::string, std::string>> rows;
};

}  // namespace

absl::Status Store::CreateFrom(const std::string& path, const StoreOptions& options,
                               const IdentityState& state, std::optional<uint64_t> log_position) {
  rocksdb::Options db_options = storage_internal::MakeOptions(options);
  absl::StatusOr<bool> exists = storage_internal::Exists(db_options.env, path);
  if (!exists.ok()) return exists.status();
  if (*exists) return absl::FailedPreconditionError(StrCat("a store already exists at ", path));
  absl::StatusOr<storage_internal::OpenedDb> opened =
      storage_internal::OpenDb(path, db_options, /*fresh=*/true);
  if (!opened.ok()) return opened.status();
  const Families& f = opened->families;
  rocksdb::DB* db = opened->db.get();

  // Encode every row into its family.
  std::vector<FamilyRows> families = {
      {f.entities, {}}, {f.memberships, {}}, {f.authorizations, {}}, {f.derived, {}}};
  auto target = [&](rocksdb::ColumnFamilyHandle* h) -> FamilyRows& {
    for (FamilyRows& fr : families) {
      if (fr.family == h) return fr;
    }
    return families.front();  // unreachable: every row's family is one of the four
  };
  auto put = [&](const Row& row) {
    for (storage_internal::KeyValue& kv : storage_internal::SourceRowKeys(f, row)) {
      target(kv.family).rows.emplace_back(std::move(kv.key), std::move(kv.value));
    }
  };
  for (const auto& [id, u] : state.users()) put(u);
  for (const auto& [id, g] : state.groups()) put(g);
  for (const auto& [id, r] : state.roles()) put(r);
  for (const auto& [id, t] : state.tenants()) put(t);
  for (const auto& [id, r] : state.mapping_rules()) put(r);
  for (const Membership& m : state.memberships()) put(m);
  for (const auto& [key, a] : state.authorizations()) put(a);
  {
    rocksdb::WriteBatch derived;  // reuse the row writer's encoding, then move the rows out
    DerivedState d = storage_internal::ComputeDerived(state);
    for (const auto& [key, closure] : d.closures) {
      storage_internal::WriteClosure(f, key, closure, &derived);
    }
    for (const ClaimIndexEntry& e : d.claim_index) {
      storage_internal::WriteClaimIndexChange(f, {true, e}, &derived);
    }
    struct Collect : rocksdb::WriteBatch::Handler {
      FamilyRows* out;
      rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
        out->rows.emplace_back(k.ToString(), v.ToString());
        return rocksdb::Status::OK();
      }
    } collect;
    collect.out = &target(f.derived);
    absl::Status s = FromRocks(derived.Iterate(&collect), "bulk load");
    if (!s.ok()) return s;
  }

  // One sorted SST file per non-empty family, ingested atomically.
  absl::Status status;
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (FamilyRows& fr : families) {
    if (fr.rows.empty() || !status.ok()) continue;
    std::sort(fr.rows.begin(), fr.rows.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string file = StrCat(path, "/bulk-", fr.family->GetName(), ".sst");
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_options, fr.family);
    status = FromRocks(writer.Open(file), "bulk load");
    for (size_t i = 0; i < fr.rows.size() && status.ok(); ++i) {
      if (i > 0 && fr.rows[i].first == fr.rows[i - 1].first) continue;  // e.g. a shared index key
      status = FromRocks(writer.Put(fr.rows[i].first, fr.rows[i].second), "bulk load");
    }
    if (status.ok()) status = FromRocks(writer.Finish(), "bulk load");
    fr.rows = {};
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = fr.family;
    arg.external_files = {file};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  if (status.ok() && !args.empty()) {
    status = FromRocks(db->IngestExternalFiles(args), "bulk load ingestion");
  }
  if (status.ok()) {
    // The schema version goes in the same synced batch as the other meta rows: a bulk load that
    // dies before this point leaves rows without a schema version, which Open() refuses.
    rocksdb::WriteBatch meta;
    storage_internal::MetaRows rows;
    rows.applied_position = log_position;
    rows.next_authorization_key = state.next_authorization_key();
    rows.configuration = state.config();
    rows.initialized = state.initialized();
    storage_internal::WriteMeta(f, rows, &meta);
    storage_internal::WriteSchemaVersion(f, kSchemaVersion, &meta);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    status = FromRocks(db->Write(synced, &meta), "bulk load");
  }
  storage_internal::CloseDb(opened->db, opened->handles);
  return status;
}

}  // namespace clearance

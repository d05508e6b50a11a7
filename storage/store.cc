// Store: opening, applying commands, checkpoints. Verify() is in verify.cc.
#include "clearance/store.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "internal/acknowledged_mark.h"
#include "internal/db.h"
#include "internal/keys.h"
#include "internal/loader.h"
#include "internal/rocks_status.h"
#include "internal/row_writer.h"
#include "internal/store_rep.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"

namespace clearance {
namespace {

using storage_internal::CloseDb;
using storage_internal::Exists;
using storage_internal::Families;
using storage_internal::FromRocks;
using storage_internal::MakeOptions;
using storage_internal::OpenDb;
using storage_internal::OpenedDb;
using strings_internal::StrCat;

// Writes the meta rows of a new, empty store.
absl::Status InitializeMeta(rocksdb::DB* db, const Families& f) {
  rocksdb::WriteBatch batch;
  storage_internal::WriteSchemaVersion(f, Store::kSchemaVersion, &batch);
  storage_internal::WriteMeta(f, storage_internal::MetaRows{}, &batch);
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocks(db->Write(w, &batch), "creating store");
}

// Schema 1 stored closures and the claim-value index in the `derived` family; schema 2 stores
// nothing derived (the engine's flattening is the one definition of a closure). Deletes every
// row of that family and writes the new version in one synced batch, so a crash leaves either
// the old store or the new one.
absl::Status MigrateFromVersion1(rocksdb::DB* db, const Families& f) {
  rocksdb::WriteBatch batch;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, f.derived));
  it->SeekToLast();
  if (it->Valid()) {
    // Every key sorts before the last key followed by a zero byte.
    std::string end = it->key().ToString();
    end.push_back('\0');
    (void)batch.DeleteRange(f.derived, rocksdb::Slice(), end);
  }
  CLEARANCE_RETURN_IF_ERROR(FromRocks(it->status(), "reading the retired derived rows"));
  storage_internal::WriteSchemaVersion(f, Store::kSchemaVersion, &batch);
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocks(db->Write(w, &batch), "upgrading the store to schema version 2");
}

// Whether `path` holds more than one write-ahead log file (`<number>.log`; not the info LOG).
absl::StatusOr<bool> HasStaleWals(rocksdb::Env* env, const std::string& path) {
  std::vector<std::string> children;
  CLEARANCE_RETURN_IF_ERROR(FromRocks(env->GetChildren(path, &children), StrCat("listing ", path)));
  int wals = 0;
  for (const std::string& name : children) {
    std::string_view stem(name);
    if (!stem.ends_with(".log")) continue;
    stem.remove_suffix(4);
    if (!stem.empty() && stem.find_first_not_of("0123456789") == std::string_view::npos) ++wals;
  }
  return wals > 1;
}

// RocksDB 7.8 deletes a WAL only once a flush has recorded that no family needs it
// (min_log_number_to_keep in the MANIFEST). Open() recovers the WALs and flushes what they hold,
// so a session that wrote anything is cleaned up by the next Open(); but a recovery that finds
// the WALs empty flushes nothing, records nothing, and the WAL that this Open() creates joins
// the ones kept. So every session that wrote nothing (an idle broker restart, or a crash before
// the first command) left one more empty *.log forever, and every recovery lists them all.
// (Fixed upstream in RocksDB 8.3, facebook/rocksdb#11409.) A flush of a non-empty memtable
// records the new minimum: rewrite the unchanged schema_version row, outside the WAL (the
// flush makes it durable, and losing it to a crash loses nothing), and flush; RocksDB then
// deletes the old WALs itself, by its own rules (see below). Durability is untouched: recovery
// has already flushed every recovered command into SSTs (avoid_flush_during_recovery is off),
// the other families' memtables are empty here, and RocksDB deletes no WAL whose rows are not
// in an SST.
// Runs only when there is more than the current WAL (about 2 ms at 1 M authorizations,
// bench/RESULTS-storage.md) and leaves one tiny SST in `meta`, which compaction folds away.
absl::Status ReleaseStaleWals(storage_internal::StoreRep& rep, rocksdb::Env* env) {
  CLEARANCE_ASSIGN_OR_RETURN(const bool stale, HasStaleWals(env, rep.path));
  if (!stale) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  storage_internal::WriteSchemaVersion(rep.families, Store::kSchemaVersion, &batch);
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  CLEARANCE_RETURN_IF_ERROR(FromRocks(rep.db->Write(w, &batch), "releasing old write-ahead logs"));
  CLEARANCE_RETURN_IF_ERROR(FromRocks(rep.db->Flush(rocksdb::FlushOptions(), rep.families.meta),
                                      "releasing old write-ahead logs"));
  // The flush's own cleanup does not see these WALs (recovery did not track empty ones), so
  // they would go only at the next full scan of the directory: this store's close, or the next
  // open if the process dies first. Re-enabling file deletions runs that full scan now, in this
  // thread, under RocksDB's own rules (the same calls a checkpoint makes).
  CLEARANCE_RETURN_IF_ERROR(
      FromRocks(rep.db->DisableFileDeletions(), "releasing old write-ahead logs"));
  return FromRocks(rep.db->EnableFileDeletions(/*force=*/false),
                   "releasing old write-ahead logs");
}

rocksdb::Env* EnvOf(const StoreOptions& options) {
  return options.env != nullptr ? options.env : rocksdb::Env::Default();
}

storage_internal::MetaRows MetaOf(const storage_internal::StoreRep& rep) {
  storage_internal::MetaRows m;
  m.schema_version = Store::kSchemaVersion;
  m.applied_position = rep.applied_position;
  m.generation = rep.generation;
  m.next_authorization_key = rep.state.next_authorization_key();
  m.configuration = rep.state.config();
  m.initialized = rep.state.initialized();
  return m;
}

// Plans `command`, stages its rows in `batch` and applies it to memory (see Apply()).
ApplyResult Stage(storage_internal::StoreRep& rep, const Command& command,
                  std::optional<uint64_t> position, rocksdb::WriteBatch* batch) {
  ApplyResult result;
  if (position && rep.applied_position && *position <= *rep.applied_position) {
    result.outcome = ApplyResult::Outcome::kSkipped;
    return result;
  }
  if (position) rep.applied_position = position;
  absl::StatusOr<ChangeSet> planned = Plan(rep.state, command);
  if (!planned.ok()) {
    result.outcome = ApplyResult::Outcome::kRefused;
    result.refusal = planned.status();
    return result;
  }
  storage_internal::WriteSourceChanges(rep.families, rep.state, *planned, batch);
  rep.state.Apply(*planned);
  ++rep.generation;
  result.outcome = ApplyResult::Outcome::kApplied;
  result.changes = *std::move(planned);
  return result;
}

absl::Status CheckWritable(const storage_internal::StoreRep& rep) {
  if (rep.options.read_only) {
    return absl::FailedPreconditionError(
        StrCat("the store at ", rep.path, " is open read-only; open it without read_only to write"));
  }
  return rep.write_error;
}

absl::Status Commit(storage_internal::StoreRep& rep, rocksdb::WriteBatch* batch) {
  storage_internal::WriteMeta(rep.families, MetaOf(rep), batch);
  rocksdb::WriteOptions w;
  w.sync = rep.options.sync;
  absl::Status s = FromRocks(rep.db->Write(w, batch), "writing command");
  if (!s.ok()) {
    rep.write_error = s;
    return s;
  }
  if (!rep.marked) {
    const storage_internal::MetaRows m = MetaOf(rep);
    // Best effort: the command is durable already; a missing mark only weakens the check of a
    // later open.
    (void)storage_internal::WriteAcknowledgedMark(EnvOf(rep.options), rep.path,
                                                  {m.generation, m.applied_position},
                                                  rep.options.sync);
    rep.marked = true;
  }
  return s;
}

// Reads every block of every SST file against its checksum: the footer, the meta-index and
// properties, the index, and every data block, including blocks the load never reads (the
// secondary index keys, meta rows shadowed by newer ones in a younger file). The load alone
// reads only the blocks its scans and lookups reach, so a flip elsewhere would open silently
// and surface later, in a compaction or a scan. Costs one more read of the files, which the
// load then finds in the page cache (bench/RESULTS-storage.md "Checksums at open").
absl::Status VerifySstChecksums(rocksdb::DB* db, const std::string& path) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  absl::Status s = FromRocks(db->VerifyChecksum(read), StrCat("corrupt store at ", path));
  // A block that fails to parse is damage whatever RocksDB calls it; I/O errors stay UNAVAILABLE.
  if (s.ok() || absl::IsUnavailable(s) || absl::IsDataLoss(s)) return s;
  return absl::DataLossError(s.message());
}

// Refuses a store whose recovered position is behind what a session acknowledged.
absl::Status CheckAcknowledgedMark(rocksdb::Env* env, const std::string& path,
                                   uint64_t generation, std::optional<uint64_t> applied_position) {
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<storage_internal::AcknowledgedMark> mark,
                             storage_internal::ReadAcknowledgedMark(env, path));
  if (!mark.has_value()) return absl::OkStatus();
  return storage_internal::CheckAgainstMark(path, *mark, generation, applied_position);
}

}  // namespace

storage_internal::StoreRep::~StoreRep() {
  const bool wrote = marked && write_error.ok() && db != nullptr;
  const MetaRows final_meta = wrote ? MetaOf(*this) : MetaRows{};
  CloseDb(db, handles);
  if (wrote) {
    // After the close, which wrote the WAL's last bytes. Best effort, as in Commit().
    (void)WriteAcknowledgedMark(EnvOf(options), path,
                                {final_meta.generation, final_meta.applied_position},
                                options.sync);
  }
  writer_lock.reset();  // after the close: the next writer must find the database closed
}

Store::Store(std::unique_ptr<storage_internal::StoreRep> rep) : rep_(std::move(rep)) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  return Open(path, options, nullptr);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options, LoadSink* sink) {
  rocksdb::Options db_options = MakeOptions(options);
  CLEARANCE_ASSIGN_OR_RETURN(bool exists, Exists(db_options.env, path));
  if (!exists && (!options.create_if_missing || options.read_only)) {
    return absl::NotFoundError(StrCat("no store at ", path));
  }
  std::unique_ptr<storage_internal::WriterLock> lock;
  if (!options.read_only) {
    // The lock comes before anything is read: a writer opening beside another reads a MANIFEST
    // that the other one may be replacing.
    CLEARANCE_RETURN_IF_ERROR(
        FromRocks(db_options.env->CreateDirIfMissing(path), StrCat("creating ", path)));
    CLEARANCE_ASSIGN_OR_RETURN(
        lock, storage_internal::WriterLock::Acquire(db_options.env, path, options.lock_timeout,
                                                    options.writer_note));
    // The previous holder may have created it.
    CLEARANCE_ASSIGN_OR_RETURN(exists, Exists(db_options.env, path));
  }
  const storage_internal::OpenMode mode = !exists ? storage_internal::OpenMode::kCreate
                                          : options.read_only
                                              ? storage_internal::OpenMode::kReadOnly
                                              : storage_internal::OpenMode::kWrite;
  CLEARANCE_ASSIGN_OR_RETURN(OpenedDb opened, OpenDb(path, db_options, mode));

  auto rep = std::make_unique<storage_internal::StoreRep>();
  rep->options = options;
  rep->path = path;
  rep->writer_lock = std::move(lock);
  rep->db = std::move(opened.db);
  rep->handles = std::move(opened.handles);
  rep->families = opened.families;
  CLEARANCE_RETURN_IF_ERROR(VerifySstChecksums(rep->db.get(), path));

  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  CLEARANCE_ASSIGN_OR_RETURN(const storage_internal::StoredMeta meta,
                             storage_internal::ReadMeta(rep->db.get(), rep->families, read));
  if (!meta.present) {
    // Either brand new, or a creation that died before its first write: both are empty.
    CLEARANCE_ASSIGN_OR_RETURN(
        const bool empty, storage_internal::AllFamiliesEmpty(rep->db.get(), rep->families, read));
    if (!empty) {
      return absl::DataLossError(
          StrCat("corrupt store at ", path, ": rows present but no schema version"));
    }
    CLEARANCE_RETURN_IF_ERROR(CheckAcknowledgedMark(db_options.env, path, 0, std::nullopt));
    if (!options.read_only) {
      CLEARANCE_RETURN_IF_ERROR(InitializeMeta(rep->db.get(), rep->families));
    }
    if (sink != nullptr) {
      sink->Begin(LoadInfo{});  // what InitializeMeta wrote: MetaRows{}
      sink->End();
    }
    return std::unique_ptr<Store>(new Store(std::move(rep)));
  }
  if (meta.rows.schema_version != kSchemaVersion &&
      meta.rows.schema_version != kOldestReadableSchemaVersion) {
    return absl::DataLossError(StrCat("store at ", path, " has schema version ",
                                      meta.rows.schema_version, "; this build reads only ",
                                      kOldestReadableSchemaVersion, " and ", kSchemaVersion));
  }
  CLEARANCE_RETURN_IF_ERROR(CheckAcknowledgedMark(db_options.env, path, meta.rows.generation,
                                                  meta.rows.applied_position));
  // Before ReleaseStaleWals(), which rewrites the schema version: version 2 must never be on
  // disk beside version 1's derived rows. A read-only open of a version-1 store reads only the
  // source rows, which both versions lay out alike.
  if (!options.read_only && meta.rows.schema_version != kSchemaVersion) {
    CLEARANCE_RETURN_IF_ERROR(MigrateFromVersion1(rep->db.get(), rep->families));
  }
  if (!options.read_only) {
    CLEARANCE_RETURN_IF_ERROR(ReleaseStaleWals(*rep, db_options.env));
  }
  uint64_t rows = 0;
  CLEARANCE_RETURN_IF_ERROR(storage_internal::LoadSource(rep->db.get(), rep->families, read,
                                                         meta.rows, &rep->state, &rows, sink,
                                                         options.load_sink_thread));
  rep->applied_position = meta.rows.applied_position;
  rep->generation = meta.rows.generation;
  return std::unique_ptr<Store>(new Store(std::move(rep)));
}

const IdentityState& Store::state() const { return rep_->state; }
std::optional<uint64_t> Store::applied_position() const { return rep_->applied_position; }
uint64_t Store::generation() const { return rep_->generation; }

absl::StatusOr<ApplyResult> Store::Apply(const Command& command,
                                         std::optional<uint64_t> log_position) {
  CLEARANCE_RETURN_IF_ERROR(CheckWritable(*rep_));
  rocksdb::WriteBatch batch;
  ApplyResult result = Stage(*rep_, command, log_position, &batch);
  if (result.outcome == ApplyResult::Outcome::kSkipped) return result;
  // A refused command without a position changes nothing worth writing.
  if (result.outcome == ApplyResult::Outcome::kRefused && !log_position) return result;
  CLEARANCE_RETURN_IF_ERROR(Commit(*rep_, &batch));
  return result;
}

absl::StatusOr<std::vector<ApplyResult>> Store::ApplyBatch(
    absl::Span<const LoggedCommand> commands) {
  CLEARANCE_RETURN_IF_ERROR(CheckWritable(*rep_));
  rocksdb::WriteBatch batch;
  std::vector<ApplyResult> results;
  results.reserve(commands.size());
  bool dirty = false;
  for (const LoggedCommand& c : commands) {
    results.push_back(Stage(*rep_, c.command, c.log_position, &batch));
    const ApplyResult& r = results.back();
    dirty |= r.outcome == ApplyResult::Outcome::kApplied ||
             (r.outcome == ApplyResult::Outcome::kRefused && c.log_position);
  }
  if (dirty) {
    CLEARANCE_RETURN_IF_ERROR(Commit(*rep_, &batch));
  }
  return results;
}

absl::Status Store::Checkpoint(const std::string& dir) {
  CLEARANCE_RETURN_IF_ERROR(CheckWritable(*rep_));
  rocksdb::Checkpoint* raw = nullptr;
  CLEARANCE_RETURN_IF_ERROR(
      FromRocks(rocksdb::Checkpoint::Create(rep_->db.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocks(checkpoint->CreateCheckpoint(dir), StrCat("checkpoint into ", dir));
}

absl::Status Store::Flush() {
  CLEARANCE_RETURN_IF_ERROR(CheckWritable(*rep_));
  std::vector<rocksdb::ColumnFamilyHandle*> families(rep_->handles.begin() + 1,
                                                     rep_->handles.end());
  return FromRocks(rep_->db->Flush(rocksdb::FlushOptions(), families), "flush");
}

}  // namespace clearance

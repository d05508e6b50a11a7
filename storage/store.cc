// Store: opening, applying commands, checkpoints. Verify() is in verify.cc.
#include "clearance/store.h"

#include <utility>

#include "clearance/internal/strings.h"
#include "internal/db.h"
#include "internal/derivation.h"
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
  const Families& f = rep.families;
  std::set<ClosureKey> affected = storage_internal::AffectedClosures(rep.state, *planned);
  std::vector<storage_internal::ClaimIndexChange> claims =
      storage_internal::ClaimIndexChanges(rep.state, *planned);
  storage_internal::WriteSourceChanges(f, rep.state, *planned, batch);
  rep.state.Apply(*planned);
  for (const ClosureKey& key : affected) {
    Closure now = storage_internal::ComputeClosure(rep.state, key.first, key.second);
    auto it = rep.derived.closures.find(key);
    if (it == rep.derived.closures.end()) {
      if (now.empty()) continue;
      storage_internal::WriteClosure(f, key, now, batch);
      rep.derived.closures.emplace(key, std::move(now));
    } else if (!(it->second == now)) {
      storage_internal::WriteClosure(f, key, now, batch);
      if (now.empty()) {
        rep.derived.closures.erase(it);
      } else {
        it->second = std::move(now);
      }
    }
  }
  for (const storage_internal::ClaimIndexChange& c : claims) {
    storage_internal::WriteClaimIndexChange(f, c, batch);
    if (c.put) {
      rep.derived.claim_index.insert(c.entry);
    } else {
      rep.derived.claim_index.erase(c.entry);
    }
  }
  ++rep.generation;
  result.outcome = ApplyResult::Outcome::kApplied;
  result.changes = *std::move(planned);
  return result;
}

absl::Status Commit(storage_internal::StoreRep& rep, rocksdb::WriteBatch* batch) {
  storage_internal::WriteMeta(rep.families, MetaOf(rep), batch);
  rocksdb::WriteOptions w;
  w.sync = rep.options.sync;
  absl::Status s = FromRocks(rep.db->Write(w, batch), "writing command");
  if (!s.ok()) rep.write_error = s;
  return s;
}

}  // namespace

storage_internal::StoreRep::~StoreRep() { CloseDb(db, handles); }

Store::Store(std::unique_ptr<storage_internal::StoreRep> rep) : rep_(std::move(rep)) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  return Open(path, options, nullptr);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options, LoadSink* sink) {
  rocksdb::Options db_options = MakeOptions(options);
  absl::StatusOr<bool> exists = Exists(db_options.env, path);
  if (!exists.ok()) return exists.status();
  if (!*exists && !options.create_if_missing) {
    return absl::NotFoundError(StrCat("no store at ", path));
  }
  absl::StatusOr<OpenedDb> opened = OpenDb(path, db_options, /*fresh=*/!*exists);
  if (!opened.ok()) return opened.status();

  auto rep = std::make_unique<storage_internal::StoreRep>();
  rep->options = options;
  rep->path = path;
  rep->db = std::move(opened->db);
  rep->handles = std::move(opened->handles);
  rep->families = opened->families;

  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  absl::StatusOr<storage_internal::StoredMeta> meta =
      storage_internal::ReadMeta(rep->db.get(), rep->families, read);
  if (!meta.ok()) return meta.status();
  if (!meta->present) {
    // Either brand new, or a creation that died before its first write: both are empty.
    absl::StatusOr<bool> empty =
        storage_internal::AllFamiliesEmpty(rep->db.get(), rep->families, read);
    if (!empty.ok()) return empty.status();
    if (!*empty) {
      return absl::DataLossError(
          StrCat("corrupt store at ", path, ": rows present but no schema version"));
    }
    absl::Status s = InitializeMeta(rep->db.get(), rep->families);
    if (!s.ok()) return s;
    if (sink != nullptr) {
      sink->Begin(LoadInfo{});  // what InitializeMeta wrote: MetaRows{}
      sink->End();
    }
    return std::unique_ptr<Store>(new Store(std::move(rep)));
  }
  if (meta->rows.schema_version != kSchemaVersion) {
    return absl::DataLossError(StrCat("store at ", path, " has schema version ",
                                      meta->rows.schema_version, "; this build reads only ",
                                      kSchemaVersion));
  }
  uint64_t rows = 0;
  // The derived rows first: they are few, and the source load then ends with the sink's End().
  absl::Status s =
      storage_internal::LoadDerived(rep->db.get(), rep->families, read, &rep->derived, &rows);
  if (!s.ok()) return s;
  s = storage_internal::LoadSource(rep->db.get(), rep->families, read, meta->rows, &rep->state,
                                   &rows, sink, options.load_sink_thread);
  if (!s.ok()) return s;
  rep->applied_position = meta->rows.applied_position;
  rep->generation = meta->rows.generation;
  return std::unique_ptr<Store>(new Store(std::move(rep)));
}

const IdentityState& Store::state() const { return rep_->state; }
const DerivedState& Store::derived() const { return rep_->derived; }
std::optional<uint64_t> Store::applied_position() const { return rep_->applied_position; }
uint64_t Store::generation() const { return rep_->generation; }

absl::StatusOr<ApplyResult> Store::Apply(const Command& command,
                                         std::optional<uint64_t> log_position) {
  if (!rep_->write_error.ok()) return rep_->write_error;
  rocksdb::WriteBatch batch;
  ApplyResult result = Stage(*rep_, command, log_position, &batch);
  if (result.outcome == ApplyResult::Outcome::kSkipped) return result;
  // A refused command without a position changes nothing worth writing.
  if (result.outcome == ApplyResult::Outcome::kRefused && !log_position) return result;
  absl::Status s = Commit(*rep_, &batch);
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<ApplyResult>> Store::ApplyBatch(
    absl::Span<const LoggedCommand> commands) {
  if (!rep_->write_error.ok()) return rep_->write_error;
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
    absl::Status s = Commit(*rep_, &batch);
    if (!s.ok()) return s;
  }
  return results;
}

absl::Status Store::Checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  absl::Status s = FromRocks(rocksdb::Checkpoint::Create(rep_->db.get(), &raw), "checkpoint");
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocks(checkpoint->CreateCheckpoint(dir), StrCat("checkpoint into ", dir));
}

absl::Status Store::Flush() {
  if (!rep_->write_error.ok()) return rep_->write_error;
  std::vector<rocksdb::ColumnFamilyHandle*> families(rep_->handles.begin() + 1,
                                                     rep_->handles.end());
  return FromRocks(rep_->db->Flush(rocksdb::FlushOptions(), families), "flush");
}

}  // namespace clearance

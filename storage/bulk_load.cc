// The bulk path: BulkLoader (clearance/bulk_loader.h) and Store::CreateFrom() on top of it.
//
// Every row is encoded into its keys and buffered per column family in a run of bounded size; a
// full run is sorted and spilled to a temporary SST file, and Finish() merges the runs of each
// family into one SST file (an external merge sort), so memory stays flat however many rows come
// in. Only source rows are written: nothing derived is stored (storage/FORMAT.md). All families'
// files are then ingested in one atomic IngestExternalFiles() call, and the meta rows follow in one synced
// write, the schema version with them. No memtable, no WAL, no compaction.
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "clearance/bulk_loader.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "internal/db.h"
#include "internal/keys.h"
#include "internal/rocks_status.h"
#include "internal/row_writer.h"
#include "rocksdb/sst_file_reader.h"
#include "rocksdb/sst_file_writer.h"

namespace clearance {
namespace {

using storage_internal::FromRocks;
using strings_internal::StrCat;

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// The keys of one column family, sorted on disk in bounded memory.
class SortedRuns {
 public:
  // `options` writes the final file; `spill_options` the temporary runs.
  SortedRuns(rocksdb::ColumnFamilyHandle* family, const rocksdb::Options* options,
             const rocksdb::Options* spill_options, std::string dir, size_t budget)
      : family_(family),
        options_(options),
        spill_options_(spill_options),
        dir_(std::move(dir)),
        budget_(budget) {}

  absl::Status Add(std::string key, std::string value) {
    // Two strings' heap blocks and the pair itself: an estimate, so the budget holds roughly.
    bytes_ += key.size() + value.size() + 96;
    buffer_.emplace_back(std::move(key), std::move(value));
    if (bytes_ >= budget_) return Spill();
    return absl::OkStatus();
  }

  // Writes every key added, sorted and without repeats, to `file`. *wrote is false when the family
  // got no keys (no file is made).
  absl::Status Finish(const std::string& file, bool* wrote) {
    *wrote = false;
    if (spills_.empty()) {
      if (buffer_.empty()) return absl::OkStatus();
      *wrote = true;
      return WriteSorted(file, *options_);
    }
    if (!buffer_.empty()) {
      CLEARANCE_RETURN_IF_ERROR(Spill());
    }
    *wrote = true;
    return Merge(file);
  }

 private:
  absl::Status WriteSorted(const std::string& file, const rocksdb::Options& options) {
    std::sort(buffer_.begin(), buffer_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, family_);
    absl::Status status = FromRocks(writer.Open(file), "bulk load");
    for (size_t i = 0; i < buffer_.size() && status.ok(); ++i) {
      if (i > 0 && buffer_[i].first == buffer_[i - 1].first) continue;
      status = FromRocks(writer.Put(buffer_[i].first, buffer_[i].second), "bulk load");
    }
    if (status.ok()) status = FromRocks(writer.Finish(), "bulk load");
    buffer_ = {};  // give the memory back, not just the elements
    bytes_ = 0;
    return status;
  }

  absl::Status Spill() {
    std::string file = StrCat(dir_, "/", family_->GetName(), "-", spills_.size(), ".sst");
    spills_.push_back(file);
    return WriteSorted(file, *spill_options_);
  }

  // k-way merge of the spilled runs; equal keys (a shared index key) are written once.
  absl::Status Merge(const std::string& file) {
    std::vector<std::unique_ptr<rocksdb::SstFileReader>> readers;
    std::vector<std::unique_ptr<rocksdb::Iterator>> its;
    rocksdb::ReadOptions read;
    read.verify_checksums = true;
    read.fill_cache = false;
    for (const std::string& spill : spills_) {
      readers.push_back(std::make_unique<rocksdb::SstFileReader>(*spill_options_));
      CLEARANCE_RETURN_IF_ERROR(FromRocks(readers.back()->Open(spill), "bulk load"));
      its.emplace_back(readers.back()->NewIterator(read));
      its.back()->SeekToFirst();
    }
    auto greater = [&](size_t a, size_t b) { return its[a]->key().compare(its[b]->key()) > 0; };
    std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
    for (size_t i = 0; i < its.size(); ++i) {
      if (its[i]->Valid()) heap.push(i);
    }
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), *options_, family_);
    absl::Status status = FromRocks(writer.Open(file), "bulk load");
    std::string last;
    bool any = false;
    while (!heap.empty() && status.ok()) {
      const size_t i = heap.top();
      heap.pop();
      if (!any || View(its[i]->key()) != last) {
        status = FromRocks(writer.Put(its[i]->key(), its[i]->value()), "bulk load");
        last.assign(its[i]->key().data(), its[i]->key().size());
        any = true;
      }
      its[i]->Next();
      if (its[i]->Valid()) {
        heap.push(i);
      } else if (status.ok()) {
        status = FromRocks(its[i]->status(), "bulk load: reading a sorted run");
      }
    }
    if (status.ok()) status = FromRocks(writer.Finish(), "bulk load");
    its.clear();
    readers.clear();
    std::error_code ignored;  // the whole run directory is removed at the end anyway
    for (const std::string& spill : spills_) std::filesystem::remove(spill, ignored);
    spills_.clear();
    return status;
  }

  rocksdb::ColumnFamilyHandle* family_;
  const rocksdb::Options* options_;
  const rocksdb::Options* spill_options_;
  std::string dir_;
  size_t budget_;
  size_t bytes_ = 0;
  std::vector<std::pair<std::string, std::string>> buffer_;
  std::vector<std::string> spills_;
};

}  // namespace

struct BulkLoader::Rep {
  std::string path;
  rocksdb::Options db_options;
  // Runs are read once and deleted: compressing them costs more than the disk they save.
  rocksdb::Options spill_options;
  storage_internal::OpenedDb opened;
  bool db_open = false;
  bool finished = false;
  std::string run_dir;
  // entities, memberships, authorizations.
  std::vector<std::unique_ptr<SortedRuns>> runs;

  SortedRuns& Runs(rocksdb::ColumnFamilyHandle* h) {
    const storage_internal::Families& f = opened.families;
    if (h == f.entities) return *runs[0];
    if (h == f.memberships) return *runs[1];
    return *runs[2];
  }
};

BulkLoader::BulkLoader(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

BulkLoader::~BulkLoader() {
  if (rep_->db_open) storage_internal::CloseDb(rep_->opened.db, rep_->opened.handles);
  if (!rep_->finished) {
    std::error_code ignored;  // best effort; Open() refuses a half-made store anyway
    std::filesystem::remove_all(rep_->path, ignored);
  }
}

absl::StatusOr<std::unique_ptr<BulkLoader>> BulkLoader::Create(const std::string& path,
                                                               const StoreOptions& options,
                                                               BulkLoaderOptions loader_options) {
  if (options.env != nullptr) {
    return absl::InvalidArgumentError(
        "bulk load: StoreOptions::env must be the default; runs and cleanup use the real file "
        "system");
  }
  auto rep = std::make_unique<Rep>();
  rep->path = path;
  rep->db_options = storage_internal::MakeOptions(options);
  rep->spill_options = rep->db_options;
  rep->spill_options.compression = rocksdb::kNoCompression;
  CLEARANCE_ASSIGN_OR_RETURN(const bool exists,
                             storage_internal::Exists(rep->db_options.env, path));
  if (exists) return absl::FailedPreconditionError(StrCat("a store already exists at ", path));
  // An unfinished loader removes the directory, so it must not hold anything it did not write.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_empty(path, ec)) {
    return absl::FailedPreconditionError(
        StrCat("bulk load: '", path, "' is not empty; expected a new or empty directory"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(
      rep->opened,
      storage_internal::OpenDb(path, rep->db_options, storage_internal::OpenMode::kCreate));
  rep->db_open = true;
  std::unique_ptr<BulkLoader> loader(new BulkLoader(std::move(rep)));
  Rep& r = *loader->rep_;
  r.run_dir = path + "/bulk-runs";
  std::filesystem::create_directory(r.run_dir, ec);
  if (ec) {
    return absl::UnavailableError(StrCat("bulk load: creating ", r.run_dir, ": ", ec.message()));
  }
  const storage_internal::Families& f = r.opened.families;
  for (rocksdb::ColumnFamilyHandle* h : {f.entities, f.memberships, f.authorizations}) {
    r.runs.push_back(
        std::make_unique<SortedRuns>(h, &r.db_options, &r.spill_options, r.run_dir,
                                     loader_options.run_bytes));
  }
  return loader;
}

absl::Status BulkLoader::Add(const Row& row) {
  Rep& r = *rep_;
  ++rows_;
  for (storage_internal::KeyValue& kv : storage_internal::SourceRowKeys(r.opened.families, row)) {
    CLEARANCE_RETURN_IF_ERROR(r.Runs(kv.family).Add(std::move(kv.key), std::move(kv.value)));
  }
  return absl::OkStatus();
}

absl::Status BulkLoader::Finish(const Meta& meta) {
  Rep& r = *rep_;
  if (r.finished || !r.db_open) return absl::FailedPreconditionError("bulk load: Finish() twice");
  const storage_internal::Families& f = r.opened.families;
  rocksdb::ColumnFamilyHandle* order[] = {f.entities, f.memberships, f.authorizations};
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (size_t i = 0; i < std::size(order); ++i) {
    const std::string file = StrCat(r.path, "/bulk-", order[i]->GetName(), ".sst");
    bool wrote = false;
    CLEARANCE_RETURN_IF_ERROR(r.runs[i]->Finish(file, &wrote));
    if (!wrote) continue;
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = order[i];
    arg.external_files = {file};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  rocksdb::DB* db = r.opened.db.get();
  if (!args.empty()) {
    CLEARANCE_RETURN_IF_ERROR(FromRocks(db->IngestExternalFiles(args), "bulk load ingestion"));
  }
  // The schema version goes in the same synced batch as the other meta rows: a bulk load that
  // dies before this point leaves rows without a schema version, which Open() refuses.
  rocksdb::WriteBatch batch;
  storage_internal::MetaRows rows;
  rows.applied_position = meta.applied_position;
  rows.next_authorization_key = meta.next_authorization_key;
  rows.configuration = meta.configuration;
  rows.initialized = meta.initialized;
  storage_internal::WriteMeta(f, rows, &batch);
  storage_internal::WriteSchemaVersion(f, Store::kSchemaVersion, &batch);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  CLEARANCE_RETURN_IF_ERROR(FromRocks(db->Write(synced, &batch), "bulk load"));
  storage_internal::CloseDb(r.opened.db, r.opened.handles);
  r.db_open = false;
  r.finished = true;
  std::error_code ignored;  // leftover empty run directory: harmless
  std::filesystem::remove_all(r.run_dir, ignored);
  return absl::OkStatus();
}

absl::Status Store::CreateFrom(const std::string& path, const StoreOptions& options,
                               const IdentityState& state, std::optional<uint64_t> log_position) {
  CLEARANCE_ASSIGN_OR_RETURN(std::unique_ptr<BulkLoader> loader, BulkLoader::Create(path, options));
  absl::Status status;
  auto add = [&](const Row& row) {
    if (status.ok()) status = loader->Add(row);
  };
  for (const auto& [id, u] : state.users()) add(u);
  for (const auto& [id, g] : state.groups()) add(g);
  for (const auto& [id, r] : state.roles()) add(r);
  for (const auto& [id, t] : state.tenants()) add(t);
  for (const auto& [id, r] : state.mapping_rules()) add(r);
  for (const Membership& m : state.memberships()) add(m);
  for (const auto& [key, a] : state.authorizations()) add(a);
  if (!status.ok()) return status;
  return loader->Finish(
      {log_position, state.next_authorization_key(), state.config(), state.initialized()});
}

}  // namespace clearance

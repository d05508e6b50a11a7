#include "internal/loader.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "clearance/claim_path.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "internal/keys.h"
#include "internal/rocks_status.h"
#include "internal/rows.h"

namespace clearance::storage_internal {
namespace {

using strings_internal::StrCat;

// Rows are applied to the state in chunks so the load never holds a second full copy.
constexpr size_t kLoadChunk = 1024;
// Chunks decoded ahead of a LoadSink's thread at most (about 200 KB each): bounds the memory a slow
// sink can make the load hold.
constexpr size_t kMaxChunksInFlight = 64;

// Feeds decoded chunks to a LoadSink and hands each back to the caller once the sink is done
// with it, because the state then moves the rows out. Threaded, the sink runs on its own thread,
// one chunk at a time in order, while the caller decodes the next chunks and applies the ones
// the sink has finished; a chunk is touched by one thread at a time, handed over under `mu_`.
class SinkFeeder {
 public:
  SinkFeeder(LoadSink* sink, const LoadInfo& info, bool threaded) : sink_(sink) {
    if (threaded) {
      thread_ = std::thread([this, info] { Run(info); });
    } else {
      sink_->Begin(info);
    }
  }
  // Without Finish() (a failed load): stops the sink's thread after its current chunk.
  ~SinkFeeder() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      abandoned_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }
  SinkFeeder(const SinkFeeder&) = delete;
  SinkFeeder& operator=(const SinkFeeder&) = delete;

  // Takes `chunk`; calls `apply` with every chunk the sink has finished, in order. Blocks while
  // more than kMaxChunksInFlight chunks wait for the sink.
  template <typename F>
  void Push(ChangeSet&& chunk, F& apply) {
    if (!thread_.joinable()) {
      for (const RowChange& c : chunk.changes) sink_->Put(c.row);
      apply(std::move(chunk));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(chunk));
    }
    ready_.notify_one();
    Drain(apply, /*all=*/false);
  }

  // Waits until the sink has seen every chunk and its End() returned, applies the rest, and
  // stops the sink's thread.
  template <typename F>
  void Finish(F& apply) {
    if (!thread_.joinable()) {
      sink_->End();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    ready_.notify_one();
    Drain(apply, /*all=*/true);
    thread_.join();
  }

 private:
  template <typename F>
  void Drain(F& apply, bool all) {
    for (;;) {
      ChangeSet done;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (queue_.empty()) return;
        if (finished_ == popped_) {  // the front chunk is still the sink's
          if (!all && queue_.size() <= kMaxChunksInFlight) return;
          done_.wait(lock, [this] { return finished_ > popped_; });
        }
        done = std::move(queue_.front());
        queue_.pop_front();
        ++popped_;
      }
      apply(std::move(done));
    }
  }

  void Run(const LoadInfo& info) {
    sink_->Begin(info);
    for (;;) {
      const ChangeSet* chunk = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [this] { return finished_ - popped_ < queue_.size() || closed_; });
        if (abandoned_) return;
        if (finished_ - popped_ == queue_.size()) break;  // closed: every chunk was seen
        // Stays put while the caller pushes at the back and pops finished chunks at the front.
        chunk = &queue_[finished_ - popped_];
      }
      for (const RowChange& c : chunk->changes) sink_->Put(c.row);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++finished_;
      }
      done_.notify_one();
    }
    sink_->End();
  }

  LoadSink* sink_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable ready_;  // a chunk was queued, or closed_
  std::condition_variable done_;   // the sink finished a chunk
  std::deque<ChangeSet> queue_;    // chunks pushed and not yet given back, oldest first
  uint64_t finished_ = 0;          // chunks the sink finished, since the start
  uint64_t popped_ = 0;            // chunks given back to the caller, since the start
  bool closed_ = false;
  bool abandoned_ = false;
};

uint64_t EstimatedKeys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) {
  uint64_t n = 0;
  if (!db->GetIntProperty(family, rocksdb::DB::Properties::kEstimateNumKeys, &n)) return 0;
  return n;
}

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

absl::Status BadRow(std::string_view family, std::string_view key, std::string_view problem) {
  return absl::DataLossError(StrCat("corrupt store: ", family, " row ", Hex(key), ": ", problem));
}

// Iterates the keys of `family` that start with `prefix` (all keys when empty).
template <typename F>
absl::Status Scan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                  const rocksdb::ReadOptions& read, std::string_view prefix, F&& f) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, family));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    CLEARANCE_RETURN_IF_ERROR(f(key, View(it->value())));
  }
  return FromRocks(it->status(), StrCat("corrupt store: reading ", family->GetName()));
}

absl::Status ToDataLoss(absl::Status s) {
  // A read that fails with anything but an I/O error means the files are not what we wrote.
  if (s.ok() || absl::IsUnavailable(s) || absl::IsDataLoss(s)) return s;
  return absl::DataLossError(s.message());
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 0xF]);
  }
  return out;
}

absl::StatusOr<StoredMeta> ReadMeta(rocksdb::DB* db, const Families& f,
                                    const rocksdb::ReadOptions& read) {
  StoredMeta out;
  auto get = [&](std::string_view key, std::string* value) -> absl::StatusOr<bool> {
    rocksdb::PinnableSlice slice;
    rocksdb::Status s = db->Get(read, f.meta, rocksdb::Slice(key.data(), key.size()), &slice);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return ToDataLoss(FromRocks(s, "corrupt store: reading meta"));
    value->assign(slice.data(), slice.size());
    return true;
  };
  auto bad = [](std::string_view key) {
    return absl::DataLossError(StrCat("corrupt store: meta row '", key, "' does not decode"));
  };
  std::string value;
  CLEARANCE_ASSIGN_OR_RETURN(bool found, get(kMetaSchemaVersion, &value));
  if (!found) return out;
  out.present = true;
  uint64_t v = 0;
  if (!DecodeFixed64(value, &v) || v > UINT32_MAX) return bad(kMetaSchemaVersion);
  out.rows.schema_version = static_cast<uint32_t>(v);

  CLEARANCE_ASSIGN_OR_RETURN(found, get(kMetaAppliedPosition, &value));
  if (found) {
    if (!DecodeFixed64(value, &v)) return bad(kMetaAppliedPosition);
    out.rows.applied_position = v;
  }
  // The remaining rows are written with every commit and by store creation.
  struct Fixed {
    std::string_view key;
    uint64_t* target;
  };
  for (Fixed fx : {Fixed{kMetaGeneration, &out.rows.generation},
                   Fixed{kMetaNextAuthorizationKey, &out.rows.next_authorization_key}}) {
    CLEARANCE_ASSIGN_OR_RETURN(found, get(fx.key, &value));
    if (!found)
      return absl::DataLossError(StrCat("corrupt store: meta row '", fx.key, "' missing"));
    if (!DecodeFixed64(value, fx.target)) return bad(fx.key);
  }
  CLEARANCE_ASSIGN_OR_RETURN(found, get(kMetaConfiguration, &value));
  if (!found || !DecodeConfiguration(value, &out.rows.configuration)) {
    return bad(kMetaConfiguration);
  }
  CLEARANCE_ASSIGN_OR_RETURN(found, get(kMetaInitialized, &value));
  if (!found || value.size() != 1 || static_cast<uint8_t>(value[0]) > 1) {
    return bad(kMetaInitialized);
  }
  out.rows.initialized = value[0] == 1;
  return out;
}

absl::Status LoadSource(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                        const MetaRows& meta, IdentityState* state, uint64_t* rows,
                        LoadSink* sink, bool sink_thread) {
  std::optional<SinkFeeder> feeder;
  if (sink != nullptr) {
    LoadInfo info;
    info.configuration = meta.configuration;
    info.next_authorization_key = meta.next_authorization_key;
    info.initialized = meta.initialized;
    info.generation = meta.generation;
    // Memberships are stored with one index key each, authorizations with two (FORMAT.md).
    info.estimated_entities = EstimatedKeys(db, f.entities);
    info.estimated_memberships = EstimatedKeys(db, f.memberships) / 2;
    info.estimated_authorizations = EstimatedKeys(db, f.authorizations) / 3;
    // A second thread only pays when there is a second core to run it.
    feeder.emplace(sink, info, sink_thread && std::thread::hardware_concurrency() > 1);
  }
  // The state's secondary indexes are built once at the end (IdentityState::BulkLoader), not
  // row by row; on an early return the loader's destructor still leaves the state consistent.
  IdentityState::BulkLoader bulk(state);
  // Applied chunks' vectors are reused: a new one per chunk would be a large free and malloc
  // each time.
  std::vector<std::vector<RowChange>> spare;
  auto apply = [&bulk, &spare](ChangeSet&& done) {
    bulk.Apply(std::move(done));
    done.changes.clear();  // the rows were moved out; this destroys the husks
    spare.push_back(std::move(done.changes));
  };

  ChangeSet chunk;
  chunk.configuration = meta.configuration;
  chunk.next_authorization_key = meta.next_authorization_key;
  chunk.initializes = meta.initialized;
  chunk.changes.reserve(kLoadChunk);
  auto flush = [&] {
    if (feeder) {
      feeder->Push(std::move(chunk), apply);
    } else {
      apply(std::move(chunk));
    }
    chunk = ChangeSet{};
    if (!spare.empty()) {
      chunk.changes = std::move(spare.back());
      spare.pop_back();
    } else {
      chunk.changes.reserve(kLoadChunk);
    }
  };
  // Each row is decoded in place, into the chunk's last element.
  auto next = [&]<typename T>(std::in_place_type_t<T> type) -> T& {
    if (chunk.changes.size() >= kLoadChunk) flush();
    ++*rows;
    return std::get<T>(chunk.changes.emplace_back(RowChange{RowChange::Op::kPut, Row(type)}).row);
  };

  std::string id;
  CLEARANCE_RETURN_IF_ERROR(Scan(
      db, f.entities, read, "", [&](std::string_view key, std::string_view value) -> absl::Status {
        EntityKind kind;
        if (!ParseEntityKey(key, &kind, &id)) return BadRow(kEntitiesFamily, key, "bad key");
        switch (kind) {
          case EntityKind::kUser: {
            User& u = next(std::in_place_type<User>);
            if (!DecodeUser(value, &u) || u.username != id) break;
            return absl::OkStatus();
          }
          case EntityKind::kGroup: {
            Group& g = next(std::in_place_type<Group>);
            if (!DecodeNamed(value, &g) || g.id != id) break;
            return absl::OkStatus();
          }
          case EntityKind::kRole: {
            Role& r = next(std::in_place_type<Role>);
            if (!DecodeNamed(value, &r) || r.id != id) break;
            return absl::OkStatus();
          }
          case EntityKind::kTenant: {
            Tenant& t = next(std::in_place_type<Tenant>);
            if (!DecodeNamed(value, &t) || t.id != id) break;
            return absl::OkStatus();
          }
          case EntityKind::kMappingRule: {
            MappingRule& r = next(std::in_place_type<MappingRule>);
            if (!DecodeMappingRule(value, &r) || r.id != id) break;
            absl::StatusOr<ClaimPath> path = ClaimPath::Compile(r.claim_name);
            if (!path.ok()) return BadRow(kEntitiesFamily, key, "claim name does not compile");
            r.path = *std::move(path);
            return absl::OkStatus();
          }
        }
        return BadRow(kEntitiesFamily, key, "value does not decode or does not match its key");
      }));

  CLEARANCE_RETURN_IF_ERROR(Scan(db, f.memberships, read, std::string(1, kMembershipTag),
                                 [&](std::string_view key, std::string_view value) -> absl::Status {
                                   Membership& m = next(std::in_place_type<Membership>);
                                   if (!ParseMembershipKey(key, &m) || !value.empty()) {
                                     return BadRow(kMembershipsFamily, key, "bad membership row");
                                   }
                                   return absl::OkStatus();
                                 }));

  CLEARANCE_RETURN_IF_ERROR(Scan(
      db, f.authorizations, read, std::string(1, kAuthorizationTag),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        AuthorizationKey k = 0;
        Authorization& a = next(std::in_place_type<Authorization>);
        if (!ParseAuthorizationRowKey(key, &k) || !DecodeAuthorization(value, &a) || a.key != k) {
          return BadRow(kAuthorizationsFamily, key, "bad authorization row");
        }
        return absl::OkStatus();
      }));
  flush();
  if (feeder) feeder->Finish(apply);
  bulk.Finish();
  return absl::OkStatus();
}

absl::Status CountRows(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                       const rocksdb::ReadOptions& read, uint64_t* rows) {
  return Scan(db, family, read, "", [&](std::string_view, std::string_view) {
    ++*rows;
    return absl::OkStatus();
  });
}

absl::Status LoadIndexKeys(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                           std::set<std::string>* membership_index,
                           std::set<std::string>* authorization_index) {
  CLEARANCE_RETURN_IF_ERROR(Scan(db, f.memberships, read, std::string(1, kMembershipByMemberTag),
                                 [&](std::string_view key, std::string_view) {
                                   membership_index->emplace(key);
                                   return absl::OkStatus();
                                 }));
  for (char tag : {kAuthorizationByOwnerTag, kAuthorizationByResourceTag}) {
    CLEARANCE_RETURN_IF_ERROR(Scan(db, f.authorizations, read, std::string(1, tag),
                                   [&](std::string_view key, std::string_view) {
                                     authorization_index->emplace(key);
                                     return absl::OkStatus();
                                   }));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AllFamiliesEmpty(rocksdb::DB* db, const Families& f,
                                      const rocksdb::ReadOptions& read) {
  for (rocksdb::ColumnFamilyHandle* h :
       {f.entities, f.memberships, f.authorizations, f.derived, f.meta}) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, h));
    it->SeekToFirst();
    if (it->Valid()) return false;
    if (!it->status().ok()) return ToDataLoss(FromRocks(it->status(), "corrupt store"));
  }
  return true;
}

}  // namespace clearance::storage_internal

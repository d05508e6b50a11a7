// Store: the identity state made durable in RocksDB (docs/architecture.md "Write path", "Storage").
//
// A Store owns one RocksDB database and an in-memory copy of the IdentityState it holds. Every
// command is planned by clearance::Plan() and persisted as exactly one RocksDB WriteBatch: the
// source row changes of its ChangeSet and the meta rows (applied log position, generation, next
// authorization key, configuration, initialized). A batch is all or nothing, so after a crash the store holds a prefix of the
// acknowledged commands, never half of one. The key and value encodings are in storage/FORMAT.md.
//
// Log positions are the scale-out model: every broker node links its own engine and applies the
// records of the broker's replicated log, each with its position. A command at or below the
// stored position is skipped, so replaying the log after a crash converges to the same state.
//
// Thread-safety: one writer. Apply(), ApplyBatch(), Flush(), Checkpoint() and Verify() must not
// run concurrently with each other. state() returns a reference into the store that
// the next Apply()/ApplyBatch() mutates: readers need external coordination with the writer
// (lock-free readers use the Engine's published generations instead). The const accessors may be
// called from many threads while no writer runs.
#ifndef CLEARANCE_STORE_H_
#define CLEARANCE_STORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearance/commands.h"
#include "clearance/state.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace clearance {
namespace storage_internal {
struct StoreRep;  // storage/internal/store_rep.h
}  // namespace storage_internal

struct StoreOptions {
  // fsync the write-ahead log before a command is acknowledged. true: an acknowledged command
  // survives power loss. false: it survives a killed process (the WAL is written to the OS
  // before Apply returns) but not power loss; roughly two orders of magnitude more commands per
  // second on a disk where fsync costs milliseconds. Default: true (operator commands).
  bool sync = true;
  // Create an empty store when `path` holds none. Default: true. When false, a missing store is
  // NOT_FOUND.
  bool create_if_missing = true;
  // The file system and threads RocksDB uses. Not owned; must outlive the Store. Default
  // (nullptr): rocksdb::Env::Default(). Tests inject an in-memory Env.
  rocksdb::Env* env = nullptr;
  // When Open() is given a LoadSink: true calls the sink on a second thread while the calling
  // thread reads the rows and builds state(), so on a machine with a spare core opening takes
  // about the longer of the two instead of their sum (the CPU time is the same); false, or a
  // machine with one core, calls it on the calling thread. Default: true.
  bool load_sink_thread = true;
  // Open for reading only: no lock is taken and nothing is written, so any number of readers
  // open the store while one writer (another process) holds it. The Store sees the commands
  // acknowledged before Open() (RocksDB's OpenForReadOnly: the SST files and the WALs as of that
  // moment) and never changes: Apply(), ApplyBatch(), Flush() and Checkpoint() return
  // FAILED_PRECONDITION. A store with no meta rows opens as an empty, uninitialized state.
  // Default: false.
  bool read_only = false;
  // How long a writing Open() waits for another process that is writing the same store, polling
  // through `env`. Default: 0 (refuse at once). Ignored when read_only.
  std::chrono::milliseconds lock_timeout{0};
  // Added to what another process that finds the store locked is told about this writer, after
  // its pid and command line: what to do instead ("a clearance server at http://...: send
  // changes through its API, or stop it"). Default: none.
  std::string writer_note;
};

// What Store::Open() tells a LoadSink before the first row.
struct LoadInfo {
  Configuration configuration;
  AuthorizationKey next_authorization_key = 1;
  bool initialized = false;
  // Store::generation() as stored: change sets applied since the store was created.
  uint64_t generation = 0;
  // Row counts estimated from RocksDB's table properties (rocksdb.estimate-num-keys, less the
  // index keys stored beside the rows): approximate, for sizing only.
  uint64_t estimated_entities = 0;
  uint64_t estimated_memberships = 0;
  uint64_t estimated_authorizations = 0;
};

// A second in-memory view of the rows Store::Open() loads, built in the same pass over the store
// instead of from Store::state() afterwards: the compiled index (OpenStoreAndEngine in
// clearance/store_engine.h feeds an EngineBuilder). Open() calls Begin() once, then Put() with
// every source row — entities, memberships, authorizations, each in key order — then End(), all
// from one thread (see StoreOptions::load_sink_thread), and returns only after the last call
// returned. When Open() fails the sink may have seen some of the rows and no End(): discard it.
class LoadSink {
 public:
  virtual ~LoadSink() = default;
  virtual void Begin(const LoadInfo& info) = 0;
  virtual void Put(const Row& row) = 0;
  // After the last row, on the same thread: a sink can finish its build here, overlapping the
  // rest of the load.
  virtual void End() {}
};

// One command with the position of its record in the broker's replicated log, if it has one.
struct LoggedCommand {
  Command command;
  std::optional<uint64_t> log_position;
};

struct ApplyResult {
  enum class Outcome : uint8_t {
    kApplied,  // planned, persisted and applied to state()
    kRefused,  // Plan() refused it: state unchanged; its log position (if any) is recorded
    kSkipped,  // its log position is at or below applied_position(): nothing done
  };
  Outcome outcome = Outcome::kApplied;
  // kRefused: Plan()'s error (INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION).
  absl::Status refusal;
  // kApplied: the change set that was persisted (CreateAuthorization's key is in it).
  ChangeSet changes;
};

struct VerifyReport {
  // One human-readable line per difference ("membership index key 6d01...: missing"). Empty
  // when the store is consistent.
  std::vector<std::string> differences;
  uint64_t source_rows = 0;  // entities + memberships + authorizations read
  // Rows found in the retired `derived` family: those a version-1 store opened read-only still
  // holds; in a version-2 store any such row is also a difference.
  uint64_t derived_rows = 0;

  bool ok() const { return differences.empty(); }
};

class Store {
 public:
  // The on-disk schema this build reads and writes (storage/FORMAT.md).
  static constexpr uint32_t kSchemaVersion = 2;
  // Version 1 also stored derived rows (closures, claim-value index). A writing open deletes
  // them and writes version 2 in one synced batch; a read-only open ignores them.
  static constexpr uint32_t kOldestReadableSchemaVersion = 1;

  // Opens the store at `path`, creating an empty one when missing (see
  // StoreOptions::create_if_missing). Loads the source rows into state(); nothing derived is
  // stored (the engine derives closures when it is built from state()).
  // Errors: DATA_LOSS when the files are corrupt (any checksum mismatch, a row that does not
  // decode, a missing column family, a write-ahead log that is missing or shorter than what was
  // synced) or the schema version is neither kSchemaVersion nor kOldestReadableSchemaVersion — the message says which; NOT_FOUND
  // when missing and !create_if_missing (or read_only); UNAVAILABLE on I/O errors and when
  // another process still writes the store after StoreOptions::lock_timeout (the message names
  // that process).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                                   const StoreOptions& options);
  // The same, also feeding every source row to `sink` (not owned; may be null) as it is read.
  // A new or empty store gives the sink Begin() only. Errors: as above.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                                   const StoreOptions& options,
                                                                   LoadSink* sink);

  // Bulk path: writes `state` (its source rows) into a new store at `path` as one
  // sorted SST file per column family, ingested atomically, then the meta rows in one synced
  // write, with applied position `log_position` and generation 0. Far faster than one Apply()
  // per command; meant for imports and benchmarks. All or nothing: if it fails or the process
  // dies, Open() refuses the directory with DATA_LOSS (rows but no schema version) or finds an
  // empty store; delete the directory and retry. The store is closed on return.
  // Runs on clearance::BulkLoader (bulk_loader.h): memory beyond `state` stays bounded, and a
  // failed call removes what it wrote. REQUIRES: options.env is null.
  // Errors: FAILED_PRECONDITION when `path` already holds a store or is a non-empty directory;
  // UNAVAILABLE on I/O errors.
  [[nodiscard]] static absl::Status CreateFrom(const std::string& path, const StoreOptions& options,
                                               const IdentityState& state,
                                               std::optional<uint64_t> log_position);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();  // closes the database; acknowledged commands are already durable

  // The state as of the last acknowledged command. The reference is valid for the Store's
  // lifetime; its contents change with Apply().
  const IdentityState& state() const;
  // Position of the last command that carried one (applied or refused); nullopt when none did.
  std::optional<uint64_t> applied_position() const;
  // Number of change sets applied since the store was created; +1 per applied command.
  uint64_t generation() const;

  // Plans `command` against state(), persists it in one WriteBatch (synced per
  // StoreOptions::sync) and applies it to state(). A command whose `log_position` is at or
  // below applied_position() is skipped. A refused command is not an error of this call: it
  // returns kRefused with Plan()'s status.
  // Errors (storage only): UNAVAILABLE / DATA_LOSS / INTERNAL from RocksDB. After such an error
  // the in-memory state may be ahead of the disk, so the Store refuses every later write with
  // the same error; reopen it to continue from what is durable.
  [[nodiscard]] absl::StatusOr<ApplyResult> Apply(const Command& command,
                                                  std::optional<uint64_t> log_position);

  // Group commit: plans the commands in order (each against the state the previous ones left)
  // and persists all of them in one WriteBatch with one sync. Results are in input order. All
  // or nothing on disk: after a crash either every command of the batch is there or none.
  // Log positions should increase within the batch; one at or below the position reached so
  // far is skipped. Errors: as Apply().
  [[nodiscard]] absl::StatusOr<std::vector<ApplyResult>> ApplyBatch(
      absl::Span<const LoggedCommand> commands);

  // Reads every source row from a consistent RocksDB snapshot, recomputes the secondary key
  // indexes from them, and reports every difference from what is stored, and any row left in
  // the retired `derived` family of a version-2 store; also reports when the stored state
  // differs from state(). Errors: DATA_LOSS on unreadable rows,
  // UNAVAILABLE on I/O errors.
  [[nodiscard]] absl::StatusOr<VerifyReport> Verify() const;

  // What ScanConsistent() reports before the rows: the meta rows and the number of rows of each
  // kind, all as of the scan's moment. rows_by_kind is indexed like Row's alternatives (users,
  // groups, roles, tenants, mapping rules, memberships, authorizations).
  struct ScanHeader {
    std::optional<uint64_t> applied_position;
    AuthorizationKey next_authorization_key = 1;
    Configuration configuration;
    bool initialized = false;
    uint64_t rows_by_kind[7] = {};
  };
  // A consistent read of the stored state at one moment (one RocksDB snapshot), for exports:
  // `header` once, then `row` for every source row in snapshot order — tenants, groups, roles,
  // mapping rules, users (each by id), memberships (by container type, container id, member
  // type, member id), authorizations (by key). Mapping rules come without their compiled path.
  // Unlike state(), this may run while Apply()/ApplyBatch() run on another thread: it reads
  // only the database, and the rows it reports are exactly those of the commands acknowledged
  // before its moment. A non-OK status from a callback stops the scan and is returned.
  // Errors: DATA_LOSS for a row that does not decode; UNAVAILABLE on I/O errors.
  [[nodiscard]] absl::Status ScanConsistent(
      const std::function<absl::Status(const ScanHeader&)>& header,
      const std::function<absl::Status(const Row&)>& row) const;
  // The same scan of the store at `path` without loading it into memory (what Open() does):
  // opens the database, scans one snapshot and closes it, so memory does not grow with the
  // store's size. For exports by a tool; a live Store in this process is scanned with the
  // member above instead (RocksDB allows one open per database).
  // Errors: NOT_FOUND when `path` holds no store; FAILED_PRECONDITION when the store is empty;
  // DATA_LOSS for a corrupt store or an unknown schema version; UNAVAILABLE on I/O errors
  // (including a store locked by another process); those of the callbacks.
  [[nodiscard]] static absl::Status ScanConsistent(
      const std::string& path, const StoreOptions& options,
      const std::function<absl::Status(const ScanHeader&)>& header,
      const std::function<absl::Status(const Row&)>& row);

  // Binary backup: a RocksDB checkpoint of the live store into `dir`, which must not exist.
  // Open() the directory to use it. Errors: UNAVAILABLE / INVALID_ARGUMENT from RocksDB.
  [[nodiscard]] absl::Status Checkpoint(const std::string& dir);

  // Writes the memtables to SST files (recovery then needs no WAL replay). Errors as Apply().
  [[nodiscard]] absl::Status Flush();

 private:
  explicit Store(std::unique_ptr<storage_internal::StoreRep> rep);
  std::unique_ptr<storage_internal::StoreRep> rep_;
};

}  // namespace clearance

#endif  // CLEARANCE_STORE_H_

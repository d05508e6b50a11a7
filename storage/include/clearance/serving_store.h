// ServingStore: a store and the engine over it kept in step, for a process that serves
// decisions while it takes changes (a server, an embedding broker, the C API).
//
// Writes: Execute() plans a command against the current state, persists it and applies its
// ChangeSet to the engine before it returns. Concurrent callers are grouped (group commit): the
// first caller to find no batch in progress writes every command queued behind it in one
// RocksDB WriteBatch with one sync (Store::ApplyBatch), then applies them to the engine in
// order, so N concurrent synced writes cost about one fsync instead of N. Each command is still
// planned against the state the ones before it leave, so a batch answers exactly as the same
// commands one by one.
//
// When the engine refuses a change set the store already persisted (it does not today; the
// contract allows it) or the store fails, the two may disagree; the ServingStore then refuses
// every later write with that error ("poisoned") while decisions keep answering from the last
// good generation. Reopen to continue from what is durable.
//
// Reads: engine() answers decisions lock-free (published generations). Read() gives the
// identity state (for listings and searches) under a shared lock that a write batch holds
// exclusively from planning to its sync, so a read never sees a change that is not yet durable
// (a read may wait for one fsync; decisions never wait).
//
// Thread-safety: every member may be called from any number of threads.
#ifndef CLEARANCE_SERVING_STORE_H_
#define CLEARANCE_SERVING_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "clearance/engine.h"
#include "clearance/store.h"

namespace clearance {

struct ServingOptions {
  StoreOptions store;
  EngineOptions engine;
  // At most this many commands per WriteBatch. Default: 256.
  size_t max_batch = 256;
};

struct ServingStats {
  uint64_t batches = 0;   // WriteBatches written
  uint64_t commands = 0;  // commands in them (applied, refused and skipped)
  uint64_t applied = 0;
  uint64_t refused = 0;
  uint64_t apply_nanos = 0;  // time spent persisting and applying, summed over batches
};

class ServingStore {
 public:
  // Opens the store (clearance/store_engine.h: one pass builds both) for writing.
  // Errors: those of Store::Open().
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ServingStore>> Open(
      const std::string& path, const ServingOptions& options);
  // Serves an already opened pair. REQUIRES: `engine` mirrors `store->state()`.
  ServingStore(std::unique_ptr<Store> store, std::unique_ptr<Engine> engine, size_t max_batch);
  ~ServingStore();
  ServingStore(const ServingStore&) = delete;
  ServingStore& operator=(const ServingStore&) = delete;

  // Executes one command durably (see above). kApplied: persisted (synced per StoreOptions),
  // applied to state and engine. kRefused: Plan()'s status, nothing changed.
  // Errors: the store's (UNAVAILABLE, DATA_LOSS, INTERNAL), then the same for every later call.
  [[nodiscard]] absl::StatusOr<ApplyResult> Execute(Command command);

  const Engine& engine() const { return *engine_; }
  // Calls `read` with the current state under the shared lock. `read` must not call Execute().
  void Read(absl::FunctionRef<void(const IdentityState&)> read) const;
  // The engine's generation (+1 per applied command).
  uint64_t generation() const { return engine_->generation(); }
  // The stored password hash of `username` (BASIC mode), nullopt when no such user exists. Kept
  // beside the state under a lock of its own that no fsync is ever held under, so basic-auth
  // requests never wait for a write batch.
  std::optional<std::string> PasswordHashOf(std::string_view username) const;
  // A consistent scan of the stored rows (Store::ScanConsistent): exports while writes go on.
  [[nodiscard]] absl::Status ScanConsistent(
      const std::function<absl::Status(const Store::ScanHeader&)>& header,
      const std::function<absl::Status(const Row&)>& row) const;
  ServingStats stats() const;
  // OK, or the error that poisoned writes.
  absl::Status health() const;

 private:
  struct Impl;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance

#endif  // CLEARANCE_SERVING_STORE_H_

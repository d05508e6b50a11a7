// ServingStore: a store and the engine over it kept in step, for a process that serves
// decisions while it takes changes (the server, the C API and so the JVM binding, the load
// driver). It is the one place that applies a command to the store and then to the engine.
//
// Opening: OpenStoreAndEngine (clearance/store_engine.h) builds both in one pass over the stored
// rows. The engine continues the store's count of generations (generation() below), so the
// number only grows, also across reopening.
//
// Writes: Execute() plans a command against the current state, persists it and applies its
// ChangeSet to the engine before it returns. Concurrent callers are grouped (group commit): the
// first caller to find no batch in progress writes every command queued behind it in one
// RocksDB WriteBatch with one sync (Store::ApplyBatch), then applies them to the engine in
// order, so N concurrent synced writes cost about one fsync instead of N. Each command is still
// planned against the state the ones before it leave, so a batch answers exactly as the same
// commands one by one. Write() runs a caller's sequence of commands alone (the record ingestor,
// clearance/ingest.h, decodes each record against the state the previous one left).
//
// Failures, one policy for every write: when the store fails (UNAVAILABLE, DATA_LOSS, INTERNAL)
// or the engine fails to apply a change set the store already persisted (it does not today; the
// contract allows it, and an exception such as std::bad_alloc counts), the two may disagree.
// The ServingStore is then "poisoned": the write that failed returns the error, and so does
// every later write, without touching the store; health() returns it. Decisions keep answering
// from the last good generation. Reopen to continue from what is durable: a command whose
// engine step failed is durable, and the reopened engine serves it.
//
// Reads: engine() answers decisions lock-free (published generations). Read() gives the
// identity state (for listings and searches) under a shared lock that a write batch holds
// exclusively from planning to its sync, so a read never sees a change that is not yet durable
// (a read may wait for one fsync; decisions never wait).
//
// Thread-safety: every member may be called from any number of threads, except from inside the
// callbacks of Read() and Write(): those use only what they are given (calling Execute(),
// Write(), Read() or applied_position() there would wait for itself).
#ifndef CLEARANCE_SERVING_STORE_H_
#define CLEARANCE_SERVING_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  // applied to state and engine. kRefused: Plan()'s status, nothing changed (a log position is
  // recorded). kSkipped: `log_position` is at or below applied_position(), nothing done.
  // Errors: the store's (UNAVAILABLE, DATA_LOSS, INTERNAL) and INTERNAL for an engine failure
  // after the commit, then the same for every later write (see above).
  [[nodiscard]] absl::StatusOr<ApplyResult> Execute(
      Command command, std::optional<uint64_t> log_position = std::nullopt);

  // The writer a Write() callback gets: one command at a time, each persisted in its own
  // WriteBatch and applied to the engine before Apply() returns.
  class Writer {
   public:
    // The state as of the last command applied (including this callback's own).
    const IdentityState& state() const;
    // As ServingStore::Execute(), without the queue. Errors: as Execute().
    [[nodiscard]] absl::StatusOr<ApplyResult> Apply(const Command& command,
                                                    std::optional<uint64_t> log_position);

   private:
    friend class ServingStore;
    explicit Writer(ServingStore* owner) : owner_(owner) {}
    ServingStore* owner_;
  };
  // Runs `write` alone: after the writes queued before it, with no other write and no Read()
  // in between, and returns what it returns. A poisoned store returns its error without
  // calling `write`. Errors: those of `write`.
  [[nodiscard]] absl::Status Write(absl::FunctionRef<absl::Status(Writer&)> write);

  const Engine& engine() const { return *engine_; }
  // Calls `read` with the current state under the shared lock.
  void Read(absl::FunctionRef<void(const IdentityState&)> read) const;
  // The generation decisions answer from: 1 + the number of commands the store has applied
  // since it was created (Store::generation() + 1), so it grows by one per applied command and
  // never goes back, also across reopening. Engine::generation() and PrincipalHandle's are the
  // same number.
  uint64_t generation() const { return engine_->generation(); }
  // The position of the last logged command (applied or refused); nullopt when none carried one.
  // Waits for a write batch in progress (one fsync at most).
  std::optional<uint64_t> applied_position() const;
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
  friend class ServingStoreTestPeer;
  // Tests stand in for the engine step (Engine::Apply) to make it fail.
  void ReplaceEngineStepForTesting(std::function<absl::Status(Engine&, const ChangeSet&)> step);
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance

#endif  // CLEARANCE_SERVING_STORE_H_

#include "clearance/serving_store.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "clearance/internal/mutex.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/store_engine.h"

namespace clearance {

using strings_internal::StrCat;
using sync_internal::Mutex;
using sync_internal::MutexLock;
using sync_internal::ReaderLock;
using sync_internal::SharedMutex;
using sync_internal::WriterLock;

namespace {

// One caller of Execute() or Write() waiting in the queue. Lives on that caller's stack.
struct QueuedWrite {
  LoggedCommand command;
  // Write(): runs alone, on its caller's thread. Null for Execute().
  const absl::FunctionRef<absl::Status(ServingStore::Writer&)>* job = nullptr;
  bool done = false;
  absl::StatusOr<ApplyResult> result = absl::UnknownError("not executed");
};

uint64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

// What an exception escaping the store or the engine says.
absl::Status Thrown(std::string_view where) {
  try {
    throw;
  } catch (const std::exception& e) {
    return absl::InternalError(StrCat(where, " threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(StrCat(where, " threw an unknown exception"));
  }
}

}  // namespace

struct ServingStore::Impl {
  Store* store = nullptr;
  Engine* engine = nullptr;
  size_t max_batch = 256;
  // Null: Engine::Apply. Tests replace it (ReplaceEngineStepForTesting).
  std::function<absl::Status(Engine&, const ChangeSet&)> engine_step;

  // The write queue: its front is the leader writing a batch; those behind wait.
  Mutex queue_mu;
  std::condition_variable_any queue_cv;
  std::deque<QueuedWrite*> queue ABSL_GUARDED_BY(queue_mu);

  // Guards the Store's in-memory state: shared for Read(), exclusive for a batch or a Write().
  mutable SharedMutex state_mu;
  // Separate from state_mu so that health and metrics never wait for a batch's fsync.
  mutable Mutex stats_mu;
  // Set once the store or the engine failed; refuses every later write. Written only by the
  // writer holding state_mu exclusively.
  absl::Status poisoned ABSL_GUARDED_BY(stats_mu);
  ServingStats stats ABSL_GUARDED_BY(stats_mu);

  // username → password hash, mirrored from the state after each command.
  mutable SharedMutex users_mu;
  absl::flat_hash_map<std::string, std::string> password_hashes ABSL_GUARDED_BY(users_mu);

  absl::Status Poisoned() const {
    MutexLock lock(&stats_mu);
    return poisoned;
  }
  void Poison(const absl::Status& error) {
    MutexLock lock(&stats_mu);
    if (poisoned.ok()) poisoned = error;
  }
  void Count(const ServingStats& counted) {
    MutexLock lock(&stats_mu);
    stats.batches += counted.batches;
    stats.commands += counted.commands;
    stats.applied += counted.applied;
    stats.refused += counted.refused;
    stats.apply_nanos += counted.apply_nanos;
  }

  void MirrorUsers(const ChangeSet& changes) {
    WriterLock lock(&users_mu);
    for (const RowChange& change : changes.changes) {
      const User* user = std::get_if<User>(&change.row);
      if (user == nullptr) continue;
      if (change.op == RowChange::Op::kPut) {
        password_hashes[user->username] = user->password_hash;
      } else {
        password_hashes.erase(user->username);
      }
    }
  }

  // The engine's step after the store persisted `changes`: the only place the two are kept in
  // step. On failure poisons and returns the error that says so.
  absl::Status Follow(const ChangeSet& changes) {
    MirrorUsers(changes);
    absl::Status applied;
    try {
      applied = engine_step ? engine_step(*engine, changes) : engine->Apply(changes);
    } catch (...) {
      applied = Thrown("Engine::Apply");
    }
    if (applied.ok()) return applied;
    absl::Status error = absl::InternalError(
        StrCat("the engine failed to apply a change the store persisted (", applied.message(),
               "); decisions answer from generation ", engine->generation(),
               " and every later write is refused: reopen the store to serve what is durable"));
    Poison(error);
    return error;
  }

  // Execute() without the queue, for Writer::Apply. REQUIRES: state_mu held exclusively.
  absl::StatusOr<ApplyResult> ApplyOne(const Command& command,
                                       std::optional<uint64_t> log_position) {
    CLEARANCE_RETURN_IF_ERROR(Poisoned());
    const auto start = std::chrono::steady_clock::now();
    ServingStats counted;
    counted.batches = 1;
    counted.commands = 1;
    absl::StatusOr<ApplyResult> result = absl::UnknownError("not executed");
    try {
      result = store->Apply(command, log_position);
    } catch (...) {
      result = Thrown("Store::Apply");
    }
    if (!result.ok()) {
      Poison(result.status());
    } else if (result->outcome == ApplyResult::Outcome::kApplied) {
      ++counted.applied;
      if (absl::Status followed = Follow(result->changes); !followed.ok()) result = followed;
    } else if (result->outcome == ApplyResult::Outcome::kRefused) {
      ++counted.refused;
    }
    counted.apply_nanos = NanosSince(start);
    Count(counted);
    return result;
  }

  // Persists the commands of `batch` in one WriteBatch and applies them to the engine in order,
  // answering each. REQUIRES: state_mu held exclusively.
  void RunBatch(const std::vector<QueuedWrite*>& batch) {
    const auto start = std::chrono::steady_clock::now();
    ServingStats counted;
    counted.batches = 1;
    counted.commands = batch.size();
    absl::Status failed = Poisoned();
    if (failed.ok()) {
      try {
        std::vector<LoggedCommand> logged;
        logged.reserve(batch.size());
        for (QueuedWrite* w : batch) logged.push_back(std::move(w->command));
        absl::StatusOr<std::vector<ApplyResult>> results = store->ApplyBatch(logged);
        if (!results.ok()) {
          failed = results.status();
          Poison(failed);
        } else {
          for (size_t i = 0; i < batch.size(); ++i) {
            ApplyResult& r = (*results)[i];
            if (r.outcome == ApplyResult::Outcome::kApplied) {
              ++counted.applied;
              // After an engine failure the engine no longer mirrors the store: the commands
              // after it are durable but not served, and say so.
              if (failed.ok()) failed = Follow(r.changes);
              if (!failed.ok()) {
                batch[i]->result = failed;
                continue;
              }
            } else if (r.outcome == ApplyResult::Outcome::kRefused) {
              ++counted.refused;
            }
            batch[i]->result = std::move(r);
          }
        }
      } catch (...) {
        failed = Thrown("Store::ApplyBatch");
        Poison(failed);
      }
    }
    if (!failed.ok()) {
      for (QueuedWrite* w : batch) {
        if (w->result.status().code() == absl::StatusCode::kUnknown) w->result = failed;
      }
    }
    counted.apply_nanos = NanosSince(start);
    Count(counted);
  }

  // Queues `self` and returns once it is done: led by another caller's batch, or by this one.
  // A Write() job runs on its own thread, alone; `run_job` runs it. REQUIRES: `self` is not
  // yet queued.
  template <typename RunJob>
  void Enqueue(QueuedWrite* self, RunJob run_job) {
    std::vector<QueuedWrite*> batch;
    {
      MutexLock lock(&queue_mu);
      queue.push_back(self);
      // Wait until a leader has written this command, or it reaches the front and leads.
      while (!self->done && queue.front() != self) queue_cv.wait(queue_mu);
      if (self->done) return;
      // Leader: take every command queued so far (up to max_batch) and up to the first job. They
      // stay in the queue, so callers arriving meanwhile wait behind them for the next batch.
      for (QueuedWrite* w : queue) {
        if (batch.size() == max_batch || (w->job != nullptr) != (self->job != nullptr)) break;
        batch.push_back(w);
        if (w->job != nullptr) break;  // a job runs alone
      }
    }
    // Whatever happens below (a job may throw), the batch leaves the queue and the next leader
    // is woken.
    absl::Cleanup dequeue = [&] {
      MutexLock lock(&queue_mu);
      for (QueuedWrite* w : batch) {
        queue.pop_front();  // the batch is the queue's front, in order
        w->done = true;
      }
      queue_cv.notify_all();
    };
    WriterLock lock(&state_mu);
    if (self->job != nullptr) {
      run_job();
    } else {
      RunBatch(batch);
    }
  }
};

const IdentityState& ServingStore::Writer::state() const { return owner_->store_->state(); }

absl::StatusOr<ApplyResult> ServingStore::Writer::Apply(const Command& command,
                                                        std::optional<uint64_t> log_position) {
  return owner_->impl_->ApplyOne(command, log_position);
}

absl::StatusOr<std::unique_ptr<ServingStore>> ServingStore::Open(const std::string& path,
                                                                 const ServingOptions& options) {
  CLEARANCE_ASSIGN_OR_RETURN(StoreAndEngine opened,
                             OpenStoreAndEngine(path, options.store, options.engine));
  return std::make_unique<ServingStore>(std::move(opened.store), std::move(opened.engine),
                                        options.max_batch);
}

ServingStore::ServingStore(std::unique_ptr<Store> store, std::unique_ptr<Engine> engine,
                           size_t max_batch)
    : store_(std::move(store)), engine_(std::move(engine)), impl_(std::make_unique<Impl>()) {
  impl_->store = store_.get();
  impl_->engine = engine_.get();
  impl_->max_batch = max_batch == 0 ? 1 : max_batch;
  WriterLock lock(&impl_->users_mu);
  for (const auto& [username, user] : store_->state().users()) {
    impl_->password_hashes.emplace(username, user.password_hash);
  }
}

ServingStore::~ServingStore() = default;

absl::StatusOr<ApplyResult> ServingStore::Execute(Command command,
                                                  std::optional<uint64_t> log_position) {
  QueuedWrite self;
  self.command = {std::move(command), log_position};
  impl_->Enqueue(&self, [] {});
  return std::move(self.result);
}

absl::Status ServingStore::Write(absl::FunctionRef<absl::Status(Writer&)> write) {
  QueuedWrite self;
  self.job = &write;
  absl::Status status;
  impl_->Enqueue(&self, [&] {
    status = impl_->Poisoned();
    if (!status.ok()) return;
    Writer writer(this);
    status = write(writer);
  });
  return status;
}

void ServingStore::Read(absl::FunctionRef<void(const IdentityState&)> read) const {
  ReaderLock lock(&impl_->state_mu);
  read(store_->state());
}

std::optional<uint64_t> ServingStore::applied_position() const {
  ReaderLock lock(&impl_->state_mu);
  return store_->applied_position();
}

absl::Status ServingStore::ScanConsistent(
    const std::function<absl::Status(const Store::ScanHeader&)>& header,
    const std::function<absl::Status(const Row&)>& row) const {
  return store_->ScanConsistent(header, row);
}

std::optional<std::string> ServingStore::PasswordHashOf(std::string_view username) const {
  ReaderLock lock(&impl_->users_mu);
  auto it = impl_->password_hashes.find(absl::string_view(username.data(), username.size()));
  if (it == impl_->password_hashes.end()) return std::nullopt;
  return it->second;
}

ServingStats ServingStore::stats() const {
  MutexLock lock(&impl_->stats_mu);
  return impl_->stats;
}

absl::Status ServingStore::health() const { return impl_->Poisoned(); }

void ServingStore::ReplaceEngineStepForTesting(
    std::function<absl::Status(Engine&, const ChangeSet&)> step) {
  WriterLock lock(&impl_->state_mu);
  impl_->engine_step = std::move(step);
}

}  // namespace clearance

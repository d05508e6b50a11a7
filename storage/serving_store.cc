#include "clearance/serving_store.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "clearance/internal/mutex.h"
#include "clearance/store_engine.h"

namespace clearance {

using sync_internal::Mutex;
using sync_internal::MutexLock;
using sync_internal::ReaderLock;
using sync_internal::SharedMutex;
using sync_internal::WriterLock;

namespace {

// One caller of Execute() waiting in the queue. Lives on that caller's stack.
struct Writer {
  Command command;
  bool done = false;
  absl::StatusOr<ApplyResult> result = absl::UnknownError("not executed");
};

}  // namespace

struct ServingStore::Impl {
  size_t max_batch = 256;

  // The write queue: its front is the leader writing a batch; those behind wait.
  Mutex queue_mu;
  std::condition_variable_any queue_cv;
  std::deque<Writer*> queue ABSL_GUARDED_BY(queue_mu);

  // Guards the Store's in-memory state: shared for Read(), exclusive for a batch.
  mutable SharedMutex state_mu;
  // Separate from state_mu so that health and metrics never wait for a batch's fsync.
  mutable Mutex stats_mu;
  // Set once the store or the engine failed; refuses every later write. Written only by the
  // leader while it holds state_mu.
  absl::Status poisoned ABSL_GUARDED_BY(stats_mu);
  ServingStats stats ABSL_GUARDED_BY(stats_mu);

  // username → password hash, mirrored from the state after each batch.
  mutable SharedMutex users_mu;
  absl::flat_hash_map<std::string, std::string> password_hashes ABSL_GUARDED_BY(users_mu);

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
};

absl::StatusOr<std::unique_ptr<ServingStore>> ServingStore::Open(const std::string& path,
                                                                 const ServingOptions& options) {
  absl::StatusOr<StoreAndEngine> opened = OpenStoreAndEngine(path, options.store, options.engine);
  if (!opened.ok()) return opened.status();
  return std::make_unique<ServingStore>(std::move(opened->store), std::move(opened->engine),
                                        options.max_batch);
}

ServingStore::ServingStore(std::unique_ptr<Store> store, std::unique_ptr<Engine> engine,
                           size_t max_batch)
    : store_(std::move(store)), engine_(std::move(engine)), impl_(std::make_unique<Impl>()) {
  impl_->max_batch = max_batch == 0 ? 1 : max_batch;
  WriterLock lock(&impl_->users_mu);
  for (const auto& [username, user] : store_->state().users()) {
    impl_->password_hashes.emplace(username, user.password_hash);
  }
}

ServingStore::~ServingStore() = default;

absl::StatusOr<ApplyResult> ServingStore::Execute(Command command) {
  Writer self{std::move(command)};
  std::vector<Writer*> batch;
  {
    MutexLock lock(&impl_->queue_mu);
    impl_->queue.push_back(&self);
    // Wait until a leader has written this command, or it reaches the front and leads.
    while (!self.done && impl_->queue.front() != &self) impl_->queue_cv.wait(impl_->queue_mu);
    if (self.done) return std::move(self.result);
    // Leader: take every command queued so far (up to max_batch). They stay in the queue, so
    // callers arriving meanwhile wait behind them for the next batch.
    for (Writer* w : impl_->queue) {
      if (batch.size() == impl_->max_batch) break;
      batch.push_back(w);
    }
  }

  {
    WriterLock lock(&impl_->state_mu);
    const auto start = std::chrono::steady_clock::now();
    absl::Status poisoned = health();
    ServingStats counted;
    if (!poisoned.ok()) {
      for (Writer* w : batch) w->result = poisoned;
    } else {
      std::vector<LoggedCommand> logged;
      logged.reserve(batch.size());
      for (Writer* w : batch) logged.push_back({std::move(w->command), std::nullopt});
      absl::StatusOr<std::vector<ApplyResult>> results = store_->ApplyBatch(logged);
      if (!results.ok()) {
        poisoned = results.status();
        for (Writer* w : batch) w->result = results.status();
      } else {
        for (size_t i = 0; i < batch.size(); ++i) {
          ApplyResult& r = (*results)[i];
          if (r.outcome == ApplyResult::Outcome::kApplied) {
            ++counted.applied;
            impl_->MirrorUsers(r.changes);
            if (poisoned.ok()) {
              absl::Status applied = engine_->Apply(r.changes);
              if (!applied.ok()) {
                poisoned = absl::InternalError(absl::StrCat(
                    "the engine refused a change the store persisted (", applied.message(),
                    "); decisions answer from the last good generation; reopen the store"));
              }
            }
          } else if (r.outcome == ApplyResult::Outcome::kRefused) {
            ++counted.refused;
          }
          batch[i]->result = std::move(r);
        }
      }
    }
    const uint64_t nanos = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                             start)
            .count());
    MutexLock stats_lock(&impl_->stats_mu);
    impl_->poisoned = poisoned;
    ++impl_->stats.batches;
    impl_->stats.commands += batch.size();
    impl_->stats.applied += counted.applied;
    impl_->stats.refused += counted.refused;
    impl_->stats.apply_nanos += nanos;
  }

  absl::StatusOr<ApplyResult> mine = std::move(self.result);
  {
    MutexLock lock(&impl_->queue_mu);
    for (Writer* w : batch) {
      impl_->queue.pop_front();  // the batch is the queue's front, in order
      w->done = true;
    }
    impl_->queue_cv.notify_all();
  }
  return mine;
}

void ServingStore::Read(absl::FunctionRef<void(const IdentityState&)> read) const {
  ReaderLock lock(&impl_->state_mu);
  read(store_->state());
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

absl::Status ServingStore::health() const {
  MutexLock lock(&impl_->stats_mu);
  return impl_->poisoned;
}

}  // namespace clearance

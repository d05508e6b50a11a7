// The key set of one issuer and where it comes from: an inline JWKS, a JWKS file read once, or a
// jwks_uri fetched through a JwksFetcher, with the refresh policy:
//   - RefreshIfDue() refetches once refresh_interval has passed since the last attempt;
//   - an unknown kid schedules at most one refetch per unknown_kid_refetch_period on the
//     KeyFetchExecutor (a flood of forged kids cannot become a flood of fetches, and the check
//     thread that saw the kid never waits on the network: it goes on with the last good keys);
//   - a failed fetch or a bad document keeps the last good key set.
// A swap publishes a new immutable IssuerKeys and bumps the verifier-wide generation, which
// invalidates every cached token.
//
// Thread-safety: all methods may be called concurrently. keys() is a short shared-lock copy of a
// shared_ptr; fetches are serialized. A scheduled refetch holds only a weak reference, so the
// source may be destroyed while one is queued.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clearance/internal/mutex.h"
#include "clearance/token.h"
#include "internal/jwk.h"

namespace clearance::token_internal {

class IssuerKeySource : public std::enable_shared_from_this<IssuerKeySource> {
 public:
  // Keeps a copy of `config` and shares `fetcher` (may be null when there is no jwks_uri) and
  // `generation`, so that a refetch still queued on an executor never outlives what it uses.
  IssuerKeySource(IssuerConfig config, std::shared_ptr<JwksFetcher> fetcher,
                  std::shared_ptr<std::atomic<uint64_t>> generation);

  // Loads the configured source. Inline / file: INVALID_ARGUMENT or NOT_FOUND on failure.
  // jwks_uri: a failed fetch is returned but leaves the source usable (empty until a refresh).
  absl::Status Load(absl::Time now);

  // The current keys; never null (an empty set before the first successful load).
  std::shared_ptr<const IssuerKeys> keys() const;

  // Parses and publishes `jwks_json`; on error the previous keys stay.
  absl::Status Replace(std::string_view jwks_json);

  // jwks_uri only: refetch when refresh_interval has elapsed since the last attempt.
  absl::Status RefreshIfDue(absl::Time now);

  // jwks_uri only: a token named a kid we do not have. Schedules one refetch on `executor`
  // unless one was scheduled within unknown_kid_refetch_period or is still pending. Never fetches
  // on the calling thread. True when a refetch was scheduled.
  // REQUIRES: *this is owned by a shared_ptr.
  bool ScheduleUnknownKidRefetch(absl::Time now, KeyFetchExecutor& executor);

  bool remote() const { return !config_.jwks_uri.empty(); }

  // The current key set as a report (see clearance/token.h). Allocates.
  KeyLoadReport Report() const;

 private:
  absl::Status FetchLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);
  absl::Status FetchAndReplaceLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);
  void RunUnknownKidRefetch(absl::Time now);

  const IssuerConfig config_;
  const std::shared_ptr<JwksFetcher> fetcher_;
  const std::shared_ptr<std::atomic<uint64_t>> generation_;

  // Annotated wrappers of the standard mutexes rather than absl::Mutex: Debian's Abseil is built
  // without TSan annotations, so TSan cannot see absl::Mutex; it intercepts the pthread locks
  // underneath these, and clang's -Wthread-safety reads their annotations.
  mutable sync_internal::SharedMutex keys_mu_;
  std::shared_ptr<const IssuerKeys> keys_ ABSL_GUARDED_BY(keys_mu_);
  bool loaded_ ABSL_GUARDED_BY(keys_mu_) = false;     // keys_ came from a document
  std::string last_error_ ABSL_GUARDED_BY(keys_mu_);  // of the last fetch; empty when it worked

  sync_internal::Mutex fetch_mu_;  // serializes fetches; readers of keys_ never wait for it
  absl::Time last_attempt_ ABSL_GUARDED_BY(fetch_mu_) = absl::InfinitePast();

  // Held only to decide whether to schedule: a check thread never waits on fetch_mu_.
  sync_internal::Mutex unknown_kid_mu_;
  absl::Time last_unknown_kid_fetch_ ABSL_GUARDED_BY(unknown_kid_mu_) = absl::InfinitePast();
  bool unknown_kid_fetch_pending_ ABSL_GUARDED_BY(unknown_kid_mu_) = false;
};

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_

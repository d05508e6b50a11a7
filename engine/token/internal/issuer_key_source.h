// The key set of one issuer and where it comes from: an inline JWKS, a JWKS file read once, or a
// jwks_uri fetched through a JwksFetcher, with the refresh policy:
//   - RefreshIfDue() refetches once refresh_interval has passed since the last attempt;
//   - an unknown kid triggers at most one refetch per unknown_kid_refetch_period (a flood of
//     forged kids cannot become a flood of fetches);
//   - a failed fetch or a bad document keeps the last good key set.
// A swap publishes a new immutable IssuerKeys and bumps the verifier-wide generation, which
// invalidates every cached token.
//
// Thread-safety: all methods may be called concurrently. keys() is a short shared-lock copy of a
// shared_ptr; fetches are single-flight (concurrent callers do not fetch twice).
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clearance/internal/mutex.h"
#include "clearance/token.h"
#include "internal/jwk.h"

namespace clearance::token_internal {

class IssuerKeySource {
 public:
  // `config`, `fetcher` (may be null when there is no jwks_uri) and `generation` must outlive
  // this object.
  IssuerKeySource(const IssuerConfig& config, JwksFetcher* fetcher,
                  std::atomic<uint64_t>* generation);

  // Loads the configured source. Inline / file: INVALID_ARGUMENT or NOT_FOUND on failure.
  // jwks_uri: a failed fetch is returned but leaves the source usable (empty until a refresh).
  absl::Status Load(absl::Time now);

  // The current keys; never null (an empty set before the first successful load).
  std::shared_ptr<const IssuerKeys> keys() const;

  // Parses and publishes `jwks_json`; on error the previous keys stay.
  absl::Status Replace(std::string_view jwks_json);

  // jwks_uri only: refetch when refresh_interval has elapsed since the last attempt.
  absl::Status RefreshIfDue(absl::Time now);

  // jwks_uri only: a token named a kid we do not have. Refetches unless one such refetch already
  // happened within unknown_kid_refetch_period, or another thread is fetching right now (never
  // waits for it). True when new keys were published.
  bool RefetchForUnknownKid(absl::Time now);

  bool remote() const { return !config_.jwks_uri.empty(); }

 private:
  absl::Status FetchLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);

  const IssuerConfig& config_;
  JwksFetcher* const fetcher_;
  std::atomic<uint64_t>* const generation_;

  // pthread locks that TSan intercepts and clang's analysis checks (internal/mutex.h).
  mutable sync_internal::SharedMutex keys_mu_;
  std::shared_ptr<const IssuerKeys> keys_ ABSL_GUARDED_BY(keys_mu_);

  sync_internal::Mutex fetch_mu_;  // serializes fetches; readers of keys_ never wait for it
  absl::Time last_attempt_ ABSL_GUARDED_BY(fetch_mu_) = absl::InfinitePast();
  absl::Time last_unknown_kid_fetch_ ABSL_GUARDED_BY(fetch_mu_) = absl::InfinitePast();
};

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_ISSUER_KEY_SOURCE_H_

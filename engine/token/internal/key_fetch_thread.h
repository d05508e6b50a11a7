// The default KeyFetchExecutor: one thread that runs scheduled JWKS fetches in order.
//
// A verifier with a jwks_uri issuer owns one. Fetches are rare (an unknown kid, at most once per
// issuer per unknown_kid_refetch_period), so one thread is enough and bounds the fetches in
// flight to one.
//
// Thread-safety: Schedule() may be called from any thread. The destructor drops tasks not yet
// started and joins the thread after the running one (if any) returns.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_KEY_FETCH_THREAD_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_KEY_FETCH_THREAD_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "clearance/internal/mutex.h"
#include "clearance/token.h"

namespace clearance::token_internal {

class KeyFetchThread final : public KeyFetchExecutor {
 public:
  KeyFetchThread();
  ~KeyFetchThread() override;
  KeyFetchThread(const KeyFetchThread&) = delete;
  KeyFetchThread& operator=(const KeyFetchThread&) = delete;

  void Schedule(std::function<void()> task) override;

 private:
  void Run();

  sync_internal::Mutex mu_;
  std::condition_variable_any wake_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the queue exists
};

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_KEY_FETCH_THREAD_H_

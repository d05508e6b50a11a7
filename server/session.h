// Console sign-in sessions (BASIC mode): after a person signs in with a username and password
// (POST /login, session_routes.h), the browser holds only a random session id in an HttpOnly
// cookie, and the password leaves the browser's memory. The table here maps the id to the user,
// the password hash the password was verified against, and the session's CSRF token.
//
// Ids are 256 random bits from OpenSSL's RAND_bytes, base64url; the table is keyed by the id's
// SHA-256, so neither a lookup's timing nor a copy of the table reveals a live id. A session ends
// when it is closed (sign-out), after `idle_timeout` without a request, or `absolute_timeout`
// after sign-in, whichever comes first. The table holds at most `max_sessions`: a new session
// first purges the expired ones, then, if the table is still full, ends the session idle longest,
// so signing in always works and memory stays bounded.
//
// The caller checks at each request that the user still exists with the same password hash
// (Authenticator, auth.h), so deleting a user or changing a password ends their sessions.
//
// Thread-safety: every method may be called from any number of threads.
#ifndef CLEARANCE_SERVER_SESSION_H_
#define CLEARANCE_SERVER_SESSION_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "clearance/internal/mutex.h"

namespace clearance::server {

struct SessionOptions {
  // A session unused this long ends. Default 30 min: a console left open signs out by itself.
  std::chrono::seconds idle_timeout{std::chrono::minutes(30)};
  // A session ends this long after sign-in, however busy. Default 8 h: one working day.
  std::chrono::seconds absolute_timeout{std::chrono::hours(8)};
  // Live sessions at most (about 300 bytes each). Default 10 000.
  size_t max_sessions = 10000;
  // The time source; default std::chrono::steady_clock::now. Tests inject their own.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// One live session, as Find() returns it (a copy).
struct Session {
  std::string username;
  std::string password_hash;  // the stored hash the sign-in was verified against
  std::string csrf_token;     // base64url of 256 random bits, sent back in X-CSRF-Token
};

struct OpenedSession {
  std::string id;          // the cookie's value: base64url of 256 random bits
  std::string csrf_token;  // Session::csrf_token
};

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options);

  // A new session for a user whose password was just verified against `password_hash`.
  // Errors: INTERNAL when OpenSSL's random generator fails (nothing is stored).
  absl::StatusOr<OpenedSession> Open(std::string username, std::string password_hash);
  // The live session `id` names, its idle timer restarted; nullopt when it names none or the
  // session has expired (which ends it).
  std::optional<Session> Find(std::string_view id);
  // Ends the session `id` names; nothing when it names none.
  void Close(std::string_view id);

  size_t size() const;
  const SessionOptions& options() const { return options_; }

 private:
  using Key = std::array<unsigned char, 32>;  // SHA-256 of the id
  struct Entry {
    Session session;
    std::chrono::steady_clock::time_point opened;
    std::chrono::steady_clock::time_point last_used;
  };
  static Key KeyOf(std::string_view id);
  bool Expired(const Entry& e, std::chrono::steady_clock::time_point now) const;
  void PurgeLocked(std::chrono::steady_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SessionOptions options_;
  mutable sync_internal::Mutex mu_;
  absl::flat_hash_map<Key, Entry> sessions_ ABSL_GUARDED_BY(mu_);
};

// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_SESSION_H_

// PasswordVerifier: basic-auth credentials (docs/semantics.md §7) checked against a stored bcrypt
// hash.
//
// Accepted hash forms: "$2a$", "$2b$", "$2y$" bcrypt strings of the standard 60 characters, each
// optionally prefixed with Spring Security's "{bcrypt}". Hashing is libxcrypt's crypt_rn (no
// home-made crypto); the result is compared in constant time.
//
// bcrypt costs milliseconds by design, so successful checks are cached: per username, the stored
// hash and an HMAC-SHA-256 of the password under a random per-process key. The plaintext is never
// stored. A hit costs one HMAC; a changed stored hash (password change) misses. Failures are never
// cached, so guessing always pays full bcrypt cost.
//
// Passwords longer than 72 bytes are refused: bcrypt would silently ignore the rest, which makes
// "correct prefix + anything" verify. Passwords containing a NUL byte are refused for the same
// reason (crypt takes C strings).
//
// Thread-safety: all methods may be called concurrently.
#ifndef CLEARANCE_TOKEN_PASSWORD_H_
#define CLEARANCE_TOKEN_PASSWORD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clearance {

enum class PasswordError : uint8_t {
  kOk = 0,
  kMismatch,         // the password does not match the stored hash
  kUnsupportedHash,  // the stored hash is not one of the accepted bcrypt forms
  kBadPassword,      // longer than 72 bytes, or contains a NUL byte
};
std::string_view Name(PasswordError error);

struct PasswordVerifierOptions {
  // Verified credentials remembered (one per username). 0 disables the cache. Default 4096;
  // about 200 bytes each.
  size_t cache_capacity = 4096;
};

// A new bcrypt hash of `password` ("$2b$", cost 10, a fresh salt) through libxcrypt, for storing
// a user's password. INVALID_ARGUMENT ("password: ...") for an empty password, one longer than
// bcrypt's 72 bytes, or one holding NUL; INTERNAL when libxcrypt fails.
[[nodiscard]] absl::StatusOr<std::string> HashPassword(std::string_view password);

class PasswordVerifier {
 public:
  explicit PasswordVerifier(PasswordVerifierOptions options = {});
  ~PasswordVerifier();
  PasswordVerifier(const PasswordVerifier&) = delete;
  PasswordVerifier& operator=(const PasswordVerifier&) = delete;

  // Checks `password` for `username` against `stored_hash` (the user's stored hash, as kept by the
  // engine). A cache hit costs one HMAC-SHA-256 and no bcrypt.
  [[nodiscard]] PasswordError Verify(std::string_view username, std::string_view password,
                                     std::string_view stored_hash) const;

  // Boundary form: OK, or UNAUTHENTICATED naming the reason (never the password or hash).
  absl::Status VerifyOrStatus(std::string_view username, std::string_view password,
                              std::string_view stored_hash) const;

  // True when `stored_hash` is an accepted bcrypt form (for validating a user being stored).
  static bool IsSupportedHash(std::string_view stored_hash);

  // Number of cached credentials (tests and metrics).
  size_t cached() const;
  // bcrypt computations performed so far (metrics; tests use it to prove a hit does no bcrypt).
  uint64_t bcrypt_computations() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance

#endif  // CLEARANCE_TOKEN_PASSWORD_H_

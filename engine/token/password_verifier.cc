#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "clearance/internal/mutex.h"
#include "clearance/internal/strings.h"
#include "clearance/token_password.h"
#include "internal/absl_compat.h"

namespace clearance {
namespace {

constexpr std::string_view kSpringPrefix = "{bcrypt}";
constexpr size_t kBcryptLength = 60;
// bcrypt keys on at most 72 bytes of password.
constexpr size_t kMaxPasswordBytes = 72;
using Digest = std::array<uint8_t, 32>;

bool IsBcryptBase64(char c) {
  return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9');
}

// Returns the bare "$2?$cc$..." hash, or an empty view when `stored` is not an accepted form.
std::string_view BareBcrypt(std::string_view stored) {
  if (stored.substr(0, kSpringPrefix.size()) == kSpringPrefix) {
    stored.remove_prefix(kSpringPrefix.size());
  }
  if (stored.size() != kBcryptLength) return {};
  if (stored[0] != '$' || stored[1] != '2' ||
      (stored[2] != 'a' && stored[2] != 'b' && stored[2] != 'y') || stored[3] != '$') {
    return {};
  }
  if (stored[4] < '0' || stored[4] > '3' || stored[5] < '0' || stored[5] > '9' ||
      stored[6] != '$') {
    return {};
  }
  const int cost = (stored[4] - '0') * 10 + (stored[5] - '0');
  if (cost < 4 || cost > 31) return {};
  for (size_t i = 7; i < kBcryptLength; ++i) {
    if (!IsBcryptBase64(stored[i])) return {};
  }
  return stored;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password) {
  if (password.empty()) {
    return absl::InvalidArgumentError("password: is empty; expected a password");
  }
  if (password.size() > kMaxPasswordBytes) {
    // bcrypt reads at most 72 bytes; a longer password would be silently truncated.
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "password: is ", password.size(), " bytes long; bcrypt uses at most 72"));
  }
  if (password.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("password: contains a NUL byte");
  }
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 10, nullptr, 0, salt, sizeof(salt)) == nullptr) {
    return absl::InternalError("bcrypt: could not generate a salt (crypt_gensalt_rn failed)");
  }
  struct crypt_data data = {};
  const char* hash = crypt_r(std::string(password).c_str(), salt, &data);
  if (hash == nullptr || hash[0] == '*') {
    return absl::InternalError("bcrypt: hashing failed (crypt_r)");
  }
  return std::string(hash);
}

std::string_view Name(PasswordError error) {
  switch (error) {
    case PasswordError::kOk:
      return "ok";
    case PasswordError::kMismatch:
      return "password_mismatch";
    case PasswordError::kUnsupportedHash:
      return "unsupported_password_hash";
    case PasswordError::kBadPassword:
      return "bad_password";
  }
  return "unknown";
}

class PasswordVerifier::Impl {
 public:
  explicit Impl(PasswordVerifierOptions options) : capacity_(options.cache_capacity) {
    // If the CSPRNG fails, disable caching rather than key the HMAC with a predictable secret.
    if (RAND_bytes(secret_.data(), secret_.size()) != 1) capacity_ = 0;
  }

  PasswordError Verify(std::string_view username, std::string_view password,
                       std::string_view stored_hash) const {
    const std::string_view bare = BareBcrypt(stored_hash);
    if (bare.empty()) return PasswordError::kUnsupportedHash;
    if (password.size() > kMaxPasswordBytes ||
        std::memchr(password.data(), '\0', password.size()) != nullptr) {
      return PasswordError::kBadPassword;
    }
    Digest digest{};
    if (capacity_ > 0) {
      if (!Hmac(password, &digest)) return PasswordError::kMismatch;
      sync_internal::ReaderLock lock(&mu_);
      auto it = cache_.find(token_internal::Sv(username));
      if (it != cache_.end() && it->second.stored_hash == stored_hash &&
          CRYPTO_memcmp(it->second.digest.data(), digest.data(), digest.size()) == 0) {
        return PasswordError::kOk;
      }
    }
    computations_.fetch_add(1, std::memory_order_relaxed);
    if (!BcryptMatches(password, bare)) return PasswordError::kMismatch;
    if (capacity_ > 0) Remember(username, stored_hash, digest);
    return PasswordError::kOk;
  }

  uint64_t computations() const { return computations_.load(std::memory_order_relaxed); }

  size_t cached() const {
    sync_internal::ReaderLock lock(&mu_);
    return cache_.size();
  }

 private:
  struct Entry {
    std::string stored_hash;
    Digest digest;
  };

  bool Hmac(std::string_view password, Digest* out) const {
    unsigned len = 0;
    return HMAC(EVP_sha256(), secret_.data(), secret_.size(),
                reinterpret_cast<const uint8_t*>(password.data()), password.size(), out->data(),
                &len) != nullptr &&
           len == out->size();
  }

  static bool BcryptMatches(std::string_view password, std::string_view bare) {
    // crypt_data is ~32 KiB: one per thread, not per call and not on the stack.
    thread_local std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
    const std::string phrase(password);  // NUL-terminated for crypt
    const std::string setting(bare);
    std::memset(data.get(), 0, sizeof(crypt_data));
    // crypt_rn returns NULL on failure instead of a "*0" token that a careless compare might match.
    const char* result = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
    if (result == nullptr || std::strlen(result) != bare.size()) return false;
    return CRYPTO_memcmp(result, bare.data(), bare.size()) == 0;
  }

  void Remember(std::string_view username, std::string_view stored_hash,
                const Digest& digest) const {
    sync_internal::WriterLock lock(&mu_);
    if (cache_.size() >= capacity_ && !cache_.contains(token_internal::Sv(username))) {
      cache_.erase(cache_.begin());  // hash order: an arbitrary victim
    }
    cache_.insert_or_assign(std::string(username), Entry{std::string(stored_hash), digest});
  }

  size_t capacity_;
  std::array<uint8_t, 32> secret_{};
  mutable std::atomic<uint64_t> computations_{0};
  // A pthread rwlock that TSan intercepts and clang's analysis checks (internal/mutex.h).
  mutable sync_internal::SharedMutex mu_;
  mutable absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

PasswordVerifier::PasswordVerifier(PasswordVerifierOptions options)
    : impl_(std::make_unique<Impl>(options)) {}
PasswordVerifier::~PasswordVerifier() = default;

PasswordError PasswordVerifier::Verify(std::string_view username, std::string_view password,
                                       std::string_view stored_hash) const {
  return impl_->Verify(username, password, stored_hash);
}

absl::Status PasswordVerifier::VerifyOrStatus(std::string_view username, std::string_view password,
                                              std::string_view stored_hash) const {
  const PasswordError e = Verify(username, password, stored_hash);
  if (e == PasswordError::kOk) return absl::OkStatus();
  return absl::UnauthenticatedError(strings_internal::StrCat("credentials refused: ", Name(e)));
}

bool PasswordVerifier::IsSupportedHash(std::string_view stored_hash) {
  return !BareBcrypt(stored_hash).empty();
}

size_t PasswordVerifier::cached() const { return impl_->cached(); }

uint64_t PasswordVerifier::bcrypt_computations() const { return impl_->computations(); }

}  // namespace clearance

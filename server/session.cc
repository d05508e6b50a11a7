#include "server/session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <utility>

#include "absl/strings/escaping.h"

namespace clearance::server {
namespace {

using sync_internal::MutexLock;

// base64url of 32 bytes from OpenSSL's generator; nullopt when it fails.
std::optional<std::string> RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::nullopt;
  std::string token;
  absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), &token);
  OPENSSL_cleanse(bytes, sizeof bytes);
  return token;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionStore::SessionStore(SessionOptions options) : options_([&] {
  if (!options.clock) options.clock = [] { return std::chrono::steady_clock::now(); };
  if (options.max_sessions == 0) options.max_sessions = 1;
  return std::move(options);
}()) {}

SessionStore::Key SessionStore::KeyOf(std::string_view id) {
  Key key;
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), key.data());
  return key;
}

bool SessionStore::Expired(const Entry& e, std::chrono::steady_clock::time_point now) const {
  return now - e.last_used >= options_.idle_timeout || now - e.opened >= options_.absolute_timeout;
}

void SessionStore::PurgeLocked(std::chrono::steady_clock::time_point now) {
  absl::erase_if(sessions_, [&](const auto& kv) { return Expired(kv.second, now); });
}

absl::StatusOr<OpenedSession> SessionStore::Open(std::string username, std::string password_hash) {
  std::optional<std::string> id = RandomToken();
  std::optional<std::string> csrf = RandomToken();
  if (!id || !csrf) {
    return absl::InternalError("OpenSSL's random generator failed: no session was opened");
  }
  const auto now = options_.clock();
  Entry entry{Session{std::move(username), std::move(password_hash), *csrf}, now, now};
  MutexLock lock(&mu_);
  if (sessions_.size() >= options_.max_sessions) PurgeLocked(now);
  if (sessions_.size() >= options_.max_sessions) {
    auto idlest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_used < idlest->second.last_used) idlest = it;
    }
    sessions_.erase(idlest);
  }
  sessions_.insert_or_assign(KeyOf(*id), std::move(entry));
  return OpenedSession{*std::move(id), *std::move(csrf)};
}

std::optional<Session> SessionStore::Find(std::string_view id) {
  const Key key = KeyOf(id);
  const auto now = options_.clock();
  MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.session;
}

void SessionStore::Close(std::string_view id) {
  const Key key = KeyOf(id);
  MutexLock lock(&mu_);
  sessions_.erase(key);
}

size_t SessionStore::size() const {
  MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace clearance::server

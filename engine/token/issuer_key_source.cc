#include "internal/issuer_key_source.h"

#include <cstdio>
#include <string>
#include <utility>

#include "clearance/internal/strings.h"

namespace clearance::token_internal {
namespace {

// A JWKS larger than this is not a key set; refusing it bounds memory and parse time.
constexpr size_t kMaxJwksBytes = 1 << 20;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return absl::NotFoundError(strings_internal::StrCat("cannot open JWKS file ", path));
  std::string data;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    data.append(buf, n);
    if (data.size() > kMaxJwksBytes) {
      std::fclose(f);
      return absl::InvalidArgumentError(
          strings_internal::StrCat("JWKS file ", path, " exceeds 1 MiB"));
    }
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return absl::NotFoundError(strings_internal::StrCat("cannot read JWKS file ", path));
  return data;
}

}  // namespace

IssuerKeySource::IssuerKeySource(const IssuerConfig& config, JwksFetcher* fetcher,
                                 std::atomic<uint64_t>* generation)
    : config_(config),
      fetcher_(fetcher),
      generation_(generation),
      keys_(std::make_shared<IssuerKeys>()) {}

std::shared_ptr<const IssuerKeys> IssuerKeySource::keys() const {
  sync_internal::ReaderLock lock(&keys_mu_);
  return keys_;
}

absl::Status IssuerKeySource::Replace(std::string_view jwks_json) {
  if (jwks_json.size() > kMaxJwksBytes) return absl::InvalidArgumentError("JWKS exceeds 1 MiB");
  auto parsed = IssuerKeys::Parse(jwks_json);
  if (!parsed.ok()) return parsed.status();
  {
    sync_internal::WriterLock lock(&keys_mu_);
    keys_ = *std::move(parsed);
  }
  // After the swap: a reader that sees the new generation also sees the new keys, so no entry
  // verified with old keys can be stamped with the new generation.
  generation_->fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

absl::Status IssuerKeySource::Load(absl::Time now) {
  if (!config_.jwks_json.empty()) return Replace(config_.jwks_json);
  if (!config_.jwks_file.empty()) {
    auto data = ReadFile(config_.jwks_file);
    if (!data.ok()) return data.status();
    return Replace(*data);
  }
  sync_internal::MutexLock lock(&fetch_mu_);
  return FetchLocked(now);
}

absl::Status IssuerKeySource::FetchLocked(absl::Time now) {
  last_attempt_ = now;
  if (fetcher_ == nullptr) return absl::FailedPreconditionError("no JWKS fetcher configured");
  auto body = fetcher_->Fetch(config_.jwks_uri);
  if (!body.ok()) {
    return absl::Status(
        body.status().code(),
        strings_internal::StrCat("fetching ", config_.jwks_uri, ": ", body.status().message()));
  }
  if (auto s = Replace(*body); !s.ok()) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(config_.jwks_uri, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status IssuerKeySource::RefreshIfDue(absl::Time now) {
  if (!remote()) return absl::OkStatus();
  sync_internal::MutexLock lock(&fetch_mu_);
  if (now - last_attempt_ < config_.refresh_interval) return absl::OkStatus();
  return FetchLocked(now);
}

bool IssuerKeySource::RefetchForUnknownKid(absl::Time now) {
  if (!remote()) return false;
  // A request thread never queues behind a fetch already under way: under a flood of unknown
  // kids, threads would otherwise pile up for the whole fetch timeout. The token that lost the
  // race is refused (kUnknownKey) and its retry finds the new keys.
  if (!fetch_mu_.TryLock()) return false;
  bool published = false;
  if (now - last_unknown_kid_fetch_ >= config_.unknown_kid_refetch_period) {
    last_unknown_kid_fetch_ = now;
    published = FetchLocked(now).ok();
  }
  fetch_mu_.Unlock();
  return published;
}

}  // namespace clearance::token_internal

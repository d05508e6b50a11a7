#include "internal/issuer_key_source.h"

#include <cstdio>
#include <exception>
#include <string>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "clearance/internal/status_macros.h"
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

IssuerKeySource::IssuerKeySource(IssuerConfig config, std::shared_ptr<JwksFetcher> fetcher,
                                 std::shared_ptr<std::atomic<uint64_t>> generation)
    : config_(std::move(config)),
      fetcher_(std::move(fetcher)),
      generation_(std::move(generation)),
      keys_(std::make_shared<IssuerKeys>()) {}

std::shared_ptr<const IssuerKeys> IssuerKeySource::keys() const {
  sync_internal::ReaderLock lock(&keys_mu_);
  return keys_;
}

absl::Status IssuerKeySource::Replace(std::string_view jwks_json) {
  if (jwks_json.size() > kMaxJwksBytes) return absl::InvalidArgumentError("JWKS exceeds 1 MiB");
  CLEARANCE_ASSIGN_OR_RETURN(auto parsed, IssuerKeys::Parse(jwks_json));
  {
    sync_internal::WriterLock lock(&keys_mu_);
    keys_ = std::move(parsed);
    loaded_ = true;
  }
  // After the swap: a reader that sees the new generation also sees the new keys, so no entry
  // verified with old keys can be stamped with the new generation.
  generation_->fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

KeyLoadReport IssuerKeySource::Report() const {
  KeyLoadReport report;
  report.issuer = config_.issuer;
  report.source = !config_.jwks_json.empty()   ? std::string("jwks_json")
                  : !config_.jwks_file.empty() ? "jwks_file " + config_.jwks_file
                                               : "jwks_uri " + config_.jwks_uri;
  sync_internal::ReaderLock lock(&keys_mu_);
  report.loaded = loaded_;
  report.last_error = last_error_;
  report.keys = keys_->outcomes();
  return report;
}

absl::Status IssuerKeySource::Load(absl::Time now) {
  if (!config_.jwks_json.empty()) return Replace(config_.jwks_json);
  if (!config_.jwks_file.empty()) {
    CLEARANCE_ASSIGN_OR_RETURN(const std::string data, ReadFile(config_.jwks_file));
    return Replace(data);
  }
  sync_internal::MutexLock lock(&fetch_mu_);
  return FetchLocked(now);
}

absl::Status IssuerKeySource::FetchLocked(absl::Time now) {
  absl::Status s = FetchAndReplaceLocked(now);
  sync_internal::WriterLock lock(&keys_mu_);
  last_error_ = s.ok() ? std::string() : std::string(s.message());
  return s;
}

absl::Status IssuerKeySource::FetchAndReplaceLocked(absl::Time now) {
  last_attempt_ = now;
  if (fetcher_ == nullptr) return absl::FailedPreconditionError("no JWKS fetcher configured");
  absl::StatusOr<std::string> body = absl::UnknownError("");
  // The fetcher is the embedder's code. An exception from it must not escape into a background
  // thread (which would terminate the process); it counts as a failed fetch.
  try {
    body = fetcher_->Fetch(config_.jwks_uri);
  } catch (const std::exception& e) {
    body = absl::InternalError(strings_internal::StrCat("the fetcher threw: ", e.what()));
  } catch (...) {
    body = absl::InternalError("the fetcher threw");
  }
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

bool IssuerKeySource::ScheduleUnknownKidRefetch(absl::Time now, KeyFetchExecutor& executor) {
  if (!remote()) return false;
  {
    sync_internal::MutexLock lock(&unknown_kid_mu_);
    if (unknown_kid_fetch_pending_ ||
        now - last_unknown_kid_fetch_ < config_.unknown_kid_refetch_period) {
      return false;
    }
    unknown_kid_fetch_pending_ = true;
    last_unknown_kid_fetch_ = now;
  }
  executor.Schedule([weak = weak_from_this(), now] {
    if (std::shared_ptr<IssuerKeySource> self = weak.lock()) self->RunUnknownKidRefetch(now);
  });
  return true;
}

void IssuerKeySource::RunUnknownKidRefetch(absl::Time now) {
  // Cleared however the fetch ends, so one failure never stops later refetches.
  absl::Cleanup clear_pending = [this] {
    sync_internal::MutexLock lock(&unknown_kid_mu_);
    unknown_kid_fetch_pending_ = false;
  };
  sync_internal::MutexLock lock(&fetch_mu_);
  // Ignored on purpose: a failed refetch keeps the last good keys, the token that asked for it
  // has been refused already, and RefreshKeys() reports fetch failures to the embedder.
  (void)FetchLocked(now);
}

}  // namespace clearance::token_internal

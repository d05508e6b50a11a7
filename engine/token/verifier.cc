// TokenVerifier: the pipeline of token → verified claims (see clearance/token.h).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/token.h"
#include "internal/absl_compat.h"
#include "internal/base64url.h"
#include "internal/claims.h"
#include "internal/issuer_key_source.h"
#include "internal/jws.h"
#include "internal/key_fetch_thread.h"
#include "internal/signature.h"
#include "internal/strict_json.h"
#include "internal/token_cache.h"
#include "simdjson.h"

namespace clearance {

using token_internal::IssuerKeySource;

namespace {

// Largest signature we accept: RSA-8192.
constexpr size_t kMaxSignatureBytes = 8192 / 8;

// Per-thread scratch for the miss path: decode buffers sized once to the caps (plus simdjson's
// padding) and two parsers, because the header's kid stays a view into its parser's buffer
// while the claims are parsed.
struct Scratch {
  simdjson::ondemand::parser header_parser;
  simdjson::ondemand::parser claims_parser;
  std::string header;
  std::string claims;
  std::string signature;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Decodes `encoded` into `buf` (grown to `cap` + padding on first use). kTooLarge when the
// decoded size is above `cap`, kBadBase64 when not strict base64url.
TokenError DecodeSegment(std::string_view encoded, size_t cap, std::string* buf, size_t* len) {
  const size_t need = token_internal::Base64UrlDecodedSize(encoded.size());
  if (need == SIZE_MAX) return TokenError::kBadBase64;
  if (need > cap) return TokenError::kTooLarge;
  if (buf->size() < cap + simdjson::SIMDJSON_PADDING) buf->resize(cap + simdjson::SIMDJSON_PADDING);
  if (!token_internal::Base64UrlDecode(encoded, reinterpret_cast<uint8_t*>(buf->data()), cap,
                                       len)) {
    return TokenError::kBadBase64;
  }
  return TokenError::kOk;
}

// A segment refused as too large or as bad JSON may be refused for its nesting: a deeply nested
// document is an attack on parsers, and naming it kTooDeep whatever its size keeps the reason
// independent of the configured byte caps. Runs only on the refusal path.
TokenError NameDeepNesting(TokenError error, std::string_view encoded, size_t cap, int max_depth,
                           std::string* buf, size_t decoded_len) {
  if (error == TokenError::kBadJson) {
    return token_internal::NestsDeeperThan(std::string_view(buf->data(), decoded_len), max_depth)
               ? TokenError::kTooDeep
               : error;
  }
  if (error != TokenError::kTooLarge) return error;
  // Only the first `cap` decoded bytes are looked at: whole base64url quanta, so the prefix is
  // itself a strict encoding. `encoded` may be a whole over-long token, whose header ends at the
  // first dot.
  std::string_view prefix = encoded.substr(0, cap / 3 * 4);
  if (size_t dot = prefix.find('.'); dot != std::string_view::npos) prefix = prefix.substr(0, dot);
  if (buf->size() < cap + simdjson::SIMDJSON_PADDING) buf->resize(cap + simdjson::SIMDJSON_PADDING);
  size_t len = 0;
  if (!token_internal::Base64UrlDecode(prefix, reinterpret_cast<uint8_t*>(buf->data()), cap,
                                       &len)) {
    return error;
  }
  return token_internal::NestsDeeperThan(std::string_view(buf->data(), len), max_depth)
             ? TokenError::kTooDeep
             : error;
}

int64_t Seconds(absl::Duration d) { return absl::ToInt64Seconds(d); }

}  // namespace

class TokenVerifier::Impl {
 public:
  explicit Impl(TokenVerifierOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : SystemTokenClock()),
        limits_(options_.limits),
        cache_(options_.cache_capacity),
        executor_(options_.key_fetch_executor) {}

  absl::Status Init() {
    if (options_.issuers.empty()) return absl::InvalidArgumentError("no issuer configured");
    if (options_.leeway < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("leeway must not be negative");
    }
    const TokenLimits& l = options_.limits;
    if (l.max_token_bytes == 0 || l.max_header_bytes == 0 || l.max_claims_bytes == 0 ||
        l.max_json_depth < 1 || l.max_claims < 1) {
      return absl::InvalidArgumentError("token limits must be positive");
    }
    sources_.reserve(options_.issuers.size());
    rules_.reserve(options_.issuers.size());
    bool any_remote = false;
    const absl::Time now = clock_->Now();
    for (size_t i = 0; i < options_.issuers.size(); ++i) {
      const IssuerConfig& c = options_.issuers[i];
      const std::string where = strings_internal::StrCat("issuers[", i, "] (\"", c.issuer, "\"): ");
      if (c.issuer.empty()) return absl::InvalidArgumentError(where + "issuer is empty");
      if (!by_issuer_.emplace(c.issuer, i).second) {
        return absl::InvalidArgumentError(where + "issuer configured twice");
      }
      if (c.allowed_algorithms.empty()) {
        return absl::InvalidArgumentError(where + "allowed_algorithms is empty");
      }
      if (c.audiences.empty() && !c.skip_audience_check) {
        return absl::InvalidArgumentError(
            where + "audiences is empty; set skip_audience_check to accept any audience");
      }
      if (c.leeway && *c.leeway < absl::ZeroDuration()) {
        return absl::InvalidArgumentError(where + "leeway must not be negative");
      }
      if ((c.max_token_bytes && *c.max_token_bytes == 0) ||
          (c.max_claims_bytes && *c.max_claims_bytes == 0)) {
        return absl::InvalidArgumentError(where + "token limits must be positive");
      }
      rules_.push_back({Seconds(c.leeway.value_or(options_.leeway)), options_.require_exp,
                        Seconds(options_.max_lifetime)});
      // Before iss is read, a token may belong to any issuer: the outer caps admit the largest.
      limits_.max_token_bytes =
          std::max(limits_.max_token_bytes, c.max_token_bytes.value_or(0));
      limits_.max_claims_bytes =
          std::max(limits_.max_claims_bytes, c.max_claims_bytes.value_or(0));
      const int sources = !c.jwks_json.empty() + !c.jwks_file.empty() + !c.jwks_uri.empty();
      if (sources != 1) {
        return absl::InvalidArgumentError(
            where + "exactly one of jwks_json, jwks_file, jwks_uri is required");
      }
      if (!c.jwks_uri.empty()) {
        if (options_.fetcher == nullptr) {
          return absl::InvalidArgumentError(where + "jwks_uri needs a JwksFetcher");
        }
        if (c.jwks_uri.rfind("https://", 0) != 0) {
          return absl::InvalidArgumentError(where + "jwks_uri must be https");
        }
      }
      any_remote |= !c.jwks_uri.empty();
      sources_.push_back(std::make_shared<IssuerKeySource>(c, options_.fetcher, generation_));
      absl::Status s = sources_.back()->Load(now);
      // A remote source may be down at startup: start without keys and let RefreshKeys() retry.
      if (!s.ok() && !sources_.back()->remote()) {
        return absl::Status(s.code(), where + std::string(s.message()));
      }
    }
    if (any_remote && executor_ == nullptr)
      executor_ = std::make_shared<token_internal::KeyFetchThread>();
    return absl::OkStatus();
  }

  TokenError Verify(std::string_view token, std::shared_ptr<const VerifiedToken>* out) const {
    const TokenLimits& limits = limits_;
    if (token.size() > limits.max_token_bytes) {
      return NameDeepNesting(TokenError::kTooLarge, token, limits.max_header_bytes,
                             limits.max_json_depth, &ThreadScratch().header, 0);
    }
    const int64_t now = absl::ToUnixSeconds(clock_->Now());
    // Read the generation before verifying: if keys change mid-verification, the entry is
    // stamped with the old generation and never served.
    const uint64_t generation = generation_->load(std::memory_order_acquire);
    if (cache_.Lookup(token, now, generation, out)) return TokenError::kOk;

    token_internal::JwsSegments seg;
    if (TokenError e = token_internal::SplitCompact(token, limits.max_token_bytes, &seg);
        e != TokenError::kOk) {
      return e;
    }
    Scratch& scratch = ThreadScratch();
    size_t header_len = 0, claims_len = 0, sig_len = 0;
    if (TokenError e =
            DecodeSegment(seg.header, limits.max_header_bytes, &scratch.header, &header_len);
        e != TokenError::kOk) {
      return NameDeepNesting(e, seg.header, limits.max_header_bytes, limits.max_json_depth,
                             &scratch.header, 0);
    }
    token_internal::JwsHeader header;
    if (TokenError e = token_internal::ParseJwsHeader(scratch.header_parser, scratch.header.data(),
                                                      header_len, limits.max_json_depth, &header);
        e != TokenError::kOk) {
      return NameDeepNesting(e, seg.header, limits.max_header_bytes, limits.max_json_depth,
                             &scratch.header, header_len);
    }
    // The header is sound and names an algorithm, so an empty signature is a stripped one.
    if (seg.signature.empty()) return TokenError::kMalformed;
    if (TokenError e =
            DecodeSegment(seg.payload, limits.max_claims_bytes, &scratch.claims, &claims_len);
        e != TokenError::kOk) {
      return NameDeepNesting(e, seg.payload, limits.max_claims_bytes, limits.max_json_depth,
                             &scratch.claims, 0);
    }
    token_internal::RegisteredClaims claims;
    if (TokenError e = token_internal::ReadRegisteredClaims(
            scratch.claims_parser, scratch.claims.data(), claims_len, limits.max_json_depth,
            limits.max_claims, &claims);
        e != TokenError::kOk) {
      return NameDeepNesting(e, seg.payload, limits.max_claims_bytes, limits.max_json_depth,
                             &scratch.claims, claims_len);
    }
    if (!claims.has_iss) return TokenError::kUnknownIssuer;
    auto issuer_it = by_issuer_.find(token_internal::Sv(claims.iss));
    if (issuer_it == by_issuer_.end()) return TokenError::kUnknownIssuer;
    const IssuerConfig& issuer = options_.issuers[issuer_it->second];
    IssuerKeySource& source = *sources_[issuer_it->second];
    if (token.size() > issuer.max_token_bytes.value_or(options_.limits.max_token_bytes) ||
        claims_len > issuer.max_claims_bytes.value_or(options_.limits.max_claims_bytes)) {
      return TokenError::kTooLarge;
    }

    if (!issuer.allowed_algorithms.contains(header.alg)) return TokenError::kAlgorithmNotAllowed;
    if (!issuer.required_typ.empty() && (!header.has_typ || header.typ != issuer.required_typ)) {
      return TokenError::kBadType;
    }
    std::shared_ptr<const token_internal::IssuerKeys> keys = source.keys();
    const token_internal::VerificationKey* key = keys->Find(header.has_kid, header.kid);
    if (key == nullptr) {
      // The issuer may have rotated: ask for its keys in the background and refuse with the keys
      // we have.
      if (header.has_kid && source.remote()) {
        source.ScheduleUnknownKidRefetch(clock_->Now(), *executor_);
      }
      return TokenError::kUnknownKey;
    }

    if (TokenError e =
            DecodeSegment(seg.signature, kMaxSignatureBytes, &scratch.signature, &sig_len);
        e != TokenError::kOk) {
      return e == TokenError::kTooLarge ? TokenError::kBadSignature : e;
    }
    if (TokenError e =
            token_internal::VerifyJwsSignature(header.alg, *key, seg.signing_input,
                                               std::string_view(scratch.signature.data(), sig_len));
        e != TokenError::kOk) {
      return e;
    }
    if (TokenError e = token_internal::CheckTimes(claims, rules_[issuer_it->second], now);
        e != TokenError::kOk) {
      return e;
    }
    if (!issuer.skip_audience_check) {
      if (TokenError e = token_internal::CheckAudience(claims, issuer.audiences);
          e != TokenError::kOk) {
        return e;
      }
    }

    auto verified = std::make_shared<VerifiedToken>();
    verified->alg = header.alg;
    verified->kid = std::string(header.kid);
    verified->issuer = issuer.issuer;
    verified->claims_json.assign(scratch.claims.data(), claims_len);
    verified->has_exp = claims.has_exp;
    verified->exp = claims.exp;
    // The cache never outlives exp (the leeway is for clock skew at first sight, not a licence to
    // serve a token longer), nor the TTL for tokens without exp.
    const int64_t expires_at = claims.has_exp ? claims.exp
                                              : token_internal::SaturatingAdd(
                                                    now, Seconds(options_.cache_ttl_without_exp));
    cache_.Insert(token, verified, expires_at, generation, now);
    *out = std::move(verified);
    return TokenError::kOk;
  }

  absl::Status RefreshKeys() {
    const absl::Time now = clock_->Now();
    absl::Status first;
    for (auto& source : sources_) {
      absl::Status s = source->RefreshIfDue(now);
      if (first.ok() && !s.ok()) first = s;
    }
    return first;
  }

  absl::Status ReplaceKeys(std::string_view issuer, std::string_view jwks_json) {
    auto it = by_issuer_.find(token_internal::Sv(issuer));
    if (it == by_issuer_.end()) {
      return absl::NotFoundError(strings_internal::StrCat("unknown issuer \"", issuer, "\""));
    }
    return sources_[it->second]->Replace(jwks_json);
  }

  TokenVerifier::CacheStats cache_stats() const {
    return {cache_.hits(), cache_.misses(), cache_.size()};
  }

  std::vector<KeyLoadReport> KeyLoadReports() const {
    std::vector<KeyLoadReport> out;
    out.reserve(sources_.size());
    for (const auto& source : sources_) out.push_back(source->Report());
    return out;
  }

  uint64_t generation() const { return generation_->load(std::memory_order_acquire); }

 private:
  const TokenVerifierOptions options_;
  const TokenClock* const clock_;
  // Per issuer, in configuration order: the time rules with its leeway.
  std::vector<token_internal::ClaimRules> rules_;
  // The caps applied before the issuer is known: the verifier's, raised to every issuer's own.
  TokenLimits limits_;
  absl::flat_hash_map<std::string, size_t> by_issuer_;
  // Shared with the key sources, which a queued refetch may keep alive past the verifier.
  const std::shared_ptr<std::atomic<uint64_t>> generation_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  std::vector<std::shared_ptr<IssuerKeySource>> sources_;
  mutable token_internal::VerifiedTokenCache cache_;
  // Last: destroyed first, so the default thread is joined before anything it could touch goes.
  std::shared_ptr<KeyFetchExecutor> executor_;
};

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(TokenVerifierOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  CLEARANCE_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(impl)));
}

TokenVerifier::TokenVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenVerifier::~TokenVerifier() = default;

TokenError TokenVerifier::Verify(std::string_view token,
                                 std::shared_ptr<const VerifiedToken>* out) const {
  return impl_->Verify(token, out);
}

absl::StatusOr<std::shared_ptr<const VerifiedToken>> TokenVerifier::VerifyOrStatus(
    std::string_view token) const {
  std::shared_ptr<const VerifiedToken> out;
  if (TokenError e = impl_->Verify(token, &out); e != TokenError::kOk) return ToStatus(e);
  return out;
}

absl::Status TokenVerifier::RefreshKeys() { return impl_->RefreshKeys(); }

absl::Status TokenVerifier::ReplaceKeys(std::string_view issuer, std::string_view jwks_json) {
  return impl_->ReplaceKeys(issuer, jwks_json);
}

uint64_t TokenVerifier::key_generation() const { return impl_->generation(); }

std::vector<KeyLoadReport> TokenVerifier::KeyLoadReports() const { return impl_->KeyLoadReports(); }

TokenVerifier::CacheStats TokenVerifier::cache_stats() const { return impl_->cache_stats(); }

}  // namespace clearance

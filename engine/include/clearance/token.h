// Token verification: a compact JWS bearer token in, verified header facts and claims out.
//
// TokenVerifier checks a token as strictly as the strictest verifiers we know of (Envoy's
// jwt_authn / jwt_verify_lib): compact serialization only, strict base64url, size and JSON caps,
// an algorithm allow-list per issuer, keys whose algorithm is fixed when they are loaded, and
// exp/nbf/iat/iss/aud checks against an injected clock. A verified token is cached, keyed on its
// full bytes, so a second presentation costs one hash lookup and no allocation.
//
// Every failure is a TokenError (a plain enum: no allocation on the request path). The checks run
// in an order that names the most precise reason: framing, then the header as a whole (one JSON
// object with unique names, within the depth cap), then what its members say (alg before the
// unsupported members), then the claims, the key, the signature and the times. At API
// boundaries ToStatus() turns it into an UNAUTHENTICATED absl::Status whose message names the
// reason; that message is built only when asked for.
//
// Thread-safety: a TokenVerifier is safe to use from any number of threads. Verify() takes only
// short locks and never waits on the network: a token with an unknown kid is refused with the
// last good key set and schedules a refetch of the issuer's JWKS on the KeyFetchExecutor (at most
// one per unknown_kid_refetch_period), so a retry after the refetch finds the new key.
#ifndef CLEARANCE_TOKEN_H_
#define CLEARANCE_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clearance {

// Why a token was refused. Every value maps to absl::StatusCode::kUnauthenticated.
enum class TokenError : uint8_t {
  kOk = 0,
  kTooLarge,             // token, header or claims above a configured byte cap
  kMalformed,            // not three segments separated by exactly two dots; or an empty
                         // signature under a sound header that names a real algorithm
  kBadBase64,            // a segment is not strict base64url (padding, whitespace, stray bits)
  kBadJson,              // header or claims are not one valid JSON object (incl. trailing bytes)
  kDuplicateMember,      // a member name appears twice in one object (compared unescaped)
  kTooDeep,              // JSON nesting above the configured depth, also when the segment is
                         // over its byte cap or not valid JSON: nesting is the attack named
  kTooManyClaims,        // more members than the configured claim cap
  kUnsupportedHeader,    // crit, b64, jwk, jku, x5u or x5c present
  kBadType,              // typ differs from the configured value
  kAlgorithmNotAllowed,  // alg missing, "none" (any case, signed or unsecured), unknown, or not
                         // allowed for the issuer
  kUnknownIssuer,        // iss missing or not a configured issuer
  kUnknownKey,           // no key for (iss, kid); or kid missing where the issuer has several keys
  kKeyMismatch,          // the key found cannot be used with the token's alg
  kBadSignature,         // the signature does not verify
  kBadClaimType,         // exp/nbf/iat not a number, iss not a string, aud not string/array
  kMissingExpiry,        // exp absent while required
  kExpired,              // now > exp + leeway
  kNotYetValid,          // now < nbf - leeway
  kIssuedInFuture,       // iat > now + leeway
  kLifetimeTooLong,      // exp - iat (or exp - now) above the configured maximum lifetime
  kWrongAudience,        // aud absent or no element equals a configured audience
};
inline constexpr int kTokenErrorCount = static_cast<int>(TokenError::kWrongAudience) + 1;

// Stable lower_snake name of a reason ("expired", "bad_signature", ...). Never allocates.
std::string_view Name(TokenError error);

// OK for kOk, else UNAUTHENTICATED with message "token refused: <name>". Allocates the message:
// call it off the hot path.
absl::Status ToStatus(TokenError error);

// JWS algorithms this verifier implements (RFC 7518 §3, RFC 8037). `none` is not one of them.
enum class JwsAlgorithm : uint8_t {
  kRS256,
  kRS384,
  kRS512,
  kPS256,
  kPS384,
  kPS512,
  kES256,
  kES384,
  kES512,
  kEdDSA,
  kHS256,
  kHS384,
  kHS512,
};
inline constexpr int kJwsAlgorithmCount = static_cast<int>(JwsAlgorithm::kHS512) + 1;
// The RFC 7518 name ("RS256", "EdDSA", ...). The names form one table; every parser of algorithm
// names (the header's alg, a JWK's alg, configuration) goes through ParseJwsAlgorithm.
std::string_view Name(JwsAlgorithm alg);
// The algorithm `name` spells, case-sensitive as RFC 7515 requires. False for "none" and for
// anything not implemented here; *alg is then unchanged.
[[nodiscard]] bool ParseJwsAlgorithm(std::string_view name, JwsAlgorithm* alg);

// A set of algorithms as a bit mask; the allow-list of one issuer.
class JwsAlgorithmSet {
 public:
  constexpr JwsAlgorithmSet() = default;
  constexpr JwsAlgorithmSet(std::initializer_list<JwsAlgorithm> algs) {
    for (JwsAlgorithm a : algs) bits_ |= Bit(a);
  }
  static constexpr JwsAlgorithmSet All() {
    JwsAlgorithmSet s;
    s.bits_ = (1u << kJwsAlgorithmCount) - 1;
    return s;
  }
  constexpr bool contains(JwsAlgorithm a) const { return (bits_ & Bit(a)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr void insert(JwsAlgorithm a) { bits_ |= Bit(a); }
  constexpr bool operator==(const JwsAlgorithmSet&) const = default;

 private:
  static constexpr uint32_t Bit(JwsAlgorithm a) { return 1u << static_cast<int>(a); }
  uint32_t bits_ = 0;
};

// What loading a JWKS document did with one of its keys. A key that cannot verify JWS signatures
// here (use other than "sig", an unknown kty, an alg this verifier does not implement, key_ops
// without "verify") is skipped with its reason, never silently.
struct JwkLoadOutcome {
  size_t index = 0;    // position in the document's "keys" array
  std::string kid;     // empty when the key has none
  bool used = false;   // false: skipped
  std::string reason;  // why it was skipped; empty when used
};

// The key set one issuer currently verifies with, and how it was loaded.
struct KeyLoadReport {
  std::string issuer;
  // Where the keys come from: "jwks_json", "jwks_file <path>" or "jwks_uri <url>".
  std::string source;
  // False while a jwks_uri issuer has no key set yet (its first fetch failed); `keys` is then
  // empty.
  bool loaded = false;
  // jwks_uri: why the last fetch failed (the keys above are then the last good set); empty after
  // a successful fetch and for the other sources.
  std::string last_error;
  std::vector<JwkLoadOutcome> keys;
};

// Time source. Tests inject a fake; production uses SystemTokenClock().
class TokenClock {
 public:
  virtual ~TokenClock() = default;
  // REQUIRES: thread-safe, never allocates.
  virtual absl::Time Now() const = 0;
};
// The process-wide wall clock. Never null; lives forever.
const TokenClock* SystemTokenClock();

// Fetches a JWKS document over the network. Injected so tests need no network; the default
// (MakeCurlJwksFetcher in token_jwks.h) uses libcurl over HTTPS.
class JwksFetcher {
 public:
  virtual ~JwksFetcher() = default;
  // Returns the response body. Any non-OK status keeps the previous key set.
  // REQUIRES: thread-safe.
  virtual absl::StatusOr<std::string> Fetch(std::string_view url) = 0;
};

// Runs the JWKS fetches a check asks for (a token naming a kid its issuer's key set lacks) off
// the check thread, so that no check waits on the network. Injected so tests decide when the
// fetches run; the default is one background thread owned by the verifier.
class KeyFetchExecutor {
 public:
  virtual ~KeyFetchExecutor() = default;
  // Runs `task` once, later, on a thread that is not the caller's (never inline: the caller is a
  // check thread). A task may be dropped when the executor shuts down.
  // REQUIRES: thread-safe.
  virtual void Schedule(std::function<void()> task) = 0;
};

// Caps on untrusted input. All sizes are bytes; all caps are checked before the work they bound.
struct TokenLimits {
  // Whole compact token. Default 16 KiB (Entra tokens with many groups reach ~8 KiB).
  size_t max_token_bytes = 16 * 1024;
  // Decoded protected header. Default 1 KiB; real headers are under 200 bytes.
  size_t max_header_bytes = 1024;
  // Decoded claims. Default 12 KiB.
  size_t max_claims_bytes = 12 * 1024;
  // Nesting depth of header and claims JSON (the top-level object is depth 1). Default 16.
  int max_json_depth = 16;
  // Members and array elements counted over the whole claims document. Default 1024.
  int max_claims = 1024;
};

// One trusted issuer.
struct IssuerConfig {
  // Compared byte for byte with the token's `iss`. Required.
  std::string issuer;
  // The token's `aud` (string or array) must contain one of these. Empty is an error unless
  // skip_audience_check is set: an empty list never silently disables the check.
  std::vector<std::string> audiences;
  bool skip_audience_check = false;
  // Algorithms accepted from this issuer. Empty is an error. Default: none.
  JwsAlgorithmSet allowed_algorithms;
  // When non-empty, the header's `typ` must equal it (e.g. "at+jwt" for RFC 9068 tokens); a
  // missing typ is then refused. Default: not checked.
  std::string required_typ;
  // Key source: exactly one of the three. A document in which no key can verify signatures is
  // an error (see JwkLoadOutcome for the keys that are skipped). Key selection: a token's kid
  // picks the key with that kid; a token without kid needs the set to hold exactly one key. A
  // set of exactly one key without kid also verifies tokens naming any kid: the publisher made
  // no claim about kids, and the signature must still verify with that key.
  std::string jwks_json;  // a JWKS document inline
  std::string jwks_file;  // path of a JWKS file, read once at Create()
  std::string jwks_uri;   // https URL, fetched with the verifier's JwksFetcher
  // This issuer's clock skew tolerance, in place of TokenVerifierOptions::leeway. Not negative.
  // Default: unset (the verifier's).
  std::optional<absl::Duration> leeway;
  // This issuer's caps on the whole token and on its decoded claims, in place of the verifier's
  // TokenLimits. Positive. Default: unset (the verifier's). The caps applied before the token's
  // iss is read are the largest of the verifier's and every issuer's; the issuer's own caps are
  // applied once its iss is known, so a token larger than its issuer allows is kTooLarge.
  std::optional<size_t> max_token_bytes;
  std::optional<size_t> max_claims_bytes;
  // jwks_uri only: how often RefreshKeys() refetches. Default 10 min.
  absl::Duration refresh_interval = absl::Minutes(10);
  // jwks_uri only: an unknown kid schedules at most one background refetch per this period, so a
  // flood of forged kids cannot turn into a flood of fetches. Default 1 min.
  absl::Duration unknown_kid_refetch_period = absl::Minutes(1);
};

struct TokenVerifierOptions {
  std::vector<IssuerConfig> issuers;
  TokenLimits limits;
  // Clock skew tolerated on exp, nbf and iat. Default 60 s.
  absl::Duration leeway = absl::Seconds(60);
  // Refuse tokens without exp. Default true.
  bool require_exp = true;
  // When positive, refuse tokens whose exp - iat (or exp - now without iat) exceeds it.
  // Default: no limit.
  absl::Duration max_lifetime = absl::ZeroDuration();
  // Verified-token cache entries (0 disables the cache). Default 8192; about 1.5 KB each for a
  // 1 KB token.
  size_t cache_capacity = 8192;
  // Cache lifetime of a token without exp. Default 5 min.
  absl::Duration cache_ttl_without_exp = absl::Minutes(5);
  // Not owned; must outlive the verifier. Default: SystemTokenClock().
  const TokenClock* clock = nullptr;
  // Required when an issuer has a jwks_uri. Shared with the caller.
  std::shared_ptr<JwksFetcher> fetcher;
  // Where unknown-kid refetches run. Default (null): a thread owned by the verifier, started only
  // when an issuer has a jwks_uri.
  std::shared_ptr<KeyFetchExecutor> key_fetch_executor;
};

// What a verified token establishes. Immutable; shared by the cache and every caller holding it.
struct VerifiedToken {
  JwsAlgorithm alg = JwsAlgorithm::kRS256;
  std::string kid;     // empty when the header has none
  std::string issuer;  // the verified `iss`
  // The verified claims: the decoded payload bytes exactly as signed, one JSON object. Feed this
  // to principal extraction (engine/principal) and to mapping-rule matching.
  std::string claims_json;
  bool has_exp = false;
  int64_t exp = 0;  // seconds since the epoch; valid when has_exp
};

class TokenVerifier {
 public:
  // Validates the options, loads every key set (jwks_uri sets are fetched once; a failure leaves
  // that issuer without keys until RefreshKeys() succeeds).
  // INVALID_ARGUMENT naming the issuer and field for a bad configuration or a bad JWKS document
  // (from jwks_json / jwks_file); NOT_FOUND for an unreadable jwks_file.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(TokenVerifierOptions options);

  ~TokenVerifier();
  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  // Verifies `token`. On kOk, *out holds the verified token (shared with the cache). On any other
  // result *out is left unchanged. A cache hit performs no crypto and no allocation.
  [[nodiscard]] TokenError Verify(std::string_view token,
                                  std::shared_ptr<const VerifiedToken>* out) const;

  // Boundary form of Verify(): UNAUTHENTICATED (see ToStatus) on failure.
  absl::StatusOr<std::shared_ptr<const VerifiedToken>> VerifyOrStatus(std::string_view token) const;

  // Refetches every jwks_uri key set whose refresh interval has elapsed. A failed fetch or a bad
  // document keeps the previous keys and is reported (the first error) in the returned status.
  // Call it from the embedder's timer thread.
  absl::Status RefreshKeys();

  // Replaces one issuer's keys with a JWKS document (e.g. pushed by the embedder). Atomic for
  // readers; drops every cached token. INVALID_ARGUMENT for a bad document (old keys kept),
  // NOT_FOUND for an unknown issuer.
  absl::Status ReplaceKeys(std::string_view issuer, std::string_view jwks_json);

  // Incremented on every key-set change; cache entries of older generations are not served.
  uint64_t key_generation() const;

  // One report per configured issuer, in configuration order: the keys in use and the keys
  // skipped, with reasons. Allocates; call it off the hot path (configuration display, an admin
  // endpoint).
  std::vector<KeyLoadReport> KeyLoadReports() const;

  // The verified-token cache's counters since creation (metrics).
  struct CacheStats {
    uint64_t hits = 0;    // tokens served from the cache: no crypto
    uint64_t misses = 0;  // tokens verified (or refused) the full way
    size_t entries = 0;
  };
  CacheStats cache_stats() const;

  class Impl;

 private:
  explicit TokenVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance

#endif  // CLEARANCE_TOKEN_H_

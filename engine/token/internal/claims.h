// The registered claims a verifier checks (RFC 7519 §4.1): iss, exp, nbf, iat and aud, read from
// the claims object in one strict pass, then checked against an injected "now".
//
// Time arithmetic saturates: exp = INT64_MAX plus any leeway stays INT64_MAX instead of wrapping
// into the past, and a NumericDate beyond int64 clamps.
//
// Thread-safety: pure functions; the parser is the calling thread's.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_CLAIMS_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_CLAIMS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "clearance/token.h"
#include "simdjson.h"

namespace clearance::token_internal {

struct RegisteredClaims {
  bool has_iss = false;
  std::string_view iss;  // views stay valid until the parser parses another document
  bool has_exp = false, has_nbf = false, has_iat = false;
  int64_t exp = 0, nbf = 0, iat = 0;
  bool has_aud = false;
  absl::InlinedVector<std::string_view, 4> aud;
};

// Reads the claims object `json` (readable up to len + SIMDJSON_PADDING) with the JSON caps, and
// the registered claims' types. kOk, kBadJson, kDuplicateMember, kTooDeep, kTooManyClaims,
// kBadClaimType (iss not a string; exp/nbf/iat not numbers; aud not a string or an array of
// strings).
[[nodiscard]] TokenError ReadRegisteredClaims(simdjson::ondemand::parser& parser, const char* json,
                                              size_t len, int max_depth, int max_members,
                                              RegisteredClaims* out);

struct ClaimRules {
  int64_t leeway_seconds = 60;
  bool require_exp = true;
  int64_t max_lifetime_seconds = 0;  // 0: no limit
};

// Time checks: kOk, kMissingExpiry, kExpired, kNotYetValid, kIssuedInFuture, kLifetimeTooLong.
// exp is the first instant the token is invalid (RFC 7519 §4.1.4); nbf the first it is valid.
[[nodiscard]] TokenError CheckTimes(const RegisteredClaims& claims, const ClaimRules& rules,
                                    int64_t now_seconds);

// kOk when some aud element equals some configured audience (byte-for-byte); kWrongAudience
// otherwise, including when aud is absent. `audiences` must not be empty.
[[nodiscard]] TokenError CheckAudience(const RegisteredClaims& claims,
                                       const std::vector<std::string>& audiences);

int64_t SaturatingAdd(int64_t a, int64_t b);
int64_t SaturatingSub(int64_t a, int64_t b);

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_CLAIMS_H_

#include "internal/claims.h"

#include <cmath>
#include <limits>

#include "internal/strict_json.h"

namespace clearance::token_internal {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// A NumericDate (RFC 7519 §2) is any JSON number of seconds; fractions are floored.
TokenError ReadNumericDate(simdjson::ondemand::value& value, int64_t* out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) || type != simdjson::ondemand::json_type::number) {
    return TokenError::kBadClaimType;
  }
  // One read only: an On-Demand value cannot be read twice. Integers beyond 64 bits are refused
  // as a bad type rather than guessed at.
  simdjson::ondemand::number number;
  if (value.get_number().get(number)) return TokenError::kBadClaimType;
  switch (number.get_number_type()) {
    case simdjson::ondemand::number_type::signed_integer:
      *out = number.get_int64();
      break;
    case simdjson::ondemand::number_type::unsigned_integer:
      *out = kMax;  // above INT64_MAX
      break;
    case simdjson::ondemand::number_type::floating_point_number: {
      const double d = std::floor(number.get_double());
      if (!std::isfinite(d)) return TokenError::kBadClaimType;
      // 2^63 is exactly representable; anything at or above it clamps.
      if (d >= 9223372036854775808.0) {
        *out = kMax;
      } else if (d < -9223372036854775808.0) {
        *out = kMin;
      } else {
        *out = static_cast<int64_t>(d);
      }
      break;
    }
    default:
      return TokenError::kBadClaimType;
  }
  return TokenError::kOk;
}

}  // namespace

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMax : kMin;
  return r;
}

int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMax : kMin;
  return r;
}

TokenError ReadRegisteredClaims(simdjson::ondemand::parser& parser, const char* json, size_t len,
                                int max_depth, int max_members, RegisteredClaims* out) {
  const JsonCaps caps{max_depth, max_members};
  return WalkStrictObject(
      parser, json, len, caps,
      [&](std::string_view name, simdjson::ondemand::value& value, bool* consumed) {
        if (name.size() != 3) return TokenError::kOk;
        if (name == "iss") {
          *consumed = true;
          out->has_iss = true;
          return value.get_string().get(out->iss) ? TokenError::kBadClaimType : TokenError::kOk;
        }
        if (name == "exp" || name == "nbf" || name == "iat") {
          *consumed = true;
          bool& has = name == "exp" ? out->has_exp : name == "nbf" ? out->has_nbf : out->has_iat;
          int64_t& slot = name == "exp" ? out->exp : name == "nbf" ? out->nbf : out->iat;
          has = true;
          return ReadNumericDate(value, &slot);
        }
        if (name == "aud") {
          *consumed = true;
          out->has_aud = true;
          simdjson::ondemand::json_type type;
          if (value.type().get(type)) return TokenError::kBadJson;
          if (type == simdjson::ondemand::json_type::string) {
            std::string_view s;
            if (value.get_string().get(s)) return TokenError::kBadJson;
            out->aud.push_back(s);
            return TokenError::kOk;
          }
          simdjson::ondemand::array array;
          if (type != simdjson::ondemand::json_type::array || value.get_array().get(array)) {
            return TokenError::kBadClaimType;
          }
          int budget = max_members;
          for (auto element : array) {
            if (element.error()) return TokenError::kBadJson;
            if (--budget < 0) return TokenError::kTooManyClaims;
            std::string_view s;
            if (element.get_string().get(s)) return TokenError::kBadClaimType;
            out->aud.push_back(s);
          }
          return TokenError::kOk;
        }
        return TokenError::kOk;
      });
}

TokenError CheckTimes(const RegisteredClaims& claims, const ClaimRules& rules,
                      int64_t now_seconds) {
  const int64_t leeway = rules.leeway_seconds;
  if (!claims.has_exp) {
    if (rules.require_exp) return TokenError::kMissingExpiry;
  } else if (now_seconds >= SaturatingAdd(claims.exp, leeway)) {
    return TokenError::kExpired;
  }
  if (claims.has_nbf && now_seconds < SaturatingSub(claims.nbf, leeway)) {
    return TokenError::kNotYetValid;
  }
  if (claims.has_iat && claims.iat > SaturatingAdd(now_seconds, leeway)) {
    return TokenError::kIssuedInFuture;
  }
  if (rules.max_lifetime_seconds > 0) {
    if (!claims.has_exp) return TokenError::kLifetimeTooLong;  // unbounded lifetime
    const int64_t start = claims.has_iat ? claims.iat : now_seconds;
    if (SaturatingSub(claims.exp, start) > rules.max_lifetime_seconds) {
      return TokenError::kLifetimeTooLong;
    }
  }
  return TokenError::kOk;
}

TokenError CheckAudience(const RegisteredClaims& claims,
                         const std::vector<std::string>& audiences) {
  for (std::string_view aud : claims.aud) {
    for (const std::string& want : audiences) {
      if (aud == want) return TokenError::kOk;
    }
  }
  return TokenError::kWrongAudience;
}

}  // namespace clearance::token_internal

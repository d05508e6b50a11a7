// Names of token errors and algorithms, and their Status form: the one table of these facts.
#include <array>
#include <string_view>

#include "clearance/internal/strings.h"
#include "clearance/token.h"

namespace clearance {
namespace {

constexpr std::array<std::string_view, kTokenErrorCount> kErrorNames = {
    "ok",
    "too_large",
    "malformed",
    "bad_base64",
    "bad_json",
    "duplicate_member",
    "too_deep",
    "too_many_claims",
    "unsupported_header",
    "bad_type",
    "algorithm_not_allowed",
    "unknown_issuer",
    "unknown_key",
    "key_mismatch",
    "bad_signature",
    "bad_claim_type",
    "missing_expiry",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "lifetime_too_long",
    "wrong_audience",
};

constexpr std::array<std::string_view, kJwsAlgorithmCount> kAlgorithmNames = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
};

class WallClock final : public TokenClock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

std::string_view Name(TokenError error) {
  const auto i = static_cast<size_t>(error);
  return i < kErrorNames.size() ? kErrorNames[i] : "unknown";
}

std::string_view Name(JwsAlgorithm alg) {
  const auto i = static_cast<size_t>(alg);
  return i < kAlgorithmNames.size() ? kAlgorithmNames[i] : "unknown";
}

bool ParseJwsAlgorithm(std::string_view name, JwsAlgorithm* alg) {
  for (size_t i = 0; i < kAlgorithmNames.size(); ++i) {
    if (kAlgorithmNames[i] == name) {
      *alg = static_cast<JwsAlgorithm>(i);
      return true;
    }
  }
  return false;
}

absl::Status ToStatus(TokenError error) {
  if (error == TokenError::kOk) return absl::OkStatus();
  return absl::UnauthenticatedError(strings_internal::StrCat("token refused: ", Name(error)));
}

const TokenClock* SystemTokenClock() {
  static const WallClock* const clock = new WallClock();
  return clock;
}

}  // namespace clearance

#include "clearance/verifier_options.h"

#include <utility>

#include "clearance/internal/strings.h"
#include "clearance/token_jwks.h"

namespace clearance {

absl::StatusOr<TokenVerifierOptions> VerifierOptionsFor(const Configuration& config) {
  if (config.token_issuers.empty()) {
    return absl::FailedPreconditionError("no token issuer is configured");
  }
  TokenVerifierOptions options;
  bool any_uri = false;
  for (size_t i = 0; i < config.token_issuers.size(); ++i) {
    const TokenIssuerConfig& t = config.token_issuers[i];
    IssuerConfig issuer;
    issuer.issuer = t.issuer;
    issuer.audiences = t.audiences;
    for (const std::string& name : t.algorithms) {
      JwsAlgorithm alg;
      if (!ParseJwsAlgorithm(name, &alg)) {
        return absl::InvalidArgumentError(strings_internal::StrCat(
            "token_issuers[", i, "].algorithms: '", name, "' is not a supported algorithm"));
      }
      issuer.allowed_algorithms.insert(alg);
    }
    if (t.leeway_seconds) issuer.leeway = absl::Seconds(*t.leeway_seconds);
    if (t.max_token_bytes) issuer.max_token_bytes = static_cast<size_t>(*t.max_token_bytes);
    if (t.max_claims_bytes) issuer.max_claims_bytes = static_cast<size_t>(*t.max_claims_bytes);
    issuer.jwks_file = t.jwks_file;
    issuer.jwks_uri = t.jwks_uri;
    any_uri |= !t.jwks_uri.empty();
    options.issuers.push_back(std::move(issuer));
  }
  if (any_uri) options.fetcher = MakeCurlJwksFetcher();
  return options;
}

}  // namespace clearance

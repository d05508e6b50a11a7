// From a stored configuration to a token verifier: the configuration's issuers (algorithm names,
// a JWKS file or URL) as TokenVerifierOptions. The one conversion the CLI, the C API and the
// server use, so an issuer means the same thing to each of them.
//
// Thread-safety: a pure function of its argument.
#ifndef CLEARANCE_VERIFIER_OPTIONS_H_
#define CLEARANCE_VERIFIER_OPTIONS_H_

#include "absl/status/statusor.h"
#include "clearance/config.h"
#include "clearance/token.h"

namespace clearance {

// Defaults (limits, leeway, cache) are TokenVerifierOptions'; an issuer's leeway and byte-cap
// overrides become its IssuerConfig's. options.fetcher is the libcurl
// fetcher when an issuer has a jwks_uri (replace it to fetch otherwise). Reads no file and
// fetches nothing: TokenVerifier::Create() loads the keys.
// FAILED_PRECONDITION when no issuer is configured; INVALID_ARGUMENT naming the issuer for an
// algorithm name that is not one (Configuration::Validate() refuses those first).
absl::StatusOr<TokenVerifierOptions> VerifierOptionsFor(const Configuration& config);

}  // namespace clearance

#endif  // CLEARANCE_VERIFIER_OPTIONS_H_

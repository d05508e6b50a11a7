// JWS signature verification (RFC 7518 §3, RFC 8037) over pre-parsed keys.
//
// Each algorithm pins every parameter OpenSSL would otherwise let float: PSS salt length equals
// the hash length and MGF1 uses the same hash (OpenSSL's default accepts any salt); ECDSA takes
// exactly the raw R||S of the curve's size and is converted to DER here, so DER input is never
// accepted; HMAC tags must be exactly the hash size and are compared in constant time; a verify
// result counts only when it is exactly 1.
//
// Thread-safety: pure functions over immutable keys.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_SIGNATURE_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_SIGNATURE_H_

#include <string_view>

#include "clearance/token.h"
#include "internal/jwk.h"

namespace clearance::token_internal {

// Returns kOk when `signature` is a valid `alg` signature of `signing_input` under `key`;
// kKeyMismatch when the key is not usable with `alg`; kBadSignature otherwise.
[[nodiscard]] TokenError VerifyJwsSignature(JwsAlgorithm alg, const VerificationKey& key,
                                            std::string_view signing_input,
                                            std::string_view signature);

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_SIGNATURE_H_

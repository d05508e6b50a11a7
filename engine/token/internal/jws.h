// Compact JWS parsing (RFC 7515 §7.1): splitting, and the protected header's rules.
//
// Only the compact serialization exists here: exactly three base64url segments separated by
// exactly two dots (JSON serializations, five-part JWE and trailing dots are malformed). The
// header may not carry members that would let the token choose its own key or change what is
// signed: crit, b64 (RFC 7797), jwk, jku, x5u, x5c.
//
// Thread-safety: pure functions; the parser is the calling thread's.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_JWS_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_JWS_H_

#include <string_view>

#include "clearance/token.h"
#include "simdjson.h"

namespace clearance::token_internal {

struct JwsSegments {
  std::string_view header;         // base64url
  std::string_view payload;        // base64url
  std::string_view signature;      // base64url
  std::string_view signing_input;  // header "." payload, the bytes the signature covers
};

// kOk, kTooLarge (above limits.max_token_bytes) or kMalformed. An empty signature segment is
// not refused here: whether it is alg "none" or a stripped signature depends on the header.
[[nodiscard]] TokenError SplitCompact(std::string_view token, size_t max_token_bytes,
                                      JwsSegments* out);

struct JwsHeader {
  JwsAlgorithm alg = JwsAlgorithm::kRS256;
  bool has_kid = false;
  std::string_view kid;  // valid until `parser` parses another document
  bool has_typ = false;
  std::string_view typ;  // likewise
};

// Parses the decoded header `json` (readable up to len + SIMDJSON_PADDING).
// kOk, kBadJson, kDuplicateMember, kTooDeep, kTooManyClaims, kUnsupportedHeader,
// kAlgorithmNotAllowed (alg missing, not a string, "none" in any case, or unknown). The structural
// reasons win over the others: every member is walked before alg or the unsupported members are
// judged.
[[nodiscard]] TokenError ParseJwsHeader(simdjson::ondemand::parser& parser, const char* json,
                                        size_t len, int max_depth, JwsHeader* out);

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_JWS_H_

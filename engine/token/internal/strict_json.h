// A strict reader for the two small JSON objects of a JWS (header and claims), on simdjson's
// non-throwing On-Demand API.
//
// On top of JSON validity it enforces what JWT verifiers get wrong most often:
//  - the document is exactly one object with nothing after it;
//  - no object, at any depth, has two members with the same name, compared after unescaping
//    ("alg" and "\u0061lg" are the same name, RFC 7515 §5.2 step 4);
//  - nesting depth and the total number of members / elements are capped, so a 10 000-deep
//    array costs nothing and cannot exhaust the stack.
//
// Thread-safety: stateless; the parser passed in is owned by the calling thread.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_STRICT_JSON_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_STRICT_JSON_H_

#include <cstddef>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "clearance/token.h"
#include "simdjson.h"

namespace clearance::token_internal {

struct JsonCaps {
  int max_depth = 16;      // top-level object is depth 1
  int max_members = 1024;  // members + array elements over the whole document
};

// Called once per top-level member. The visitor either reads `value` completely and sets
// *consumed = true, or leaves it untouched (*consumed stays false) and the walker validates it.
// Any non-kOk return stops the walk and is returned.
using TopLevelVisitor = absl::FunctionRef<TokenError(
    std::string_view name, simdjson::ondemand::value& value, bool* consumed)>;

// Walks `json` (length `len`, buffer readable up to len + simdjson::SIMDJSON_PADDING).
// Returns kOk, kBadJson, kDuplicateMember, kTooDeep, kTooManyClaims, or the visitor's error.
[[nodiscard]] TokenError WalkStrictObject(simdjson::ondemand::parser& parser, const char* json,
                                          size_t len, const JsonCaps& caps,
                                          TopLevelVisitor visitor);

// Validates one value the visitor chose to skip-check, at `depth` (1 = a top-level member value).
[[nodiscard]] TokenError ValidateValue(simdjson::ondemand::value& value, int depth,
                                       const JsonCaps& caps, int* budget);

// Whether the JSON text `json` nests objects and arrays deeper than `max_depth` (a top-level
// container is depth 1). Reads bracket structure only, outside strings, so it also answers for a
// truncated or otherwise invalid prefix: a document already refused for its size or syntax is
// named kTooDeep when nesting is what is wrong with it. Linear, never allocates.
[[nodiscard]] bool NestsDeeperThan(std::string_view json, int max_depth);

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_STRICT_JSON_H_

// What is wrong with a claims document the engine refuses as malformed (docs/semantics.md §6
// step 0). The engine's decision path tells only that the claims are unusable
// (Reason::kMalformedClaims); this names the problem: not UTF-8, a NUL byte, not JSON, nested too
// deep, not an object, a member name repeated in one object. Engine::Explain and the CLI use it.
//
// Thread-safety: a pure function. It allocates (a parser), so it belongs on refusal paths only.
#ifndef CLEARANCE_CLAIMS_DOCUMENT_H_
#define CLEARANCE_CLAIMS_DOCUMENT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace clearance {

// The nesting simdjson allows by default; the engine's own claims reader has no lower limit.
inline constexpr size_t kClaimsDocumentMaxDepth = 1024;

// OK when `json` is one JSON object, nested at most `max_depth` deep (the object itself is depth
// 1), with unique member names in every object. Otherwise UNAUTHENTICATED whose message starts
// "claims: " and names the problem; `depth_hint` is appended to the depth message (the CLI names
// its flag there).
absl::Status CheckClaimsDocument(std::string_view json, size_t max_depth = kClaimsDocumentMaxDepth,
                                 std::string_view depth_hint = {});

}  // namespace clearance

#endif  // CLEARANCE_CLAIMS_DOCUMENT_H_

// Verified claims handed to `check` and `what-can` (--claims, --claims-json): checked before the
// engine sees them, so a refusal names its problem (not UTF-8, too deep, a NUL byte, not an
// object, a repeated member name) rather than the engine's one reason for all of them.
#ifndef CLEARANCE_TOOLS_CLI_CLAIMS_DOCUMENT_H_
#define CLEARANCE_TOOLS_CLI_CLAIMS_DOCUMENT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace clearance::cli {

// OK when `json` is one JSON object, nested at most `max_depth` deep (the object itself is depth
// 1), with unique member names in every object. Otherwise UNAUTHENTICATED (claims with no usable
// principal, docs/semantics.md §6 step 0) whose message starts "claims: " and names the problem.
absl::Status CheckClaimsDocument(std::string_view json, size_t max_depth);

}  // namespace clearance::cli

#endif  // CLEARANCE_TOOLS_CLI_CLAIMS_DOCUMENT_H_

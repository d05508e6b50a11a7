// Fuzz target: ClaimPath::Compile on arbitrary bytes. A path that compiles must be internally
// consistent: a literal has one member step equal to its source; a JSONPath is multi-valued
// exactly when it holds a wildcard step; compiling the same source again gives the same steps.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "clearance/claim_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<clearance::ClaimPath> path = clearance::ClaimPath::Compile(input);
  if (!path.ok()) {
    if (path.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  using Kind = clearance::ClaimPath::Step::Kind;
  if (path->literal()) {
    if (path->steps().size() != 1 || path->steps()[0].member != input) std::abort();
  } else {
    bool wildcard = false;
    for (const auto& s : path->steps()) wildcard |= s.kind == Kind::kWildcard;
    if (wildcard != path->multi_valued()) std::abort();
  }
  absl::StatusOr<clearance::ClaimPath> again = clearance::ClaimPath::Compile(path->source());
  if (!again.ok() || again->steps() != path->steps()) std::abort();
  return 0;
}

#include "clearance/config.h"

#include "clearance/claim_path.h"
#include "clearance/internal/strings.h"
#include "model/identifiers.h"

namespace clearance {

std::string_view Name(AuthMode mode) { return mode == AuthMode::kOidc ? "OIDC" : "BASIC"; }

absl::Status Configuration::Validate() const {
  if (username_claim.empty()) {
    return absl::InvalidArgumentError(
        "username_claim: is empty; expected a claim name such as 'sub' or a JSONPath such as "
        "'$.preferred_username'");
  }
  if (absl::StatusOr<ClaimPath> p = ClaimPath::Compile(username_claim, "username_claim"); !p.ok()) {
    return p.status();
  }
  if (!client_id_claim.empty()) {
    if (absl::StatusOr<ClaimPath> p = ClaimPath::Compile(client_id_claim, "client_id_claim");
        !p.ok()) {
      return p.status();
    }
  }
  if (!groups_claim.empty()) {
    if (absl::StatusOr<ClaimPath> p = ClaimPath::Compile(groups_claim, "groups_claim"); !p.ok()) {
      return p.status();
    }
  }
  if (absl::StatusOr<model_internal::IdentifierRule> r =
          model_internal::IdentifierRule::Compile(id_pattern);
      !r.ok()) {
    return r.status();
  }
  return absl::OkStatus();
}

}  // namespace clearance

#include "clearance/internal/config_json.h"

#include <cstdint>
#include <optional>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance {

using strings_internal::StrCat;

absl::Status ReadIssuerOverrides(const JsonObject& o, TokenIssuerConfig* t) {
  CLEARANCE_RETURN_IF_ERROR(o.CheckMembers(
      {"username_claim", "client_id_claim", "groups_claim", "prefer_username_claim",
       "leeway_seconds", "max_token_bytes", "max_claims_bytes"},
      /*all_required=*/false));
  CLEARANCE_ASSIGN_OR_RETURN(t->username_claim, o.OptionalString("username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(t->client_id_claim, o.OptionalString("client_id_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(t->groups_claim, o.OptionalString("groups_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(t->prefer_username_claim, o.OptionalBool("prefer_username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(t->max_token_bytes, o.OptionalUint("max_token_bytes"));
  CLEARANCE_ASSIGN_OR_RETURN(t->max_claims_bytes, o.OptionalUint("max_claims_bytes"));
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<uint64_t> leeway, o.OptionalUint("leeway_seconds"));
  if (leeway) {
    if (*leeway > static_cast<uint64_t>(kMaxIssuerLeewaySeconds)) {
      return o.Error("leeway_seconds",
                     StrCat("is ", *leeway, "; expected at most ", kMaxIssuerLeewaySeconds));
    }
    t->leeway_seconds = static_cast<int64_t>(*leeway);
  }
  return absl::OkStatus();
}

}  // namespace clearance

// The JSON form of configuration parts that more than one document carries: a snapshot's
// configuration record (storage/snapshot) and the C API's configuration argument read a token
// issuer's "overrides" object with the same members and rules.
//
// Internal: not part of the installed API.
#ifndef CLEARANCE_INTERNAL_CONFIG_JSON_H_
#define CLEARANCE_INTERNAL_CONFIG_JSON_H_

#include "absl/status/status.h"
#include "clearance/config.h"
#include "clearance/internal/json_fields.h"

namespace clearance {

// Reads an issuer's overrides object into *t: username_claim, client_id_claim, groups_claim
// (strings), prefer_username_claim (a boolean), leeway_seconds (at most
// kMaxIssuerLeewaySeconds), max_token_bytes and max_claims_bytes (non-negative integers). Every
// member is optional; an unknown member, a wrong type or a leeway out of range is
// INVALID_ARGUMENT naming the member by its path. On error *t may be partly written.
absl::Status ReadIssuerOverrides(const JsonObject& overrides, TokenIssuerConfig* t);

}  // namespace clearance

#endif  // CLEARANCE_INTERNAL_CONFIG_JSON_H_

// The decision API's answers as JSON: decisions, explanations, owners and permission lists.
//
// A decision is written straight into the response string (every name in it is a fixed ASCII
// word), so answering a check costs the response body's one allocation.
//
// Thread-safety: plain functions over caller-owned output.
#ifndef CLEARANCE_SERVER_DECISION_DECISION_JSON_H_
#define CLEARANCE_SERVER_DECISION_DECISION_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "clearance/catalog.h"
#include "clearance/decision.h"
#include "clearance/engine.h"
#include "server/json_writer.h"

namespace clearance::server::decision {

// {"allowed":false,"outcome":"FORBIDDEN","reason":"INSUFFICIENT_PERMISSIONS","generation":7}
// with "detail" after them when `detail` is not empty (why a subject token was refused).
void AppendDecision(std::string* out, Decision decision, uint64_t generation,
                    std::string_view detail = {});

// {"type":"USER","id":"alice"}
void WriteOwner(JsonWriter& w, const OwnerRef& owner);
// ["CREATE","READ"], in catalog order.
void WritePermissions(JsonWriter& w, PermissionMask mask);
// The explanation's decision fields, then message, requiredIds, principal (null when none),
// matchingRules, grants [{chain: [owner...], authorizationKey: "12"}] and generation; `detail`
// as for AppendDecision. Authorization keys are strings, as Camunda writes 64-bit keys.
void WriteExplanation(JsonWriter& w, const Explanation& explanation, std::string_view detail = {});

}  // namespace clearance::server::decision

#endif  // CLEARANCE_SERVER_DECISION_DECISION_JSON_H_

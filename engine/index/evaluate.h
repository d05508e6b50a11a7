// Decisions over a resolved Subject and its attached Profiles (docs/semantics.md §3, §6, §7): the
// check, its explanation, and the queries beside the check.
//
// Thread-safety: pure functions of an immutable generation and a subject the caller does not
// change meanwhile; callable from any thread.
#ifndef CLEARANCE_ENGINE_INDEX_EVALUATE_H_
#define CLEARANCE_ENGINE_INDEX_EVALUATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/decision.h"
#include "clearance/engine.h"
#include "index/generation.h"
#include "index/subject.h"

namespace clearance::index_internal {

// Decisions over a resolved subject whose profiles are attached. Both Decide overloads run the
// same code (one template in evaluate.cc), so equal requests get equal answers.
Decision Decide(const Generation& g, const Subject& s, const CheckRequest& request);
Decision Decide(const Generation& g, const Subject& s, const CheckRequestView& request);
// Starts loading what Decide(g, s, request) reads first (the profiles' entries for the request's
// resource type, the index slots of its resource ids and tenant), so that a caller deciding many
// requests overlaps the memory latency of the next ones with this one. No effect on answers.
void PrefetchDecide(const Generation& g, const Subject& s, const CheckRequest& request);
Explanation ExplainDecision(const Generation& g, const Subject& s, const CheckRequest& request);
absl::StatusOr<ResourceIds> AuthorizedIds(const Generation& g, const Subject& s, ResourceType type,
                                          Permission permission);
absl::StatusOr<std::vector<std::string>> Tenants(const Generation& g, const Subject& s);
absl::StatusOr<PermissionMask> PermissionsOnResource(const Generation& g, const Subject& s,
                                                     ResourceType type, std::string_view id);

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_EVALUATE_H_

// Helpers for the reference evaluator suites.
#ifndef CLEARANCE_TESTS_ENGINE_REFERENCE_REFERENCE_TEST_UTIL_H_
#define CLEARANCE_TESTS_ENGINE_REFERENCE_REFERENCE_TEST_UTIL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clearance/decision.h"
#include "clearance/state.h"
#include "commands/command_test_util.h"
#include "reference/reference_evaluator.h"

namespace clearance::test_util {

inline constexpr Decision kAllowed{Outcome::kAllow, Reason::kGranted};
inline constexpr Decision kInsufficient{Outcome::kForbidden, Reason::kInsufficientPermissions};

inline CheckRequest Request(ResourceType type, Permission permission,
                            std::vector<std::string> ids = {},
                            std::optional<std::string> tenant = std::nullopt,
                            bool new_resource = false) {
  CheckRequest request;
  request.resource_type = type;
  request.permission = permission;
  request.resource_ids = std::move(ids);
  request.tenant_id = std::move(tenant);
  request.new_resource = new_resource;
  return request;
}

// A PROCESS_DEFINITION READ_PROCESS_DEFINITION check on "*"-only (no ids).
inline CheckRequest ReadProcesses() {
  return Request(ResourceType::kProcessDefinition, Permission::kReadProcessDefinition);
}

inline reference::Verdict CheckClaims(const IdentityState& state, std::string claims,
                                      const CheckRequest& request = ReadProcesses()) {
  return reference::Check(state, Caller::Claims(std::move(claims)), request);
}

inline std::optional<OwnerRef> UserRef(std::string id) {
  return OwnerRef{OwnerType::kUser, std::move(id)};
}
inline std::optional<OwnerRef> ClientRef(std::string id) {
  return OwnerRef{OwnerType::kClient, std::move(id)};
}

}  // namespace clearance::test_util

#endif  // CLEARANCE_TESTS_ENGINE_REFERENCE_REFERENCE_TEST_UTIL_H_

// Decisions and the questions that produce them (docs/semantics.md §6).
//
// A Decision is two enums; messages and explanations are built only when asked for, off the hot
// path.
//
// Thread-safety: plain value types; no internal synchronization.
#ifndef CLEARANCE_DECISION_H_
#define CLEARANCE_DECISION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "clearance/catalog.h"

namespace clearance {

enum class Outcome : uint8_t {
  kAllow,
  kForbidden,        // identified, not allowed
  kNotFound,         // identified, the resource's tenant is not the caller's: existence hidden
  kUnauthenticated,  // no usable principal
};

enum class Reason : uint8_t {
  // ALLOW
  kGranted,                 // an authorization grants it (and the tenant side passed)
  kChecksDisabled,          // authorizations and tenant checks are both disabled
  kAuthorizationsDisabled,  // the permission side is off; the tenant side passed
  kAnonymous,               // the caller uses an unprotected API
  // FORBIDDEN / NOT_FOUND
  kInsufficientPermissions,  // the principal's own owners lack the permission
  kTenantNotAuthorized,      // the permission is there, the tenant is not the caller's
  // UNAUTHENTICATED
  kNoPrincipal,      // neither a username nor a client id
  kClaimWrongType,   // a configured principal claim has the wrong JSON type
  kUnknownUser,      // basic mode: the user does not exist
  kMalformedClaims,  // the claims are not one JSON object with unique member names
  kTokenRefused,     // the bearer token failed verification (its TokenError says why)
};

struct Decision {
  Outcome outcome = Outcome::kForbidden;
  Reason reason = Reason::kInsufficientPermissions;

  bool allowed() const { return outcome == Outcome::kAllow; }
  bool operator==(const Decision&) const = default;
};

std::string_view Name(Outcome o);
std::string_view Name(Reason r);

// The caller of a user-task operation may be matched by PROPERTY scopes (8.9, docs/semantics.md
// §6.8).
struct UserTaskProperties {
  std::optional<std::string> assignee;
  std::vector<std::string> candidate_users;
  std::vector<std::string> candidate_groups;
  bool operator==(const UserTaskProperties&) const = default;
};

struct CheckRequest {
  ResourceType resource_type = ResourceType::kAuthorization;
  Permission permission = Permission::kRead;
  // The ids of the resource being acted on. Empty: only ANY scopes can pass.
  std::vector<std::string> resource_ids;
  // The tenant that owns the resource; absent or "" means the resource is not tenant-owned.
  std::optional<std::string> tenant_id;
  // True when the resource is being created: a tenant failure is FORBIDDEN, not NOT_FOUND.
  bool new_resource = false;
  // Present for USER_TASK checks that may pass through PROPERTY scopes.
  std::optional<UserTaskProperties> user_task;
};

// UserTaskProperties over strings the caller owns (see CheckRequestView).
struct UserTaskPropertiesView {
  std::optional<std::string_view> assignee;
  absl::Span<const std::string_view> candidate_users;
  absl::Span<const std::string_view> candidate_groups;
};

// CheckRequest with every string borrowed, for callers that hold the ids in their own buffers
// (the C API, a broker's request objects): nothing is copied, so the ids are hashed where the
// caller wrote them. Same members and meaning as CheckRequest; Engine::Check and CheckClaims
// answer a view exactly as they answer the CheckRequest with the same contents. Small and
// cheap to build per call (user_task is a pointer, not an optional, for that reason).
//
// Ownership: the view owns nothing. Every string, array and the UserTaskPropertiesView it points
// to must stay valid and unchanged until the check it is passed to returns; the engine keeps no
// pointer after that.
struct CheckRequestView {
  ResourceType resource_type = ResourceType::kAuthorization;
  Permission permission = Permission::kRead;
  // True when the resource is being created (CheckRequest::new_resource).
  bool new_resource = false;
  absl::Span<const std::string_view> resource_ids;
  std::optional<std::string_view> tenant_id;  // absent or "": not tenant-owned
  const UserTaskPropertiesView* user_task = nullptr;  // null: no USER_TASK properties
};

// Who is asking: claims already verified (the broker's case, and the output of token
// verification), a user authenticated by basic credentials, or nobody (unprotected API).
struct Caller {
  enum class Kind : uint8_t { kAnonymous, kClaims, kBasicUser };
  Kind kind = Kind::kAnonymous;
  std::string claims_json;  // kClaims: one JSON object
  std::string username;     // kBasicUser

  static Caller Anonymous() { return {}; }
  static Caller Claims(std::string json) { return {Kind::kClaims, std::move(json), {}}; }
  static Caller BasicUser(std::string name) { return {Kind::kBasicUser, {}, std::move(name)}; }
};

// One owner of authorizations, as named in explanations.
struct OwnerRef {
  OwnerType type = OwnerType::kUser;
  std::string id;
  auto operator<=>(const OwnerRef&) const = default;
};

// One way a grant is reached: chain[0] is a root (the principal or a matching mapping rule),
// each next element is reached through a membership (or the token's groups claim), the last
// owns the authorization.
struct GrantPath {
  std::vector<OwnerRef> chain;
  uint64_t authorization_key = 0;
  auto operator<=>(const GrantPath&) const = default;
};

// Authorized resource ids for (principal, resource type, permission).
struct ResourceIds {
  bool all = false;              // an ANY scope is granted (or authorizations are disabled)
  std::vector<std::string> ids;  // sorted, unique; empty when `all`
  bool operator==(const ResourceIds&) const = default;
};

}  // namespace clearance

#endif  // CLEARANCE_DECISION_H_

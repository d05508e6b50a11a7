// The identity model: the entities of docs/semantics.md §1 as plain values.
//
// These are the rows of the source state. They carry no behaviour beyond comparison; every rule
// about what is a valid entity lives in the command planner (commands.h), so that a value held
// in the state has always passed it.
//
// Thread-safety: plain value types; no internal synchronization.
#ifndef CLEARANCE_MODEL_H_
#define CLEARANCE_MODEL_H_

#include <compare>
#include <cstdint>
#include <string>

#include "clearance/catalog.h"
#include "clearance/claim_path.h"

namespace clearance {

inline constexpr std::string_view kDefaultTenantId = "<default>";
inline constexpr std::string_view kWildcardResourceId = "*";

// Stored only in basic-auth mode (docs/semantics.md §7).
struct User {
  std::string username;
  std::string name;           // optional display name
  std::string email;          // optional
  std::string password_hash;  // bcrypt: $2a$/$2b$/$2y$, optionally with Spring's {bcrypt} prefix
  bool operator==(const User&) const = default;
};

struct Group {
  std::string id;
  std::string name;
  std::string description;
  bool operator==(const Group&) const = default;
};

struct Role {
  std::string id;
  std::string name;
  std::string description;
  bool operator==(const Role&) const = default;
};

struct Tenant {
  std::string id;
  std::string name;
  std::string description;
  bool operator==(const Tenant&) const = default;
};

struct MappingRule {
  std::string id;
  std::string claim_name;
  std::string claim_value;
  std::string name;
  ClaimPath path;  // claim_name, compiled
  bool operator==(const MappingRule& o) const {
    return id == o.id && claim_name == o.claim_name && claim_value == o.claim_value &&
           name == o.name;
  }
};

// What an authorization applies to (docs/semantics.md §3).
enum class Matcher : uint8_t {
  kAny,       // every resource of the type; the resource id is "*"
  kId,        // one resource id, exact and case-sensitive
  kProperty,  // USER_TASK only (8.9): assignee, candidateUsers or candidateGroups
};

// Property names a PROPERTY scope may use.
inline constexpr std::string_view kPropertyAssignee = "assignee";
inline constexpr std::string_view kPropertyCandidateUsers = "candidateUsers";
inline constexpr std::string_view kPropertyCandidateGroups = "candidateGroups";

struct Scope {
  Matcher matcher = Matcher::kAny;
  // "*" for kAny, the resource id for kId, the property name for kProperty.
  std::string value = std::string(kWildcardResourceId);

  static Scope Any() { return {Matcher::kAny, std::string(kWildcardResourceId)}; }
  static Scope Id(std::string id) { return {Matcher::kId, std::move(id)}; }
  static Scope Property(std::string name) { return {Matcher::kProperty, std::move(name)}; }
  auto operator<=>(const Scope&) const = default;
  bool operator==(const Scope&) const = default;
};

std::string_view Name(Matcher m);

using AuthorizationKey = uint64_t;

struct Authorization {
  AuthorizationKey key = 0;
  OwnerType owner_type = OwnerType::kUser;
  std::string owner_id;
  ResourceType resource_type = ResourceType::kAuthorization;
  Scope scope;
  PermissionMask permissions = 0;
  bool operator==(const Authorization&) const = default;
};

// A member of a group, role or tenant (docs/semantics.md §4).
struct Membership {
  ContainerType container_type = ContainerType::kGroup;
  std::string container_id;
  MemberType member_type = MemberType::kUser;
  std::string member_id;
  auto operator<=>(const Membership&) const = default;
  bool operator==(const Membership&) const = default;
};

// Which member types a container accepts: group {USER, CLIENT, MAPPING_RULE}, role {USER,
// CLIENT, GROUP, MAPPING_RULE}, tenant {USER, CLIENT, GROUP, ROLE, MAPPING_RULE}.
bool AcceptsMember(ContainerType container, MemberType member);

}  // namespace clearance

#endif  // CLEARANCE_MODEL_H_

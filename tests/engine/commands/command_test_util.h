// Helpers shared by the command, reference-evaluator and recipe suites: building an initialized
// state through the public commands, and asserting that a refused command changed nothing.
#ifndef CLEARANCE_TESTS_ENGINE_COMMANDS_COMMAND_TEST_UTIL_H_
#define CLEARANCE_TESTS_ENGINE_COMMANDS_COMMAND_TEST_UTIL_H_

#include <algorithm>
#include <cctype>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/decision.h"
#include "clearance/model.h"
#include "clearance/state.h"
#include "gtest/gtest.h"

namespace clearance {

// Readable failure output for the engine's value types (found by ADL).
inline void PrintTo(const Decision& d, std::ostream* os) {
  *os << Name(d.outcome) << "/" << Name(d.reason);
}
inline void PrintTo(const OwnerRef& o, std::ostream* os) { *os << Name(o.type) << ":" << o.id; }
inline void PrintTo(const GrantPath& p, std::ostream* os) {
  *os << "[";
  for (size_t i = 0; i < p.chain.size(); ++i) {
    if (i > 0) *os << " -> ";
    PrintTo(p.chain[i], os);
  }
  *os << " #" << p.authorization_key << "]";
}
inline void PrintTo(const Membership& m, std::ostream* os) {
  *os << Name(m.container_type) << ":" << m.container_id << " <- " << Name(m.member_type) << ":"
      << m.member_id;
}

namespace test_util {

inline constexpr std::string_view kBcryptHash =
    "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

inline Configuration BasicConfig() {
  Configuration config;
  config.mode = AuthMode::kBasic;
  return config;
}

// Executes a command that must succeed; records a failure (naming the command) otherwise.
inline ChangeSet MustExecute(IdentityState& state, const Command& command) {
  absl::StatusOr<ChangeSet> result = Execute(state, command);
  if (!result.ok()) {
    ADD_FAILURE() << CommandName(command) << " refused: " << result.status();
    return ChangeSet{};
  }
  return *std::move(result);
}

// Executes a command that must be refused; records a failure when it is accepted or when the
// state differs afterwards (docs/semantics.md §1: a refused command changes nothing). Returns the
// status.
inline absl::Status Refuse(IdentityState& state, const Command& command) {
  const IdentityState before = state;
  absl::StatusOr<ChangeSet> planned = Plan(state, command);
  EXPECT_FALSE(planned.ok()) << CommandName(command) << " was planned although it must be refused";
  absl::StatusOr<ChangeSet> result = Execute(state, command);
  EXPECT_FALSE(result.ok()) << CommandName(command) << " was accepted";
  EXPECT_TRUE(state == before) << CommandName(command) << " changed the state although refused";
  if (planned.ok() != result.ok()) ADD_FAILURE() << "Plan and Execute disagree";
  return result.status();
}

// A state configured with `config`, then initialized with `seed`.
inline IdentityState NewState(const Configuration& config = {}, InitializationSeed seed = {}) {
  IdentityState state;
  MustExecute(state, Configure{config});
  MustExecute(state, Initialize{std::move(seed)});
  return state;
}

inline AuthorizationSpec Spec(OwnerType owner_type, std::string owner_id,
                              ResourceType resource_type, std::string resource_id,
                              PermissionMask permissions) {
  AuthorizationSpec spec;
  spec.owner_type = owner_type;
  spec.owner_id = std::move(owner_id);
  spec.resource_type = resource_type;
  spec.resource_id = std::move(resource_id);
  spec.permissions = permissions;
  return spec;
}

inline AuthorizationSpec PropertySpec(OwnerType owner_type, std::string owner_id,
                                      std::string property, PermissionMask permissions) {
  AuthorizationSpec spec;
  spec.owner_type = owner_type;
  spec.owner_id = std::move(owner_id);
  spec.resource_type = ResourceType::kUserTask;
  spec.resource_property_name = std::move(property);
  spec.permissions = permissions;
  return spec;
}

// Creates an authorization that must be accepted and returns its key (0 on failure).
inline AuthorizationKey Grant(IdentityState& state, const AuthorizationSpec& spec) {
  ChangeSet changes = MustExecute(state, CreateAuthorization{spec});
  std::optional<AuthorizationKey> key = changes.first_put_authorization_key();
  EXPECT_TRUE(key.has_value()) << "CreateAuthorization put no authorization";
  return key.value_or(0);
}

inline void AddMemberOk(IdentityState& state, ContainerType container_type,
                        std::string container_id, MemberType member_type, std::string member_id) {
  MustExecute(state, AddMember{Membership{container_type, std::move(container_id), member_type,
                                          std::move(member_id)}});
}

inline Group MakeGroup(std::string id, std::string name = "A group") {
  return Group{std::move(id), std::move(name), ""};
}
inline Role MakeRole(std::string id, std::string name = "A role") {
  return Role{std::move(id), std::move(name), ""};
}
inline Tenant MakeTenant(std::string id, std::string name = "A tenant") {
  return Tenant{std::move(id), std::move(name), ""};
}
inline MappingRule MakeRule(std::string id, std::string claim_name, std::string claim_value,
                            std::string name = "A rule") {
  MappingRule rule;
  rule.id = std::move(id);
  rule.claim_name = std::move(claim_name);
  rule.claim_value = std::move(claim_value);
  rule.name = std::move(name);
  return rule;
}
inline User MakeUser(std::string username) {
  return User{std::move(username), "Some One", "someone@example.com", std::string(kBcryptHash)};
}

// True when `message` names `field`, ignoring case, spaces, '_' and '-' ("groupId", "group id"
// and "group_id" all name the field groupId).
inline bool NamesField(absl::string_view message_view, std::string_view field) {
  const std::string_view message(message_view.data(), message_view.size());
  auto normalize = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == ' ' || c == '_' || c == '-') continue;
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
  };
  return normalize(message).find(normalize(field)) != std::string::npos;
}

inline std::string Repeat(char c, size_t n) { return std::string(n, c); }

}  // namespace test_util
}  // namespace clearance

#endif  // CLEARANCE_TESTS_ENGINE_COMMANDS_COMMAND_TEST_UTIL_H_

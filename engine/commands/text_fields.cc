// Every text field a command carries, checked to be UTF-8 before anything else looks at it
// (docs/semantics.md §1). The state holds only UTF-8 so that a snapshot, which is JSON, can
// always carry what the state holds, and JSON output is always valid. Every entry point (CLI,
// C API, JNI, ingestion, snapshot import, the server) reaches the state through Plan() or
// PlanRestore(), which call this first.
#include <type_traits>

#include "clearance/internal/strings.h"
#include "commands/planner_internal.h"
#include "model/utf8.h"

namespace clearance::commands_internal {
namespace {

using model_internal::CheckUtf8;

// Checks named fields in order; the first that is not UTF-8 is the refusal.
class TextFields {
 public:
  TextFields& Add(std::string_view field, std::string_view value) {
    if (status_.ok()) status_ = CheckUtf8(field, value);
    return *this;
  }
  absl::Status status() const { return status_; }

 private:
  absl::Status status_;
};

absl::Status Check(const User& u) {
  return TextFields()
      .Add("username", u.username)
      .Add("name", u.name)
      .Add("email", u.email)
      .Add("password", u.password_hash)
      .status();
}

template <typename T>
absl::Status CheckNamed(std::string_view id_field, const T& e) {
  return TextFields()
      .Add(id_field, e.id)
      .Add("name", e.name)
      .Add("description", e.description)
      .status();
}

absl::Status Check(const MappingRule& r) {
  return TextFields()
      .Add("mappingRuleId", r.id)
      .Add("claimName", r.claim_name)
      .Add("claimValue", r.claim_value)
      .Add("name", r.name)
      .status();
}

absl::Status Check(const Membership& m) {
  return TextFields().Add("containerId", m.container_id).Add("memberId", m.member_id).status();
}

absl::Status Check(const AuthorizationSpec& s) {
  return TextFields()
      .Add("ownerId", s.owner_id)
      .Add("resourceId", s.resource_id)
      .Add("resourcePropertyName", s.resource_property_name)
      .status();
}

absl::Status Check(const Configuration& c) {
  TextFields fields;
  fields.Add("username_claim", c.username_claim)
      .Add("client_id_claim", c.client_id_claim)
      .Add("groups_claim", c.groups_claim)
      .Add("id_pattern", c.id_pattern);
  for (size_t i = 0; i < c.token_issuers.size(); ++i) {
    const TokenIssuerConfig& t = c.token_issuers[i];
    const std::string where = strings_internal::StrCat("token_issuers[", i, "].");
    fields.Add(where + "issuer", t.issuer)
        .Add(where + "jwks_file", t.jwks_file)
        .Add(where + "jwks_uri", t.jwks_uri);
    for (const std::string& a : t.audiences) fields.Add(where + "audiences", a);
    for (const std::string& a : t.algorithms) fields.Add(where + "algorithms", a);
    if (t.username_claim) fields.Add(where + "username_claim", *t.username_claim);
    if (t.client_id_claim) fields.Add(where + "client_id_claim", *t.client_id_claim);
    if (t.groups_claim) fields.Add(where + "groups_claim", *t.groups_claim);
  }
  return fields.status();
}

}  // namespace

absl::Status CheckText(const Command& command) {
  return std::visit(
      [](const auto& c) -> absl::Status {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateUser> || std::is_same_v<T, UpdateUser>) {
          return Check(c.user);
        } else if constexpr (std::is_same_v<T, DeleteUser>) {
          return CheckUtf8("username", c.username);
        } else if constexpr (std::is_same_v<T, CreateGroup> || std::is_same_v<T, UpdateGroup>) {
          return CheckNamed("groupId", c.group);
        } else if constexpr (std::is_same_v<T, DeleteGroup>) {
          return CheckUtf8("groupId", c.id);
        } else if constexpr (std::is_same_v<T, CreateRole> || std::is_same_v<T, UpdateRole>) {
          return CheckNamed("roleId", c.role);
        } else if constexpr (std::is_same_v<T, DeleteRole>) {
          return CheckUtf8("roleId", c.id);
        } else if constexpr (std::is_same_v<T, CreateTenant> || std::is_same_v<T, UpdateTenant>) {
          return CheckNamed("tenantId", c.tenant);
        } else if constexpr (std::is_same_v<T, DeleteTenant>) {
          return CheckUtf8("tenantId", c.id);
        } else if constexpr (std::is_same_v<T, CreateMappingRule> ||
                             std::is_same_v<T, UpdateMappingRule>) {
          return Check(c.rule);
        } else if constexpr (std::is_same_v<T, DeleteMappingRule>) {
          return CheckUtf8("mappingRuleId", c.id);
        } else if constexpr (std::is_same_v<T, AddMember> || std::is_same_v<T, RemoveMember>) {
          return Check(c.membership);
        } else if constexpr (std::is_same_v<T, CreateAuthorization> ||
                             std::is_same_v<T, UpdateAuthorization>) {
          return Check(c.spec);
        } else if constexpr (std::is_same_v<T, DeleteAuthorization>) {
          return absl::OkStatus();  // a key, no text
        } else if constexpr (std::is_same_v<T, Configure>) {
          return Check(c.configuration);
        } else {
          // Initialize: each seed entry is planned as its own command (PlanInitialize), which
          // checks it and names the entry.
          static_assert(std::is_same_v<T, Initialize>);
          return absl::OkStatus();
        }
      },
      command);
}

absl::Status CheckText(const Authorization& a) {
  return TextFields().Add("ownerId", a.owner_id).Add("resourceId", a.scope.value).status();
}

}  // namespace clearance::commands_internal

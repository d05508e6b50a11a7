// clearance-demo: the seed's two recipes (docs/semantics.md §9) end to end against the library.
//
// It configures an OIDC cluster, initializes it, then walks both recipes, printing each check
// and its decision. It exits non-zero if any decision differs from what docs/semantics.md requires,
// so it doubles as a smoke test of a fresh build. The `clearance` operator tool replaces it as the
// main job once the CLI issue lands.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "reference/reference_evaluator.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

int failures = 0;

void Must(const absl::StatusOr<ChangeSet>& result, std::string_view what) {
  if (!result.ok()) {
    std::fprintf(stderr, "demo: %.*s failed: %s\n", static_cast<int>(what.size()), what.data(),
                 std::string(result.status().ToString()).c_str());
    std::exit(3);
  }
  std::printf("  ok   %.*s\n", static_cast<int>(what.size()), what.data());
}

void Expect(const IdentityState& state, std::string_view who, const std::string& claims,
            ResourceType type, std::string_view id, Permission permission, Outcome expected) {
  CheckRequest request;
  request.resource_type = type;
  request.permission = permission;
  request.resource_ids = {std::string(id)};
  reference::Verdict v = reference::Check(state, Caller::Claims(claims), request);
  bool good = v.decision.outcome == expected;
  if (!good) ++failures;
  std::string line = StrCat(good ? "  ok   " : "  FAIL ", who, ": ", Name(permission), " on ",
                            Name(type), " '", id, "' -> ", Name(v.decision.outcome));
  if (!good) line += StrCat(" (expected ", Name(expected), ")");
  if (!v.grants.empty()) {
    const GrantPath& g = v.grants.front();
    line += " via ";
    for (size_t i = 0; i < g.chain.size(); ++i) {
      line += StrCat(i ? " -> " : "", Name(g.chain[i].type), ":", g.chain[i].id);
    }
    line += StrCat(" [authorization ", g.authorization_key, "]");
  }
  std::printf("%s\n", line.c_str());
}

int Run() {
  IdentityState state;
  Configuration config;
  config.client_id_claim = "azp";
  Must(Execute(state, Configure{config}), "configure OIDC with client-id claim 'azp'");
  Must(Execute(state, Initialize{}), "initialize: <default> tenant and the default roles");

  const ResourceType kPd = ResourceType::kProcessDefinition;
  std::printf("\nRecipe 1 (SaaS): a client id and a CLIENT authorization\n");
  const std::string client = R"({"sub":"svc-1","azp":"my-client","scope":"openid"})";
  Expect(state, "my-client (no authorization)", client, kPd, "order-process",
         Permission::kCreateProcessInstance, Outcome::kForbidden);
  AuthorizationSpec grant{
      OwnerType::kClient,
      "my-client",
      kPd,
      "order-process",
      "",
      Bit(Permission::kCreateProcessInstance) | Bit(Permission::kReadProcessInstance)};
  Must(Execute(state, CreateAuthorization{grant}),
       "authorization create CLIENT my-client PROCESS_DEFINITION order-process "
       "CREATE_PROCESS_INSTANCE,READ_PROCESS_INSTANCE");
  Expect(state, "my-client", client, kPd, "order-process", Permission::kCreateProcessInstance,
         Outcome::kAllow);
  Expect(state, "my-client", client, kPd, "order-process", Permission::kCancelProcessInstance,
         Outcome::kForbidden);
  Expect(state, "my-client", client, kPd, "invoice-process", Permission::kCreateProcessInstance,
         Outcome::kForbidden);

  std::printf("\nRecipe 2 (Self-managed): mapping rules on a claim, through a group and a role\n");
  Must(Execute(state, CreateMappingRule{{"orders-scope", "scope", "orders", "Orders scope", {}}}),
       "mapping rule 'orders-scope': claim scope = orders");
  AuthorizationSpec rule_grant{OwnerType::kMappingRule,
                               "orders-scope",
                               kPd,
                               "*",
                               "",
                               Bit(Permission::kReadProcessDefinition)};
  Must(Execute(state, CreateAuthorization{rule_grant}),
       "authorization MAPPING_RULE orders-scope READ_PROCESS_DEFINITION on *");
  Must(Execute(state, CreateMappingRule{{"ops-group", "$.groups[*]", "ops", "Ops", {}}}),
       "mapping rule 'ops-group': claim $.groups[*] = ops");
  Must(Execute(state, CreateGroup{{"operators", "Operators", ""}}), "group 'operators'");
  Must(Execute(state, CreateRole{{"incident-handler", "Incident handler", ""}}),
       "role 'incident-handler'");
  Must(Execute(state, AddMember{{ContainerType::kGroup, "operators", MemberType::kMappingRule,
                                 "ops-group"}}),
       "mapping rule ops-group joins group operators");
  Must(Execute(state, AddMember{{ContainerType::kRole, "incident-handler", MemberType::kGroup,
                                 "operators"}}),
       "group operators joins role incident-handler");
  AuthorizationSpec role_grant{
      OwnerType::kRole, "incident-handler", kPd, "*", "", Bit(Permission::kUpdateProcessInstance)};
  Must(Execute(state, CreateAuthorization{role_grant}),
       "authorization ROLE incident-handler UPDATE_PROCESS_INSTANCE on *");
  const std::string any_client = R"({"azp":"brand-new-client","scope":"orders","groups":["ops"]})";
  const std::string other = R"({"azp":"other-client","scope":"billing","groups":["dev"]})";
  Expect(state, "brand-new-client", any_client, kPd, "order-process",
         Permission::kReadProcessDefinition, Outcome::kAllow);
  Expect(state, "brand-new-client", any_client, kPd, "order-process",
         Permission::kUpdateProcessInstance, Outcome::kAllow);
  Expect(state, "other-client", other, kPd, "order-process", Permission::kReadProcessDefinition,
         Outcome::kForbidden);

  std::printf("\n%s\n", failures == 0 ? "demo: both recipes behave as docs/semantics.md §9 requires"
                                      : "demo: some decisions differ from docs/semantics.md §9");
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace clearance

int main() { return clearance::Run(); }

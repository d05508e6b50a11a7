// Entity commands: authorization, mapping-rule, group, role, tenant and user, each with
// create / update / delete / get / list, and members of groups, roles and tenants.

#include <charconv>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/token_password.h"
#include "cli/cli.h"
#include "cli/seed.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

constexpr size_t kDefaultLimit = 100;

// ---- shared pieces -----------------------------------------------------------------------

absl::StatusOr<uint64_t> ParseUint(std::string_view flag, std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return absl::InvalidArgumentError(
        StrCat("--", flag, ": '", text, "' is not a number; expected a non-negative integer"));
  }
  return v;
}

struct Page {
  size_t limit = kDefaultLimit;
  std::string after;  // exclusive cursor: the last id (or key) of the previous page
};

absl::StatusOr<Page> PageOf(const Flags& f) {
  Page p;
  if (std::optional<std::string> limit = f.Get("limit")) {
    CLEARANCE_ASSIGN_OR_RETURN(uint64_t n, ParseUint("limit", *limit));
    if (n == 0) return absl::InvalidArgumentError("--limit: is 0; expected at least 1");
    p.limit = n;
  }
  p.after = f.GetOr("after", "");
  return p;
}

const std::vector<FlagSpec> kPageFlags = {
    {"limit", true, false, "rows per page (default 100)"},
    {"after", true, false, "continue after this id (the last one of the previous page)"}};

std::vector<FlagSpec> With(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Runs `command` against the store; prints `done` (table) or the row (json).
int Mutate(Context& ctx, const clearance::Command& command, const std::string& done) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  absl::StatusOr<ChangeSet> cs = ApplyCommand(**store, command);
  if (!cs.ok()) return Fail(ctx, cs.status());
  if (ctx.output == OutputFormat::kJson) {
    std::string json = "{\"result\":" + JsonString(done) + ",\"changes\":[";
    bool first = true;
    for (const RowChange& c : cs->changes) {
      json += StrCat(first ? "" : ",", "{\"op\":\"", c.op == RowChange::Op::kPut ? "put" : "delete",
                     "\",\"row\":", RowToJson(c.row), "}");
      first = false;
    }
    Print(ctx, json + "]}");
  } else {
    Print(ctx, done);
  }
  return kOk;
}

void PrintRow(const Context& ctx, const Row& row,
              const std::vector<std::pair<std::string, std::string>>& fields) {
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, RowToJson(row));
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : fields) rows.push_back({k, v});
  PrintTable(ctx, {"FIELD", "VALUE"}, rows);
}

// ---- groups, roles, tenants --------------------------------------------------------------

template <typename T>
struct NamedKind;
template <>
struct NamedKind<Group> {
  static constexpr std::string_view kWord = "group";
  static constexpr ContainerType kContainer = ContainerType::kGroup;
  static const IdentityState::ById<Group>& All(const IdentityState& s) { return s.groups(); }
  static clearance::Command Create(Group g) { return CreateGroup{std::move(g)}; }
  static clearance::Command Update(Group g) { return UpdateGroup{std::move(g)}; }
  static clearance::Command Delete(std::string id) { return DeleteGroup{std::move(id)}; }
};
template <>
struct NamedKind<Role> {
  static constexpr std::string_view kWord = "role";
  static constexpr ContainerType kContainer = ContainerType::kRole;
  static const IdentityState::ById<Role>& All(const IdentityState& s) { return s.roles(); }
  static clearance::Command Create(Role r) { return CreateRole{std::move(r)}; }
  static clearance::Command Update(Role r) { return UpdateRole{std::move(r)}; }
  static clearance::Command Delete(std::string id) { return DeleteRole{std::move(id)}; }
};
template <>
struct NamedKind<Tenant> {
  static constexpr std::string_view kWord = "tenant";
  static constexpr ContainerType kContainer = ContainerType::kTenant;
  static const IdentityState::ById<Tenant>& All(const IdentityState& s) { return s.tenants(); }
  static clearance::Command Create(Tenant t) { return CreateTenant{std::move(t)}; }
  static clearance::Command Update(Tenant t) { return UpdateTenant{std::move(t)}; }
  static clearance::Command Delete(std::string id) { return DeleteTenant{std::move(id)}; }
};

template <typename T>
int GetNamed(Context& ctx, const Flags& f) {
  using K = NamedKind<T>;
  absl::StatusOr<std::string> id = f.Require("id");
  if (!id.ok()) return Fail(ctx, id.status());
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const auto& all = K::All((*store)->state());
  auto it = all.find(*id);
  if (it == all.end()) {
    return Fail(ctx, absl::NotFoundError(StrCat(K::kWord, " '", *id, "' does not exist")));
  }
  const T& e = it->second;
  PrintRow(ctx, e, {{"id", e.id}, {"name", e.name}, {"description", e.description}});
  return kOk;
}

template <typename T>
int ListNamed(Context& ctx, const Flags& f) {
  using K = NamedKind<T>;
  absl::StatusOr<Page> page = PageOf(f);
  if (!page.ok()) return Fail(ctx, page.status());
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const auto& all = K::All((*store)->state());
  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  for (auto it = all.upper_bound(page->after); it != all.end() && rows.size() < page->limit; ++it) {
    rows.push_back({it->second.id, it->second.name, it->second.description});
    json += StrCat(rows.size() > 1 ? "," : "", RowToJson(it->second));
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"ID", "NAME", "DESCRIPTION"}, rows);
  }
  return kOk;
}

template <typename T>
void AddNamed(std::vector<Command>* commands) {
  using K = NamedKind<T>;
  const std::string w(K::kWord);
  const std::vector<FlagSpec> fields = {{"id", true, false, StrCat(w, " id")},
                                        {"name", true, false, "display name (required)"},
                                        {"description", true, false, "optional description"}};
  auto build = [](const Flags& f) -> absl::StatusOr<T> {
    CLEARANCE_ASSIGN_OR_RETURN(std::string id, f.Require("id"));
    return T{std::move(id), f.GetOr("name", ""), f.GetOr("description", "")};
  };
  commands->push_back({w + " create", StrCat("create a ", w), fields,
                       StrCat("clearance ", w, " create --id ops --name \"Operations\""),
                       [build, w](Context& ctx, const Flags& f) {
                         absl::StatusOr<T> e = build(f);
                         if (!e.ok()) return Fail(ctx, e.status());
                         std::string id = e->id;
                         return Mutate(ctx, K::Create(*std::move(e)),
                                       StrCat("created ", w, " ", id));
                       }});
  commands->push_back({w + " update", StrCat("replace a ", w, "'s name and description"), fields,
                       StrCat("clearance ", w, " update --id ops --name \"Ops team\""),
                       [build, w](Context& ctx, const Flags& f) {
                         absl::StatusOr<T> e = build(f);
                         if (!e.ok()) return Fail(ctx, e.status());
                         std::string id = e->id;
                         return Mutate(ctx, K::Update(*std::move(e)),
                                       StrCat("updated ", w, " ", id));
                       }});
  commands->push_back(
      {w + " delete",
       StrCat("delete a ", w, " with its memberships and the authorizations it owns"),
       {{"id", true, false, StrCat(w, " id")}},
       StrCat("clearance ", w, " delete --id ops"),
       [w](Context& ctx, const Flags& f) {
         absl::StatusOr<std::string> id = f.Require("id");
         if (!id.ok()) return Fail(ctx, id.status());
         return Mutate(ctx, K::Delete(*id), StrCat("deleted ", w, " ", *id));
       }});
  commands->push_back({w + " get",
                       StrCat("show one ", w),
                       {{"id", true, false, StrCat(w, " id")}},
                       StrCat("clearance ", w, " get --id ops"),
                       GetNamed<T>});
  commands->push_back({w + " list", StrCat("list ", w, "s by id"), kPageFlags,
                       StrCat("clearance ", w, " list --limit 50"), ListNamed<T>});

  const std::vector<FlagSpec> member_flags = {
      {"id", true, false, StrCat(w, " id")},
      {"member-type", true, false, "USER, CLIENT, GROUP, ROLE or MAPPING_RULE"},
      {"member-id", true, false, "the member's id"}};
  auto membership = [w](const Flags& f) -> absl::StatusOr<Membership> {
    CLEARANCE_ASSIGN_OR_RETURN(std::string id, f.Require("id"));
    CLEARANCE_ASSIGN_OR_RETURN(std::string type, f.Require("member-type"));
    CLEARANCE_ASSIGN_OR_RETURN(std::string member, f.Require("member-id"));
    absl::StatusOr<MemberType> mt = ParseOwnerType(type);
    if (!mt.ok())
      return absl::InvalidArgumentError(StrCat("--member-type: ", mt.status().message()));
    return Membership{K::kContainer, std::move(id), *mt, std::move(member)};
  };
  commands->push_back(
      {w + " add-member", StrCat("add a member to a ", w), member_flags,
       StrCat("clearance ", w, " add-member --id ops --member-type CLIENT --member-id my-client"),
       [membership](Context& ctx, const Flags& f) {
         absl::StatusOr<Membership> m = membership(f);
         if (!m.ok()) return Fail(ctx, m.status());
         std::string done = StrCat("added ", Name(m->member_type), " ", m->member_id, " to ",
                                   Name(m->container_type), " ", m->container_id);
         return Mutate(ctx, AddMember{*std::move(m)}, done);
       }});
  commands->push_back({w + " remove-member", StrCat("remove a member from a ", w), member_flags,
                       StrCat("clearance ", w,
                              " remove-member --id ops --member-type CLIENT --member-id my-client"),
                       [membership](Context& ctx, const Flags& f) {
                         absl::StatusOr<Membership> m = membership(f);
                         if (!m.ok()) return Fail(ctx, m.status());
                         std::string done =
                             StrCat("removed ", Name(m->member_type), " ", m->member_id, " from ",
                                    Name(m->container_type), " ", m->container_id);
                         return Mutate(ctx, RemoveMember{*std::move(m)}, done);
                       }});
  commands->push_back({w + " members",
                       StrCat("list the members of a ", w),
                       {{"id", true, false, StrCat(w, " id")}},
                       StrCat("clearance ", w, " members --id ops"),
                       [w](Context& ctx, const Flags& f) {
                         absl::StatusOr<std::string> id = f.Require("id");
                         if (!id.ok()) return Fail(ctx, id.status());
                         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
                         if (!store.ok()) return Fail(ctx, store.status());
                         std::vector<std::vector<std::string>> rows;
                         std::string json = "[";
                         for (const Membership& m :
                              (*store)->state().MembersOf(K::kContainer, *id)) {
                           json += StrCat(rows.empty() ? "" : ",", RowToJson(m));
                           rows.push_back({std::string(Name(m.member_type)), m.member_id});
                         }
                         if (ctx.output == OutputFormat::kJson) {
                           Print(ctx, json + "]");
                         } else {
                           PrintTable(ctx, {"MEMBER TYPE", "MEMBER ID"}, rows);
                         }
                         return kOk;
                       }});
}

// ---- mapping rules -----------------------------------------------------------------------

void AddMappingRules(std::vector<Command>* commands) {
  const std::vector<FlagSpec> fields = {
      {"id", true, false, "mapping rule id"},
      {"claim-name", true, false, "claim to match: a top-level key, or a JSONPath starting with $"},
      {"claim-value", true, false, "the value the claim must hold"},
      {"name", true, false, "display name (required)"}};
  auto build = [](const Flags& f) -> absl::StatusOr<MappingRule> {
    CLEARANCE_ASSIGN_OR_RETURN(std::string id, f.Require("id"));
    return MappingRule{
        std::move(id), f.GetOr("claim-name", ""), f.GetOr("claim-value", ""), f.GetOr("name", ""), {}};
  };
  commands->push_back({"mapping-rule create", "create a mapping rule on a token claim", fields,
                       "clearance mapping-rule create --id orders --claim-name scope "
                       "--claim-value orders --name \"Orders scope\"\n"
                       "clearance mapping-rule create --id ops --claim-name '$.groups[*]' "
                       "--claim-value ops --name Ops",
                       [build](Context& ctx, const Flags& f) {
                         absl::StatusOr<MappingRule> r = build(f);
                         if (!r.ok()) return Fail(ctx, r.status());
                         std::string id = r->id;
                         return Mutate(ctx, CreateMappingRule{*std::move(r)},
                                       StrCat("created mapping rule ", id));
                       }});
  commands->push_back({"mapping-rule update", "replace a mapping rule's claim and name", fields,
                       "clearance mapping-rule update --id orders --claim-name scp "
                       "--claim-value orders --name Orders",
                       [build](Context& ctx, const Flags& f) {
                         absl::StatusOr<MappingRule> r = build(f);
                         if (!r.ok()) return Fail(ctx, r.status());
                         std::string id = r->id;
                         return Mutate(ctx, UpdateMappingRule{*std::move(r)},
                                       StrCat("updated mapping rule ", id));
                       }});
  commands->push_back({"mapping-rule delete",
                       "delete a mapping rule, its memberships and authorizations",
                       {{"id", true, false, "mapping rule id"}},
                       "clearance mapping-rule delete --id orders",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<std::string> id = f.Require("id");
                         if (!id.ok()) return Fail(ctx, id.status());
                         return Mutate(ctx, DeleteMappingRule{*id},
                                       StrCat("deleted mapping rule ", *id));
                       }});
  commands->push_back(
      {"mapping-rule get",
       "show one mapping rule",
       {{"id", true, false, "mapping rule id"}},
       "clearance mapping-rule get --id orders",
       [](Context& ctx, const Flags& f) {
         absl::StatusOr<std::string> id = f.Require("id");
         if (!id.ok()) return Fail(ctx, id.status());
         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
         if (!store.ok()) return Fail(ctx, store.status());
         const MappingRule* r = (*store)->state().FindMappingRule(*id);
         if (!r)
           return Fail(ctx, absl::NotFoundError(StrCat("mapping rule '", *id, "' does not exist")));
         PrintRow(ctx, *r,
                  {{"id", r->id},
                   {"claimName", r->claim_name},
                   {"claimValue", r->claim_value},
                   {"name", r->name}});
         return kOk;
       }});
  commands->push_back({"mapping-rule list", "list mapping rules by id", kPageFlags,
                       "clearance mapping-rule list", [](Context& ctx, const Flags& f) {
                         absl::StatusOr<Page> page = PageOf(f);
                         if (!page.ok()) return Fail(ctx, page.status());
                         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
                         if (!store.ok()) return Fail(ctx, store.status());
                         const auto& all = (*store)->state().mapping_rules();
                         std::vector<std::vector<std::string>> rows;
                         std::string json = "[";
                         for (auto it = all.upper_bound(page->after);
                              it != all.end() && rows.size() < page->limit; ++it) {
                           const MappingRule& r = it->second;
                           json += StrCat(rows.empty() ? "" : ",", RowToJson(r));
                           rows.push_back({r.id, r.claim_name, r.claim_value, r.name});
                         }
                         if (ctx.output == OutputFormat::kJson) {
                           Print(ctx, json + "]");
                         } else {
                           PrintTable(ctx, {"ID", "CLAIM NAME", "CLAIM VALUE", "NAME"}, rows);
                         }
                         return kOk;
                       }});
}

// ---- users (basic mode) ------------------------------------------------------------------

void AddUsers(std::vector<Command>* commands) {
  const std::vector<FlagSpec> fields = {
      {"username", true, false, "username"},
      {"password", true, false, "password (stored as a bcrypt hash)"},
      {"password-hash", true, false, "an existing bcrypt hash instead of --password"},
      {"name", true, false, "display name"},
      {"email", true, false, "email address"}};
  auto build = [](const Flags& f) -> absl::StatusOr<User> {
    CLEARANCE_ASSIGN_OR_RETURN(std::string username, f.Require("username"));
    User u{std::move(username), f.GetOr("name", ""), f.GetOr("email", ""), ""};
    if (f.Has("password") == f.Has("password-hash")) {
      return absl::InvalidArgumentError("give exactly one of --password and --password-hash");
    }
    if (f.Has("password")) {
      absl::StatusOr<std::string> hash = HashPassword(*f.Get("password"));
      if (!hash.ok()) return absl::Status(hash.status().code(), StrCat("--", hash.status().message()));
      u.password_hash = *hash;
    } else {
      u.password_hash = *f.Get("password-hash");
    }
    return u;
  };
  commands->push_back({"user create", "create a user (basic-auth mode only)", fields,
                       "clearance user create --username demo --password demo --name Demo",
                       [build](Context& ctx, const Flags& f) {
                         absl::StatusOr<User> u = build(f);
                         if (!u.ok()) return Fail(ctx, u.status());
                         std::string name = u->username;
                         return Mutate(ctx, CreateUser{*std::move(u)},
                                       StrCat("created user ", name));
                       }});
  commands->push_back({"user update", "replace a user's name, email and password", fields,
                       "clearance user update --username demo --password n3w --name Demo",
                       [build](Context& ctx, const Flags& f) {
                         absl::StatusOr<User> u = build(f);
                         if (!u.ok()) return Fail(ctx, u.status());
                         std::string name = u->username;
                         return Mutate(ctx, UpdateUser{*std::move(u)},
                                       StrCat("updated user ", name));
                       }});
  commands->push_back({"user delete",
                       "delete a user, its memberships and authorizations",
                       {{"username", true, false, "username"}},
                       "clearance user delete --username demo",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<std::string> name = f.Require("username");
                         if (!name.ok()) return Fail(ctx, name.status());
                         return Mutate(ctx, DeleteUser{*name}, StrCat("deleted user ", *name));
                       }});
  commands->push_back(
      {"user get",
       "show one user (never the password hash)",
       {{"username", true, false, "username"}},
       "clearance user get --username demo",
       [](Context& ctx, const Flags& f) {
         absl::StatusOr<std::string> name = f.Require("username");
         if (!name.ok()) return Fail(ctx, name.status());
         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
         if (!store.ok()) return Fail(ctx, store.status());
         const User* u = (*store)->state().FindUser(*name);
         if (!u) return Fail(ctx, absl::NotFoundError(StrCat("user '", *name, "' does not exist")));
         User shown = *u;
         shown.password_hash = "(hidden)";
         PrintRow(ctx, shown, {{"username", u->username}, {"name", u->name}, {"email", u->email}});
         return kOk;
       }});
  commands->push_back({"user list", "list users by username", kPageFlags, "clearance user list",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<Page> page = PageOf(f);
                         if (!page.ok()) return Fail(ctx, page.status());
                         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
                         if (!store.ok()) return Fail(ctx, store.status());
                         const auto& all = (*store)->state().users();
                         std::vector<std::vector<std::string>> rows;
                         std::string json = "[";
                         for (auto it = all.upper_bound(page->after);
                              it != all.end() && rows.size() < page->limit; ++it) {
                           User shown = it->second;
                           shown.password_hash = "(hidden)";
                           json += StrCat(rows.empty() ? "" : ",", RowToJson(shown));
                           rows.push_back({shown.username, shown.name, shown.email});
                         }
                         if (ctx.output == OutputFormat::kJson) {
                           Print(ctx, json + "]");
                         } else {
                           PrintTable(ctx, {"USERNAME", "NAME", "EMAIL"}, rows);
                         }
                         return kOk;
                       }});
}

// ---- authorizations ----------------------------------------------------------------------

std::string ResourceOf(const Authorization& a) {
  return a.scope.matcher == Matcher::kProperty ? StrCat("property:", a.scope.value) : a.scope.value;
}

std::vector<std::string> AuthorizationCells(const Authorization& a) {
  return {StrCat(a.key), std::string(Name(a.owner_type)),
          a.owner_id,    std::string(Name(a.resource_type)),
          ResourceOf(a), FormatPermissions(a.permissions)};
}

absl::StatusOr<AuthorizationSpec> SpecOf(const Flags& f) {
  AuthorizationSpec spec;
  CLEARANCE_ASSIGN_OR_RETURN(std::string owner_type, f.Require("owner-type"));
  absl::StatusOr<OwnerType> ot = ParseOwnerType(owner_type);
  if (!ot.ok()) return absl::InvalidArgumentError(StrCat("--owner-type: ", ot.status().message()));
  CLEARANCE_ASSIGN_OR_RETURN(std::string owner_id, f.Require("owner-id"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string resource_type, f.Require("resource-type"));
  absl::StatusOr<ResourceType> rt = ParseResourceType(resource_type);
  if (!rt.ok())
    return absl::InvalidArgumentError(StrCat("--resource-type: ", rt.status().message()));
  CLEARANCE_ASSIGN_OR_RETURN(std::string permissions, f.Require("permissions"));
  absl::StatusOr<PermissionMask> mask = ParsePermissions(permissions);
  if (!mask.ok())
    return absl::InvalidArgumentError(StrCat("--permissions: ", mask.status().message()));
  spec.owner_type = *ot;
  spec.owner_id = std::move(owner_id);
  spec.resource_type = *rt;
  spec.resource_id = f.GetOr("resource-id", "");
  spec.resource_property_name = f.GetOr("resource-property-name", "");
  spec.permissions = *mask;
  return spec;
}

const std::vector<FlagSpec> kSpecFlags = {
    {"owner-type", true, false, "USER, CLIENT, GROUP, ROLE or MAPPING_RULE"},
    {"owner-id", true, false, "the owner's id"},
    {"resource-type", true, false, "e.g. PROCESS_DEFINITION"},
    {"resource-id", true, false, "a resource id, or * for every resource of the type"},
    {"resource-property-name", true, false,
     "USER_TASK only: assignee, candidateUsers or candidateGroups"},
    {"permissions", true, false,
     "comma-separated, e.g. CREATE_PROCESS_INSTANCE,READ_PROCESS_INSTANCE"}};

absl::StatusOr<AuthorizationKey> KeyOf(const Flags& f) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string key, f.Require("key"));
  return ParseUint("key", key);
}

int ListAuthorizations(Context& ctx, const Flags& f) {
  absl::StatusOr<Page> page = PageOf(f);
  if (!page.ok()) return Fail(ctx, page.status());
  std::optional<OwnerType> owner_type;
  std::optional<ResourceType> resource_type;
  if (std::optional<std::string> t = f.Get("owner-type")) {
    absl::StatusOr<OwnerType> ot = ParseOwnerType(*t);
    if (!ot.ok())
      return Fail(ctx, absl::InvalidArgumentError(StrCat("--owner-type: ", ot.status().message())));
    owner_type = *ot;
  }
  if (std::optional<std::string> t = f.Get("resource-type")) {
    absl::StatusOr<ResourceType> rt = ParseResourceType(*t);
    if (!rt.ok())
      return Fail(ctx,
                  absl::InvalidArgumentError(StrCat("--resource-type: ", rt.status().message())));
    resource_type = *rt;
  }
  std::optional<std::string> owner_id = f.Get("owner-id");
  AuthorizationKey after = 0;
  if (!page->after.empty()) {
    absl::StatusOr<uint64_t> k = ParseUint("after", page->after);
    if (!k.ok()) return Fail(ctx, k.status());
    after = *k;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const auto& all = (*store)->state().authorizations();
  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  for (auto it = all.upper_bound(after); it != all.end() && rows.size() < page->limit; ++it) {
    const Authorization& a = it->second;
    if (owner_type && a.owner_type != *owner_type) continue;
    if (owner_id && a.owner_id != *owner_id) continue;
    if (resource_type && a.resource_type != *resource_type) continue;
    json += StrCat(rows.empty() ? "" : ",", RowToJson(a));
    rows.push_back(AuthorizationCells(a));
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"KEY", "OWNER TYPE", "OWNER ID", "RESOURCE TYPE", "RESOURCE", "PERMISSIONS"},
               rows);
  }
  return kOk;
}

void AddAuthorizations(std::vector<Command>* commands) {
  commands->push_back(
      {"authorization create", "grant permissions on a resource to an owner", kSpecFlags,
       "clearance authorization create --owner-type CLIENT --owner-id my-client "
       "--resource-type PROCESS_DEFINITION --resource-id order-process "
       "--permissions CREATE_PROCESS_INSTANCE,READ_PROCESS_INSTANCE",
       [](Context& ctx, const Flags& f) {
         absl::StatusOr<AuthorizationSpec> spec = SpecOf(f);
         if (!spec.ok()) return Fail(ctx, spec.status());
         absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
         if (!store.ok()) return Fail(ctx, store.status());
         absl::StatusOr<ChangeSet> cs = ApplyCommand(**store, CreateAuthorization{*spec});
         if (!cs.ok()) return Fail(ctx, cs.status());
         AuthorizationKey key = cs->first_put_authorization_key().value_or(0);
         Print(ctx, ctx.output == OutputFormat::kJson ? StrCat("{\"key\":", key, "}")
                                                      : StrCat("created authorization ", key));
         return kOk;
       }});
  commands->push_back({"authorization update", "replace an authorization (keeps its key)",
                       With({{"key", true, false, "authorization key"}}, kSpecFlags),
                       "clearance authorization update --key 47 --owner-type CLIENT --owner-id "
                       "my-client --resource-type PROCESS_DEFINITION --resource-id '*' "
                       "--permissions READ_PROCESS_DEFINITION",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<AuthorizationKey> key = KeyOf(f);
                         if (!key.ok()) return Fail(ctx, key.status());
                         absl::StatusOr<AuthorizationSpec> spec = SpecOf(f);
                         if (!spec.ok()) return Fail(ctx, spec.status());
                         return Mutate(ctx, UpdateAuthorization{*key, *spec},
                                       StrCat("updated authorization ", *key));
                       }});
  commands->push_back({"authorization delete",
                       "delete an authorization",
                       {{"key", true, false, "authorization key"}},
                       "clearance authorization delete --key 47",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<AuthorizationKey> key = KeyOf(f);
                         if (!key.ok()) return Fail(ctx, key.status());
                         return Mutate(ctx, DeleteAuthorization{*key},
                                       StrCat("deleted authorization ", *key));
                       }});
  commands->push_back(
      {"authorization get",
       "show one authorization",
       {{"key", true, false, "authorization key"}},
       "clearance authorization get --key 47",
       [](Context& ctx, const Flags& f) {
         absl::StatusOr<AuthorizationKey> key = KeyOf(f);
         if (!key.ok()) return Fail(ctx, key.status());
         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
         if (!store.ok()) return Fail(ctx, store.status());
         const Authorization* a = (*store)->state().FindAuthorization(*key);
         if (!a)
           return Fail(ctx, absl::NotFoundError(StrCat("authorization ", *key, " does not exist")));
         std::vector<std::string> c = AuthorizationCells(*a);
         PrintRow(ctx, *a,
                  {{"key", c[0]},
                   {"ownerType", c[1]},
                   {"ownerId", c[2]},
                   {"resourceType", c[3]},
                   {"resource", c[4]},
                   {"matcher", std::string(Name(a->scope.matcher))},
                   {"permissions", c[5]}});
         return kOk;
       }});
  commands->push_back(
      {"authorization list", "list authorizations by key, optionally filtered",
       With({{"owner-type", true, false, "only this owner type"},
             {"owner-id", true, false, "only this owner id"},
             {"resource-type", true, false, "only this resource type"}},
            kPageFlags),
       "clearance authorization list --owner-type CLIENT --owner-id my-client\n"
       "clearance authorization list --resource-type PROCESS_DEFINITION --limit 20 --after 120",
       ListAuthorizations});
}

}  // namespace

void AddEntityCommands(std::vector<Command>* commands) {
  AddAuthorizations(commands);
  AddMappingRules(commands);
  AddNamed<Group>(commands);
  AddNamed<Role>(commands);
  AddNamed<Tenant>(commands);
  AddUsers(commands);
}

}  // namespace clearance::cli

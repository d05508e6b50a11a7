#include "snapshot/record_codec.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <tuple>

#include "clearance/internal/config_json.h"
#include "clearance/internal/json_fields.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance::snapshot_internal {
namespace {

using strings_internal::StrAppend;
using strings_internal::StrCat;

// ---- encoding ----------------------------------------------------------------------------

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  strings_internal::AppendJsonQuoted(out, s);
}

namespace {

// Builds {"k":v,...} with members in call order.
class ObjectWriter {
 public:
  ObjectWriter& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(&out_, value);
    return *this;
  }
  ObjectWriter& Uint(std::string_view key, uint64_t value) {
    Key(key);
    StrAppend(&out_, value);
    return *this;
  }
  ObjectWriter& Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  ObjectWriter& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() { return out_ + "}"; }

 private:
  void Key(std::string_view key) {
    out_ += first_ ? "" : ",";
    first_ = false;
    AppendJsonString(&out_, key);
    out_ += ":";
  }
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace

namespace {

std::string EncodeStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(&out, items[i]);
  }
  return out + "]";
}

// An issuer's overrides (TokenIssuerConfig), only those that are set; empty when none is.
std::string EncodeIssuerOverrides(const TokenIssuerConfig& t) {
  ObjectWriter w;
  bool any = false;
  auto str = [&](std::string_view key, const std::optional<std::string>& v) {
    if (v) w.Str(key, *v), any = true;
  };
  str("username_claim", t.username_claim);
  str("client_id_claim", t.client_id_claim);
  str("groups_claim", t.groups_claim);
  if (t.prefer_username_claim) w.Bool("prefer_username_claim", *t.prefer_username_claim), any = true;
  if (t.leeway_seconds) w.Uint("leeway_seconds", static_cast<uint64_t>(*t.leeway_seconds)), any = true;
  if (t.max_token_bytes) w.Uint("max_token_bytes", *t.max_token_bytes), any = true;
  if (t.max_claims_bytes) w.Uint("max_claims_bytes", *t.max_claims_bytes), any = true;
  return any ? w.Done() : std::string();
}

std::string EncodeIssuers(const std::vector<TokenIssuerConfig>& issuers) {
  std::string out = "[";
  for (size_t i = 0; i < issuers.size(); ++i) {
    const TokenIssuerConfig& t = issuers[i];
    if (i > 0) out += ",";
    ObjectWriter w;
    w.Str("issuer", t.issuer)
        .Str("jwks_file", t.jwks_file)
        .Str("jwks_uri", t.jwks_uri)
        .Raw("audiences", EncodeStringArray(t.audiences))
        .Raw("algorithms", EncodeStringArray(t.algorithms));
    // Written only when set, so a configuration without overrides exports as before they existed.
    if (std::string overrides = EncodeIssuerOverrides(t); !overrides.empty()) {
      w.Raw("overrides", overrides);
    }
    out += w.Done();
  }
  return out + "]";
}

}  // namespace

std::string EncodeConfiguration(const Configuration& c) {
  return ObjectWriter()
      .Str("mode", Name(c.mode))
      .Bool("authorizations_enabled", c.authorizations_enabled)
      .Bool("tenant_checks_enabled", c.tenant_checks_enabled)
      .Str("username_claim", c.username_claim)
      .Str("client_id_claim", c.client_id_claim)
      .Str("groups_claim", c.groups_claim)
      .Bool("prefer_username_claim", c.prefer_username_claim)
      .Str("id_pattern", c.id_pattern)
      .Raw("token_issuers", EncodeIssuers(c.token_issuers))
      .Done();
}

namespace {

std::string EncodeCounts(const SnapshotCounts& c) {
  return ObjectWriter()
      .Uint("tenants", c.tenants)
      .Uint("groups", c.groups)
      .Uint("roles", c.roles)
      .Uint("mapping_rules", c.mapping_rules)
      .Uint("users", c.users)
      .Uint("memberships", c.memberships)
      .Uint("authorizations", c.authorizations)
      .Done();
}

std::string EncodePermissions(PermissionMask mask) {
  std::string out = "[";
  bool first = true;
  ForEachPermission(mask, [&](Permission p) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(&out, Name(p));
  });
  return out + "]";
}

// ---- decoding ----------------------------------------------------------------------------

// Snapshot lines are strict: every member of a record is listed (CheckMembers), and null is a
// value of its own type, never a missing member.
constexpr JsonReadOptions kLineOptions = {.document = "record", .null_is_absent = false};

// Parses a catalog name, turning the catalog's message into a field error.
template <typename T, typename Parse>
absl::StatusOr<T> Named(const JsonObject& f, std::string_view field, Parse parse) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string text, f.RequiredString(field));
  auto value = parse(text);
  if (!value.ok()) {
    const auto message = value.status().message();
    return f.Error(field, std::string_view(message.data(), message.size()));
  }
  return *value;
}

absl::StatusOr<std::vector<std::string>> StringArray(const JsonObject& f, std::string_view name) {
  CLEARANCE_ASSIGN_OR_RETURN(JsonArray array, f.RequiredArray(name));
  return array.Strings();
}

absl::StatusOr<TokenIssuerConfig> DecodeIssuer(const JsonObject& f) {
  const bool has_overrides = f.Has("overrides");
  CLEARANCE_RETURN_IF_ERROR(
      has_overrides
          ? f.CheckMembers({"issuer", "jwks_file", "jwks_uri", "audiences", "algorithms",
                            "overrides"},
                           /*all_required=*/true)
          : f.CheckMembers({"issuer", "jwks_file", "jwks_uri", "audiences", "algorithms"},
                           /*all_required=*/true));
  TokenIssuerConfig t;
  if (has_overrides) {
    CLEARANCE_ASSIGN_OR_RETURN(JsonObject o, f.RequiredObject("overrides"));
    CLEARANCE_RETURN_IF_ERROR(ReadIssuerOverrides(o, &t));
  }
  CLEARANCE_ASSIGN_OR_RETURN(t.issuer, f.RequiredString("issuer"));
  CLEARANCE_ASSIGN_OR_RETURN(t.jwks_file, f.RequiredString("jwks_file"));
  CLEARANCE_ASSIGN_OR_RETURN(t.jwks_uri, f.RequiredString("jwks_uri"));
  CLEARANCE_ASSIGN_OR_RETURN(t.audiences, StringArray(f, "audiences"));
  CLEARANCE_ASSIGN_OR_RETURN(t.algorithms, StringArray(f, "algorithms"));
  return t;
}

absl::StatusOr<std::vector<TokenIssuerConfig>> DecodeIssuers(const JsonObject& config) {
  CLEARANCE_ASSIGN_OR_RETURN(JsonArray array, config.RequiredArray("token_issuers"));
  std::vector<TokenIssuerConfig> out;
  CLEARANCE_RETURN_IF_ERROR(array.ForEach([&](const JsonValue& element) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(JsonObject issuer, element.Object());
    CLEARANCE_ASSIGN_OR_RETURN(TokenIssuerConfig t, DecodeIssuer(issuer));
    out.push_back(std::move(t));
    return absl::OkStatus();
  }));
  return out;
}

// Version 1 snapshots predate token issuers: their configuration has no "token_issuers" member
// and imports with none.
absl::StatusOr<Configuration> DecodeConfiguration(const JsonObject& f, uint64_t version) {
  CLEARANCE_RETURN_IF_ERROR(
      version == 1
          ? f.CheckMembers({"mode", "authorizations_enabled", "tenant_checks_enabled",
                            "username_claim", "client_id_claim", "groups_claim",
                            "prefer_username_claim", "id_pattern"},
                           /*all_required=*/true)
          : f.CheckMembers({"mode", "authorizations_enabled", "tenant_checks_enabled",
                            "username_claim", "client_id_claim", "groups_claim",
                            "prefer_username_claim", "id_pattern", "token_issuers"},
                           /*all_required=*/true));
  Configuration c;
  CLEARANCE_ASSIGN_OR_RETURN(auto mode, f.RequiredString("mode"));
  if (mode == "OIDC") {
    c.mode = AuthMode::kOidc;
  } else if (mode == "BASIC") {
    c.mode = AuthMode::kBasic;
  } else {
    return f.Error("mode", StrCat("is '", mode, "'; expected OIDC or BASIC"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto authz, f.RequiredBool("authorizations_enabled"));
  CLEARANCE_ASSIGN_OR_RETURN(auto tenants, f.RequiredBool("tenant_checks_enabled"));
  CLEARANCE_ASSIGN_OR_RETURN(auto username, f.RequiredString("username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto client, f.RequiredString("client_id_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto groups, f.RequiredString("groups_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto prefer, f.RequiredBool("prefer_username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto pattern, f.RequiredString("id_pattern"));
  c.authorizations_enabled = authz;
  c.tenant_checks_enabled = tenants;
  c.username_claim = username;
  c.client_id_claim = client;
  c.groups_claim = groups;
  c.prefer_username_claim = prefer;
  c.id_pattern = pattern;
  if (version >= 2) {
    CLEARANCE_ASSIGN_OR_RETURN(auto issuers, DecodeIssuers(f));
    c.token_issuers = std::move(issuers);
  }
  if (absl::Status s = c.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(StrCat(f.path(), ": ", s.message()));
  }
  return c;
}

absl::StatusOr<Record> DecodeHeader(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers({"type", "format", "version", "applied_position",
                                            "next_authorization_key", "configuration", "counts"},
                                           /*all_required=*/true));
  CLEARANCE_ASSIGN_OR_RETURN(auto format, f.RequiredString("format"));
  if (format != kSnapshotFormat) {
    return f.Error("format", StrCat("is '", format, "'; expected '", kSnapshotFormat, "'"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto version, f.RequiredUint("version"));
  if (version < 1 || version > kSnapshotVersion) {
    return f.Error("version", StrCat("is ", version, "; this build reads versions 1 to ",
                                     kSnapshotVersion));
  }
  SnapshotHeader h;
  // null before the store has applied any record.
  std::optional<uint64_t> position;
  CLEARANCE_ASSIGN_OR_RETURN(JsonValue applied,
                             f.Required("applied_position", "a non-negative integer or null"));
  if (!applied.is_null()) {
    absl::StatusOr<uint64_t> value = applied.Uint();
    if (!value.ok()) return applied.WrongType("a non-negative integer or null");
    position = *value;
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto next_key, f.RequiredUint("next_authorization_key"));
  if (next_key == 0) return f.Error("next_authorization_key", "is 0; expected at least 1");
  h.applied_position = position;
  h.next_authorization_key = next_key;
  CLEARANCE_ASSIGN_OR_RETURN(auto config, f.RequiredObject("configuration"));
  CLEARANCE_ASSIGN_OR_RETURN(auto configuration, DecodeConfiguration(config, version));
  h.configuration = configuration;
  CLEARANCE_ASSIGN_OR_RETURN(auto counts_obj, f.RequiredObject("counts"));
  const JsonObject& c = counts_obj;
  CLEARANCE_RETURN_IF_ERROR(c.CheckMembers({"tenants", "groups", "roles", "mapping_rules", "users",
                                            "memberships", "authorizations"},
                                           /*all_required=*/true));
  uint64_t* targets[] = {&h.counts.tenants,       &h.counts.groups, &h.counts.roles,
                         &h.counts.mapping_rules, &h.counts.users,  &h.counts.memberships,
                         &h.counts.authorizations};
  const char* names[] = {"tenants", "groups",      "roles",         "mapping_rules",
                         "users",   "memberships", "authorizations"};
  for (size_t i = 0; i < std::size(names); ++i) {
    CLEARANCE_ASSIGN_OR_RETURN(auto n, c.RequiredUint(names[i]));
    *targets[i] = n;
  }
  return Record(h);
}

template <typename T>
absl::StatusOr<Record> DecodeNamed(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(
      f.CheckMembers({"type", "id", "name", "description"}, /*all_required=*/true));
  CLEARANCE_ASSIGN_OR_RETURN(auto id, f.RequiredString("id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.RequiredString("name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto description, f.RequiredString("description"));
  return Record(Row(T{id, name, description}));
}

absl::StatusOr<Record> DecodeMappingRule(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(
      f.CheckMembers({"type", "id", "claim_name", "claim_value", "name"}, /*all_required=*/true));
  CLEARANCE_ASSIGN_OR_RETURN(auto id, f.RequiredString("id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto claim_name, f.RequiredString("claim_name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto claim_value, f.RequiredString("claim_value"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.RequiredString("name"));
  return Record(Row(MappingRule{id, claim_name, claim_value, name, {}}));
}

absl::StatusOr<Record> DecodeUser(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers({"type", "username", "name", "email", "password_hash"},
                                           /*all_required=*/true));
  CLEARANCE_ASSIGN_OR_RETURN(auto username, f.RequiredString("username"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.RequiredString("name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto email, f.RequiredString("email"));
  CLEARANCE_ASSIGN_OR_RETURN(auto hash, f.RequiredString("password_hash"));
  return Record(Row(User{username, name, email, hash}));
}

absl::StatusOr<Record> DecodeMembership(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(
      f.CheckMembers({"type", "container_type", "container_id", "member_type", "member_id"},
                     /*all_required=*/true));
  Membership m;
  CLEARANCE_ASSIGN_OR_RETURN(auto container_type,
                             Named<ContainerType>(f, "container_type", ParseContainerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto container_id, f.RequiredString("container_id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto member_type, Named<MemberType>(f, "member_type", ParseOwnerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto member_id, f.RequiredString("member_id"));
  m.container_type = container_type;
  m.container_id = container_id;
  m.member_type = member_type;
  m.member_id = member_id;
  return Record(Row(m));
}

absl::StatusOr<Record> DecodeAuthorization(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers({"type", "key", "owner_type", "owner_id",
                                            "resource_type", "matcher", "resource", "permissions"},
                                           /*all_required=*/true));
  Authorization a;
  CLEARANCE_ASSIGN_OR_RETURN(auto key, f.RequiredUint("key"));
  CLEARANCE_ASSIGN_OR_RETURN(auto owner_type, Named<OwnerType>(f, "owner_type", ParseOwnerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto owner_id, f.RequiredString("owner_id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto resource_type,
                             Named<ResourceType>(f, "resource_type", ParseResourceType));
  CLEARANCE_ASSIGN_OR_RETURN(auto matcher, f.RequiredString("matcher"));
  CLEARANCE_ASSIGN_OR_RETURN(auto resource, f.RequiredString("resource"));
  CLEARANCE_ASSIGN_OR_RETURN(auto permissions, f.RequiredArray("permissions"));
  if (matcher == "ANY") {
    a.scope.matcher = Matcher::kAny;
  } else if (matcher == "ID") {
    a.scope.matcher = Matcher::kId;
  } else if (matcher == "PROPERTY") {
    a.scope.matcher = Matcher::kProperty;
  } else {
    return f.Error("matcher", StrCat("is '", matcher, "'; expected ANY, ID or PROPERTY"));
  }
  a.scope.value = resource;
  a.key = key;
  a.owner_type = owner_type;
  a.owner_id = owner_id;
  a.resource_type = resource_type;
  CLEARANCE_RETURN_IF_ERROR(permissions.ForEach([&](const JsonValue& element) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(std::string_view name, element.StringView());
    absl::StatusOr<Permission> p = ParsePermission(name);
    if (!p.ok()) {
      const auto message = p.status().message();
      return element.Error(std::string_view(message.data(), message.size()));
    }
    if (a.permissions & Bit(*p)) {
      return f.Error("permissions", StrCat("names ", name, " twice; expected each once"));
    }
    a.permissions |= Bit(*p);
    return absl::OkStatus();
  }));
  return Record(Row(a));
}

absl::StatusOr<Record> DecodeTrailer(const JsonObject& f) {
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers({"type", "records", "sha256"}, /*all_required=*/true));
  Trailer t;
  CLEARANCE_ASSIGN_OR_RETURN(auto records, f.RequiredUint("records"));
  CLEARANCE_ASSIGN_OR_RETURN(auto sha, f.RequiredString("sha256"));
  t.records = records;
  t.sha256_hex = sha;
  return Record(t);
}

// Canonical sort key of a row: (rank, identity...).
using SortKey = std::tuple<int, std::string, int, std::string, uint64_t>;
SortKey KeyOf(const Row& row) {
  return std::visit(
      [&](const auto& r) -> SortKey {
        using T = std::decay_t<decltype(r)>;
        const int rank = KindRank(row);
        if constexpr (std::is_same_v<T, User>) {
          return {rank, r.username, 0, "", 0};
        } else if constexpr (std::is_same_v<T, Membership>) {
          return {rank, StrCat(static_cast<int>(r.container_type)), 0, "", 0};
        } else if constexpr (std::is_same_v<T, Authorization>) {
          return {rank, "", 0, "", r.key};
        } else {
          return {rank, r.id, 0, "", 0};
        }
      },
      row);
}

}  // namespace

int KindRank(const Row& row) {
  // Row's alternatives are User, Group, Role, Tenant, MappingRule, Membership, Authorization;
  // canonical order is tenants, groups, roles, mapping rules, users, memberships,
  // authorizations (the order rows can be validated in).
  static constexpr int kRankByIndex[] = {4, 1, 2, 0, 3, 5, 6};
  return kRankByIndex[row.index()];
}

std::string_view KindName(const Row& row) {
  static constexpr std::string_view kNames[] = {
      "user", "group", "role", "tenant", "mapping_rule", "membership", "authorization"};
  return kNames[row.index()];
}

bool CanonicallyBefore(const Row& a, const Row& b) {
  if (KindRank(a) != KindRank(b)) return KindRank(a) < KindRank(b);
  if (const auto* ma = std::get_if<Membership>(&a)) return *ma < std::get<Membership>(b);
  return KeyOf(a) < KeyOf(b);
}

std::string EncodeHeader(const SnapshotHeader& h) {
  ObjectWriter w;
  w.Str("type", "header").Str("format", kSnapshotFormat).Uint("version", kSnapshotVersion);
  if (h.applied_position) {
    w.Uint("applied_position", *h.applied_position);
  } else {
    w.Raw("applied_position", "null");
  }
  return w.Uint("next_authorization_key", h.next_authorization_key)
      .Raw("configuration", EncodeConfiguration(h.configuration))
      .Raw("counts", EncodeCounts(h.counts))
      .Done();
}

std::string EncodeRow(const Row& row) {
  return std::visit(
      [&](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        ObjectWriter w;
        w.Str("type", KindName(row));
        if constexpr (std::is_same_v<T, User>) {
          w.Str("username", r.username).Str("name", r.name).Str("email", r.email);
          w.Str("password_hash", r.password_hash);
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          w.Str("id", r.id).Str("claim_name", r.claim_name).Str("claim_value", r.claim_value);
          w.Str("name", r.name);
        } else if constexpr (std::is_same_v<T, Membership>) {
          w.Str("container_type", Name(r.container_type)).Str("container_id", r.container_id);
          w.Str("member_type", Name(r.member_type)).Str("member_id", r.member_id);
        } else if constexpr (std::is_same_v<T, Authorization>) {
          w.Uint("key", r.key).Str("owner_type", Name(r.owner_type)).Str("owner_id", r.owner_id);
          w.Str("resource_type", Name(r.resource_type)).Str("matcher", Name(r.scope.matcher));
          w.Str("resource", r.scope.value).Raw("permissions", EncodePermissions(r.permissions));
        } else {
          w.Str("id", r.id).Str("name", r.name).Str("description", r.description);
        }
        return w.Done();
      },
      row);
}

std::string EncodeTrailer(const Trailer& t) {
  return ObjectWriter()
      .Str("type", "trailer")
      .Uint("records", t.records)
      .Str("sha256", t.sha256_hex)
      .Done();
}

absl::StatusOr<Record> RecordDecoder::Decode(std::string_view line) {
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject record, ParseJsonObject(parser_, line, kLineOptions));
  constexpr std::string_view kTypes =
      "header, tenant, group, role, mapping_rule, user, membership, authorization or trailer";
  CLEARANCE_ASSIGN_OR_RETURN(JsonValue type_value, record.Required("type", kTypes));
  absl::StatusOr<std::string_view> type = type_value.StringView();
  if (!type.ok()) return type_value.WrongType(kTypes);
  // Members are named from their record kind ("authorization.key").
  const JsonObject f(record.object(), std::string(*type), kLineOptions);
  if (*type == "header") return DecodeHeader(f);
  if (*type == "tenant") return DecodeNamed<Tenant>(f);
  if (*type == "group") return DecodeNamed<Group>(f);
  if (*type == "role") return DecodeNamed<Role>(f);
  if (*type == "mapping_rule") return DecodeMappingRule(f);
  if (*type == "user") return DecodeUser(f);
  if (*type == "membership") return DecodeMembership(f);
  if (*type == "authorization") return DecodeAuthorization(f);
  if (*type == "trailer") return DecodeTrailer(f);
  return type_value.Error(StrCat("is '", *type, "'; expected ", kTypes));
}

}  // namespace clearance::snapshot_internal

#include "snapshot/record_codec.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <tuple>

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

std::string_view TypeName(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY:
      return "an array";
    case T::OBJECT:
      return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "a number";
    case T::STRING:
      return "a string";
    case T::BOOL:
      return "a boolean";
    case T::NULL_VALUE:
      return "null";
  }
  return "something else";
}

// Strict access to one JSON object: exactly the expected members, no duplicates, right types.
class Fields {
 public:
  Fields(simdjson::dom::object obj, std::string_view kind) : obj_(obj), kind_(kind) {}

  // A bit per expected name rather than a hash set: this runs once per record, and a set's
  // allocation showed in import profiles.
  absl::Status Expect(std::initializer_list<std::string_view> names) {
    uint64_t seen = 0;  // records have far fewer than 64 fields
    for (auto field : obj_) {
      std::string_view key = field.key;
      auto it = std::find(names.begin(), names.end(), key);
      if (it == names.end()) {
        return Error(key, StrCat("is not a field of ", kind_, " records; expected only ",
                                 strings_internal::StrJoin(names, ", ")));
      }
      const uint64_t bit = uint64_t{1} << (it - names.begin());
      if (seen & bit) return Error(key, "appears twice; expected it once");
      seen |= bit;
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (!(seen & (uint64_t{1} << i))) return Error(names.begin()[i], "is missing");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> String(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(name, "a string", e);
    return std::string(s);
  }
  absl::StatusOr<uint64_t> Uint(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    uint64_t v = 0;
    if (e.get_uint64().get(v) != simdjson::SUCCESS) {
      return WrongType(name, "a non-negative integer", e);
    }
    return v;
  }
  absl::StatusOr<std::optional<uint64_t>> OptionalUint(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    if (e.is_null()) return std::optional<uint64_t>();
    absl::StatusOr<uint64_t> v = Uint(name);
    if (!v.ok()) return WrongType(name, "a non-negative integer or null", e);
    return std::optional<uint64_t>(*v);
  }
  absl::StatusOr<bool> Bool(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    bool v = false;
    if (e.get_bool().get(v) != simdjson::SUCCESS) return WrongType(name, "a boolean", e);
    return v;
  }
  absl::StatusOr<simdjson::dom::object> Object(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) return WrongType(name, "an object", e);
    return o;
  }
  absl::StatusOr<simdjson::dom::array> Array(std::string_view name) {
    simdjson::dom::element e = obj_.at_key(name).value_unsafe();
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) return WrongType(name, "an array", e);
    return a;
  }

  absl::Status Error(std::string_view field, std::string_view problem) const {
    return absl::InvalidArgumentError(StrCat(kind_, ": field '", field, "' ", problem));
  }

 private:
  absl::Status WrongType(std::string_view field, std::string_view expected,
                         simdjson::dom::element e) const {
    return Error(field, StrCat("is ", TypeName(e.type()), "; expected ", expected));
  }

  simdjson::dom::object obj_;
  std::string_view kind_;
};

// Parses a catalog name, turning the catalog's message into a field error.
template <typename T, typename Parse>
absl::StatusOr<T> Named(Fields& f, std::string_view field, Parse parse) {
  CLEARANCE_ASSIGN_OR_RETURN(auto text, f.String(field));
  auto value = parse(text);
  if (!value.ok()) return f.Error(field, StrCat(": ", value.status().message()));
  return *value;
}

absl::StatusOr<std::vector<std::string>> StringArray(Fields& f, std::string_view name) {
  CLEARANCE_ASSIGN_OR_RETURN(auto array, f.Array(name));
  std::vector<std::string> out;
  for (simdjson::dom::element e : array) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      return f.Error(name, "holds a non-string; expected an array of strings");
    }
    out.emplace_back(s);
  }
  return out;
}

// Every member is optional; each one present must be a known override of the right type.
absl::Status DecodeIssuerOverrides(simdjson::dom::object obj, const std::string& kind,
                                   TokenIssuerConfig* t) {
  Fields f(obj, kind);
  for (auto field : obj) {
    const std::string_view key = field.key;
    std::optional<std::string>* text = key == "username_claim"    ? &t->username_claim
                                       : key == "client_id_claim" ? &t->client_id_claim
                                       : key == "groups_claim"    ? &t->groups_claim
                                                                  : nullptr;
    std::optional<uint64_t>* bytes = key == "max_token_bytes"    ? &t->max_token_bytes
                                     : key == "max_claims_bytes" ? &t->max_claims_bytes
                                                                 : nullptr;
    if (text != nullptr) {
      if (*text) return f.Error(key, "appears twice; expected it once");
      CLEARANCE_ASSIGN_OR_RETURN(auto v, f.String(key));
      *text = v;
    } else if (bytes != nullptr) {
      if (*bytes) return f.Error(key, "appears twice; expected it once");
      CLEARANCE_ASSIGN_OR_RETURN(auto v, f.Uint(key));
      *bytes = v;
    } else if (key == "prefer_username_claim") {
      if (t->prefer_username_claim) return f.Error(key, "appears twice; expected it once");
      CLEARANCE_ASSIGN_OR_RETURN(auto v, f.Bool(key));
      t->prefer_username_claim = v;
    } else if (key == "leeway_seconds") {
      if (t->leeway_seconds) return f.Error(key, "appears twice; expected it once");
      CLEARANCE_ASSIGN_OR_RETURN(auto v, f.Uint(key));
      if (v > static_cast<uint64_t>(kMaxIssuerLeewaySeconds)) {
        return f.Error(key, StrCat("is ", v, "; expected at most ", kMaxIssuerLeewaySeconds));
      }
      t->leeway_seconds = static_cast<int64_t>(v);
    } else {
      return f.Error(key,
                     "is not an override; expected only username_claim, client_id_claim, "
                     "groups_claim, prefer_username_claim, leeway_seconds, max_token_bytes, "
                     "max_claims_bytes");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TokenIssuerConfig>> DecodeIssuers(Fields& config) {
  CLEARANCE_ASSIGN_OR_RETURN(auto array, config.Array("token_issuers"));
  std::vector<TokenIssuerConfig> out;
  for (simdjson::dom::element e : array) {
    const std::string kind = StrCat("header.configuration.token_issuers[", out.size(), "]");
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) {
      return config.Error("token_issuers", StrCat("element ", out.size(), " is ",
                                                  TypeName(e.type()), "; expected an object"));
    }
    Fields f(obj, kind);
    simdjson::dom::element overrides_element;
    const bool has_overrides = obj.at_key("overrides").get(overrides_element) == simdjson::SUCCESS;
    if (absl::Status s =
            has_overrides ? f.Expect({"issuer", "jwks_file", "jwks_uri", "audiences", "algorithms",
                                      "overrides"})
                          : f.Expect({"issuer", "jwks_file", "jwks_uri", "audiences", "algorithms"});
        !s.ok()) {
      return s;
    }
    TokenIssuerConfig t;
    if (has_overrides) {
      CLEARANCE_ASSIGN_OR_RETURN(auto o, f.Object("overrides"));
      if (absl::Status s = DecodeIssuerOverrides(o, StrCat(kind, ".overrides"), &t); !s.ok()) {
        return s;
      }
    }
    CLEARANCE_ASSIGN_OR_RETURN(auto issuer, f.String("issuer"));
    CLEARANCE_ASSIGN_OR_RETURN(auto jwks_file, f.String("jwks_file"));
    CLEARANCE_ASSIGN_OR_RETURN(auto jwks_uri, f.String("jwks_uri"));
    CLEARANCE_ASSIGN_OR_RETURN(auto audiences, StringArray(f, "audiences"));
    CLEARANCE_ASSIGN_OR_RETURN(auto algorithms, StringArray(f, "algorithms"));
    t.issuer = issuer;
    t.jwks_file = jwks_file;
    t.jwks_uri = jwks_uri;
    t.audiences = audiences;
    t.algorithms = algorithms;
    out.push_back(std::move(t));
  }
  return out;
}

// Version 1 snapshots predate token issuers: their configuration has no "token_issuers" member
// and imports with none.
absl::StatusOr<Configuration> DecodeConfiguration(simdjson::dom::object obj, uint64_t version) {
  Fields f(obj, "header.configuration");
  absl::Status expected =
      version == 1
          ? f.Expect({"mode", "authorizations_enabled", "tenant_checks_enabled", "username_claim",
                      "client_id_claim", "groups_claim", "prefer_username_claim", "id_pattern"})
          : f.Expect({"mode", "authorizations_enabled", "tenant_checks_enabled", "username_claim",
                      "client_id_claim", "groups_claim", "prefer_username_claim", "id_pattern",
                      "token_issuers"});
  if (!expected.ok()) return expected;
  Configuration c;
  CLEARANCE_ASSIGN_OR_RETURN(auto mode, f.String("mode"));
  if (mode == "OIDC") {
    c.mode = AuthMode::kOidc;
  } else if (mode == "BASIC") {
    c.mode = AuthMode::kBasic;
  } else {
    return f.Error("mode", StrCat("is '", mode, "'; expected OIDC or BASIC"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto authz, f.Bool("authorizations_enabled"));
  CLEARANCE_ASSIGN_OR_RETURN(auto tenants, f.Bool("tenant_checks_enabled"));
  CLEARANCE_ASSIGN_OR_RETURN(auto username, f.String("username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto client, f.String("client_id_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto groups, f.String("groups_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto prefer, f.Bool("prefer_username_claim"));
  CLEARANCE_ASSIGN_OR_RETURN(auto pattern, f.String("id_pattern"));
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
    return absl::InvalidArgumentError(StrCat("header.configuration: ", s.message()));
  }
  return c;
}

absl::StatusOr<Record> DecodeHeader(Fields& f) {
  if (absl::Status s = f.Expect({"type", "format", "version", "applied_position",
                                 "next_authorization_key", "configuration", "counts"});
      !s.ok()) {
    return s;
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto format, f.String("format"));
  if (format != kSnapshotFormat) {
    return f.Error("format", StrCat("is '", format, "'; expected '", kSnapshotFormat, "'"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto version, f.Uint("version"));
  if (version < 1 || version > kSnapshotVersion) {
    return f.Error("version", StrCat("is ", version, "; this build reads versions 1 to ",
                                     kSnapshotVersion));
  }
  SnapshotHeader h;
  CLEARANCE_ASSIGN_OR_RETURN(auto position, f.OptionalUint("applied_position"));
  CLEARANCE_ASSIGN_OR_RETURN(auto next_key, f.Uint("next_authorization_key"));
  if (next_key == 0) return f.Error("next_authorization_key", "is 0; expected at least 1");
  h.applied_position = position;
  h.next_authorization_key = next_key;
  CLEARANCE_ASSIGN_OR_RETURN(auto config, f.Object("configuration"));
  CLEARANCE_ASSIGN_OR_RETURN(auto configuration, DecodeConfiguration(config, version));
  h.configuration = configuration;
  CLEARANCE_ASSIGN_OR_RETURN(auto counts_obj, f.Object("counts"));
  Fields c(counts_obj, "header.counts");
  if (absl::Status s = c.Expect({"tenants", "groups", "roles", "mapping_rules", "users",
                                 "memberships", "authorizations"});
      !s.ok()) {
    return s;
  }
  uint64_t* targets[] = {&h.counts.tenants,       &h.counts.groups, &h.counts.roles,
                         &h.counts.mapping_rules, &h.counts.users,  &h.counts.memberships,
                         &h.counts.authorizations};
  const char* names[] = {"tenants", "groups",      "roles",         "mapping_rules",
                         "users",   "memberships", "authorizations"};
  for (size_t i = 0; i < std::size(names); ++i) {
    CLEARANCE_ASSIGN_OR_RETURN(auto n, c.Uint(names[i]));
    *targets[i] = n;
  }
  return Record(h);
}

template <typename T>
absl::StatusOr<Record> DecodeNamed(Fields& f) {
  if (absl::Status s = f.Expect({"type", "id", "name", "description"}); !s.ok()) return s;
  CLEARANCE_ASSIGN_OR_RETURN(auto id, f.String("id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.String("name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto description, f.String("description"));
  return Record(Row(T{id, name, description}));
}

absl::StatusOr<Record> DecodeMappingRule(Fields& f) {
  if (absl::Status s = f.Expect({"type", "id", "claim_name", "claim_value", "name"}); !s.ok()) {
    return s;
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto id, f.String("id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto claim_name, f.String("claim_name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto claim_value, f.String("claim_value"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.String("name"));
  return Record(Row(MappingRule{id, claim_name, claim_value, name, {}}));
}

absl::StatusOr<Record> DecodeUser(Fields& f) {
  if (absl::Status s = f.Expect({"type", "username", "name", "email", "password_hash"}); !s.ok()) {
    return s;
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto username, f.String("username"));
  CLEARANCE_ASSIGN_OR_RETURN(auto name, f.String("name"));
  CLEARANCE_ASSIGN_OR_RETURN(auto email, f.String("email"));
  CLEARANCE_ASSIGN_OR_RETURN(auto hash, f.String("password_hash"));
  return Record(Row(User{username, name, email, hash}));
}

absl::StatusOr<Record> DecodeMembership(Fields& f) {
  if (absl::Status s =
          f.Expect({"type", "container_type", "container_id", "member_type", "member_id"});
      !s.ok()) {
    return s;
  }
  Membership m;
  CLEARANCE_ASSIGN_OR_RETURN(auto container_type,
                             Named<ContainerType>(f, "container_type", ParseContainerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto container_id, f.String("container_id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto member_type, Named<MemberType>(f, "member_type", ParseOwnerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto member_id, f.String("member_id"));
  m.container_type = container_type;
  m.container_id = container_id;
  m.member_type = member_type;
  m.member_id = member_id;
  return Record(Row(m));
}

absl::StatusOr<Record> DecodeAuthorization(Fields& f) {
  if (absl::Status s = f.Expect({"type", "key", "owner_type", "owner_id", "resource_type",
                                 "matcher", "resource", "permissions"});
      !s.ok()) {
    return s;
  }
  Authorization a;
  CLEARANCE_ASSIGN_OR_RETURN(auto key, f.Uint("key"));
  CLEARANCE_ASSIGN_OR_RETURN(auto owner_type, Named<OwnerType>(f, "owner_type", ParseOwnerType));
  CLEARANCE_ASSIGN_OR_RETURN(auto owner_id, f.String("owner_id"));
  CLEARANCE_ASSIGN_OR_RETURN(auto resource_type,
                             Named<ResourceType>(f, "resource_type", ParseResourceType));
  CLEARANCE_ASSIGN_OR_RETURN(auto matcher, f.String("matcher"));
  CLEARANCE_ASSIGN_OR_RETURN(auto resource, f.String("resource"));
  CLEARANCE_ASSIGN_OR_RETURN(auto permissions, f.Array("permissions"));
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
  for (simdjson::dom::element e : permissions) {
    std::string_view name;
    if (e.get_string().get(name) != simdjson::SUCCESS) {
      return f.Error("permissions", "holds a non-string; expected an array of permission names");
    }
    absl::StatusOr<Permission> p = ParsePermission(name);
    if (!p.ok()) return f.Error("permissions", StrCat(": ", p.status().message()));
    if (a.permissions & Bit(*p)) {
      return f.Error("permissions", StrCat("names ", name, " twice; expected each once"));
    }
    a.permissions |= Bit(*p);
  }
  return Record(Row(a));
}

absl::StatusOr<Record> DecodeTrailer(Fields& f) {
  if (absl::Status s = f.Expect({"type", "records", "sha256"}); !s.ok()) return s;
  Trailer t;
  CLEARANCE_ASSIGN_OR_RETURN(auto records, f.Uint("records"));
  CLEARANCE_ASSIGN_OR_RETURN(auto sha, f.String("sha256"));
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
  simdjson::dom::element root;
  if (auto error = parser_.parse(line.data(), line.size(), /*realloc_if_needed=*/true).get(root);
      error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat("not valid JSON (", simdjson::error_message(error), "); expected one JSON object"));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat("is ", TypeName(root.type()), "; expected one JSON object per line"));
  }
  simdjson::dom::element type_element;
  std::string_view type;
  if (obj.at_key("type").get(type_element) != simdjson::SUCCESS ||
      type_element.get_string().get(type) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        "record: field 'type' is missing or not a string; expected header, tenant, group, role, "
        "mapping_rule, user, membership, authorization or trailer");
  }
  Fields f(obj, type);
  if (type == "header") return DecodeHeader(f);
  if (type == "tenant") return DecodeNamed<Tenant>(f);
  if (type == "group") return DecodeNamed<Group>(f);
  if (type == "role") return DecodeNamed<Role>(f);
  if (type == "mapping_rule") return DecodeMappingRule(f);
  if (type == "user") return DecodeUser(f);
  if (type == "membership") return DecodeMembership(f);
  if (type == "authorization") return DecodeAuthorization(f);
  if (type == "trailer") return DecodeTrailer(f);
  return absl::InvalidArgumentError(
      StrCat("record: field 'type' is '", type,
             "'; expected header, tenant, group, role, mapping_rule, user, membership, "
             "authorization or trailer"));
}

}  // namespace clearance::snapshot_internal

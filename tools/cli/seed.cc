// Seed files for `clearance init`: Camunda's camunda.security.initialization section, as YAML or
// JSON. YAML is converted to JSON first (yaml-cpp, from Debian), so one strict reader handles
// both shapes.
#include "cli/seed.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/token_password.h"
#include "cli/cli.h"
#include "simdjson.h"

namespace clearance::cli {
namespace {

using simdjson::dom::element;
using strings_internal::AppendJsonQuoted;
using strings_internal::StrCat;

// ---- YAML -> JSON ------------------------------------------------------------------------

// Thrown by JsonFromYamlEvents to stop yaml-cpp's parser at the first broken rule (yaml-cpp's
// event interface has no other way to stop); caught in YamlToJson.
struct SeedRefusal {
  absl::Status status;
};

// Writes the YAML document as JSON while yaml-cpp parses it, one event at a time, so no node
// tree is built and the limits are checked as the document is read. Scalars become JSON strings:
// every seed field is text or a list of text.
class JsonFromYamlEvents : public YAML::EventHandler {
 public:
  JsonFromYamlEvents(const SeedLimits& limits, std::string* out) : limits_(limits), out_(out) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) Refuse(mark, "holds a second YAML document; expected one");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    BeginNode(mark, anchor, /*scalar=*/false);
    out_->append("null");
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { RefuseAnchors(mark); }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override { RefuseAnchors(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    BeginNode(mark, anchor, /*scalar=*/true);
    AppendJsonQuoted(out_, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*map=*/false);
  }
  void OnSequenceEnd() override { Close(']'); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*map=*/true);
  }
  void OnMapEnd() override { Close('}'); }

 private:
  struct Frame {
    bool map;
    size_t items;  // a map counts keys and values
  };

  [[noreturn]] static void Refuse(const YAML::Mark& mark, std::string_view problem) {
    throw SeedRefusal{absl::InvalidArgumentError(
        StrCat("seed: line ", mark.line + 1, ", column ", mark.column + 1, ": ", problem))};
  }
  [[noreturn]] static void RefuseAnchors(const YAML::Mark& mark) {
    Refuse(mark,
           "YAML anchors and aliases are not accepted in seeds (an alias repeats a subtree, so a "
           "few hundred bytes can stand for an exponentially large document); write the values "
           "out");
  }

  // Separators, the node count, and where the node stands (a map key must be text).
  void BeginNode(const YAML::Mark& mark, YAML::anchor_t anchor, bool scalar) {
    if (anchor != YAML::NullAnchor) RefuseAnchors(mark);
    if (++nodes_ > limits_.max_nodes) {
      Refuse(mark, StrCat("holds more than ", limits_.max_nodes,
                          " YAML nodes, the limit; raise it with --max-seed-nodes"));
    }
    if (stack_.empty()) return;
    Frame& top = stack_.back();
    const bool key = top.map && top.items % 2 == 0;
    if (key && !scalar) Refuse(mark, "a map key is not text; expected a field name");
    if (top.items > 0 && (!top.map || key)) out_->push_back(',');
    if (top.map && !key) out_->push_back(':');
    ++top.items;
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    BeginNode(mark, anchor, /*scalar=*/false);
    if (stack_.size() + 1 > limits_.max_depth) {
      Refuse(mark, StrCat("nests deeper than ", limits_.max_depth,
                          " levels, the limit; raise it with --max-seed-depth"));
    }
    stack_.push_back({map, 0});
    out_->push_back(map ? '{' : '[');
  }
  void Close(char bracket) {
    stack_.pop_back();
    out_->push_back(bracket);
  }

  const SeedLimits& limits_;
  std::string* out_;
  std::vector<Frame> stack_;
  size_t nodes_ = 0;
  int documents_ = 0;
};

absl::StatusOr<std::string> YamlToJson(std::string_view text, const SeedLimits& limits) {
  std::string json;
  std::istringstream in{std::string(text)};
  JsonFromYamlEvents writer(limits, &json);
  // yaml-cpp reports errors by throwing; this is a tool-side, load-time path.
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(writer);
    if (parser.HandleNextDocument(writer)) {
      return absl::InvalidArgumentError("seed: holds a second YAML document; expected one");
    }
  } catch (const SeedRefusal& refusal) {
    return refusal.status;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("seed: not valid YAML at line ", e.mark.line + 1,
                                             ", column ", e.mark.column + 1, ": ", e.msg));
  }
  if (json.empty()) json = "null";
  return json;
}

// ---- the strict reader -------------------------------------------------------------------

// Spring's relaxed binding: mappingRules, mapping-rules and mapping_rules are one key.
std::string Canonical(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c != '-' && c != '_')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

class Reader {
 public:
  // An object's members by canonical key; unknown keys are errors naming `where`.
  absl::StatusOr<std::map<std::string, element>> Members(
      element e, std::string_view where, std::initializer_list<std::string_view> allowed) {
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(StrCat("seed: ", where, ": expected an object"));
    }
    std::map<std::string, element> out;
    for (auto field : obj) {
      std::string key = Canonical(field.key);
      bool known = false;
      for (std::string_view a : allowed) known |= Canonical(a) == key;
      if (!known) {
        return absl::InvalidArgumentError(StrCat("seed: ", where, ": unknown field '", field.key,
                                                 "'; expected ",
                                                 strings_internal::StrJoin(allowed, ", ")));
      }
      if (!out.emplace(key, field.value).second) {
        return absl::InvalidArgumentError(
            StrCat("seed: ", where, ": field '", field.key, "' appears twice"));
      }
    }
    return out;
  }

  absl::StatusOr<std::string> Text(const std::map<std::string, element>& m, std::string_view key,
                                   std::string_view where, bool required) {
    auto it = m.find(Canonical(key));
    if (it == m.end() || it->second.is_null()) {
      if (required) {
        return absl::InvalidArgumentError(
            StrCat("seed: ", where, ": field '", key, "' is missing"));
      }
      return std::string();
    }
    std::string_view s;
    if (it->second.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    int64_t i = 0;
    if (it->second.get_int64().get(i) == simdjson::SUCCESS) return StrCat(i);
    return absl::InvalidArgumentError(StrCat("seed: ", where, ": field '", key, "' expected text"));
  }

  // A list of text: a JSON/YAML list, or one comma-separated string (environment style).
  absl::StatusOr<std::vector<std::string>> List(const std::map<std::string, element>& m,
                                                std::string_view key, std::string_view where) {
    std::vector<std::string> out;
    auto it = m.find(Canonical(key));
    if (it == m.end() || it->second.is_null()) return out;
    std::string_view s;
    if (it->second.get_string().get(s) == simdjson::SUCCESS) {
      size_t start = 0;
      while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view item = s.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = end + 1;
      }
      return out;
    }
    simdjson::dom::array arr;
    if (it->second.get_array().get(arr) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(
          StrCat("seed: ", where, ": field '", key, "' expected a list of text"));
    }
    size_t i = 0;
    for (element item : arr) {
      std::string_view v;
      if (item.get_string().get(v) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(
            StrCat("seed: ", where, ".", key, "[", i, "]: expected text"));
      }
      out.emplace_back(v);
      ++i;
    }
    return out;
  }

  // Iterates a list of objects under `key`.
  template <typename F>
  absl::Status Each(const std::map<std::string, element>& m, std::string_view key, F f) {
    auto it = m.find(Canonical(key));
    if (it == m.end() || it->second.is_null()) return absl::OkStatus();
    simdjson::dom::array arr;
    if (it->second.get_array().get(arr) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(StrCat("seed: field '", key, "' expected a list"));
    }
    size_t i = 0;
    for (element item : arr) {
      CLEARANCE_RETURN_IF_ERROR(f(item, StrCat(key, "[", i, "]")));
      ++i;
    }
    return absl::OkStatus();
  }
};

// Adds container members listed under users / clients / groups / roles / mappingRules.
absl::Status AddMembers(Reader& r, const std::map<std::string, element>& m, ContainerType type,
                        const std::string& id, const std::string& where,
                        std::vector<Membership>* out) {
  const std::pair<std::string_view, MemberType> kLists[] = {
      {"users", MemberType::kUser},
      {"clients", MemberType::kClient},
      {"groups", MemberType::kGroup},
      {"roles", MemberType::kRole},
      {"mappingRules", MemberType::kMappingRule}};
  for (const auto& [key, member_type] : kLists) {
    CLEARANCE_ASSIGN_OR_RETURN(auto ids, r.List(m, key, where));
    for (std::string& member : ids) out->push_back({type, id, member_type, std::move(member)});
  }
  return absl::OkStatus();
}

absl::StatusOr<InitializationSeed> ReadSeed(element root) {
  Reader r;
  // The section itself, or a document that nests it under camunda.security.initialization.
  for (std::string_view step : {"camunda", "security", "initialization"}) {
    simdjson::dom::object obj;
    element next;
    if (root.get_object().get(obj) == simdjson::SUCCESS &&
        obj.at_key(step).get(next) == simdjson::SUCCESS) {
      root = next;
    }
  }
  CLEARANCE_ASSIGN_OR_RETURN(auto top, r.Members(root, "initialization",
                                                 {"users", "mappingRules", "groups", "roles",
                                                  "tenants", "defaultRoles", "authorizations"}));
  InitializationSeed seed;
  absl::Status s = r.Each(top, "users", [&](element e, const std::string& where) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(auto m,
                               r.Members(e, where, {"username", "password", "name", "email"}));
    CLEARANCE_ASSIGN_OR_RETURN(auto username, r.Text(m, "username", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto password, r.Text(m, "password", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto name, r.Text(m, "name", where, false));
    CLEARANCE_ASSIGN_OR_RETURN(auto email, r.Text(m, "email", where, false));
    std::string hash = password;
    if (!password.starts_with("{bcrypt}$2")) {
      absl::StatusOr<std::string> hashed = HashPassword(password);
      if (!hashed.ok()) {
        return absl::InvalidArgumentError(StrCat("seed: ", where, ": ", hashed.status().message()));
      }
      hash = *hashed;
    }
    seed.users.push_back({username, name, email, hash});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  s = r.Each(top, "mappingRules", [&](element e, const std::string& where) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(
        auto m, r.Members(e, where, {"mappingRuleId", "claimName", "claimValue", "name"}));
    CLEARANCE_ASSIGN_OR_RETURN(auto id, r.Text(m, "mappingRuleId", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto claim_name, r.Text(m, "claimName", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto claim_value, r.Text(m, "claimValue", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto name, r.Text(m, "name", where, false));
    // Camunda's configuration may leave the name out; the id then names the rule.
    seed.mapping_rules.push_back({id, claim_name, claim_value, name.empty() ? id : name, {}});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  struct Container {
    std::string_view list;
    std::string_view id_key;
    ContainerType type;
  };
  for (const Container& c : {Container{"groups", "groupId", ContainerType::kGroup},
                             Container{"roles", "roleId", ContainerType::kRole},
                             Container{"tenants", "tenantId", ContainerType::kTenant}}) {
    s = r.Each(top, c.list, [&](element e, const std::string& where) -> absl::Status {
      CLEARANCE_ASSIGN_OR_RETURN(auto m, r.Members(e, where,
                                                   {c.id_key, "name", "description", "users",
                                                    "clients", "groups", "roles", "mappingRules"}));
      CLEARANCE_ASSIGN_OR_RETURN(auto id, r.Text(m, c.id_key, where, true));
      CLEARANCE_ASSIGN_OR_RETURN(auto name, r.Text(m, "name", where, true));
      CLEARANCE_ASSIGN_OR_RETURN(auto description, r.Text(m, "description", where, false));
      if (c.type == ContainerType::kGroup) seed.groups.push_back({id, name, description});
      if (c.type == ContainerType::kRole) seed.roles.push_back({id, name, description});
      if (c.type == ContainerType::kTenant) seed.tenants.push_back({id, name, description});
      return AddMembers(r, m, c.type, id, where, &seed.memberships);
    });
    if (!s.ok()) return s;
  }
  if (auto it = top.find(Canonical("defaultRoles")); it != top.end()) {
    simdjson::dom::object roles;
    if (it->second.get_object().get(roles) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("seed: defaultRoles: expected an object of role ids");
    }
    for (auto role : roles) {
      std::string where = StrCat("defaultRoles.", role.key);
      CLEARANCE_ASSIGN_OR_RETURN(
          auto m, r.Members(role.value, where, {"users", "clients", "groups", "mappingRules"}));
      CLEARANCE_RETURN_IF_ERROR(AddMembers(r, m, ContainerType::kRole, std::string(role.key), where,
                                           &seed.default_role_members));
    }
  }
  s = r.Each(top, "authorizations", [&](element e, const std::string& where) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(auto m,
                               r.Members(e, where,
                                         {"ownerType", "ownerId", "resourceType", "resourceId",
                                          "resourcePropertyName", "permissions"}));
    CLEARANCE_ASSIGN_OR_RETURN(auto owner_type, r.Text(m, "ownerType", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto owner_id, r.Text(m, "ownerId", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto resource_type, r.Text(m, "resourceType", where, true));
    CLEARANCE_ASSIGN_OR_RETURN(auto resource_id, r.Text(m, "resourceId", where, false));
    CLEARANCE_ASSIGN_OR_RETURN(auto property, r.Text(m, "resourcePropertyName", where, false));
    CLEARANCE_ASSIGN_OR_RETURN(auto permissions, r.List(m, "permissions", where));
    AuthorizationSpec spec;
    absl::StatusOr<OwnerType> ot = ParseOwnerType(owner_type);
    if (!ot.ok())
      return absl::InvalidArgumentError(
          StrCat("seed: ", where, ".ownerType: ", ot.status().message()));
    absl::StatusOr<ResourceType> rt = ParseResourceType(resource_type);
    if (!rt.ok())
      return absl::InvalidArgumentError(
          StrCat("seed: ", where, ".resourceType: ", rt.status().message()));
    for (const std::string& p : permissions) {
      absl::StatusOr<Permission> perm = ParsePermission(p);
      if (!perm.ok())
        return absl::InvalidArgumentError(
            StrCat("seed: ", where, ".permissions: ", perm.status().message()));
      spec.permissions |= Bit(*perm);
    }
    spec.owner_type = *ot;
    spec.owner_id = owner_id;
    spec.resource_type = *rt;
    spec.resource_id = resource_id;
    spec.resource_property_name = property;
    seed.authorizations.push_back(std::move(spec));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return seed;
}

}  // namespace

absl::StatusOr<InitializationSeed> ParseSeed(std::string_view text, bool yaml,
                                             const SeedLimits& limits) {
  std::string json;
  if (yaml) {
    CLEARANCE_ASSIGN_OR_RETURN(json, YamlToJson(text, limits));
  } else {
    json = std::string(text);
  }
  simdjson::dom::parser parser;
  element root;
  simdjson::error_code error = parser.allocate(std::max<size_t>(json.size(), 1), limits.max_depth);
  if (error == simdjson::SUCCESS) error = parser.parse(json).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return absl::InvalidArgumentError(StrCat("seed: nests deeper than ", limits.max_depth,
                                             " levels, the limit; raise it with --max-seed-depth"));
  }
  if (error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat("seed: not valid JSON (", simdjson::error_message(error), ")"));
  }
  return ReadSeed(root);
}

}  // namespace clearance::cli

// /v2/mapping-rules: create, get, update (200 with the rule), delete, search.
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/v2/resources.h"
#include "server/v2/search.h"
#include "server/v2/wire.h"

namespace clearance::server::v2_internal {
namespace {

constexpr std::string_view kSortFields[] = {"mappingRuleId", "claimName", "claimValue", "name"};

// MappingRuleResult (also the create and update results).
void WriteRule(JsonWriter& w, const MappingRule& r) {
  w.BeginObject();
  w.Field("claimName", r.claim_name);
  w.Field("claimValue", r.claim_value);
  w.Field("name", r.name);
  w.Field("mappingRuleId", r.id);
  w.EndObject();
}

// claimName, claimValue and name, all required (MappingRuleCreateUpdateRequest).
absl::Status ReadFields(const JsonObject& root, MappingRule* rule) {
  for (auto [name, out] :
       {std::pair{"claimName", &rule->claim_name}, std::pair{"claimValue", &rule->claim_value},
        std::pair{"name", &rule->name}}) {
    CLEARANCE_ASSIGN_OR_RETURN(*out, root.RequiredString(name));
  }
  return absl::OkStatus();
}

HttpResponse Create(RequestContext& context) {
  if (auto refused = Require(context, ResourceType::kMappingRule, Permission::kCreate)) {
    return *refused;
  }
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  const JsonObject root = body->root();
  MappingRule rule;
  absl::StatusOr<std::string> id = root.RequiredString("mappingRuleId");
  if (!id.ok()) return Fail(context, id.status());
  rule.id = *std::move(id);
  if (absl::Status s = ReadFields(root, &rule); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, CreateMappingRule{rule})) return *failed;
  JsonWriter w;
  WriteRule(w, rule);
  return Json(201, std::move(w));
}

HttpResponse Get(RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, ResourceType::kMappingRule, Permission::kRead, id)) {
    return *refused;
  }
  std::optional<MappingRule> found;
  context.server.store->Read([&](const IdentityState& state) {
    if (const MappingRule* r = state.FindMappingRule(id)) found = *r;
  });
  if (!found) return NotFound(context, "Mapping rule", id);
  JsonWriter w;
  WriteRule(w, *found);
  return Json(200, std::move(w));
}

HttpResponse Update(RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, ResourceType::kMappingRule, Permission::kUpdate, id)) {
    return *refused;
  }
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  MappingRule rule;
  rule.id = id;
  if (absl::Status s = ReadFields(body->root(), &rule); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, UpdateMappingRule{rule})) return *failed;
  JsonWriter w;
  WriteRule(w, rule);
  return Json(200, std::move(w));
}

HttpResponse Delete(RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, ResourceType::kMappingRule, Permission::kDelete, id)) {
    return *refused;
  }
  if (auto failed = Execute(context, DeleteMappingRule{id})) return *failed;
  return NoContent();
}

// MappingRuleFilter: claimName, claimValue, mappingRuleId (strings), name (StringFilterProperty).
struct Filter {
  std::optional<StringFilter> claim_name, claim_value, id, name;
  bool Matches(const MappingRule& r) const {
    return (!claim_name || claim_name->Matches(r.claim_name)) &&
           (!claim_value || claim_value->Matches(r.claim_value)) && (!id || id->Matches(r.id)) &&
           (!name || name->Matches(r.name));
  }
};

absl::StatusOr<Filter> ReadFilter(const std::optional<JsonObject>& object) {
  Filter f;
  if (!object) return f;
  for (auto [name, out, advanced] :
       {std::tuple{"claimName", &f.claim_name, false},
        std::tuple{"claimValue", &f.claim_value, false}, std::tuple{"mappingRuleId", &f.id, false},
        std::tuple{"name", &f.name, true}}) {
    CLEARANCE_ASSIGN_OR_RETURN(*out, ReadStringFilter(*object, name, advanced));
  }
  return f;
}

// `within`: null for every rule, else only these ids. `readable`: the caller's READ.
HttpResponse SearchRules(const RequestContext& context, const std::set<std::string>* within,
                         const ReadableIds& readable) {
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(context.request.body, kSortFields);
  if (!query.ok()) return Fail(context, query.status());
  absl::StatusOr<Filter> filter = ReadFilter(query->filter());
  if (!filter.ok()) return Fail(context, filter.status());
  std::vector<MappingRule> items;
  context.server.store->Read([&](const IdentityState& state) {
    for (const auto& [id, r] : state.mapping_rules()) {
      if (within != nullptr && !within->contains(id)) continue;
      if (filter->Matches(r) && readable.Allows(id)) items.push_back(r);
    }
  });
  SortItems(*query, items, [](const MappingRule& r, size_t field) -> std::string_view {
    switch (field) {
      case 0:
        return r.id;
      case 1:
        return r.claim_name;
      case 2:
        return r.claim_value;
      default:
        return r.name;
    }
  });
  return SearchResponse(*query, items, WriteRule);
}

HttpResponse Search(RequestContext& context) {
  ReadableIds readable;
  if (auto refused = ReadableBy(context, ResourceType::kMappingRule, &readable)) return *refused;
  return SearchRules(context, nullptr, readable);
}

}  // namespace

HttpResponse SearchMappingRulesWithin(const RequestContext& context,
                                      const std::set<std::string>& within) {
  ReadableIds readable;
  if (auto refused = ReadableBy(context, ResourceType::kMappingRule, &readable)) return *refused;
  return SearchRules(context, &within, readable);
}

void AddMappingRuleRoutes(Router& router) {
  router.Add("POST", "/v2/mapping-rules", Create);
  router.Add("POST", "/v2/mapping-rules/search", Search);
  router.Add("GET", "/v2/mapping-rules/{mappingRuleId}", Get);
  router.Add("PUT", "/v2/mapping-rules/{mappingRuleId}", Update);
  router.Add("DELETE", "/v2/mapping-rules/{mappingRuleId}", Delete);
}

}  // namespace clearance::server::v2_internal

#include "server/decision/decision_json.h"

#include <charconv>

namespace clearance::server::decision {

void AppendDecision(std::string* out, Decision decision, uint64_t generation,
                    std::string_view detail) {
  out->append(decision.allowed() ? R"({"allowed":true,"outcome":")"
                                 : R"({"allowed":false,"outcome":")");
  out->append(Name(decision.outcome));
  out->append(R"(","reason":")");
  out->append(Name(decision.reason));
  out->append(R"(","generation":)");
  char digits[24];
  const std::to_chars_result end = std::to_chars(digits, digits + sizeof(digits), generation);
  out->append(digits, end.ptr);
  if (!detail.empty()) {
    out->append(R"(,"detail":)");
    AppendJsonString(out, detail);
  }
  out->push_back('}');
}

void WriteOwner(JsonWriter& w, const OwnerRef& owner) {
  w.BeginObject();
  w.Field("type", Name(owner.type));
  w.Field("id", owner.id);
  w.EndObject();
}

void WritePermissions(JsonWriter& w, PermissionMask mask) {
  w.BeginArray();
  ForEachPermission(mask, [&](Permission p) { w.String(Name(p)); });
  w.EndArray();
}

void WriteExplanation(JsonWriter& w, const Explanation& explanation, std::string_view detail) {
  w.BeginObject();
  w.Field("allowed", explanation.decision.allowed());
  w.Field("outcome", Name(explanation.decision.outcome));
  w.Field("reason", Name(explanation.decision.reason));
  if (!detail.empty()) w.Field("detail", detail);
  w.Field("message", explanation.message);
  w.Key("requiredIds");
  w.BeginArray();
  for (const std::string& id : explanation.required_ids) w.String(id);
  w.EndArray();
  w.Key("principal");
  if (explanation.principal) {
    WriteOwner(w, *explanation.principal);
  } else {
    w.Null();
  }
  w.Key("matchingRules");
  w.BeginArray();
  for (const std::string& rule : explanation.matching_rules) w.String(rule);
  w.EndArray();
  w.Key("grants");
  w.BeginArray();
  for (const GrantPath& grant : explanation.grants) {
    w.BeginObject();
    w.Key("chain");
    w.BeginArray();
    for (const OwnerRef& owner : grant.chain) WriteOwner(w, owner);
    w.EndArray();
    w.Field("authorizationKey", std::to_string(grant.authorization_key));
    w.EndObject();
  }
  w.EndArray();
  w.Field("generation", explanation.generation);
  w.EndObject();
}

}  // namespace clearance::server::decision
